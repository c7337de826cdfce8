package dev.lifeline.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.lifeline.Connection;
import dev.lifeline.ConnectionListener;
import dev.lifeline.ConnectionOptions;
import dev.lifeline.ConnectionState;
import dev.lifeline.ConnectionState.Kind;
import dev.lifeline.Lifeline;
import dev.lifeline.testing.Await;
import dev.lifeline.testing.ConnectProxy;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * A tcp:// connection through the app's HTTP proxy, with the real client: lines flow through the
 * CONNECT tunnel, and an attempt stuck at the proxy ends at its deadline naming the proxy step. A
 * ws:// connection takes the same tunnel: the upgrade and the frames go through it.
 */
public final class ProxyEndToEndTest {
  private static final long TIMEOUT_MILLIS = 10_000;

  private final TcpKeepAliveServer server = new TcpKeepAliveServer();
  private final List<ConnectionState> states = new CopyOnWriteArrayList<>();
  private ConnectProxy proxy;
  private OkHttpClient okHttp;
  private Lifeline lifeline;

  @Before public void setUp() throws Exception {
    server.start(60_000, 1_000);
    proxy = new ConnectProxy();
    okHttp = new OkHttpClient.Builder()
        .proxy(new Proxy(Proxy.Type.HTTP, new InetSocketAddress("127.0.0.1", proxy.port())))
        .build();
    lifeline = Lifeline.builder().okHttpClient(okHttp).build();
  }

  @After public void tearDown() throws Exception {
    lifeline.shutdown(5, TimeUnit.SECONDS);
    proxy.close();
    server.close();
    okHttp.dispatcher().executorService().shutdown();
  }

  private Connection connect(ConnectionOptions.Builder options) {
    Connection c = lifeline.newConnection(options.build(), new ConnectionListener() {
      @Override public void onStateChanged(Connection c, ConnectionState state) {
        states.add(state);
      }
    });
    c.connect();
    return c;
  }

  @Test public void linesFlowThroughTheTunnel() throws Exception {
    Connection c = connect(ConnectionOptions.builder(server.url()));
    Await.until("connected", TIMEOUT_MILLIS, () -> c.state().kind() == Kind.CONNECTED);
    c.send("via proxy");
    Await.until("the line arrived", TIMEOUT_MILLIS, () -> server.connectionCount() == 1
        && server.dataMessages(0).contains("via proxy"));
    String port = server.url().substring(server.url().lastIndexOf(':') + 1);
    assertEquals("CONNECT 127.0.0.1:" + port + " HTTP/1.1", proxy.requestLines().get(0));
  }

  @Test public void aWebSocketUpgradesAndEchoesThroughTheTunnel() throws Exception {
    List<String> received = new CopyOnWriteArrayList<>();
    try (WebSocketServerFixture ws = new WebSocketServerFixture()) {
      Connection c = lifeline.newConnection(ConnectionOptions.builder(ws.url()).build(),
          new ConnectionListener() {
            @Override public void onMessage(Connection c, String text) {
              received.add(text);
            }
          });
      c.connect();
      Await.until("connected", TIMEOUT_MILLIS, () -> c.state().kind() == Kind.CONNECTED);
      c.send("echo:via proxy");
      Await.until("the echo", TIMEOUT_MILLIS, () -> received.contains("via proxy"));
      assertEquals("CONNECT 127.0.0.1:" + ws.server.getPort() + " HTTP/1.1",
          proxy.requestLines().get(0));
      assertEquals(1, ws.server.getRequestCount()); // The upgrade came through the tunnel.
      c.close();
    }
  }

  @Test public void anAttemptStuckAtTheProxyEndsAtItsDeadlineNamingTheStep() throws Exception {
    proxy.mode = ConnectProxy.Mode.SILENT;
    Connection c = connect(ConnectionOptions.builder(server.url())
        .attemptTimeout(1, TimeUnit.SECONDS));
    Await.until("a reconnect scheduled", TIMEOUT_MILLIS,
        () -> c.state().kind() == Kind.WAITING_TO_RECONNECT);
    String reason = c.state().reason();
    assertTrue(reason, reason.matches("handshake not finished after 1\\.\\d s \\(limit 1 s\\):"
        + " CONNECT through proxy 127\\.0\\.0\\.1:" + proxy.port() + " still running"));
  }
}
