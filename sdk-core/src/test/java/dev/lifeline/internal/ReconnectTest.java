package dev.lifeline.internal;

import static java.util.concurrent.TimeUnit.MINUTES;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import dev.lifeline.ConnectionState;
import dev.lifeline.ConnectionState.Kind;
import dev.lifeline.ReconnectPolicy;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.Test;

/**
 * Reconnection (docs/behaviour.md, "Reconnection") and the handling of failures and credentials
 * (docs/behaviour.md, "Failure classification"), in virtual time.
 */
public final class ReconnectTest {
  private final Harness h = new Harness();

  @Test public void serverDropLeadsToAJitteredDelayedReconnectNeverImmediate() {
    RealConnection c = h.connection(h.options().build());
    FakeTransport t = h.connectAndOpen(c);
    t.serverCloses(1001, "going away");
    h.time.runUntilIdle();
    assertEquals(1000, t.closeCode); // We completed the closing handshake.
    ConnectionState s = c.state();
    assertEquals(Kind.WAITING_TO_RECONNECT, s.kind());
    assertEquals(1, s.attempt());
    // The default paced jitter: base 1 s × a factor in [1/√2, √2], never 0.
    assertTrue(s.delayMillis() >= 707 && s.delayMillis() <= 1_414);
    assertEquals("server closed the connection: 1001 going away", s.reason());

    h.time.advanceBy(s.delayMillis() - 1);
    assertEquals(1, h.transports.count());
    h.time.advanceBy(1);
    assertEquals(2, h.transports.count());
    assertEquals(Kind.CONNECTING, c.state().kind());
    assertEquals(1, c.state().attempt());
  }

  @Test public void stateSequenceOfAConnectFailAndReconnect() {
    RealConnection c = h.connection(h.options().build());
    c.connect();
    h.time.runUntilIdle();
    h.transports.last().fails(new IOException("connection refused"));
    h.time.runUntilIdle();
    h.time.advanceBy(c.state().delayMillis());
    h.transports.last().serverAccepts();
    h.time.runUntilIdle();
    List<Kind> kinds = new ArrayList<>();
    for (ConnectionState s : h.states) kinds.add(s.kind());
    assertEquals(java.util.Arrays.asList(Kind.CONNECTING, Kind.WAITING_TO_RECONNECT,
        Kind.CONNECTING, Kind.CONNECTED), kinds);
    assertEquals("connect failed: IOException: connection refused", h.states.get(1).reason());
  }

  @Test public void consecutiveFailuresGrowTheDelayExponentially() {
    RealConnection c = h.connection(h.options()
        .reconnect(ReconnectPolicy.builder().jitter(ReconnectPolicy.Jitter.NONE).build()).build());
    c.connect();
    h.time.runUntilIdle();
    long[] expected = {1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000};
    for (int i = 0; i < expected.length; i++) {
      h.transports.last().fails(new IOException("refused"));
      h.time.runUntilIdle();
      assertEquals(i + 1, c.state().attempt());
      assertEquals(expected[i], c.state().delayMillis());
      h.time.advanceBy(expected[i]);
    }
  }

  @Test public void attemptCounterResetsOnlyAfterTheStablePeriod() {
    ReconnectPolicy none = ReconnectPolicy.builder().jitter(ReconnectPolicy.Jitter.NONE).build();
    RealConnection c = h.connection(h.options().reconnect(none).build());
    FakeTransport t = h.connectAndOpen(c);
    t.fails(new IOException("reset")); // Failure 1.
    h.time.runUntilIdle();
    assertEquals(1_000, c.state().delayMillis());
    h.time.advanceBy(1_000);
    h.transports.last().serverAccepts();
    h.time.advanceBy(ReconnectPolicy.DEFAULT_STABLE_PERIOD_MILLIS - 1); // Not yet stable.
    h.transports.last().fails(new IOException("reset"));
    h.time.runUntilIdle();
    assertEquals(2, c.state().attempt());
    assertEquals(2_000, c.state().delayMillis()); // Not reset: accept-then-drop is not hammered.

    h.time.advanceBy(2_000);
    h.transports.last().serverAccepts();
    h.time.advanceBy(ReconnectPolicy.DEFAULT_STABLE_PERIOD_MILLIS); // Stable now.
    h.transports.last().fails(new IOException("reset"));
    h.time.runUntilIdle();
    assertEquals(1, c.state().attempt());
    assertEquals(1_000, c.state().delayMillis());
  }

  @Test public void maxAttemptsEndsInClosedWithTheReason() {
    RealConnection c = h.connection(h.options()
        .reconnect(ReconnectPolicy.builder().maxAttempts(3).build()).build());
    c.connect();
    h.time.runUntilIdle();
    for (int i = 0; i < 3; i++) {
      h.transports.last().fails(new IOException("refused"));
      h.time.runUntilIdle();
      assertEquals(Kind.WAITING_TO_RECONNECT, c.state().kind());
      h.time.advanceBy(c.state().delayMillis());
    }
    h.transports.last().fails(new IOException("refused"));
    h.time.runUntilIdle();
    assertEquals(Kind.CLOSED, c.state().kind());
    assertEquals("gave up after 3 reconnect attempts; last: connect failed: IOException: refused",
        c.state().reason());
    assertEquals(4, h.transports.count());
    h.time.advanceBy(3_600_000);
    assertEquals(4, h.transports.count());
    assertEquals(0, h.time.pendingTasks());
  }

