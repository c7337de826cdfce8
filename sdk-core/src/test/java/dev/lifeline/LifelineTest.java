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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
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

  @Test public void aSendRacingShutdownIsRefusedNeverAcceptedAndLost() throws Exception {
    Lifeline lifeline = Lifeline.builder().build();
    List<String> failed = new CopyOnWriteArrayList<>();
    CountDownLatch keying = new CountDownLatch(1);
    CountDownLatch shutDown = new CountDownLatch(1);
    AtomicBoolean first = new AtomicBoolean(true);
    AckMatcher slowKey = new AckMatcher() { // Runs inside send(), after its own "closed?" check.
      @Override public Object key(Message out) {
        if (first.getAndSet(false)) {
          keying.countDown();
          await(shutDown);
        }
        return null;
      }

      @Override public Object acknowledgedKey(Message in) {
        return null;
      }
    };
    Connection c = lifeline.newConnection(ConnectionOptions.builder("ws://127.0.0.1:1/never")
        .atLeastOnce(slowKey).build(), recordingFailures(failed));
    AtomicReference<Object> outcome = new AtomicReference<>();
    Thread app = new Thread(() -> {
      try {
        outcome.set(c.send("m1"));
      } catch (IllegalStateException e) {
        outcome.set(e.getMessage());
      }
    }, "app sending");
    app.start();
    assertTrue(keying.await(5, SECONDS));
    assertTrue(lifeline.shutdown(5, SECONDS));
    shutDown.countDown();
    app.join(5_000);
    assertEquals("send() after the connection closed: closed by the app", outcome.get());
    assertTrue(failed.isEmpty());
  }

  @Test public void withAnInjectedSchedulerTheCloseStillReportsToTheApp() throws Exception {
    ManualScheduler scheduler = new ManualScheduler();
    Lifeline lifeline = Lifeline.builder().scheduler(scheduler).build();
    List<String> heard = new CopyOnWriteArrayList<>();
    Connection c = lifeline.newConnection("ws://127.0.0.1:1/never", new ConnectionListener() {
      @Override public void onStateChanged(Connection connection, ConnectionState state) {
        heard.add(state.kind().name());
      }

      @Override public void onSendFailed(Connection connection, Message m, String reason) {
        heard.add("failed " + m.text());
      }
    });
    assertTrue(c.send("queued")); // IDLE: it waits in the outbox.
    assertTrue("nothing of its own to wait for", lifeline.shutdown(5, SECONDS));
    scheduler.runAll(); // The app's scheduler runs the close afterwards.
    Await.until("the close reported", 5_000, () -> heard.size() == 2);
    assertEquals(java.util.Arrays.asList("CLOSED", "failed queued"), heard);
  }

  @Test public void shutdownWithNoTimeStillClosesEverythingThenStopsItsThreads() throws Exception {
    Set<Thread> before = schedulerThreads();
    Lifeline lifeline = Lifeline.builder().build();
    List<String> failed = new CopyOnWriteArrayList<>();
    Connection c = lifeline.newConnection(ConnectionOptions.builder("ws://127.0.0.1:1/never")
        .build(), recordingFailures(failed));
    lifeline.signals().networkLost();
    c.connect();
    assertTrue(c.send("queued"));
    Await.until("our scheduler thread", 5_000, () -> newThreads(before).size() == 1);
    Thread scheduler = newThreads(before).iterator().next();
    lifeline.shutdown(0, SECONDS); // No time to wait: the close must still happen.
    Await.until("closed", 5_000, () -> c.state().kind() == Kind.CLOSED);
    Await.until("the queued message reported", 5_000, () -> failed.size() == 1);
    Await.until("the scheduler thread to end", 5_000, () -> !scheduler.isAlive());
  }

  @Test public void shutdownCalledFromAListenerDoesNotWaitForItself() throws Exception {
    Lifeline lifeline = Lifeline.builder().build();
    AtomicLong tookMillis = new AtomicLong(-1);
    AtomicBoolean result = new AtomicBoolean();
    Connection c = lifeline.newConnection("ws://127.0.0.1:1/never", new ConnectionListener() {
      @Override public void onStateChanged(Connection connection, ConnectionState state) {
        if (state.kind() != Kind.PAUSED) return;
        long start = System.nanoTime();
        try {
          result.set(lifeline.shutdown(3, SECONDS));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        tookMillis.set((System.nanoTime() - start) / 1_000_000);
      }
    });
    lifeline.signals().networkLost();
    c.connect();
    Await.until("shutdown to return", 10_000, () -> tookMillis.get() >= 0);
    assertTrue("took " + tookMillis.get() + " ms", tookMillis.get() < 1_500);
    assertTrue(result.get());
    assertEquals(Kind.CLOSED, c.state().kind());
  }

  @Test public void tryWithResourcesClosesTheClientItsConnectionsAndItsThreads() throws Exception {
    Set<Thread> before = schedulerThreads();
    List<String> failed = new CopyOnWriteArrayList<>();
    Connection c;
    Thread scheduler;
    try (Lifeline lifeline = Lifeline.builder().build()) {
      c = lifeline.newConnection("ws://127.0.0.1:1/never", recordingFailures(failed));
      lifeline.signals().networkLost();
      c.connect();
      assertTrue(c.send("queued"));
      Await.until("our scheduler thread", 5_000, () -> newThreads(before).size() == 1);
      scheduler = newThreads(before).iterator().next();
    }
    assertEquals(Kind.CLOSED, c.state().kind());
    assertEquals("closed by the app", c.state().reason());
    assertEquals(1, failed.size());
    Await.until("the scheduler thread to end", 5_000, () -> !scheduler.isAlive());
  }

  @Test public void tryWithResourcesClosesAConnection() throws Exception {
    try (Lifeline lifeline = Lifeline.builder().build()) {
      Connection kept = lifeline.newConnection("ws://127.0.0.1:1/kept", new ConnectionListener() {});
      Connection c;
      try (Connection used = lifeline.newConnection("ws://127.0.0.1:1/once",
          ConnectionListener.builder().build())) {
        c = used;
        used.connect();
      }
      Await.until("closed", 5_000, () -> c.state().kind() == Kind.CLOSED);
      assertEquals("closed by the app", c.state().reason());
      assertEquals("the client and its other connections go on", Kind.IDLE, kept.state().kind());
      c.close(); // Idempotent.
    }
  }

  @Test public void aCloseThatDidNotFinishInItsTimeoutSaysSo() throws Exception {
    List<String> log = new CopyOnWriteArrayList<>();
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch stuck = new CountDownLatch(1);
    Lifeline lifeline = Lifeline.builder()
        .logger((level, message, error) -> log.add(level + " " + message))
        .closeTimeout(200, java.util.concurrent.TimeUnit.MILLISECONDS)
        .build();
    try {
      Connection c = lifeline.newConnection("ws://127.0.0.1:1/never",
          ConnectionListener.builder().onStateChanged((connection, state) -> {
            stuck.countDown();
            try {
              release.await(); // A listener stuck in its first call.
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }).build());
      c.connect();
      assertTrue(stuck.await(5, SECONDS));
      long started = System.nanoTime();
      lifeline.close();
      long tookMillis = (System.nanoTime() - started) / 1_000_000;
      assertTrue("took " + tookMillis + " ms", tookMillis >= 190 && tookMillis < 2_000);
      Await.until("the WARN", 5_000, () -> log.stream().anyMatch(
          l -> l.startsWith("WARN Lifeline.close() (closeTimeout 200 ms) returns with work"
              + " unfinished")));
      String warn = log.stream().filter(l -> l.startsWith("WARN Lifeline.close()")).findFirst()
          .get();
      assertTrue(warn, warn.contains("[ConnectionListener.onStateChanged on Connection{"));
    } finally {
      release.countDown();
    }
  }

  /** Runs what it is handed only when the test says, like an app's own event loop. */
  private static final class ManualScheduler implements Scheduler {
    private final List<Runnable> due = new java.util.ArrayList<>();

    @Override public synchronized void execute(Runnable task) {
      due.add(task);
    }

    @Override public synchronized Cancellable schedule(Runnable task, long delayMillis) {
      if (delayMillis == 0) due.add(task); // Timers never come due in this test.
      return () -> { };
    }

    void runAll() {
      while (true) {
        List<Runnable> now;
        synchronized (this) {
          now = new java.util.ArrayList<>(due);
          due.clear();
        }
        if (now.isEmpty()) return;
        for (Runnable r : now) r.run();
      }
    }
  }

  private static ConnectionListener recordingFailures(List<String> failed) {
    return new ConnectionListener() {
      @Override public void onSendFailed(Connection connection, Message message, String reason) {
        failed.add(message.text() + ": " + reason);
      }
    };
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(10, SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
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
