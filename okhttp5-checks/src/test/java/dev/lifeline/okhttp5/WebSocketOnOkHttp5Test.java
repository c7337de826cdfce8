package dev.lifeline.okhttp5;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import dev.lifeline.Connection;
import dev.lifeline.ConnectionListener;
import dev.lifeline.ConnectionOptions;
import dev.lifeline.ConnectionState;
import dev.lifeline.HeartbeatPolicy;
import dev.lifeline.Lifeline;
import dev.lifeline.ReconnectPolicy;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.OkHttpClient;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;
import okio.ByteString;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.Parameterized;
import org.junit.runners.Parameterized.Parameter;
import org.junit.runners.Parameterized.Parameters;

/**
 * wss:// through Lifeline's public API on OkHttp 5, against OkHttp 5's own MockWebServer over
 * TLS on 127.0.0.1 with a certificate only the app's OkHttpClient trusts: what sdk-core's suites
 * (written for MockWebServer 4.12) mostly cover over ws://. Text and binary (Okio 3.18) messages,
 * the handshake's headers, a reconnect with a new TLS handshake, protocol pings over TLS. Each
 * test runs over ws:// too: when only the wss:// runs fail, TLS is what broke.
 */
@RunWith(Parameterized.class)
public final class WebSocketOnOkHttp5Test {
  @Parameters(name = "{0}")
  public static List<Object[]> schemes() {
    return Arrays.asList(new Object[] {"ws"}, new Object[] {"wss"});
  }

  @Parameter public String scheme;

  private final HeldCertificate certificate = new HeldCertificate.Builder()
      .addSubjectAlternativeName("127.0.0.1")
      .build();
  private final MockWebServer server = new MockWebServer();
  private final List<WebSocket> serverSockets = new CopyOnWriteArrayList<>();
  private OkHttpClient okHttp;
  private Lifeline lifeline;

  @Before public void startTheServer() throws Exception {
    if (tls()) {
      server.useHttps(new HandshakeCertificates.Builder().heldCertificate(certificate).build()
          .sslSocketFactory());
    }
    server.setDispatcher(new Dispatcher() {
      @Override public MockResponse dispatch(RecordedRequest request) {
        return new MockResponse.Builder().webSocketUpgrade(new WebSocketListener() {
          @Override public void onOpen(WebSocket webSocket, okhttp3.Response response) {
            serverSockets.add(webSocket);
          }

          @Override public void onMessage(WebSocket webSocket, String text) {
            if (text.equals("drop")) {
              webSocket.cancel(); // the socket closes without a close frame
            } else {
              webSocket.send(text);
            }
          }

          @Override public void onMessage(WebSocket webSocket, ByteString bytes) {
            webSocket.send(bytes);
          }

          @Override public void onClosing(WebSocket webSocket, int code, String reason) {
            webSocket.close(1000, null);
          }
        }).build();
      }
    });
    server.start(InetAddress.getByName("127.0.0.1"), 0);
    HandshakeCertificates trusted = new HandshakeCertificates.Builder()
        .addTrustedCertificate(certificate.certificate())
        .build();
    okHttp = new OkHttpClient.Builder()
        .sslSocketFactory(trusted.sslSocketFactory(), trusted.trustManager())
        .build();
    lifeline = Lifeline.builder().okHttpClient(okHttp).build();
  }

  @After public void stopEverything() throws InterruptedException {
    if (lifeline != null) lifeline.shutdown(5, TimeUnit.SECONDS);
    okHttp.dispatcher().executorService().shutdown();
    okHttp.connectionPool().evictAll();
    server.close();
  }

  private boolean tls() {
    return scheme.equals("wss");
  }

  private String url(String pathAndQuery) {
    return scheme + "://127.0.0.1:" + server.getPort() + pathAndQuery;
  }

  private void assertTls(RecordedRequest request) {
    assertNotNull("no request within 5 s", request);
    assertEquals("over TLS", tls(), request.getHandshake() != null);
  }

  @Test public void textAndBinaryMessagesEchoWithTheHandshakesHeaders() throws Exception {
    Inbox inbox = new Inbox();
    Connection connection = lifeline.newConnection(ConnectionOptions.builder(url("/socket?room=5"))
        .header("X-App", "okhttp5-checks")
        .build(), inbox);
    connection.connect();
    inbox.awaitConnected();
    List<String> sent = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      assertTrue(connection.send("text " + i));
      assertTrue(connection.send(ByteString.encodeUtf8("binary " + i)));
      sent.add("text " + i);
      sent.add("binary " + i);
    }
    assertEquals(sent, inbox.take(sent.size()));

