package dev.lifeline.e2e;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import dev.lifeline.Connection;
import dev.lifeline.ConnectionState;
import dev.lifeline.ConnectionState.Kind;
import dev.lifeline.Lifeline;
import dev.lifeline.TestAccess;
import dev.lifeline.testing.Await;
import dev.lifeline.testing.Java8ScheduledExecutor;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * {@link Lifeline#shutdown} with real threads against 127.0.0.1: it returns within about its
 * timeout even with app code stuck, and says what was stuck; with nothing stuck it returns true at
 * once and the threads it created end; and it does not depend on how the executor behind its
 * scheduler stops (Java 8 and Android discard queued tasks that Java 9+ would still run).
 */
public final class ShutdownEndToEndTest {
  /** Bound of each awaited step. */
  private static final long STEP_MILLIS = 3_000;
  /** The threads a client with default settings creates (OkHttp's are OkHttp's business). */
  private static final List<String> LIFELINE_THREADS =
      Arrays.asList("Lifeline scheduler", "Lifeline callbacks", "Lifeline hooks");

  private final AppCode.Gate gate = new AppCode.Gate();
  private final AppCode.Log log = new AppCode.Log();
  private WebSocketServerFixture server;
  private Lifeline lifeline;

  @Before public void setUp() throws Exception {
    server = new WebSocketServerFixture();
  }

  @After public void tearDown() throws Exception {
    gate.release();
    try {
      if (lifeline != null) lifeline.shutdown(2, SECONDS); // Again, for a test that failed early.
    } finally {
      server.close();
    }
  }

  @Test public void withAStuckListenerShutdownReturnsFalseWithinItsTimeoutAndNamesTheStuckCall()
      throws Exception {
    lifeline = Lifeline.builder().logger(log).build();
    server.onOpen = (index, ws) -> ws.send("hello");
    AppCode.Listener listener = new AppCode.Listener() {
      @Override public void onMessage(Connection c, String text) {
        gate.block("ConnectionListener.onMessage");
      }
    };
    Connection c = lifeline.newConnection(server.url(), listener);
    c.connect();
    gate.awaitStuck("ConnectionListener.onMessage", STEP_MILLIS);

    long started = System.nanoTime();
    boolean finished = lifeline.shutdown(2, SECONDS);
    long tookMillis = (System.nanoTime() - started) / 1_000_000;

    assertFalse("shutdown reports that a call did not finish", finished);
    assertTrue("returned after " + tookMillis + " ms", tookMillis < 3_500);
    assertTrue("waited for the app calls up to the timeout, " + tookMillis + " ms",
        tookMillis >= 1_900);
    assertEquals("the connection closed although its listener is stuck",
        "closed by the app", c.state().reason());
    step("the close frame at the server", () -> server.closes.contains("0:1000:client closed"));
    step("the WARN", () -> log.has("WARN Lifeline.shutdown(2000 ms) returns with work unfinished"));
    String warn = log.lineWith("WARN Lifeline.shutdown(2000 ms)");
    assertTrue(warn, warn.contains("connections not closed: []"));
    assertTrue(warn, warn.contains("app calls still running, left to finish on their own threads:"
        + " [ConnectionListener.onMessage on Connection{" + server.url()));
    assertTrue("still stuck after shutdown returned", gate.stillStuck());
  }

  @Test public void withNothingStuckShutdownReturnsTrueAtOnceAndItsThreadsEnd() throws Exception {
    Set<Thread> before = lifelineThreads();
    lifeline = Lifeline.builder().logger(log).build();
    AppCode.Listener listener = new AppCode.Listener();
    Connection c = lifeline.newConnection(server.url(), listener);
    c.connect();
    assertTrue(c.send("echo:hi"));
    step("the echo", () -> listener.messages.contains("hi"));
    step("a log line", () -> log.has(server.url() + " → CONNECTED"));
    Set<Thread> ours = lifelineThreads();
    ours.removeAll(before);
    for (String name : LIFELINE_THREADS) {
      assertTrue("a thread '" + name + "' ran: " + ours, namesOf(ours).contains(name));
    }

    long started = System.nanoTime();
    assertTrue(lifeline.shutdown(2, SECONDS));
    long tookMillis = (System.nanoTime() - started) / 1_000_000;
    assertTrue("returned after " + tookMillis + " ms", tookMillis < 1_000);
    assertEquals("closed by the app", listener.last().reason());
    for (Thread t : ours) {
      step("thread '" + t.getName() + "' to end", () -> !t.isAlive());
    }
  }

  /**
   * One connection paused with a message queued, another open. A client whose scheduler stops
   * as on Java 8 still closes both, reports the message and sends the close frame, because
   * shutdown waits for the closes before it stops the scheduler. If it stopped the scheduler
   * first, the posted closes would be discarded and none of this would happen.
   */
  @Test public void shutdownClosesEverythingEvenWhenTheSchedulerStopsAsOnJava8() throws Exception {
    lifeline = TestAccess.schedulerExecutor(Lifeline.builder(),
        new Java8ScheduledExecutor("Lifeline scheduler")).build();
    AppCode.Listener open = new AppCode.Listener();
    Connection connected = lifeline.newConnection(server.url(), open);
    connected.connect();
    step("connected", () -> open.isIn(Kind.CONNECTED));
    // Suspended: the open connection is kept; a new one waits without attempts, unlike after
    // networkLost(), which would drop the open one too.
    lifeline.signals().suspended();
    AppCode.Listener paused = new AppCode.Listener();
    Connection queued = lifeline.newConnection("ws://127.0.0.1:1/never", paused);
    queued.connect();
    step("paused", () -> paused.isIn(Kind.PAUSED));
    assertTrue(queued.send("queued"));
    assertEquals(1, queued.queuedMessages());

    boolean finished = lifeline.shutdown(2, SECONDS);

    // No waiting from here: shutdown returned only after the app heard all of it.
    assertEquals("the paused connection: " + paused.states,
        "closed by the app", reasonIfClosed(paused.last()));
    assertEquals("the open connection: " + open.states,
        "closed by the app", reasonIfClosed(open.last()));
    assertEquals(Collections.singletonList(
        "queued: connection closed before the message was delivered: closed by the app"),
        paused.sendFailures);
    assertTrue("everything finished within the timeout", finished);
    step("the close frame at the server", () -> server.closes.contains("0:1000:client closed"));
    assertEquals(1, server.sockets.size());
  }

  private static String reasonIfClosed(ConnectionState s) {
    return s != null && s.kind() == Kind.CLOSED ? s.reason() : "not closed: " + s;
  }

  private static Set<Thread> lifelineThreads() {
    Set<Thread> threads = new HashSet<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.isAlive() && LIFELINE_THREADS.contains(t.getName())) threads.add(t);
    }
    return threads;
  }

  private static Set<String> namesOf(Set<Thread> threads) {
    Set<String> names = new HashSet<>();
    for (Thread t : threads) names.add(t.getName());
    return names;
  }

  private static void step(String what, Await.Condition condition) throws Exception {
    Await.until(what, STEP_MILLIS, condition);
  }
}
