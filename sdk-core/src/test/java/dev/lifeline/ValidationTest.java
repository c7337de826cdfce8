package dev.lifeline;

import static java.util.concurrent.TimeUnit.HOURS;
import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.NANOSECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.fail;

import org.junit.Test;

/** Every invalid configuration value fails at once with a message naming it. */
public final class ValidationTest {
  private interface Action {
    void run();
  }

  private static void rejects(String message, Action action) {
    try {
      action.run();
      fail("expected: " + message);
    } catch (IllegalArgumentException | NullPointerException e) {
      assertEquals(message, e.getMessage());
    }
  }

  @Test public void heartbeat() {
    rejects("heartbeat interval must be positive, was 0 SECONDS",
        () -> HeartbeatPolicy.builder().interval(0, SECONDS));
    rejects("heartbeat interval must be positive, was -5 SECONDS",
        () -> HeartbeatPolicy.builder().interval(-5, SECONDS));
    rejects("heartbeat interval must be at least 1 ms, was 10 NANOSECONDS",
        () -> HeartbeatPolicy.builder().interval(10, NANOSECONDS));
    rejects("heartbeat interval unit == null", () -> HeartbeatPolicy.builder().interval(1, null));
    rejects("server timeout must be positive, was 0 SECONDS",
        () -> HeartbeatPolicy.builder().serverTimeout(0, SECONDS));
    rejects("server timeout (86400001 ms) must be at most 86400000 ms (24 h)",
        () -> HeartbeatPolicy.builder().serverTimeout(86_400_001, MILLISECONDS));
    rejects("server heartbeat interval must be positive, was -1 SECONDS",
        () -> HeartbeatPolicy.builder().expectServerHeartbeats(-1, SECONDS));
    rejects("server heartbeat interval (43200001 ms) must be at most 43200000 ms: the silence"
        + " limit, 2 × the interval, must be at most 86400000 ms (24 h)",
        () -> HeartbeatPolicy.builder().expectServerHeartbeats(43_200_001, MILLISECONDS));
    rejects("server heartbeat interval (9223372036854775807 ms) must be at most 43200000 ms: the"
        + " silence limit, 2 × the interval, must be at most 86400000 ms (24 h)",
        () -> HeartbeatPolicy.builder().expectServerHeartbeats(Long.MAX_VALUE, MILLISECONDS));
    rejects("consumeEchoes(true) needs a fixed heartbeat payload (textPayload, binaryPayload or"
        + " the default): a HeartbeatPayload supplier's beats differ, so recognise their echoes"
        + " with serverHeartbeat(HeartbeatMatcher)",
        () -> HeartbeatPolicy.builder().payload(() -> Message.text("t")).consumeEchoes(true)
            .build());
    rejects("heartbeat payload == null", () -> HeartbeatPolicy.builder().textPayload(null));
    rejects("probe timeout must be positive, was 0 MILLISECONDS",
        () -> HeartbeatPolicy.builder().probeTimeout(0, MILLISECONDS));
  }

  /**
   * The server's cadence is its own: a server beating every 25 s is watched with a 50 s limit,
   * whatever the client's interval (55 s by default, or an adaptive one climbing to 60 s).
   */
  @Test public void serverHeartbeatCadenceIsIndependentOfTheClients() {
    assertEquals(50_000, HeartbeatPolicy.builder().expectServerHeartbeats(25, SECONDS).build()
        .serverTimeoutMillis());
    assertEquals(30_000, HeartbeatPolicy.builder().serverTimeout(30, SECONDS).build()
        .serverTimeoutMillis());
    assertEquals(40_000, HeartbeatPolicy.builder().interval(10, SECONDS).adaptive(1, 60, SECONDS)
        .serverTimeout(40, SECONDS).build().serverTimeoutMillis());
    assertEquals(86_400_000, HeartbeatPolicy.builder().expectServerHeartbeats(12, HOURS).build()
        .serverTimeoutMillis());
  }

  @Test public void reconnect() {
    rejects("base delay must be positive, was 0 SECONDS",
        () -> ReconnectPolicy.builder().baseDelay(0, SECONDS));
    rejects("backoff factor must be ≥ 1 and finite, was 0.5",
        () -> ReconnectPolicy.builder().factor(0.5));
    rejects("backoff factor must be ≥ 1 and finite, was NaN",
        () -> ReconnectPolicy.builder().factor(Double.NaN));
    rejects("max delay (500 ms) must not be below the base delay (1000 ms)",
        () -> ReconnectPolicy.builder().maxDelay(500, MILLISECONDS).build());
    rejects("max attempts must not be negative, was -1",
        () -> ReconnectPolicy.builder().maxAttempts(-1));
    rejects("not a WebSocket close code: 999",
        () -> ReconnectPolicy.builder().fatalCloseCodes(999));
    rejects("jitter == null", () -> ReconnectPolicy.builder().jitter(null));
  }

  @Test public void outboxAndEnvironment() {
    rejects("outbox max messages must be positive, was 0",
        () -> OutboxPolicy.builder().maxMessages(0));
    rejects("outbox max bytes must be positive, was -1", () -> OutboxPolicy.builder().maxBytes(-1));
    rejects("outbox ttl must not be negative, was -1 SECONDS",
        () -> OutboxPolicy.builder().ttl(-1, SECONDS));
    rejects("background grace period must not be negative, was -1 SECONDS",
        () -> EnvironmentPolicy.builder().closeInBackgroundAfter(-1, SECONDS));
  }

