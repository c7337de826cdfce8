package dev.lifeline.e2e;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.lifeline.Connection;
import dev.lifeline.ConnectionListener;
import dev.lifeline.ConnectionOptions;
import dev.lifeline.ConnectionState;
import dev.lifeline.ConnectionState.Kind;
import dev.lifeline.HeartbeatPolicy;
import dev.lifeline.Lifeline;
import dev.lifeline.ReconnectPolicy;
import dev.lifeline.testing.Await;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import org.junit.After;
import org.junit.Test;

/**
 * The server-silence watch on tcp:// against a real server on 127.0.0.1 (docs/behaviour.md,
 * "Server-silence watch"): time in which the inbound bound holds the reader for a slow listener
 * is not silence, and a server that really goes silent is still found. The lower bounds below hold
 * whatever the machine's load: a verdict is never earlier than the limit after the server's last
 * write started. Only how much later it comes depends on scheduling, and the margin for that is
 * seconds.
 */
public final class TcpSilenceWatchEndToEndTest {
  /** Bound of every wait. */
  private static final long TIMEOUT_MILLIS = 20_000;
  /** The client's silence limit. */
  private static final long LIMIT_MILLIS = 300;
  /** How much later than the limit a real silence may be found on a loaded machine. */
  private static final long LATE_MARGIN_MILLIS = 5_000;

  private final TcpKeepAliveServer server = new TcpKeepAliveServer();
  private final OkHttpClient okHttp = new OkHttpClient();
  /** Runs the listener, so that the test can leave it stuck. */
  private final ExecutorService callbacks = Executors.newSingleThreadExecutor();
  private final Lifeline lifeline =
      Lifeline.builder().okHttpClient(okHttp).callbackExecutor(callbacks).build();
  private final List<ConnectionState> states = new CopyOnWriteArrayList<>();
  /** System.nanoTime() at each entry of {@link #states}. */
  private final List<Long> stateTimes = new CopyOnWriteArrayList<>();
  /** How many messages the listener had received at each entry of {@link #states}. */
  private final List<Integer> receivedAtState = new CopyOnWriteArrayList<>();
  private final List<String> received = new CopyOnWriteArrayList<>();
  /** The listener waits here on its first message until the test counts it down. */
  private final CountDownLatch slowListener = new CountDownLatch(1);

  @After public void tearDown() throws Exception {
    slowListener.countDown();
    lifeline.shutdown(5, TimeUnit.SECONDS);
    server.close();
    callbacks.shutdown();
    okHttp.dispatcher().executorService().shutdown();
  }

