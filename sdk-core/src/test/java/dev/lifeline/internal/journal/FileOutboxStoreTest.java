package dev.lifeline.internal.journal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import dev.lifeline.Message;
import dev.lifeline.OutboxStore;
import dev.lifeline.StoredMessage;
import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import okio.ByteString;
import okio.FileSystem;
import okio.Path;
import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public final class FileOutboxStoreTest {
  @Rule public final TemporaryFolder temp = new TemporaryFolder();
  private final List<OutboxStore> opened = new ArrayList<OutboxStore>();

  @After public void closeAll() throws IOException {
    for (OutboxStore s : opened) s.close();
  }

  private FileOutboxStore store(File dir) {
    return store(dir, false, FileSystem.SYSTEM);
  }

  private FileOutboxStore store(File dir, boolean powerLoss, FileSystem fs) {
    FileOutboxStore s = new FileOutboxStore(fs, Path.get(dir), "j", powerLoss);
    opened.add(s);
    return s;
  }

  private static StoredMessage text(long seq, String text) {
    return new StoredMessage(seq, Message.text(text), 1000 + seq, false);
  }

  private static List<Long> sequences(OutboxStore.Contents c) {
    List<Long> out = new ArrayList<Long>();
    for (StoredMessage m : c.messages()) out.add(m.sequence());
    return out;
  }

  private static List<Long> range(long from, long to) {
    List<Long> out = new ArrayList<Long>();
    for (long i = from; i <= to; i++) out.add(i);
    return out;
  }

  private File journal(File dir) {
    return new File(dir, "j.journal");
  }

  @Test public void restoresWhatWasAddedWithIdsTimesKindsAndSendingMarks() throws Exception {
    File dir = temp.newFolder();
    FileOutboxStore s = store(dir);
    assertEquals(0, s.open().messages().size());
    Message binary = Message.binary(new byte[] {0, (byte) 0xFF, (byte) 0xC1, 'L', 'J', 7});
    // Unpaired surrogates do not survive UTF-8; the journal keeps them exactly.
    Message odd = Message.text("half \uD800 pair \uD83D\uDE00").withId("id-\uDC00");
    s.add(text(1, "hello"));
    s.add(new StoredMessage(2, binary, 42, false));
    s.add(new StoredMessage(3, odd, 43, false));
    s.markSending(new long[] {2});
    s.savePosition("offset-17");
    s.savePosition("offset-18 \uD800");
    s.close();

    OutboxStore.Contents c = store(dir).open();
    assertNull(c.damage());
    assertEquals("offset-18 \uD800", c.position());
    assertEquals(3, c.messages().size());
    StoredMessage a = c.messages().get(0);
    assertEquals(Message.text("hello"), a.message());
    assertEquals(1001, a.acceptedAtEpochMillis());
    assertFalse(a.sending());
    StoredMessage b = c.messages().get(1);
    assertEquals(binary, b.message());
    assertEquals(binary.id(), b.message().id());
    assertTrue(b.sending());
    StoredMessage o = c.messages().get(2);
    assertEquals(odd.text(), o.message().text());
    assertEquals("id-\uDC00", o.message().id());
  }

  @Test public void removedMessagesAreNotRestoredAndOrderIsBySequence() throws Exception {
    File dir = temp.newFolder();
    FileOutboxStore s = store(dir);
    s.open();
    s.add(text(2, "b"));
    s.add(text(1, "a")); // two app threads may add out of order; open sorts
    s.add(text(3, "c"));
    s.add(text(4, "d"));
    s.remove(new long[] {3, 99});
    s.close();
    OutboxStore.Contents c = store(dir).open();
    assertEquals(java.util.Arrays.asList(1L, 2L, 4L), sequences(c));
    assertNull(c.damage());
  }

  @Test public void compactionKeepsExactlyTheLiveSetInOrderWithSendingAndPosition()
      throws Exception {
    File dir = temp.newFolder();
    FileOutboxStore s = store(dir);
    s.open();
    String payload = new String(new char[200]).replace('\0', 'x');
    long seq = 0;
    // 10,000 messages of ~230 bytes, all removed but those ending in 7: garbage passes 1 MiB.
    List<Long> expected = new ArrayList<Long>();
    for (int i = 0; i < 10_000; i++) {
      seq++;
      s.add(text(seq, payload + seq));
      if (seq % 10 == 7) {
        expected.add(seq);
        if (seq % 20 == 7) s.markSending(new long[] {seq});
      } else {
        s.remove(new long[] {seq});
      }
      if (seq % 1000 == 0) s.savePosition("p" + seq);
    }
    long size = journal(dir).length();
    assertTrue("compacted: " + size, size < 2 * 1024 * 1024 + 1000 * 260);
    s.close();
    OutboxStore.Contents c = store(dir).open();
    assertNull(c.damage());
    assertEquals(expected, sequences(c));
    assertEquals("p10000", c.position());
    for (StoredMessage m : c.messages()) {
      assertEquals(payload + m.sequence(), m.message().text());
      assertEquals(m.sequence() % 20 == 7, m.sending());
    }
    assertFalse(new File(dir, "j.journal.tmp").exists());
  }

  @Test public void removingPastTheFloorCompactsAtOnce() throws Exception {
    File dir = temp.newFolder();
    FileOutboxStore s = store(dir);
    s.open();
    byte[] big = new byte[300 * 1024];
    for (int i = 1; i <= 4; i++) s.add(new StoredMessage(i, Message.binary(big), i, false));
    s.add(text(5, "kept"));
    s.remove(new long[] {1, 2, 3});
    assertTrue("900 KiB removed, under the floor: " + journal(dir).length(),
        journal(dir).length() > 1024 * 1024);
    s.remove(new long[] {4});
    assertTrue("compacted: " + journal(dir).length(), journal(dir).length() < 1000);
    s.close();
    assertEquals(java.util.Arrays.asList(5L), sequences(store(dir).open()));
  }

  @Test public void openCompactsAJournalWhoseRemovedRecordsOutweighTheLive() throws Exception {
    File dir = temp.newFolder();
    // As a process killed before its compaction leaves it: 1.2 MiB added, then removed.
    try (RandomAccessFile f = new RandomAccessFile(journal(dir), "rw")) {
      f.write(JournalFormat.header());
      byte[] big = new byte[300 * 1024];
      for (int i = 1; i <= 4; i++) {
        f.write(JournalFormat.add(new StoredMessage(i, Message.binary(big), i, false)));
      }
      f.write(JournalFormat.add(text(5, "kept")));
      f.write(JournalFormat.sequences(JournalFormat.REMOVE, new long[] {1, 2, 3, 4}, 0, 4));
    }
    OutboxStore.Contents c = store(dir).open();
    assertNull(c.damage());
    assertEquals(java.util.Arrays.asList(5L), sequences(c));
    assertTrue("compacted on open: " + journal(dir).length(), journal(dir).length() < 1000);
  }

  @Test public void aTornTailIsReportedAndCutSoNewRecordsFollowTheLastIntactOne()
      throws Exception {
    File dir = temp.newFolder();
    FileOutboxStore s = store(dir);
    s.open();
    for (int i = 1; i <= 3; i++) s.add(text(i, "m" + i));
    s.close();
    long intact = journal(dir).length();
    try (RandomAccessFile f = new RandomAccessFile(journal(dir), "rw")) {
      byte[] half = JournalFormat.add(text(4, "m4"));
      f.seek(intact);
      f.write(half, 0, half.length - 3); // a write cut short
    }
    FileOutboxStore t = store(dir);
    OutboxStore.Contents c = t.open();
    assertEquals(range(1, 3), sequences(c));
    assertNotNull(c.damage());
    assertTrue(c.damage(), c.damage().contains("offset " + intact));
    assertEquals(intact, journal(dir).length());
    t.add(text(5, "m5"));
    t.close();
    OutboxStore.Contents again = store(dir).open();
    assertNull(again.damage());
    assertEquals(java.util.Arrays.asList(1L, 2L, 3L, 5L), sequences(again));
  }

  @Test public void flippedBytesInTheMiddleLoseOnlyTheRecordTheyHit() throws Exception {
    File dir = temp.newFolder();
    FileOutboxStore s = store(dir);
    s.open();
    long[] offsets = new long[11];
    for (int i = 1; i <= 10; i++) {
      offsets[i] = journal(dir).length();
      s.add(text(i, "message number " + i));
    }
    s.savePosition("after");
    s.close();
    try (RandomAccessFile f = new RandomAccessFile(journal(dir), "rw")) {
      f.seek(offsets[5] + 20);
      f.write(new byte[] {1, 2, 3, 4}); // inside record 5
      f.seek(offsets[7] + 4);
      f.writeInt(Integer.MAX_VALUE); // record 7's length: hostile, never allocated
    }
    OutboxStore.Contents c = store(dir).open();
    assertEquals(java.util.Arrays.asList(1L, 2L, 3L, 4L, 6L, 8L, 9L, 10L), sequences(c));
    assertEquals("after", c.position());
    assertTrue(c.damage(), c.damage().contains((offsets[6] - offsets[5]) + " bytes at offset "
        + offsets[5]));
    assertTrue(c.damage(), c.damage().contains("at offset " + offsets[7]));
    opened.get(1).close();
    // The open rewrote the journal without the damage: reported once.
    OutboxStore.Contents again = store(dir).open();
    assertNull(again.damage());
    assertEquals(sequences(c), sequences(again));
  }

  @Test public void anEmptyFileIsReportedAndStartedAfresh() throws Exception {
    File dir = temp.newFolder();
    assertTrue(journal(dir).createNewFile());
    FileOutboxStore s = store(dir);
    OutboxStore.Contents c = s.open();
    assertEquals(0, c.messages().size());
    assertTrue(c.damage(), c.damage().contains("empty (0 bytes)"));
    s.add(text(1, "a"));
    s.close();
    OutboxStore.Contents again = store(dir).open();
    assertNull(again.damage());
    assertEquals(range(1, 1), sequences(again));
  }

  @Test public void aHeaderCutShortIsReportedAndStartedAfresh() throws Exception {
    File dir = temp.newFolder();
    Files.write(journal(dir).toPath(), new byte[] {'L', 'L', 'O', 'U', 'T'});
    FileOutboxStore s = store(dir);
    OutboxStore.Contents c = s.open();
    assertEquals(0, c.messages().size());
    assertTrue(c.damage(), c.damage().contains("only 5 bytes of its 12-byte header"));
    assertEquals(JournalFormat.HEADER_BYTES, journal(dir).length());
  }

  @Test public void aNewerFormatIsRefusedAndLeftUntouched() throws Exception {
    File dir = temp.newFolder();
    FileOutboxStore s = store(dir);
    s.open();
    s.add(text(1, "a"));
    s.close();
    try (RandomAccessFile f = new RandomAccessFile(journal(dir), "rw")) {
      f.seek(8);
      f.writeInt(2);
      f.seek(f.length());
      f.write(new byte[] {9, 9, 9}); // what a newer version might append
    }
    String hash = sha256(journal(dir));
    try {
      store(dir).open();
      fail();
    } catch (IOException e) {
      assertTrue(e.getMessage(), e.getMessage().contains("format version 2, newer than the"
          + " version 1"));
    }
    assertEquals(hash, sha256(journal(dir)));
    // Not held: a newer Lifeline (here: the file put back) opens it.
    try (RandomAccessFile f = new RandomAccessFile(journal(dir), "rw")) {
      f.seek(8);
      f.writeInt(1);
    }
    assertEquals(range(1, 1), sequences(store(dir).open()));
  }

  @Test public void aFileThatIsNotAJournalIsRefusedAndLeftUntouched() throws Exception {
    File dir = temp.newFolder();
    Files.write(journal(dir).toPath(), "{\"not\": \"a journal\"}".getBytes("UTF-8"));
    String hash = sha256(journal(dir));
    try {
      store(dir).open();
      fail();
    } catch (IOException e) {
      assertTrue(e.getMessage(), e.getMessage().contains("is not a Lifeline outbox journal"));
    }
    assertEquals(hash, sha256(journal(dir)));
  }

  @Test public void aStaleTempFileOfAKilledCompactionIsDeletedAndTheJournalKept()
      throws Exception {
    File dir = temp.newFolder();
    FileOutboxStore s = store(dir);
    s.open();
    s.add(text(1, "a"));
    s.close();
    Files.write(new File(dir, "j.journal.tmp").toPath(), JournalFormat.header());
    assertEquals(range(1, 1), sequences(store(dir).open()));
    assertFalse(new File(dir, "j.journal.tmp").exists());
  }

  @Test public void aSecondStoreOnTheSameJournalIsRefusedUntilTheFirstCloses() throws Exception {
    File dir = temp.newFolder();
    FileOutboxStore first = store(dir);
    first.open();
    FileOutboxStore second = new FileOutboxStore(FileSystem.SYSTEM,
        Path.get(new File(dir, "../" + dir.getName())), "j", false);
    try {
      second.open();
      fail();
    } catch (IOException e) {
      assertTrue(e.getMessage(), e.getMessage().contains("is in use by another client"));
    }
    first.close();
    opened.add(second);
    second.open();
    second.close();
    first.open(); // the same store opens again after close
  }

  @Test public void callsBeforeOpenOrAfterCloseAreRefused() throws Exception {
    FileOutboxStore s = store(temp.newFolder());
    try {
      s.add(text(1, "a"));
      fail();
    } catch (IllegalStateException expected) {
    }
    s.open();
    s.close();
    for (Runnable call : new Runnable[] {
        () -> call(() -> s.add(text(1, "a"))),
        () -> call(() -> s.remove(new long[] {1})),
        () -> call(() -> s.markSending(new long[] {1})),
        () -> call(() -> s.savePosition("p"))}) {
      try {
        call.run();
        fail();
      } catch (IllegalStateException e) {
        assertTrue(e.getMessage(), e.getMessage().contains("is closed"));
      }
    }
    s.close(); // twice: nothing
  }

  interface IoCall {
    void run() throws IOException;
  }

  private static void call(IoCall c) {
    try {
      c.run();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  @Test public void concurrentAddsNeverInterleave() throws Exception {
    File dir = temp.newFolder();
    FileOutboxStore s = store(dir);
    s.open();
    int threads = 4;
    int each = 2000;
    onThreads(threads, each, seq ->
        s.add(text(seq, "payload of " + seq + " " + new String(new char[(int) (seq % 300)]))));
    s.close();
    OutboxStore.Contents c = store(dir).open();
    assertNull(c.damage());
    assertEquals(range(1, threads * each), sequences(c));
    for (StoredMessage m : c.messages()) {
      assertTrue(m.message().text().startsWith("payload of " + m.sequence() + " "));
    }
  }

  interface SequenceCall {
    void run(long sequence) throws IOException;
  }

  /**
   * Runs {@code body} {@code each} times on each of {@code threads} threads at once, with
   * sequences 1, 2, ... shared between them; fails on any error, or when they take over 60 s.
   */
  private static void onThreads(int threads, int each, SequenceCall body) throws Exception {
    AtomicLong next = new AtomicLong();
    AtomicReference<Throwable> failure = new AtomicReference<Throwable>();
    CountDownLatch done = new CountDownLatch(threads);
    for (int t = 0; t < threads; t++) {
      new Thread(() -> {
        try {
          for (int i = 0; i < each; i++) body.run(next.incrementAndGet());
        } catch (Throwable e) {
          failure.set(e);
        } finally {
          done.countDown();
        }
      }).start();
    }
    assertTrue("threads still adding after 60 s", done.await(60, TimeUnit.SECONDS));
    assertNull(failure.get());
  }

  @Test public void powerLossAddsFromSeveralThreadsShareFsyncs() throws Exception {
    File dir = temp.newFolder();
    FaultyFileSystem fs = new FaultyFileSystem();
    fs.syncMillis = 2;
    FileOutboxStore s = store(dir, true, fs);
    s.open();
    int threads = 4;
    int each = 50;
    long before = s.syncCount();
    onThreads(threads, each, seq -> s.add(text(seq, "x")));
    long syncs = s.syncCount() - before;
    // Each add waited for an fsync that started after its write; with 4 threads and 2 ms fsyncs
    // the followers share the leader's: well under one per add.
    assertTrue("fsyncs for " + threads * each + " adds: " + syncs, syncs < threads * each * 3 / 4);
    assertTrue(syncs > 0);
    s.close();
    assertEquals(range(1, threads * each), sequences(store(dir).open()));
  }

  @Test public void aBatchIsOneWriteAndAtPowerLossOneFsync() throws Exception {
    File dir = temp.newFolder();
    FileOutboxStore s = store(dir, true, new FaultyFileSystem());
    s.open();
    s.add(text(1, "alone"));
    long before = s.syncCount();
    List<StoredMessage> batch = new ArrayList<StoredMessage>();
    for (int seq = 2; seq <= 101; seq++) batch.add(text(seq, "burst " + seq));
    s.addAll(batch);
    assertEquals("one fsync for a burst of 100", 1, s.syncCount() - before);
    s.remove(new long[] {50});
    s.close();
    List<Long> expected = range(1, 101);
    expected.remove(Long.valueOf(50));
    assertEquals(expected, sequences(store(dir).open()));
  }

  @Test public void aBatchThatCannotBeWrittenLeavesNoneOfItRecorded() throws Exception {
    File dir = temp.newFolder();
    FaultyFileSystem fs = new FaultyFileSystem();
    FileOutboxStore s = store(dir, false, fs);
    s.open();
    s.add(text(1, "kept"));
    List<StoredMessage> batch = new ArrayList<StoredMessage>();
    for (int seq = 2; seq <= 20; seq++) batch.add(text(seq, "burst " + seq));
    fs.writeBudget = 500; // The disk fills in the middle of the burst.
    try {
      s.addAll(batch);
      fail("the disk is full");
    } catch (IOException expected) {
      assertTrue(expected.getMessage(), expected.getMessage().contains("journal keeps everything"));
    }
    fs.writeBudget = -1;
    s.add(text(21, "after"));
    s.close();
    assertEquals(java.util.Arrays.asList(1L, 21L), sequences(store(dir).open()));
  }

  @Test public void powerLossAddsRacingCompactionsLoseNothing() throws Exception {
    File dir = temp.newFolder();
    FileOutboxStore s = store(dir, true, FileSystem.SYSTEM);
    s.open();
    String payload = new String(new char[2000]).replace('\0', 'k');
    // Every add waits for its fsync while other threads' removals rewrite the journal under it.
    onThreads(4, 300, seq -> {
      s.add(text(seq, payload + seq));
      if (seq % 10 != 0) s.remove(new long[] {seq});
    });
    assertTrue("compacted: " + journal(dir).length(), journal(dir).length() < 2 * 1024 * 1024);
    s.close();
    OutboxStore.Contents c = store(dir).open();
    assertNull(c.damage());
    List<Long> expected = new ArrayList<Long>();
    for (long seq = 10; seq <= 1200; seq += 10) expected.add(seq);
    assertEquals(expected, sequences(c));
    for (StoredMessage m : c.messages()) assertEquals(payload + m.sequence(), m.message().text());
  }

  @Test public void aMissingDirectoryIsCreatedAndAnUncreatableOneIsNamed() throws Exception {
    File dir = new File(temp.getRoot(), "a/b/c");
    FileOutboxStore s = store(dir);
    s.open();
    s.add(text(1, "a"));
    assertTrue(journal(dir).exists());
    File file = temp.newFile("plain");
    FileOutboxStore bad = store(new File(file, "sub"));
    try {
      bad.open();
      fail();
    } catch (IOException e) {
      assertTrue(e.getMessage(), e.getMessage().startsWith("cannot create the directory of"
          + " outbox journal " + new File(file, "sub/j.journal")));
    }
  }

  static String sha256(File f) throws Exception {
    return ByteString.of(MessageDigest.getInstance("SHA-256").digest(
        Files.readAllBytes(f.toPath()))).hex();
  }

  @Test public void aTooLargeMessageIsRefusedWithItsSize() throws Exception {
    File dir = temp.newFolder();
    FileOutboxStore s = store(dir);
    s.open();
    try {
      s.add(new StoredMessage(1, Message.binary(new byte[JournalFormat.MAX_LENGTH]), 1, false));
      fail();
    } catch (IOException e) {
      assertTrue(e.getMessage(), e.getMessage().contains("message of " + JournalFormat.MAX_LENGTH
          + " bytes is too large"));
    }
    s.add(text(1, "a"));
    s.close();
    assertArrayEquals(new Object[] {1L}, sequences(store(dir).open()).toArray());
  }
}