  @Test public void maxRetryDurationEndsInClosedWithTheReason() {
    RealConnection c = h.connection(h.options().reconnect(ReconnectPolicy.builder()
        .jitter(ReconnectPolicy.Jitter.NONE).maxRetryDuration(10, SECONDS).build()).build());
    c.connect();
    h.time.runUntilIdle();
    // Delays 1, 2, 4 s: next would start at 7 + 8 = 15 s > 10 s.
    for (int i = 0; i < 3; i++) {
      h.transports.last().fails(new IOException("refused"));
      h.time.runUntilIdle();
      h.time.advanceBy(c.state().delayMillis());
    }
    h.transports.last().fails(new IOException("refused"));
    h.time.runUntilIdle();
    assertEquals(Kind.CLOSED, c.state().kind());
    assertTrue(c.state().reason(), c.state().reason().startsWith(
        "gave up: still failing after 7 s (retry limit 10 s); last: connect failed"));
  }

  @Test public void reconnectNowCutsTheDelayShort() {
    RealConnection c = h.connection(h.options().build());
    FakeTransport t = h.connectAndOpen(c);
    t.fails(new IOException("reset"));
    h.time.runUntilIdle();
    c.reconnectNow();
    h.time.runUntilIdle();
    assertEquals(2, h.transports.count());
    assertEquals(Kind.CONNECTING, c.state().kind());
  }

  @Test public void http401WithoutCredentialsProviderIsFatal() {
    RealConnection c = h.connection(h.options().build());
    c.connect();
    h.time.runUntilIdle();
    h.transports.last().rejectsHandshake(401, -1);
    h.time.runUntilIdle();
    assertEquals(Kind.CLOSED, c.state().kind());
    assertTrue(c.state().reason(), c.state().reason().startsWith("HTTP 401 at handshake (Unauthorized)"));
    h.time.advanceBy(3_600_000);
    assertEquals(1, h.transports.count());
  }

  @Test public void http403AskTheProviderForFreshCredentialsThenRetry() {
    List<String> asked = Collections.synchronizedList(new ArrayList<>());
    RealConnection c = h.connection(h.options().credentials((attempt, rejected) -> {
      asked.add(attempt + " " + rejected);
      return Collections.singletonMap("Authorization", "Bearer t" + asked.size());
    }).build());
    c.connect();
    h.time.runUntilIdle();
    assertEquals("Bearer t1", h.transports.last().request.headers.get("Authorization"));
    h.transports.last().rejectsHandshake(403, -1);
    h.time.runUntilIdle();
    assertEquals(Kind.WAITING_TO_RECONNECT, c.state().kind());
    h.time.advanceBy(c.state().delayMillis());
    assertEquals(java.util.Arrays.asList("0 false", "1 true"), asked);
    assertEquals("Bearer t2", h.transports.last().request.headers.get("Authorization"));
  }

  @Test public void providerWithNoNewCredentialsAfter401EndsTheConnection() {
    RealConnection c = h.connection(h.options()
        .credentials((attempt, rejected) -> rejected ? null : Collections.emptyMap()).build());
    c.connect();
    h.time.runUntilIdle();
    h.transports.last().rejectsHandshake(401, -1);
    h.time.runUntilIdle();
    h.time.advanceBy(c.state().delayMillis());
    assertEquals(Kind.CLOSED, c.state().kind());
    assertEquals("HTTP 401 at handshake and the credentials provider has no new credentials",
        c.state().reason());
    assertEquals(1, h.transports.count());
  }

  @Test public void throwingCredentialsProviderIsAFailedAttemptAndRetried() {
    RealConnection c = h.connection(h.options().credentials((attempt, rejected) -> {
      if (attempt == 0) throw new IOException("token endpoint down");
      return Collections.singletonMap("Authorization", "Bearer ok");
    }).build());
    c.connect();
    h.time.runUntilIdle();
    assertEquals(Kind.WAITING_TO_RECONNECT, c.state().kind());
    assertEquals("credentials provider failed: java.io.IOException: token endpoint down",
        c.state().reason());
    assertEquals(0, h.transports.count());
    h.time.advanceBy(c.state().delayMillis());
    assertEquals("Bearer ok", h.transports.last().request.headers.get("Authorization"));
  }

  @Test public void otherClientErrorsAreFatalBut408And429AreRetried() {
    for (int code : new int[] {400, 404, 410}) {
      Harness x = new Harness();
      RealConnection c = x.connection(x.options().build());
      c.connect();
      x.time.runUntilIdle();
      x.transports.last().rejectsHandshake(code, -1);
      x.time.runUntilIdle();
      assertEquals(code + "", Kind.CLOSED, c.state().kind());
      assertTrue(c.state().reason().startsWith("HTTP " + code + " at handshake"));
    }
    for (int code : new int[] {408, 429, 500, 502, 503}) {
      Harness x = new Harness();
      RealConnection c = x.connection(x.options().build());
      c.connect();
      x.time.runUntilIdle();
      x.transports.last().rejectsHandshake(code, -1);
      x.time.runUntilIdle();
      assertEquals(code + "", Kind.WAITING_TO_RECONNECT, c.state().kind());
    }
  }

