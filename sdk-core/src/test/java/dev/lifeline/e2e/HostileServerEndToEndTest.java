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
import dev.lifeline.Lifeline;
import dev.lifeline.ReconnectPolicy;
import dev.lifeline.testing.Await;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * Servers that answer in ways no library expects, over real sockets on 127.0.0.1
 * (docs/behaviour.md, "Bad input" and "Failure classification"): no exception escapes to a
 * thread's uncaught-exception handler, and each failure reads as what happened, with numbers.
 */
public final class HostileServerEndToEndTest {
  private static final long WAIT = 10_000;

  private Lifeline lifeline;
  private RawHttpServer server;
  private Thread.UncaughtExceptionHandler previousHandler;
  /** Whatever reached the default uncaught-exception handler during the test. */
  private final List<String> uncaught = new CopyOnWriteArrayList<>();
  private final List<ConnectionState> states = new CopyOnWriteArrayList<>();
  private final ConnectionListener listener = new ConnectionListener() {
    @Override public void onStateChanged(Connection c, ConnectionState s) {
      states.add(s);
    }
  };

  @Before public void setUp() {
    previousHandler = Thread.getDefaultUncaughtExceptionHandler();
    Thread.setDefaultUncaughtExceptionHandler((t, e) -> uncaught.add(t.getName() + ": " + e));
    lifeline = Lifeline.builder().build();
  }

  @After public void tearDown() throws Exception {
    lifeline.shutdown(5, SECONDS);
    if (server != null) server.close();
    Thread.setDefaultUncaughtExceptionHandler(previousHandler);
  }

  private static ConnectionOptions.Builder options(String url) {
    return ConnectionOptions.builder(url).reconnect(ReconnectPolicy.builder()
        .baseDelay(100, MILLISECONDS).maxDelay(200, MILLISECONDS).build());
  }

  @Test public void aRetryAfterBeyondTwoToThe31SecondsFailsTheAttemptWithoutKillingAThread()
      throws Exception {
    server = new RawHttpServer((index, socket, head) -> {
      OutputStream out = socket.getOutputStream();
      out.write(("HTTP/1.1 503 Service Unavailable\r\nRetry-After: 99999999999\r\n"
          + "Content-Length: 0\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      socket.close();
    });
    // The Retry-After is honoured up to maxRetryAfter (1 h by default; 300 ms here).
    Connection c = lifeline.newConnection(options(server.wsUrl()).reconnect(ReconnectPolicy
        .builder().baseDelay(100, MILLISECONDS).maxDelay(200, MILLISECONDS)
        .maxRetryAfter(300, MILLISECONDS).build()).build(), listener);
    c.connect();
    Await.until("two refused attempts, each followed by a wait", WAIT, () -> waits().size() >= 2);
    assertEquals("reached the uncaught-exception handler", new ArrayList<String>(), uncaught);
    ConnectionState wait = waits().get(0);
    // A Retry-After beyond 2^31 s once made OkHttp throw inside its handshake; it is a 503.
    assertEquals("HTTP 503 at handshake", wait.reason());
    assertTrue("the Retry-After, capped at maxRetryAfter, plus jitter: " + wait,
        wait.delayMillis() >= 300 && wait.delayMillis() <= 400);
    c.close();
    Await.until("CLOSED", WAIT, () -> c.state().isTerminal());
    assertEquals(new ArrayList<String>(), uncaught);
  }

  @Test public void aServerThatDropsTheSocketWithoutACloseFrameIsExplainedWithNumbers()
      throws Exception {
    server = new RawHttpServer((index, socket, head) -> {
      socket.getOutputStream().write(RawHttpServer.upgradeResponse(head));
      socket.getOutputStream().flush();
      if (index == 0) {
        Thread.sleep(400); // The server's idle: it sends nothing, then closes the TCP socket.
        socket.close();
      }
    });
    Connection c = lifeline.newConnection(options(server.wsUrl()).build(), listener);
    c.connect();
    Await.until("a wait after the drop", WAIT, () -> !waits().isEmpty());
    String reason = waits().get(0).reason();
    Matcher m = Pattern.compile("server closed the connection without a close frame after"
        + " ([0-9.]+) s open \\(no data for ([0-9.]+) s\\)").matcher(reason);
    assertTrue(reason, m.matches());
    double open = Double.parseDouble(m.group(1));
    double silent = Double.parseDouble(m.group(2));
    assertTrue(reason, open >= 0.3 && open < 5);
    assertEquals(reason, open, silent, 0.05); // Nothing ever arrived.
    assertEquals(java.io.EOFException.class, waits().get(0).cause().getClass());
    c.close();
    Await.until("CLOSED", WAIT, () -> c.state().isTerminal());
    assertEquals(new ArrayList<String>(), uncaught);
  }

  @Test public void aHandshakeReadTimeoutSaysWhatWasAwaitedAndTheLimit() throws Exception {
    server = new RawHttpServer((index, socket, head) -> {
      socket.getInputStream().read(); // Never answers; returns when either side closes.
    });
    Lifeline client = Lifeline.builder()
        .okHttpClient(new okhttp3.OkHttpClient.Builder().readTimeout(300, MILLISECONDS).build())
        .build();
    try {
      Connection c = client.newConnection(options(server.wsUrl()).build(), listener);
      c.connect();
      Await.until("a wait after the timeout", WAIT, () -> !waits().isEmpty());
      assertEquals("connect failed: no answer to the HTTP upgrade request: no data from the server"
          + " for 0.3 s (OkHttpClient readTimeout)", waits().get(0).reason());
    } finally {
      client.shutdown(5, SECONDS);
    }
  }

  @Test public void aRefusedConnectNamesTheAddressOnEveryTransport() throws Exception {
    int port;
    try (java.net.ServerSocket closed = new java.net.ServerSocket(0, 1,
        java.net.InetAddress.getByName("127.0.0.1"))) {
      port = closed.getLocalPort(); // Nothing listens there once it is closed.
    }
    for (String url : new String[] {"ws://127.0.0.1:" + port + "/", "tcp://127.0.0.1:" + port}) {
      states.clear();
      Connection c = lifeline.newConnection(options(url).build(), listener);
      c.connect();
      Await.until("a wait after the refusal on " + url, WAIT, () -> !waits().isEmpty());
      assertEquals(url, "connect failed: connection refused by 127.0.0.1:" + port
          + " (nothing listening)", waits().get(0).reason());
      c.close();
      Await.until("CLOSED", WAIT, () -> c.state().isTerminal());
    }
  }

  private List<ConnectionState> waits() {
    List<ConnectionState> out = new ArrayList<>();
    for (ConnectionState s : states) if (s.kind() == Kind.WAITING_TO_RECONNECT) out.add(s);
    return out;
  }
}
