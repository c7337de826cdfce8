package dev.lifeline.e2e;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import dev.lifeline.Connection;
import dev.lifeline.ConnectionListener;
import dev.lifeline.ConnectionOptions;
import dev.lifeline.ConnectionState;
import dev.lifeline.ConnectionState.Kind;
import dev.lifeline.EventListener;
import dev.lifeline.HeartbeatPolicy;
import dev.lifeline.Lifeline;
import dev.lifeline.Message;
import dev.lifeline.ReconnectPolicy;
import dev.lifeline.internal.RealConnection;
import dev.lifeline.testing.Await;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.Parameterized;
import org.junit.runners.Parameterized.Parameter;
import org.junit.runners.Parameterized.Parameters;

/**
 * Heartbeats, the server's silence kick, the client's silence watch and close, end to end: the
 * real {@link Lifeline} and {@link Connection} against a real server on 127.0.0.1 that behaves
 * like the reference server, once per transport. Intervals are hundreds of milliseconds so the
 * suite stays fast; every wait is bounded.
 */
@RunWith(Parameterized.class)
public final class KeepAliveEndToEndTest {
  /** Bound of every wait. */
  private static final long TIMEOUT_MILLIS = 10_000;

  /** Every transport, each with its reference server. */
  @Parameters(name = "{0}")
  public static List<Object[]> transports() {
    return Arrays.asList(new Object[][] {
        {"websocket", (KeepAliveServer.Factory) WebSocketKeepAliveServer::new},
        {"tcp", (KeepAliveServer.Factory) TcpKeepAliveServer::new},
    });
  }

  @Parameter(0) public String transportName;
  @Parameter(1) public KeepAliveServer.Factory serverFactory;

  private KeepAliveServer server;
  private OkHttpClient okHttp;
  private Lifeline lifeline;
  private final List<ConnectionState> states = new CopyOnWriteArrayList<>();
  /** System.nanoTime() at each entry of {@link #states}. */
  private final List<Long> stateTimes = new CopyOnWriteArrayList<>();
  private final List<String> received = new CopyOnWriteArrayList<>();

  @Before public void setUp() {
    server = serverFactory.create();
  }

  @After public void tearDown() throws Exception {
    if (lifeline != null) lifeline.shutdown(5, TimeUnit.SECONDS);
    server.close();
    if (okHttp != null) okHttp.dispatcher().executorService().shutdown();
  }

  private Connection newConnection(ConnectionOptions.Builder options) {
    okHttp = server.client(new OkHttpClient.Builder().connectTimeout(2, TimeUnit.SECONDS).build());
    lifeline = Lifeline.builder().okHttpClient(okHttp).build();
    return lifeline.newConnection(options.build(), new ConnectionListener() {
      @Override public void onStateChanged(Connection c, ConnectionState state) {
        stateTimes.add(System.nanoTime());
        states.add(state);
      }

      @Override public void onMessage(Connection c, String text) {
        received.add(text);
      }
    });
  }

  /** Index in {@link #states} of the first state of {@code kind} at or after {@code from}. */
  private int indexOf(Kind kind, int from) {
    for (int i = from; i < states.size(); i++) {
      if (states.get(i).kind() == kind) return i;
    }
    return -1;
  }

  private int count(Kind kind) {
    int n = 0;
    for (ConnectionState s : states) if (s.kind() == kind) n++;
    return n;
  }

  private static int count(List<String> messages, String text) {
    return Collections.frequency(messages, text);
  }

  @Test public void heartbeatsArriveAsDataMessagesAndKeepAnIdleConnectionOpen() throws Exception {
    // The server counts silence from its accept, the client's first beat is due an interval after
    // its open and then takes its first write (a writer thread to start): on a busy machine that
    // took over 400 ms, past a limit of three intervals. Five intervals leave 800 ms.
    server.start(1_000, 100);
    Connection c = newConnection(ConnectionOptions.builder(server.url())
        .heartbeat(HeartbeatPolicy.builder().interval(200, MILLISECONDS).textPayload("hb")
            // Pings are not under test here; at 200 ms a pong delayed by a busy machine would
            // replace the connection and make the count below flaky.
            .protocolPingInterval(10, TimeUnit.SECONDS).build()));
    c.connect();
    // Eleven beats span twice the server's limit: without them the connection would be kicked.
    Await.until("11 heartbeats on the first connection", TIMEOUT_MILLIS,
        () -> server.connectionCount() > 0 && count(server.dataMessages(0), "hb") >= 11);
    assertEquals(0, server.kicked());
    assertEquals(1, server.connectionCount());
    assertTrue(server.isOpen(0));
    assertEquals(Kind.CONNECTED, c.state().kind());
  }

