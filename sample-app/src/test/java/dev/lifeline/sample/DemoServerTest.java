package dev.lifeline.sample;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/** The demo server behaves like the reference server: only data messages keep a connection. */
public final class DemoServerTest {
  private static final long LIMIT_MILLIS = 600;

  private final OkHttpClient plain = new OkHttpClient();
  private DemoServer server;

  /** What a raw OkHttp WebSocket saw. */
  private static final class Seen extends WebSocketListener {
    final CopyOnWriteArrayList<String> messages = new CopyOnWriteArrayList<>();
    final AtomicInteger closedCode = new AtomicInteger();
    volatile boolean open;
    volatile Throwable failure;

    @Override public void onOpen(WebSocket ws, Response r) {
      open = true;
    }

    @Override public void onMessage(WebSocket ws, String text) {
      messages.add(text);
    }

    @Override public void onClosing(WebSocket ws, int code, String reason) {
      closedCode.set(code);
      ws.close(1000, null);
    }

    @Override public void onFailure(WebSocket ws, Throwable t, Response r) {
      failure = t;
      closedCode.compareAndSet(0, -1);
    }
  }

  @Before public void setUp() throws Exception {
    Timeline timeline = new Timeline(new PrintStream(new ByteArrayOutputStream(), true));
    server = new DemoServer(new DemoServer.Config(LIMIT_MILLIS, 50, 0),
        DemoServer.Protocol.WEBSOCKET, timeline);
    server.start();
  }

  @After public void tearDown() {
    server.close();
    plain.dispatcher().executorService().shutdown();
    plain.connectionPool().evictAll();
  }

  private WebSocket open(OkHttpClient client, Seen seen) throws InterruptedException {
    WebSocket ws = client.newWebSocket(new Request.Builder().url(server.url()).build(), seen);
    assertTrue("opened", Poll.until(() -> seen.open, 5_000));
    return ws;
  }

  @Test public void protocolPingsDoNotKeepAConnectionAlive() throws Exception {
    // Two pings within the server's limit; a pong has a whole interval to come back, so a
    // busy machine does not fail the ping check before the idle scan runs.
    OkHttpClient pinging = plain.newBuilder().pingInterval(250, TimeUnit.MILLISECONDS).build();
    Seen seen = new Seen();
    open(pinging, seen);
    Poll.until(() -> seen.closedCode.get() != 0, 5 * LIMIT_MILLIS);
    assertEquals("the idle scan's close although pongs flowed"
        + (seen.failure == null ? "" : "; failure: " + seen.failure), 4000, seen.closedCode.get());
    assertEquals(1, server.idleClosed.get());
  }

  @Test public void dataMessagesKeepAConnectionAliveAndAreEchoed() throws Exception {
    Seen seen = new Seen();
    WebSocket ws = open(plain, seen);
    long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(3 * LIMIT_MILLIS);
    int n = 0;
    while (System.nanoTime() < until) {
      ws.send("msg " + (++n));
      ws.send(DemoServer.CLIENT_HEARTBEAT);
      // Well inside the limit; a wait for a condition that never comes is the clock here.
      assertTrue(Poll.holdsFor(() -> seen.closedCode.get() == 0, LIMIT_MILLIS / 3));
    }
    final int sent = n;
    assertTrue("every message echoed", Poll.until(() -> seen.messages.size() == sent, 2_000));
    assertEquals("msg 1", seen.messages.get(0));
    assertEquals("heartbeats are recognised, not echoed", sent, server.echoed.get());
    assertEquals(0, server.idleClosed.get());
    ws.close(1000, null);
  }

  @Test public void restartsOnTheSamePortAndTellsClientsItIsGoingAway() throws Exception {
    int port = server.port();
    Seen before = new Seen();
    open(plain, before);
    server.stop();
    assertTrue(Poll.until(() -> before.closedCode.get() == 1001, 3_000));
    server.start();
    assertEquals(port, server.port());
    Seen after = new Seen();
    WebSocket ws = open(plain, after);
    ws.send("back");
    assertTrue(Poll.until(() -> after.messages.contains("back"), 2_000));
    ws.close(1000, null);
  }
}