  @Test public void urls() {
    rejects("url == null", () -> ConnectionOptions.builder(null));
    rejects("invalid URL 'example.com': expected ws://host[:port]/path, wss://host[:port]/path,"
        + " tcp://host:port or tcp+tls://host:port",
        () -> ConnectionOptions.builder("example.com"));
    rejects("unsupported scheme 'ftp' in 'ftp://example.com': Lifeline connects to ws://, wss://,"
        + " tcp:// and tcp+tls:// URLs", () -> ConnectionOptions.builder("ftp://example.com"));
    rejects("invalid URL 'ws://': no valid host", () -> ConnectionOptions.builder("ws://"));
    rejects("invalid URL 'ws://exa mple.com/': no valid host",
        () -> ConnectionOptions.builder("ws://exa mple.com/"));
    assertEquals("wss://example.com/socket",
        ConnectionOptions.builder("WSS://example.com/socket").build().url());
  }

  @Test public void urlMessagesNeverShowSecrets() {
    rejects("invalid URL 'example.com?token=██': expected ws://host[:port]/path,"
        + " wss://host[:port]/path, tcp://host:port or tcp+tls://host:port",
        () -> ConnectionOptions.builder("example.com?token=SECRET"));
    rejects("unsupported scheme 'https' in 'https://██@example.com/?token=██': Lifeline connects to"
        + " ws://, wss://, tcp:// and tcp+tls:// URLs",
        () -> ConnectionOptions.builder("https://u:SECRET@example.com/?token=SECRET"));
    rejects("invalid URL 'ws://██@exa mple.com/?t=██': no valid host",
        () -> ConnectionOptions.builder("ws://u:SECRET@exa mple.com/?t=SECRET"));
    rejects("invalid URL 'tcp://██@example.com:7001': expected tcp://host:port (a tcp URL has no"
        + " user info, path, query or fragment: newline-framed TCP has no handshake to carry"
        + " credentials; send them as a message instead)",
        () -> ConnectionOptions.builder("tcp://u:SECRET@example.com:7001"));
  }

  @Test public void userInfoIsSentAsBasicAuthAndRefusedWhenCredentialsComeTwice() {
    ConnectionOptions o = ConnectionOptions.builder("wss://alice:p%40ss@example.com/s?x=1").build();
    assertEquals("wss://example.com/s?x=1", o.url());
    assertEquals("Basic YWxpY2U6cEBzcw==", o.headers().get("Authorization")); // alice:p@ss
    rejects("user info in 'wss://██@example.com/' and an Authorization header both give"
        + " credentials: use one of them (user info is sent as Authorization: Basic)",
        () -> ConnectionOptions.builder("wss://u:SECRET@example.com/")
            .header("authorization", "Bearer x").build());
    rejects("user info in 'wss://██@example.com/' and a credentials provider both give"
        + " credentials: use one of them (user info is sent as Authorization: Basic)",
        () -> ConnectionOptions.builder("wss://u:SECRET@example.com/")
            .credentials((attempt, rejected) -> java.util.Collections.emptyMap()).build());
    rejects("invalid URL 'ws://██@example.com/': empty user info before '@'",
        () -> ConnectionOptions.builder("ws://@example.com/").build());
  }

  @Test public void clientAndConnectionArguments() {
    Lifeline lifeline = Lifeline.builder().build();
    rejects("listener == null", () -> lifeline.newConnection("ws://127.0.0.1:1/", null));
    rejects("options == null", () -> lifeline.newConnection((ConnectionOptions) null,
        new ConnectionListener() {}));
    rejects("clock == null", () -> Lifeline.builder().clock(null));
    rejects("header name is empty", () -> ConnectionOptions.builder("ws://h/").header("", "v"));
  }

  @Test public void adaptiveHeartbeat() {
    rejects("adaptive heartbeat min must be positive, was 0 SECONDS",
        () -> HeartbeatPolicy.builder().adaptive(0, 10, java.util.concurrent.TimeUnit.SECONDS));
    rejects("adaptive heartbeat max (1000 ms) must not be below its min (2000 ms)",
        () -> HeartbeatPolicy.builder().adaptive(2, 1, java.util.concurrent.TimeUnit.SECONDS));
    rejects("heartbeat interval (55000 ms) must lie within the adaptive range [1000 ms, 30000 ms]:"
        + " it is where the tuning starts",
        () -> HeartbeatPolicy.builder().adaptive(1, 30, java.util.concurrent.TimeUnit.SECONDS)
            .build());
    rejects("heartbeat store == null", () -> Lifeline.builder().heartbeatStore(null));
    rejects("close timeout must not be negative, was -1 SECONDS",
        () -> Lifeline.builder().closeTimeout(-1, SECONDS));
    Lifeline lifeline = Lifeline.builder().build();
    rejects("network key must have 1 to 100 characters, had 0",
        () -> lifeline.signals().networkChanged(""));
    rejects("network key == null", () -> lifeline.signals().networkAvailable(null));
    HeartbeatPolicy off = HeartbeatPolicy.defaults();
    org.junit.Assert.assertFalse(off.isAdaptive());
    org.junit.Assert.assertEquals(0, off.adaptiveMaxMillis());
  }
}
