package dev.lifeline;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import dev.lifeline.ConnectionState.Kind;
import dev.lifeline.testing.Await;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.Test;

/** The client's own lifecycle: shutdown closes everything, and later use fails clearly. */
public final class LifelineTest {
  @Test public void shutdownClosesConnectionsReportsQueuedMessagesAndRefusesNewOnes() throws Exception {
    Lifeline lifeline = Lifeline.builder().build();
    List<String> failed = new CopyOnWriteArrayList<>();
    Connection c = lifeline.newConnection("ws://127.0.0.1:1/never", new ConnectionListener() {
      @Override public void onSendFailed(Connection connection, Message message, String reason) {
        failed.add(message.text() + ": " + reason);
      }
    });
    lifeline.signals().networkLost(); // Nothing will connect: the message stays queued.
    c.connect();
    assertTrue(c.send("queued"));
    lifeline.shutdown(5, SECONDS);

    Await.until("closed", 5_000, () -> c.state().kind() == Kind.CLOSED);
    assertEquals("closed by the app", c.state().reason());
    Await.until("the queued message reported", 5_000, () -> failed.size() == 1);
    assertEquals("queued: connection closed before the message was delivered: closed by the app",
        failed.get(0));
    try {
      c.send("late");
      fail();
    } catch (IllegalStateException expected) {
      assertTrue(expected.getMessage().startsWith("send() after the connection closed"));
    }
    try {
      lifeline.newConnection("ws://127.0.0.1:1/", new ConnectionListener() {});
      fail();
    } catch (IllegalStateException expected) {
      assertEquals("newConnection() after Lifeline.shutdown()", expected.getMessage());
    }
    lifeline.signals().networkAvailable(); // Harmless after shutdown.
  }

  @Test public void manyConnectionsShareOneSchedulerThread() throws Exception {
    Set<Thread> before = schedulerThreads();
    Lifeline lifeline = Lifeline.builder().build();
    try {
      for (int i = 0; i < 50; i++) {
        lifeline.newConnection("ws://127.0.0.1:1/c" + i, new ConnectionListener() {});
      }
      lifeline.signals().screenOn(); // Starts the scheduler thread; it reaches all 50.
      Await.until("our scheduler thread", 5_000, () -> newThreads(before).size() == 1);
      assertEquals(1, newThreads(before).size());
    } finally {
      lifeline.shutdown(5, SECONDS);
    }
  }

  private static Set<Thread> newThreads(Set<Thread> before) {
    Set<Thread> now = schedulerThreads();
    now.removeAll(before);
    return now;
  }

  private static Set<Thread> schedulerThreads() {
    Set<Thread> threads = new HashSet<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.isAlive() && t.getName().equals("Lifeline scheduler")) threads.add(t);
    }
    return threads;
  }
}