  @Test public void silentClientIsKickedAndReconnectsAfterADelay() throws Exception {
    server.start(300, 50);
    List<Long> scheduled = new CopyOnWriteArrayList<>(); // Delays, from the event.
    Connection c = newConnection(ConnectionOptions.builder(server.url())
        .heartbeat(HeartbeatPolicy.builder().interval(30, TimeUnit.SECONDS).build())
        .reconnect(ReconnectPolicy.builder().baseDelay(400, MILLISECONDS).build())
        .eventListener(new EventListener() {
          @Override public void reconnectScheduled(
              Connection connection, int attempt, long delayMillis, String cause) {
            scheduled.add(delayMillis);
          }
        }));
    c.connect();
    Await.until("a second connection after the kick", TIMEOUT_MILLIS,
        () -> server.connectionCount() == 2);
    long secondConnectionAt = System.nanoTime();
    assertTrue("the silent client was kicked", server.kicked() >= 1); // Later ones may be too.

    int waiting = indexOf(Kind.WAITING_TO_RECONNECT, 0);
    assertTrue("reconnect was scheduled: " + states, waiting >= 0);
    ConnectionState w = states.get(waiting);
    assertTrue(w.reason(), w.reason().contains("server closed the connection"));
    assertTrue("a delay, never an immediate retry: " + w, w.delayMillis() > 0);
    Await.until("the event", TIMEOUT_MILLIS, () -> !scheduled.isEmpty());
    assertEquals(w.delayMillis(), (long) scheduled.get(0));
    // Measured from the server's kick, which precedes the client's timer: a sure lower bound (the
    // event and the state reach the app later, on other threads).
    long waitedMillis = TimeUnit.NANOSECONDS.toMillis(secondConnectionAt - server.lastKickAtNanos());
    assertTrue("reconnected after " + waitedMillis + " ms, delay was " + w.delayMillis() + " ms",
        waitedMillis >= w.delayMillis());
    Await.until("connected again", TIMEOUT_MILLIS, () -> count(Kind.CONNECTED) == 2);
  }

  @Test public void quietServerIsDetectedBySilenceWatchAndReplaced() throws Exception {
    server.start(5_000, 100);
    server.sendHeartbeats(100, "server-hb");
    Connection c = newConnection(ConnectionOptions.builder(server.url())
        .heartbeat(HeartbeatPolicy.builder()
            .interval(200, MILLISECONDS)
            .serverTimeout(600, MILLISECONDS)
            // The quiet server's WebSocket layer would still answer pings: this test is about
            // the data-level server-silence watch alone. TCP has no pings either way.
            .noProtocolPing()
            .build())
        .reconnect(ReconnectPolicy.builder().baseDelay(200, MILLISECONDS).build()));
    c.connect();
    Await.until("server heartbeats reach the app", TIMEOUT_MILLIS,
        () -> count(received, "server-hb") >= 2);
    server.goQuiet(0); // A zombie: open, still reading, sending nothing.

    Await.until("the silent connection replaced", TIMEOUT_MILLIS,
        () -> server.connectionCount() == 2);
    int waiting = indexOf(Kind.WAITING_TO_RECONNECT, 0);
    assertTrue(states.toString(), waiting >= 0);
    String reason = states.get(waiting).reason();
    assertTrue(reason, reason.matches("no data from server for [0-9.]+ s \\(limit 0\\.6 s"
        + "(; the reader waited [0-9.]+ s for data)?\\)"));
    if (transportName.equals("tcp")) {
      assertTrue("tcp:// measures its reader: " + reason, reason.contains("; the reader waited"));
    }
    // Never before the limit after the server last started sending, however late its heartbeat
    // thread ran before it went quiet (ms clocks: 1 ms of rounding).
    long detectedAfter =
        TimeUnit.NANOSECONDS.toMillis(stateTimes.get(waiting) - server.lastSendAtNanos(0));
    assertTrue("detected " + detectedAfter + " ms after the server's last send",
        detectedAfter >= 600 - 1);
    Await.until("the client closed the zombie socket", TIMEOUT_MILLIS, () -> !server.isOpen(0));
    assertEquals("the client, not the server, ended it", 0, server.kicked());
    Await.until("connected again", TIMEOUT_MILLIS, () -> count(Kind.CONNECTED) == 2);
  }

  @Test public void serverHeartbeatsAnsweredByTheResponder() throws Exception {
    server.start(5_000, 100);
    server.sendHeartbeats(100, "ping");
    Connection c = newConnection(ConnectionOptions.builder(server.url())
        .heartbeat(HeartbeatPolicy.builder()
            .responder(in -> in.isText() && in.text().equals("ping") ? Message.text("pong") : null)
            .build()));
    c.connect();
    Await.until("3 pongs", TIMEOUT_MILLIS,
        () -> server.connectionCount() == 1 && count(server.dataMessages(0), "pong") >= 3);
    assertTrue("answered pings are not app messages: " + received, received.isEmpty());
  }

