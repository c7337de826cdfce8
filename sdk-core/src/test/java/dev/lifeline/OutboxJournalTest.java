package dev.lifeline;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.File;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public final class OutboxJournalTest {
  @Rule public final TemporaryFolder temp = new TemporaryFolder();

  @Test public void namesAreFileNamesWithoutAPath() {
    for (String bad : new String[] {"", "a/b", "..\\x", "with space", "ü",
        new String(new char[65]).replace('\0', 'a')}) {
      try {
        OutboxJournal.builder(temp.getRoot(), bad);
        fail(bad);
      } catch (IllegalArgumentException e) {
        assertTrue(e.getMessage(), e.getMessage().startsWith("a journal name is 1 to 64"
            + " characters of [A-Za-z0-9._-], was \"" + bad + "\" (" + bad.length() + " chars)"));
      }
    }
    String longest = "Chat_1.main-" + new String(new char[52]).replace('\0', 'z');
    OutboxJournal.builder(temp.getRoot(), longest);
  }

  @Test public void connectionOptionsJournalIsAProcessDeathJournalOnThatFile() throws Exception {
    File dir = temp.newFolder();
    ConnectionOptions options = ConnectionOptions.builder("ws://127.0.0.1:1/x")
        .journal(dir, "chat")
        .build();
    OutboxStore store = options.outboxStore();
    assertEquals("OutboxJournal{" + new File(dir, "chat.journal") + ", PROCESS_DEATH}",
        store.toString());
    store.open();
    store.add(new StoredMessage(1, Message.text("hi"), 5, false));
    store.close();
    OutboxStore again = OutboxJournal.builder(dir, "chat")
        .durability(OutboxJournal.Durability.POWER_LOSS).build();
    assertEquals("hi", again.open().messages().get(0).message().text());
    again.close();
    assertSame(OutboxJournal.Durability.PROCESS_DEATH, OutboxJournal.Durability.valueOf(
        "PROCESS_DEATH"));
  }

  @Test public void aConnectionRestoresTheJournalAndASecondOneOnItIsRefused() throws Exception {
    File dir = temp.newFolder();
    // What a process that died with three messages queued left behind.
    OutboxStore dead = OutboxJournal.builder(dir, "chat").build();
    dead.open();
    for (int i = 1; i <= 3; i++) {
      dead.add(new StoredMessage(i, Message.text("m" + i).withId("id" + i),
          System.currentTimeMillis(), false));
    }
    dead.close();

    Lifeline lifeline = Lifeline.builder().build();
    List<String> failed = new CopyOnWriteArrayList<String>();
    ConnectionListener listener = new ConnectionListener() {
      @Override public void onSendFailed(Connection c, Message m, String reason) {
        failed.add(m.id());
      }
    };
    try {
      Connection c = lifeline.newConnection(
          ConnectionOptions.builder("ws://127.0.0.1:1/x").journal(dir, "chat").build(), listener);
      assertEquals(3, c.queuedMessages());
      try {
        lifeline.newConnection(
            ConnectionOptions.builder("ws://127.0.0.1:1/y").journal(dir, "chat").build(),
            listener);
        fail();
      } catch (IllegalStateException e) {
        assertTrue(e.getMessage(), e.getMessage().contains("is in use by another client"));
      }
    } finally {
      assertTrue(lifeline.shutdown(5, TimeUnit.SECONDS));
    }
    // The shutdown reported the three and removed them; the journal was closed.
    assertEquals(java.util.Arrays.asList("id1", "id2", "id3"), failed);
    OutboxStore after = OutboxJournal.builder(dir, "chat").build();
    assertEquals(0, after.open().messages().size());
    after.close();
  }
}