  @Test public void retryAfterIsHonouredWithJitterOnTop() {
    RealConnection c = h.connection(h.options().build());
    c.connect();
    h.time.runUntilIdle();
    h.transports.last().rejectsHandshake(503, 120_000);
    h.time.runUntilIdle();
    long d = c.state().delayMillis();
    assertTrue("delay " + d, d >= 120_000 && d <= 121_000);
    h.time.advanceBy(119_999);
    assertEquals(1, h.transports.count());
  }

  @Test public void fatalCloseCodeEndsTheConnection() {
    RealConnection c = h.connection(h.options()
        .reconnect(ReconnectPolicy.builder().fatalCloseCodes(4001).build()).build());
    FakeTransport t = h.connectAndOpen(c);
    t.serverCloses(4001, "banned");
    h.time.runUntilIdle();
    assertEquals(Kind.CLOSED, c.state().kind());
    assertEquals("server closed the connection: 4001 banned (close code 4001 is configured as fatal)",
        c.state().reason());
  }

  @Test public void noAttemptsWhileNetworkDownThenShortJitterWhenItReturns() {
    RealConnection c = h.connection(h.options().reconnect(ReconnectPolicy.builder()
        .jitter(ReconnectPolicy.Jitter.NONE).build()).build());
    c.connect();
    h.time.runUntilIdle();
    for (int i = 0; i < 6; i++) { // Build up a long backoff: 32 s next.
      h.transports.last().fails(new IOException("refused"));
      h.time.runUntilIdle();
      h.time.advanceBy(c.state().delayMillis());
    }
    h.transports.last().fails(new IOException("refused"));
    h.time.runUntilIdle();
    assertEquals(64_000 > 60_000 ? 60_000 : 64_000, c.state().delayMillis());
    h.signals.networkLost();
    h.time.runUntilIdle();
    assertEquals(Kind.PAUSED, c.state().kind());
    assertEquals(ConnectionState.PauseReason.NETWORK_DOWN, c.state().pauseReason());
    int before = h.transports.count();
    h.time.advanceBy(30 * 60_000);
    assertEquals(before, h.transports.count());

    h.signals.networkAvailable();
    h.time.runUntilIdle();
    assertEquals(Kind.WAITING_TO_RECONNECT, c.state().kind());
    assertTrue(c.state().delayMillis() <= ReconnectPolicy.DEFAULT_RESUME_JITTER_MILLIS);
    h.time.advanceBy(ReconnectPolicy.DEFAULT_RESUME_JITTER_MILLIS);
    assertEquals(before + 1, h.transports.count());
  }

  @Test public void resumeJitterIsSpreadOverTheWindow() {
    long min = Long.MAX_VALUE;
    long max = 0;
    java.util.Random random = new java.util.Random(11);
    for (int i = 0; i < 200; i++) {
      Harness x = new Harness(random);
      RealConnection c = x.connection(x.options().build());
      x.signals.networkLost();
      c.connect();
      x.time.runUntilIdle();
      assertEquals(Kind.PAUSED, c.state().kind());
      x.signals.networkAvailable();
      x.time.runUntilIdle();
      min = Math.min(min, c.state().delayMillis());
      max = Math.max(max, c.state().delayMillis());
    }
    assertTrue(min < 100);
    assertTrue(max > 900 && max <= 1000);
  }

  @Test public void closeDuringWaitIsTerminalAndStopsEverything() {
    RealConnection c = h.connection(h.options().build());
    FakeTransport t = h.connectAndOpen(c);
    t.fails(new IOException("reset"));
    h.time.runUntilIdle();
    c.close();
    h.time.runUntilIdle();
    assertEquals(Kind.CLOSED, c.state().kind());
    assertEquals("closed by the app", c.state().reason());
    // No timer of the connection is left, nor the client's watchdog: its lanes are idle.
    assertEquals(Collections.emptyList(), h.time.pendingTaskNames());
    assertFalse(h.context.liveConnections().contains(c));
  }

  @Test public void lateCallbacksFromAReplacedTransportAreIgnored() {
    RealConnection c = h.connection(h.options().build());
    FakeTransport old = h.connectAndOpen(c);
    h.signals.networkChanged(); // Replaced at once.
    h.time.runUntilIdle();
    assertTrue(old.cancelled);
    FakeTransport fresh = h.transports.last();
    fresh.serverAccepts();
    old.fails(new IOException("late failure of the old socket"));
    old.serverSends("late message");
    h.time.runUntilIdle();
    assertEquals(Kind.CONNECTED, c.state().kind());
    assertTrue(h.received.isEmpty());
    assertNull(c.state().reason());
  }
}
