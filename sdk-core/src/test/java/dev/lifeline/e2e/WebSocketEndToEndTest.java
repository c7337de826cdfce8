package dev.lifeline.e2e;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
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
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import okhttp3.OkHttpClient;
import okhttp3.mockwebserver.MockResponse;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * WebSocket-specific behaviour over real sockets on 127.0.0.1: MockWebServer's upgrade as the
 * server, the real Lifeline client with its own threads, intervals scaled down to hundreds of ms.
 * Heartbeats, the server's silence kick and the client's silence watch run for every transport
 * in {@link KeepAliveEndToEndTest}.
 */
public final class WebSocketEndToEndTest {
  private static final long WAIT = 10_000;

  private WebSocketServerFixture server;
  private final TrackingSocketFactory sockets = new TrackingSocketFactory();
  private Lifeline lifeline;
  private final List<ConnectionState> states = new CopyOnWriteArrayList<>();
  private final List<String> messages = new CopyOnWriteArrayList<>();
  private final ConnectionListener listener = new ConnectionListener() {
    @Override public void onStateChanged(Connection c, ConnectionState s) {
      states.add(s);
    }

    @Override public void onMessage(Connection c, String text) {
      messages.add(text);
    }
  };

  @Before public void setUp() throws Exception {
    server = new WebSocketServerFixture();
    OkHttpClient ok = new OkHttpClient.Builder()
        .socketFactory(sockets)
        .connectTimeout(5, SECONDS)
        .build();
    lifeline = Lifeline.builder().okHttpClient(ok).build();
  }

  @After public void tearDown() throws Exception {
    lifeline.shutdown(5, SECONDS);
    server.close();
  }

  private static ReconnectPolicy fastReconnect() {
    return ReconnectPolicy.builder().baseDelay(100, MILLISECONDS).maxDelay(400, MILLISECONDS).build();
  }

  private ConnectionOptions.Builder options(String url) {
    return ConnectionOptions.builder(url).reconnect(fastReconnect());
  }

  private List<Kind> kinds() {
    List<Kind> k = new ArrayList<>();
    for (ConnectionState s : states) k.add(s.kind());
    return k;
  }

  private ConnectionState last() {
    return states.isEmpty() ? null : states.get(states.size() - 1);
  }

  private void awaitState(Kind kind) throws Exception {
    Await.until("state " + kind + " (states so far: " + states + ")", WAIT,
        () -> last() != null && last().kind() == kind);
  }

  @Test public void busyConnectionSendsNoHeartbeats() throws Exception {
    HeartbeatPolicy hb = HeartbeatPolicy.builder().interval(300, MILLISECONDS).textPayload("hb")
        .protocolPingInterval(10, SECONDS).build(); // Pings are not under test here.
    Connection c = lifeline.newConnection(options(server.url()).heartbeat(hb).build(), listener);
    c.connect();
    awaitState(Kind.CONNECTED);
    // Traffic every ~50 ms for 40 messages (~2 s, several heartbeat intervals).
    for (int i = 0; i < 40; i++) {
      c.send("app" + i);
      int expected = i + 1;
      Await.until("app message " + i, WAIT, () -> server.receivedOn(0).size() >= expected);
      long until = System.nanoTime() + MILLISECONDS.toNanos(50);
      Await.until("50 ms to pass", WAIT, () -> System.nanoTime() >= until);
    }
    for (String m : server.receivedOn(0)) assertTrue(m, m.startsWith("app"));
    c.close();
  }

  @Test public void stateSequenceAcrossAServerCloseAndReconnect() throws Exception {
    server.onOpen = (index, ws) -> {
      if (index == 0) ws.close(1001, "going away");
    };
    Connection c = lifeline.newConnection(options(server.url()).build(), listener);
    c.connect();
    Await.until("second connection", WAIT, () -> server.sockets.size() >= 2);
    awaitState(Kind.CONNECTED);
    assertEquals(Arrays.asList(Kind.CONNECTING, Kind.CONNECTED, Kind.WAITING_TO_RECONNECT,
        Kind.CONNECTING, Kind.CONNECTED), kinds());
    ConnectionState waiting = states.get(2);
    assertEquals("server closed the connection: 1001 going away", waiting.reason());
    assertEquals(1, waiting.attempt());
    // The default (paced) jitter: the first wait is drawn from base ÷ √2 to base × √2.
    assertTrue("delay " + waiting.delayMillis(),
        waiting.delayMillis() >= 70 && waiting.delayMillis() <= 142);
    c.close();
  }

  @Test public void abruptDropIsReconnectedWithADelay() throws Exception {
    try (FaultProxy proxy = new FaultProxy(server.address())) {
      Connection c = lifeline.newConnection(
          options("ws://127.0.0.1:" + proxy.port() + "/socket").build(), listener);
      c.connect();
      awaitState(Kind.CONNECTED);
      proxy.reset();
      Await.until("second connection", WAIT, () -> server.sockets.size() >= 2);
      awaitState(Kind.CONNECTED);
      assertEquals(Arrays.asList(Kind.CONNECTING, Kind.CONNECTED, Kind.WAITING_TO_RECONNECT,
          Kind.CONNECTING, Kind.CONNECTED), kinds());
      assertTrue(states.get(2).reason(), states.get(2).reason().matches("(server closed the"
          + " connection without a close frame|connection reset by the server or the network)"
          + " after [0-9.]+ s open \\(no data for [0-9.]+ s\\)"));
      c.close();
    }
  }