  @Test public void queuedMessagesGoOutInOrderOnceConnected() throws Exception {
    server.start(5_000, 100);
    Connection c = newConnection(ConnectionOptions.builder(server.url()));
    assertTrue(c.send("first"));
    assertTrue(c.send("second"));
    c.connect();
    Await.until("both messages", TIMEOUT_MILLIS,
        () -> server.connectionCount() == 1 && server.dataMessages(0).size() >= 2);
    assertEquals(Arrays.asList("first", "second"), server.dataMessages(0).subList(0, 2));
  }

  @Test public void floodIntoASlowListenerIsBoundedAndNothingIsLost() throws Exception {
    server.start(60_000, 1_000);
    int messages = 2_000;
    int size = 1_000;
    long bound = 16 * size; // Received bytes allowed to wait for the listener.
    java.util.concurrent.CountDownLatch slowListener = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.ExecutorService callbackThread =
        java.util.concurrent.Executors.newSingleThreadExecutor();
    List<String> got = new CopyOnWriteArrayList<>();
    okHttp = server.client(new OkHttpClient.Builder().connectTimeout(2, TimeUnit.SECONDS).build());
    lifeline = Lifeline.builder().okHttpClient(okHttp).callbackExecutor(callbackThread).build();
    try {
      Connection c = lifeline.newConnection(ConnectionOptions.builder(server.url())
          .maxPendingInboundBytes(bound).build(), new ConnectionListener() {
            @Override public void onMessage(Connection connection, String text) {
              try {
                slowListener.await(); // The app is busy: nothing is consumed for now.
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              got.add(text);
            }
          });
      RealConnection real = (RealConnection) c;
      c.connect();
      Await.until("connected", TIMEOUT_MILLIS, () -> c.state().kind() == Kind.CONNECTED);
      // The client can be connected before the server's accept loop has the connection: a flood
      // sent to it earlier went nowhere (the flood thread died on the missing connection 0).
      Await.until("the server accepted", TIMEOUT_MILLIS, () -> server.connectionCount() == 1);
      StringBuilder padding = new StringBuilder();
      while (padding.length() < size - 10) padding.append('x');
      Thread flood = new Thread(() -> {
        for (int i = 0; i < messages; i++) server.send(0, String.format("%09d", i) + padding);
      }, "flood");
      flood.setDaemon(true);
      flood.start();

      // The transport's reader ends up waiting in Lifeline's gate: it stopped reading the socket.
      String reader = server.clientTransportThreads().isEmpty() ? null
          : server.clientTransportThreads().get(0);
      Await.until("the reader to stop at the bound", TIMEOUT_MILLIS,
          () -> real.pendingInboundBytes() > bound - size && threadWaiting(reader));
      assertTrue("bytes waiting: " + real.pendingInboundBytes(),
          real.pendingInboundBytes() <= bound);

      slowListener.countDown();
      Await.until("every message delivered", TIMEOUT_MILLIS, () -> got.size() == messages);
      for (int i = 0; i < messages; i++) {
        assertTrue(got.get(i), got.get(i).startsWith(String.format("%09d", i)));
      }
      assertEquals(Kind.CONNECTED, c.state().kind());
    } finally {
      slowListener.countDown();
      callbackThread.shutdown();
    }
  }

  /** True when a thread named {@code name} is parked in a wait (the inbound gate). */
  private static boolean threadWaiting(String name) {
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().equals(name) && t.getState() == Thread.State.WAITING) return true;
    }
    return false;
  }

  @Test public void closeFlushesThenReleasesSocketAndTransportThreads() throws Exception {
    server.start(5_000, 100);
    Connection c = newConnection(ConnectionOptions.builder(server.url()));
    c.connect();
    Await.until("connected", TIMEOUT_MILLIS, () -> c.state().kind() == Kind.CONNECTED);
    for (String thread : server.clientTransportThreads()) {
      assertTrue(thread + " runs while connected", Await.threadAlive(thread));
    }
    c.send("goodbye");
    c.close();
    Await.until("closed", TIMEOUT_MILLIS, () -> c.state().kind() == Kind.CLOSED);
    assertEquals("closed by the app", c.state().reason());
    Await.until("the server saw the socket close", TIMEOUT_MILLIS, () -> !server.isOpen(0));
    assertEquals(Collections.singletonList("goodbye"), server.dataMessages(0));
    for (String thread : server.clientTransportThreads()) {
      Await.threadEnded(thread, TIMEOUT_MILLIS);
    }
    assertFalse(count(Kind.WAITING_TO_RECONNECT) > 0);
    assertEquals(1, server.connectionCount());
    assertNotNull(c.toString());
  }
}
