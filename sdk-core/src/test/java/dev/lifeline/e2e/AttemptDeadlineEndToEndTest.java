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
import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import okhttp3.OkHttpClient;
import org.junit.After;
import org.junit.Test;

/**
 * Hostile handshakes on 127.0.0.1 against the attempt's overall deadline: a server that trickles
 * its answer a byte every 200 ms keeps every per-read timeout (1 s here) happy forever; only the
 * deadline (1.5 s here) ends the attempt, with a reason that names the step that was slow.
 */
public final class AttemptDeadlineEndToEndTest {
  /** The attempt's overall deadline. */
  private static final long DEADLINE_MILLIS = 1_500;
  /** Well below the client's read timeout, so that no read ever times out. */
  private static final long TRICKLE_MILLIS = 200;
  /** Bound of every wait. */
  private static final long WAIT_MILLIS = 10_000;

  private final OkHttpClient okHttp = new OkHttpClient.Builder()
      .connectTimeout(1, SECONDS)
      .readTimeout(1, SECONDS)
      .build();
  private final List<ConnectionState> states = new CopyOnWriteArrayList<>();
  private Lifeline lifeline;
  private TrickleServer server;

  @After public void tearDown() throws Exception {
    if (lifeline != null) lifeline.shutdown(5, SECONDS);
    if (server != null) server.close();
    okHttp.dispatcher().executorService().shutdown();
  }

  @Test public void trickledHttpUpgradeEndsAtTheDeadline() throws Exception {
    server = new TrickleServer(TrickleServer.httpUpgradeResponse(), TRICKLE_MILLIS);
    ConnectionState s = firstFailure(okHttp, "ws://127.0.0.1:" + server.port() + "/socket");
    assertDeadlineReason(s, "HTTP upgrade \\(no 101 Switching Protocols response yet\\)");
  }

  @Test public void trickledTlsHandshakeOfAWebSocketEndsAtTheDeadline() throws Exception {
    server = new TrickleServer(TrickleServer.tlsServerHelloStart(), TRICKLE_MILLIS);
    ConnectionState s = firstFailure(okHttp, "wss://127.0.0.1:" + server.port() + "/socket");
    assertDeadlineReason(s, "TLS handshake with 127\\.0\\.0\\.1");
  }

  @Test public void trickledTlsHandshakeOfATcpConnectionEndsAtTheDeadline() throws Exception {
    server = new TrickleServer(TrickleServer.tlsServerHelloStart(), TRICKLE_MILLIS);
    ConnectionState s = firstFailure(okHttp, "tcp+tls://127.0.0.1:" + server.port());
    assertDeadlineReason(s, "TLS handshake with 127\\.0\\.0\\.1");
  }

  @Test public void dnsLookupThatNeverReturnsEndsAtTheDeadline() throws Exception {
    CountDownLatch never = new CountDownLatch(1);
    OkHttpClient hangingDns = okHttp.newBuilder().dns(hostname -> {
      try {
        never.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return java.util.Collections.singletonList(InetAddress.getLoopbackAddress());
    }).build();
    try {
      ConnectionState s = firstFailure(hangingDns, "ws://chat.invalid/socket");
      assertDeadlineReason(s, "DNS lookup of chat\\.invalid");
    } finally {
      never.countDown(); // Lets OkHttp's thread go; the attempt was abandoned long ago.
    }
  }

  /** Connects to {@code url} and returns the state that follows the first attempt. */
  private ConnectionState firstFailure(OkHttpClient client, String url) throws Exception {
    lifeline = Lifeline.builder().okHttpClient(client).build();
    Connection c = lifeline.newConnection(ConnectionOptions.builder(url)
        .attemptTimeout(DEADLINE_MILLIS, MILLISECONDS)
        .reconnect(ReconnectPolicy.builder().baseDelay(1, java.util.concurrent.TimeUnit.HOURS)
            .maxDelay(1, java.util.concurrent.TimeUnit.HOURS).build()) // One attempt only.
        .build(), new ConnectionListener() {
          @Override public void onStateChanged(Connection connection, ConnectionState state) {
            states.add(state);
          }
        });
    c.connect();
    Await.until("the first attempt to end", WAIT_MILLIS,
        () -> c.state().kind() == Kind.WAITING_TO_RECONNECT);
    if (server != null) assertEquals("one connection, held until the deadline", 1, server.accepted());
    Await.until("the listener to hear it", WAIT_MILLIS, () -> states.size() >= 2);
    assertEquals(Kind.CONNECTING, states.get(0).kind());
    return states.get(1);
  }

  private static void assertDeadlineReason(ConnectionState s, String step) {
    assertEquals(Kind.WAITING_TO_RECONNECT, s.kind());
    assertEquals(1, s.attempt());
    assertTrue(s.reason(), s.reason().matches(
        "handshake not finished after 1\\.\\d s \\(limit 1\\.5 s\\): " + step + " still running"));
  }
}