  @Test public void zombieConnectionIsCaughtByProtocolPingAndReplaced() throws Exception {
    try (FaultProxy proxy = new FaultProxy(server.address())) {
      HeartbeatPolicy hb = HeartbeatPolicy.builder().interval(200, MILLISECONDS).build();
      Connection c = lifeline.newConnection(
          options("ws://127.0.0.1:" + proxy.port() + "/socket").heartbeat(hb).build(), listener);
      c.connect();
      awaitState(Kind.CONNECTED);
      proxy.blackhole(); // Socket open both ends, nothing gets through.
      awaitState(Kind.WAITING_TO_RECONNECT);
      String reason = last().reason();
      assertTrue(reason, reason.contains("no pong within 0.2 s of a protocol ping"));
      proxy.pass();
      awaitState(Kind.CONNECTED);
      // MockWebServer writes the 101 before it runs onOpen: the client can be CONNECTED first.
      Await.until("the server's side of the second connection", WAIT,
          () -> server.sockets.size() >= 2);
      assertEquals(2, server.sockets.size());
      c.close();
    }
  }

  @Test public void http401StopsForGood() throws Exception {
    server.overrides.add(new MockResponse().setResponseCode(401));
    Connection c = lifeline.newConnection(options(server.url()).build(), listener);
    c.connect();
    awaitState(Kind.CLOSED);
    assertTrue(last().reason(), last().reason().startsWith("HTTP 401 at handshake (Unauthorized)"));
    assertEquals(1, server.server.getRequestCount());
    assertEquals(Kind.CLOSED, c.state().kind());
  }

  @Test public void retryAfterFrom503IsHonoured() throws Exception {
    server.overrides.add(new MockResponse().setResponseCode(503).setHeader("Retry-After", "1"));
    Connection c = lifeline.newConnection(options(server.url()).build(), listener);
    c.connect();
    awaitState(Kind.CONNECTED);
    ConnectionState waiting = states.get(1);
    assertEquals(Kind.WAITING_TO_RECONNECT, waiting.kind());
    assertEquals("HTTP 503 at handshake", waiting.reason());
    assertTrue("delay " + waiting.delayMillis(), waiting.delayMillis() >= 1_000);
    c.close();
  }

  @Test public void atLeastOnceResendsWhatTheServerNeverAcknowledged() throws Exception {
    server.ackFrom = 1; // The first connection dies before acknowledging anything.
    List<String> delivered = new CopyOnWriteArrayList<>();
    ConnectionListener acks = new ConnectionListener() {
      @Override public void onStateChanged(Connection c, ConnectionState s) {
        states.add(s);
      }

      @Override public void onDelivered(Connection c, dev.lifeline.Message m) {
        delivered.add(m.text());
      }
    };
    try (FaultProxy proxy = new FaultProxy(server.address())) {
      Connection c = lifeline.newConnection(options("ws://127.0.0.1:" + proxy.port() + "/socket")
          .atLeastOnce(new dev.lifeline.AckMatcher() {
            @Override public Object key(dev.lifeline.Message out) {
              return out.text().startsWith("msg:") ? out.text().substring(4) : null;
            }

            @Override public Object acknowledgedKey(dev.lifeline.Message in) {
              return in.text().startsWith("ack:") ? in.text().substring(4) : null;
            }
          }).build(), acks);
      c.connect();
      List<String> sent = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        sent.add("msg:" + i);
        c.send("msg:" + i);
      }
      Await.until("10 messages on the first connection", WAIT, () -> server.receivedOn(0).size() >= 10);
      proxy.reset();
      Await.until("10 deliveries", WAIT, () -> delivered.size() >= 10);
      assertEquals(sent, server.receivedOn(1));
      assertEquals(new java.util.HashSet<>(sent), new java.util.HashSet<>(delivered));
      c.close();
    }
  }

  @Test public void closeLeavesNoSocketOrReaderThreadAndShutdownEndsOurThreads() throws Exception {
    Connection c = lifeline.newConnection(options(server.url()).build(), listener);
    c.connect();
    awaitState(Kind.CONNECTED);
    String readerName = "Lifeline WebSocket reader ws://127.0.0.1:" + server.server.getPort();
    assertTrue("reader thread running while open", threadNamed(readerName));
    c.close();
    awaitState(Kind.CLOSED);
    Await.until("every client socket closed", WAIT, sockets::allClosed);
    Await.until("reader thread ended", WAIT, () -> !threadNamed(readerName));
    assertEquals(1, sockets.sockets.size());

    lifeline.shutdown(5, SECONDS);
    Await.until("Lifeline threads ended", WAIT,
        () -> !threadNamed("Lifeline scheduler") && !threadNamed("Lifeline callbacks"));
  }

  private static boolean threadNamed(String prefix) {
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.isAlive() && t.getName().startsWith(prefix)) return true;
    }
    return false;
  }
}
