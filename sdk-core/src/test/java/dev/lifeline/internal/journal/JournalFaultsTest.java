package dev.lifeline.internal.journal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import dev.lifeline.Message;
import dev.lifeline.OutboxJournal;
import dev.lifeline.OutboxStore;
import dev.lifeline.StoredMessage;
import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** Full disks, I/O errors, failed fsyncs and read-only directories, on a failing file system. */
public final class JournalFaultsTest {
  @Rule public final TemporaryFolder temp = new TemporaryFolder();
  private final FaultyFileSystem fs = new FaultyFileSystem();
  private final List<OutboxStore> opened = new ArrayList<OutboxStore>();

  @After public void closeAll() {
    for (OutboxStore s : opened) {
      try {
        s.close();
      } catch (IOException ignored) {
        // a store broken on purpose
      }
    }
  }

  private OutboxStore store(File dir, OutboxJournal.Durability durability) {
    OutboxStore s = OutboxJournal.builder(dir, "j").durability(durability).fileSystem(fs).build();
    opened.add(s);
    return s;
  }

  private static StoredMessage secret(long seq) {
    return new StoredMessage(seq, Message.text("secret payload " + seq), seq, false);
  }

  private static List<Long> sequences(OutboxStore.Contents c) {
    List<Long> out = new ArrayList<Long>();
    for (StoredMessage m : c.messages()) out.add(m.sequence());
    return out;
  }

  @Test public void aFullDiskFailsTheAddKeepsWhatWasRecordedAndLaterAddsAreClean()
      throws Exception {
    File dir = temp.newFolder();
    OutboxStore s = store(dir, OutboxJournal.Durability.PROCESS_DEATH);
    s.open();
    s.add(secret(1));
    s.add(secret(2));
    long intact = new File(dir, "j.journal").length();
    fs.writeBudget = 10; // the next record gets 10 bytes in, then the disk is full
    try {
      s.add(secret(3));
      fail();
    } catch (IOException e) {
      assertTrue(e.getMessage(), e.getMessage().startsWith("cannot write a record of "));
      assertTrue(e.getMessage(), e.getMessage().contains(new File(dir, "j.journal").getPath()));
      assertTrue(e.getMessage(), e.getMessage().contains("No space left on device"));
      assertFalse(e.getMessage(), e.getMessage().contains("secret"));
    }
    assertEquals(intact, new File(dir, "j.journal").length());
    fs.writeBudget = -1; // space freed
    s.add(secret(4));
    s.close();
    OutboxStore.Contents c = store(dir, OutboxJournal.Durability.PROCESS_DEATH).open();
    assertEquals(null, c.damage());
    assertEquals(Arrays.asList(1L, 2L, 4L), sequences(c));
  }

  /** A POWER_LOSS store in {@code dir} that recorded 1, then failed to sync 2. */
  private OutboxStore failedToSyncTheSecondAdd(File dir) throws IOException {
    OutboxStore s = store(dir, OutboxJournal.Durability.POWER_LOSS);
    s.open();
    s.add(secret(1));
    fs.failSync = true;
    try {
      s.add(secret(2));
      fail();
    } catch (IOException e) {
      assertTrue(e.getMessage(), e.getMessage().contains("failed to sync (Input/output error):"
          + " the record is not durable"));
    }
    fs.failSync = false;
    return s;
  }

  @Test public void aFailedFsyncAtPowerLossFailsTheAddAndTheStoreUntilReopened()
      throws Exception {
    File dir = temp.newFolder();
    OutboxStore s = failedToSyncTheSecondAdd(dir);
    try {
      s.add(secret(3));
      fail();
    } catch (IOException e) {
      assertTrue(e.getMessage(), e.getMessage().contains("records nothing more until it is"
          + " closed and opened again"));
      assertTrue(e.getMessage(), e.getMessage().contains("were cut away"));
    }
    s.close();
    // Record 2 was cut away: a message the app was told was refused never comes back.
    OutboxStore.Contents c = store(dir, OutboxJournal.Durability.POWER_LOSS).open();
    assertEquals(Arrays.asList(1L), sequences(c));
    assertEquals(null, c.damage());
  }

  @Test public void closingAfterAFailedFsyncCutsTheUnsyncedRecordsAway() throws Exception {
    File dir = temp.newFolder();
    failedToSyncTheSecondAdd(dir).close(); // no call in between
    assertEquals(Arrays.asList(1L),
        sequences(store(dir, OutboxJournal.Durability.POWER_LOSS).open()));
  }

  @Test public void aReadOnlyDirectoryFailsTheOpenWithThePath() throws Exception {
    File dir = temp.newFolder();
    fs.readOnlyDirectory = true;
    try {
      store(dir, OutboxJournal.Durability.PROCESS_DEATH).open();
      fail();
    } catch (IOException e) {
      assertTrue(e.getMessage(), e.getMessage().startsWith("cannot write outbox journal "
          + new File(dir, "j.journal.tmp")));
      assertTrue(e.getMessage(), e.getMessage().contains("Permission denied"));
    }
    assertFalse(new File(dir, "j.journal").exists());
  }

  @Test public void aReadOnlyDirectoryWithAJournalStillRecordsButCannotCompact()
      throws Exception {
    File dir = temp.newFolder();
    OutboxStore s = store(dir, OutboxJournal.Durability.PROCESS_DEATH);
    s.open();
    s.close();
    fs.readOnlyDirectory = true;
    OutboxStore t = store(dir, OutboxJournal.Durability.PROCESS_DEATH);
    t.open();
    byte[] big = new byte[600 * 1024];
    t.add(new StoredMessage(1, Message.binary(big), 1, false));
    t.add(new StoredMessage(2, Message.binary(big), 2, false));
    t.add(secret(3));
    try {
      t.remove(new long[] {1, 2});
      fail();
    } catch (IOException e) {
      assertTrue(e.getMessage(), e.getMessage().contains("the removal was recorded, but"
          + " compacting"));
      assertTrue(e.getMessage(), e.getMessage().contains("Permission denied"));
    }
    t.add(secret(4)); // still usable
    t.close();
    fs.readOnlyDirectory = false;
    assertEquals(Arrays.asList(3L, 4L),
        sequences(store(dir, OutboxJournal.Durability.PROCESS_DEATH).open()));
  }
}