  private Connection connect(long maxPendingInboundBytes, boolean slow) throws Exception {
    server.start(60_000, 1_000); // The server never kicks within these tests.
    Connection c = lifeline.newConnection(ConnectionOptions.builder(server.url())
        .heartbeat(HeartbeatPolicy.builder().serverTimeout(LIMIT_MILLIS, MILLISECONDS).build())
        .maxPendingInboundBytes(maxPendingInboundBytes)
        .reconnect(ReconnectPolicy.builder().baseDelay(10, TimeUnit.SECONDS).build())
        .build(), new ConnectionListener() {
          @Override public void onStateChanged(Connection connection, ConnectionState state) {
            stateTimes.add(System.nanoTime());
            receivedAtState.add(received.size());
            states.add(state);
          }

          @Override public void onMessage(Connection connection, String text) {
            if (slow && received.isEmpty()) {
              try {
                slowListener.await(); // The app is busy: nothing more is taken for now.
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            }
            received.add(text);
          }
        });
    c.connect();
    Await.until("connected", TIMEOUT_MILLIS, () -> c.state().kind() == Kind.CONNECTED);
    Await.until("the server accepted", TIMEOUT_MILLIS, () -> server.connectionCount() == 1);
    return c;
  }

  private List<Kind> kinds() {
    List<Kind> kinds = new ArrayList<>();
    for (ConnectionState s : states) kinds.add(s.kind());
    return kinds;
  }

  /** Index in {@link #states} of the first WAITING_TO_RECONNECT, or -1. */
  private int firstWaiting() {
    for (int i = 0; i < states.size(); i++) {
      if (states.get(i).kind() == Kind.WAITING_TO_RECONNECT) return i;
    }
    return -1;
  }

  @Test public void aReaderHeldForSeveralLimitsBehindASlowListenerIsNotSilenceAndGetsEverything()
      throws Exception {
    int size = 1_000;
    int messages = 300; // 300 KB: far over the bound, so the reader waits at it.
    Connection c = connect(16L * size, true);
    StringBuilder padding = new StringBuilder();
    while (padding.length() < size - 10) padding.append('x');
    long[] lastWriteAt = new long[1]; // When the server's last write started.
    Thread flood = new Thread(() -> {
      for (int i = 0; i < messages; i++) {
        lastWriteAt[0] = System.nanoTime();
        server.send(0, String.format("%09d", i) + padding);
      }
      // Then the server goes silent for good.
    }, "flood");
    flood.setDaemon(true);
    flood.start();

    String reader = server.clientTransportThreads().get(0);
    Await.until("the reader to wait at the inbound bound", TIMEOUT_MILLIS,
        () -> threadWaiting(reader));
    long heldSince = System.nanoTime();
    // Five silence limits with the reader held: no data was read, none was missing.
    Await.until("five silence limits with the reader held", TIMEOUT_MILLIS,
        () -> System.nanoTime() - heldSince >= MILLISECONDS.toNanos(5 * LIMIT_MILLIS));
    assertTrue("the reader is still held", threadWaiting(reader));
    assertEquals("no verdict while held: " + states, Kind.CONNECTED, c.state().kind());

    slowListener.countDown();
    Await.until("every message delivered", TIMEOUT_MILLIS, () -> received.size() == messages);
    for (int i = 0; i < messages; i++) {
      assertTrue(received.get(i), received.get(i).startsWith(String.format("%09d", i)));
    }
    flood.join(TIMEOUT_MILLIS);

    // The server has been silent since its last write: that is found, and only then.
    Await.until("the silent server found", TIMEOUT_MILLIS, () -> firstWaiting() >= 0);
    int waiting = firstWaiting();
    assertEquals(states.toString(), waiting, kinds().indexOf(Kind.WAITING_TO_RECONNECT));
    assertEquals("one connection until then: " + states, 2, waiting);
    assertEquals("everything arrived before the verdict", messages,
        (int) receivedAtState.get(waiting));
    String reason = states.get(waiting).reason();
    assertTrue(reason, reason.matches("no data from server for [0-9.]+ s \\(limit 0\\.3 s; the"
        + " reader waited [0-9.]+ s for data\\)"));
    long afterLastWrite = MILLISECONDS.convert(stateTimes.get(waiting) - lastWriteAt[0],
        TimeUnit.NANOSECONDS);
    assertTrue("found " + afterLastWrite + " ms after the server's last write",
        afterLastWrite >= LIMIT_MILLIS - 1 && afterLastWrite <= LIMIT_MILLIS + LATE_MARGIN_MILLIS);
  }

  @Test public void aServerThatReallyGoesSilentIsFoundWithinTheLimitAndAMargin() throws Exception {
    Connection c = connect(16L * 1024 * 1024, false);
    long lastWriteAt = 0; // When the server's last write started.
    for (int i = 0; i < 5; i++) {
      lastWriteAt = System.nanoTime();
      server.send(0, "server " + i);
    }
    Await.until("the silent server found", TIMEOUT_MILLIS, () -> firstWaiting() >= 0);
    int waiting = firstWaiting();
    assertEquals(states.toString(), 2, waiting);
    assertEquals(5, (int) receivedAtState.get(waiting));
    String reason = states.get(waiting).reason();
    assertTrue(reason, reason.matches("no data from server for [0-9.]+ s \\(limit 0\\.3 s; the"
        + " reader waited [0-9.]+ s for data\\)"));
    long afterLastWrite = MILLISECONDS.convert(stateTimes.get(waiting) - lastWriteAt,
        TimeUnit.NANOSECONDS);
    assertTrue("found " + afterLastWrite + " ms after the server's last write",
        afterLastWrite >= LIMIT_MILLIS - 1 && afterLastWrite <= LIMIT_MILLIS + LATE_MARGIN_MILLIS);
    assertEquals(Kind.WAITING_TO_RECONNECT, c.state().kind());
  }

  /** True when a thread named {@code name} is parked in a wait (the inbound gate). */
  private static boolean threadWaiting(String name) {
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().equals(name) && t.getState() == Thread.State.WAITING) return true;
    }
    return false;
  }
}