    RecordedRequest handshake = server.takeRequest(5, TimeUnit.SECONDS);
    assertTls(handshake);
    assertEquals("/socket?room=5", handshake.getTarget());
    assertEquals("okhttp5-checks", handshake.getHeaders().get("X-App"));
    assertEquals("websocket", handshake.getHeaders().get("Upgrade"));
    connection.close();
  }

  @Test public void aDroppedSocketIsReplacedWithANewConnection() throws Exception {
    Inbox inbox = new Inbox();
    Connection connection = lifeline.newConnection(ConnectionOptions.builder(url("/socket"))
        .reconnect(ReconnectPolicy.builder()
            .baseDelay(50, TimeUnit.MILLISECONDS)
            .maxDelay(200, TimeUnit.MILLISECONDS)
            .build())
        .build(), inbox);
    connection.connect();
    inbox.awaitConnected();
    assertTrue(connection.send("before"));
    assertEquals("before", inbox.take(1).get(0));

    assertTrue(connection.send("drop"));
    ConnectionState lost = inbox.awaitState(ConnectionState.Kind.WAITING_TO_RECONNECT);
    inbox.awaitConnected();
    assertTrue(connection.send("after"));
    assertEquals("after", inbox.take(1).get(0));

    assertEquals("two connections, one per attempt: " + lost, 2, server.getRequestCount());
    assertTls(server.takeRequest(5, TimeUnit.SECONDS));
    assertTls(server.takeRequest(5, TimeUnit.SECONDS));
    connection.close();
  }

  @Test public void protocolPingsAreAnswered() throws Exception {
    Inbox inbox = new Inbox();
    Connection connection = lifeline.newConnection(ConnectionOptions.builder(url("/socket"))
        .heartbeat(HeartbeatPolicy.builder()
            .protocolPingInterval(250, TimeUnit.MILLISECONDS)
            .build())
        .build(), inbox);
    connection.connect();
    inbox.awaitConnected();
    // Ten ping intervals: each ping needs its pong from OkHttp 5's server, or the connection is
    // declared dead and replaced. Nothing is awaited here: the test needs the time to pass (250
    // ms, not shorter, so that a server thread scheduled late on a busy machine is not a miss).
    Thread.sleep(2_500);
    assertEquals("states " + inbox.states,
        ConnectionState.Kind.CONNECTED, connection.state().kind());
    assertEquals("states " + inbox.states, 2, inbox.states.size()); // CONNECTING, CONNECTED
    assertTrue(connection.send("still here"));
    assertEquals("still here", inbox.take(1).get(0));
    connection.close();
  }

  /** What the connection received, text and binary (decoded) alike, and its states. */
  private static final class Inbox extends ConnectionListener {
    final BlockingQueue<String> messages = new LinkedBlockingQueue<>();
    final BlockingQueue<ConnectionState> changes = new LinkedBlockingQueue<>();
    final List<ConnectionState> states = new CopyOnWriteArrayList<>();

    @Override public void onStateChanged(Connection connection, ConnectionState state) {
      states.add(state);
      changes.add(state);
    }

    @Override public void onMessage(Connection connection, String text) {
      messages.add(text);
    }

    @Override public void onMessage(Connection connection, ByteString bytes) {
      messages.add(bytes.utf8());
    }

    ConnectionState awaitState(ConnectionState.Kind kind) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (true) {
        ConnectionState state = changes.poll(
            Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        if (state == null) throw new AssertionError("no " + kind + " within 10 s: " + states);
        if (state.kind() == kind) return state;
        if (kind == ConnectionState.Kind.CONNECTED
            && state.kind() == ConnectionState.Kind.WAITING_TO_RECONNECT) {
          throw new AssertionError("the attempt failed: " + state, state.cause());
        }
      }
    }

    void awaitConnected() throws InterruptedException {
      awaitState(ConnectionState.Kind.CONNECTED);
    }

    List<String> take(int count) throws InterruptedException {
      List<String> taken = new ArrayList<>();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (taken.size() < count) {
        String message = messages.poll(
            Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        if (message == null) {
          throw new AssertionError(taken.size() + " of " + count + " within 10 s: " + taken);
        }
        taken.add(message);
      }
      return taken;
    }
  }
}
