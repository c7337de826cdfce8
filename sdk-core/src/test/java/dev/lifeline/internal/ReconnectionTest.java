package dev.lifeline.internal;

import static java.util.concurrent.TimeUnit.HOURS;
import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.lifeline.ConnectionState.PauseReason;
import dev.lifeline.ReconnectPolicy;
import dev.lifeline.ReconnectPolicy.Jitter;
import dev.lifeline.internal.Reconnection.Decision;
import java.io.IOException;
import java.net.ProtocolException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.Parameterized;
import org.junit.runners.Parameterized.Parameters;

/**
 * {@link Reconnection#afterLoss} as a table: each row is a policy, what happened before (failures
 * and when, stable periods), the loss to decide on and the environment's pause reason, and the
 * decision expected — terminate with the exact reason, pause, or wait with the exact delay (or
 * range) and attempt number. The rules are in docs/behaviour.md, "Reconnection" and "Failure
 * classification". Jitter is pinned with a random source that always draws the lowest or the
 * highest value of a range.
 */
@RunWith(Parameterized.class)
public final class ReconnectionTest {
  private static final ReconnectPolicy NONE = ReconnectPolicy.builder().jitter(Jitter.NONE).build();
  private static final ReconnectPolicy EQUAL =
      ReconnectPolicy.builder().jitter(Jitter.EQUAL).build();
  private static final ReconnectPolicy PACED = ReconnectPolicy.defaults();
  private static final ReconnectPolicy DECORRELATED =
      ReconnectPolicy.builder().jitter(Jitter.DECORRELATED).build();
  /** Draws the lowest value of every range. */
  private static final Random LOWEST = drawing(0.0);
  /** Draws the highest value of every range. */
  private static final Random HIGHEST = drawing(Math.nextDown(1.0));

  private static final String REFUSED_REASON = "connect failed: IOException: refused";
  private static final Failure REFUSED =
      Failure.transientFailure(REFUSED_REASON, new IOException("refused"));

  @Parameters(name = "{0}") public static List<Object[]> table() {
    List<Object[]> rows = new ArrayList<>();
    for (Row r : new Row[] {
        // Transient failures: exponential delays, capped.
        row("first transient failure waits the base delay").loss(REFUSED).waits(1_000, 1),
        row("second failure in a row waits base x factor").after(1).loss(REFUSED).waits(2_000, 2),
        row("third failure in a row waits base x factor squared").after(2).loss(REFUSED)
            .waits(4_000, 3),
        row("seventh failure reaches the cap").after(6).loss(REFUSED).waits(60_000, 7),
        row("twentieth failure stays at the cap").after(19).loss(REFUSED).waits(60_000, 20),
        row("factor 3 from base 500: third failure waits 4.5 s")
            .policy(NONE.newBuilder().baseDelay(500, MILLISECONDS).factor(3)
                .maxDelay(10, SECONDS).build())
            .after(2).loss(REFUSED).waits(4_500, 3),
        row("factor 3 from base 500: fourth failure is capped at 10 s")
            .policy(NONE.newBuilder().baseDelay(500, MILLISECONDS).factor(3)
                .maxDelay(10, SECONDS).build())
            .after(3).loss(REFUSED).waits(10_000, 4),

        // Equal jitter: within [d/2, d], never an immediate retry.
        row("EQUAL first failure, lowest draw: half the base, never 0").policy(EQUAL)
            .random(LOWEST).loss(REFUSED).waits(500, 1),
        row("EQUAL first failure, highest draw: the base").policy(EQUAL).random(HIGHEST)
            .loss(REFUSED).waits(1_000, 1),
        row("EQUAL at the cap, lowest draw: half the cap").policy(EQUAL).random(LOWEST).after(9)
            .loss(REFUSED).waits(30_000, 10),
        row("EQUAL at the cap, highest draw: the cap").policy(EQUAL).random(HIGHEST).after(9)
            .loss(REFUSED).waits(60_000, 10),
        row("EQUAL third failure, seeded draws: within 2 to 4 s").policy(EQUAL).after(2)
            .loss(REFUSED).waitsBetween(2_000, 4_000, 3),

        // Paced jitter (the default): a first wait drawn log-uniformly in [base/√2, base×√2] once
        // per streak, then attempt n waits first × (factor − 1) × factor^(n-2), at least first.
        row("PACED first failure, lowest draw: base/√2, never 0").policy(PACED).random(LOWEST)
            .loss(REFUSED).waits(707, 1),
        row("PACED first failure, highest draw: base×√2").policy(PACED).random(HIGHEST)
            .loss(REFUSED).waits(1_414, 1),
        row("PACED second failure: the streak's first wait again, due at 2× it")
            .policy(PACED).random(HIGHEST).after(1).loss(REFUSED).waits(1_414, 2),
        row("PACED third failure: twice the first wait, due at 4× it")
            .policy(PACED).random(LOWEST).after(2).loss(REFUSED).waits(1_414, 3),
        row("PACED factor 1.5, fourth failure: first × 0.5 × 1.5²")
            .policy(PACED.newBuilder().factor(1.5).build()).random(LOWEST).after(3)
            .loss(REFUSED).waits(795, 4),
        row("PACED factor 1: the streak's first wait, every time")
            .policy(PACED.newBuilder().factor(1).build()).random(HIGHEST).after(30)
            .loss(REFUSED).waits(1_414, 31),
        row("PACED at the cap, lowest draw: half the cap").policy(PACED).random(LOWEST)
            .after(9).loss(REFUSED).waits(30_000, 10),
        row("PACED at the cap, highest draw: the cap").policy(PACED).random(HIGHEST)
            .after(9).loss(REFUSED).waits(60_000, 10),
        row("PACED fifth failure, seeded draws: 8× the first wait, within 5.7 to 11.3 s")
            .policy(PACED).after(4).loss(REFUSED).waitsBetween(5_656, 11_312, 5),

        // HTTP answers to the handshake.
        row("401 without a credentials provider is fatal").loss(http(401)).terminates(
            "HTTP 401 at handshake (Unauthorized); configure a CredentialsProvider to refresh"
                + " credentials"),
        row("403 without a credentials provider is fatal").loss(http(403)).terminates(
            "HTTP 403 at handshake (Forbidden); configure a CredentialsProvider to refresh"
                + " credentials"),
        row("401 with a credentials provider is retried").withCredentialsProvider()
            .loss(http(401)).waits(1_000, 1),
        row("403 with a credentials provider is retried").withCredentialsProvider().after(1)
            .loss(http(403)).waits(2_000, 2),
        row("400 is fatal").loss(http(400)).terminates(
            "HTTP 400 at handshake: the server rejects this request, retrying cannot help"),
        row("404 is fatal").loss(http(404)).terminates(
            "HTTP 404 at handshake: the server rejects this request, retrying cannot help"),
        row("404 is fatal even with a credentials provider").withCredentialsProvider()
            .loss(http(404)).terminates(
                "HTTP 404 at handshake: the server rejects this request, retrying cannot help"),
        row("499 is fatal").loss(http(499)).terminates(
            "HTTP 499 at handshake: the server rejects this request, retrying cannot help"),
        row("408 is retried").loss(http(408)).waits(1_000, 1),
        row("429 is retried").loss(http(429)).waits(1_000, 1),
        row("500 is retried").loss(http(500)).waits(1_000, 1),
        row("503 is retried").after(1).loss(http(503)).waits(2_000, 2),
        row("a plain 200 instead of an upgrade is retried").loss(http(200)).waits(1_000, 1),

        // Retry-After: at least its value, capped at maxRetryAfter, jitter of 0 to base on top.
        row("503 Retry-After 120 s, lowest draw: exactly 120 s").random(LOWEST)
            .loss(http(503, 120_000)).waits(120_000, 1),
        row("503 Retry-After 120 s, highest draw: 120 s plus the base").random(HIGHEST)
            .loss(http(503, 120_000)).waits(121_000, 1),
        row("429 Retry-After 2 h is clamped to the default 1 h, jitter on top").random(HIGHEST)
            .loss(http(429, HOURS.toMillis(2))).waits(3_601_000, 1),
        row("503 Retry-After 60 s is clamped to maxRetryAfter 10 s, lowest draw")
            .policy(NONE.newBuilder().maxRetryAfter(10, SECONDS).build()).random(LOWEST)
            .loss(http(503, 60_000)).waits(10_000, 1),
        row("503 Retry-After 60 s is clamped to maxRetryAfter 10 s, highest draw")
            .policy(NONE.newBuilder().maxRetryAfter(10, SECONDS).build()).random(HIGHEST)
            .loss(http(503, 60_000)).waits(11_000, 1),
        row("a Retry-After shorter than the backoff leaves the backoff").random(HIGHEST).after(4)
            .loss(http(503, 2_000)).waits(16_000, 5),
        row("a Retry-After on a 404 does not make it retryable").loss(http(404, 5_000))
            .terminates(
                "HTTP 404 at handshake: the server rejects this request, retrying cannot help"),

        // Close codes.
        row("a close code configured as fatal ends the connection")
            .policy(NONE.newBuilder().fatalCloseCodes(4001, 4003).build())
            .loss(Failure.serverClose(4001, "banned")).terminates(
                "server closed the connection: 4001 banned (close code 4001 is configured as"
                    + " fatal)"),
        row("a close code not configured as fatal is retried")
            .policy(NONE.newBuilder().fatalCloseCodes(4001, 4003).build())
            .loss(Failure.serverClose(4002, "later")).waits(1_000, 1),
        row("1001 going away is retried").loss(Failure.serverClose(1001, "going away"))
            .waits(1_000, 1),

        // Configuration errors and fatal failures: never retried, whatever came before.
        row("a configuration error ends the connection with its reason").after(3)
            .loss(Failure.configuration("heartbeat payload cannot be sent: binary", null))
            .terminates("heartbeat payload cannot be sent: binary"),
        row("a fatal failure ends the connection with its reason")
            .loss(Failure.fatal("HTTP 401 at handshake and the credentials provider has no new"
                + " credentials", null))
            .terminates("HTTP 401 at handshake and the credentials provider has no new"
                + " credentials"),
        row("a fatal failure ends the connection even while paused")
            .paused(PauseReason.NETWORK_DOWN).loss(Failure.fatal("rejected for good", null))
            .terminates("rejected for good"),
        row("401 without a provider ends the connection even while paused")
            .paused(PauseReason.SCREEN_OFF).loss(http(401)).terminates(
                "HTTP 401 at handshake (Unauthorized); configure a CredentialsProvider to refresh"
                    + " credentials"),

        // maxAttempts(n): n retries after the first failure, then the end.
        row("maxAttempts 3: the third retry is allowed")
            .policy(NONE.newBuilder().maxAttempts(3).build()).after(2).loss(REFUSED)
            .waits(4_000, 3),
        row("maxAttempts 3: the fourth failure gives up")
            .policy(NONE.newBuilder().maxAttempts(3).build()).after(3).loss(REFUSED)
            .terminates("gave up after 3 reconnect attempts; last: " + REFUSED_REASON),
        row("maxAttempts 3: the fourth failure gives up with that failure's reason")
            .policy(NONE.newBuilder().maxAttempts(3).build()).after(3).loss(http(503))
            .terminates("gave up after 3 reconnect attempts; last: HTTP 503 at handshake"),
        row("maxAttempts 1: the second failure gives up, in the singular")
            .policy(NONE.newBuilder().maxAttempts(1).build()).after(1).loss(REFUSED)
            .terminates("gave up after 1 reconnect attempt; last: " + REFUSED_REASON),

        // maxRetryDuration: the next attempt may not start after the limit, counted from the
        // first failure of the streak.
        row("maxRetryDuration 10 s: an attempt due exactly at the limit is allowed")
            .policy(NONE.newBuilder().maxRetryDuration(10, SECONDS).build())
            .failedAt(0).at(8_000).loss(REFUSED).waits(2_000, 2),
        row("maxRetryDuration 10 s: an attempt due 1 ms after the limit gives up")
            .policy(NONE.newBuilder().maxRetryDuration(10, SECONDS).build())
            .failedAt(0).at(8_001).loss(REFUSED).terminates(
                "gave up: still failing after 8.0 s (retry limit 10 s); last: " + REFUSED_REASON),
        row("maxRetryDuration 10 s: delays 1, 2, 4 s, then the next would start at 15 s")
            .policy(NONE.newBuilder().maxRetryDuration(10, SECONDS).build())
            .failedAt(0, 1_000, 3_000).at(7_000).loss(REFUSED).terminates(
                "gave up: still failing after 7 s (retry limit 10 s); last: " + REFUSED_REASON),
        row("maxRetryDuration 10 s: a long Retry-After counts against the limit")
            .policy(NONE.newBuilder().maxRetryDuration(10, SECONDS).build()).random(LOWEST)
            .loss(http(503, 30_000)).terminates(
                "gave up: still failing after 0 s (retry limit 10 s); last: HTTP 503 at"
                    + " handshake"),

        // A pause reason: no timer, but the failure counts.
        row("network down: pause instead of waiting").paused(PauseReason.NETWORK_DOWN)
            .loss(REFUSED).pauses(PauseReason.NETWORK_DOWN, 1),
        row("screen off after two failures: pause, and the failure is the third")
            .after(2).paused(PauseReason.SCREEN_OFF).loss(REFUSED)
            .pauses(PauseReason.SCREEN_OFF, 3),
        row("a paused failure still counts: the next one waits as the second")
            .afterPausedFailure(PauseReason.BACKGROUND).loss(REFUSED).waits(2_000, 2),

        // stable(): the counter, the streak and the decorrelated history start over.
        row("after a stable period the next failure is a first retry again").after(5)
            .thenStable().loss(REFUSED).waits(1_000, 1),
        row("after a stable period EQUAL still waits at least half the base, never 0")
            .policy(EQUAL).random(LOWEST).after(5).thenStable().loss(REFUSED).waits(500, 1),
        row("after a stable period PACED draws a new first wait, never 0")
            .policy(PACED).random(LOWEST).failedAt(0, 5_000).thenStable().at(100_000)
            .loss(REFUSED).waits(707, 1),
        row("DECORRELATED, highest draws: third failure waits 27 s").policy(DECORRELATED)
            .random(HIGHEST).after(2).loss(REFUSED).waits(27_000, 3),
        row("DECORRELATED, highest draws: after a stable period it grows from the base again")
            .policy(DECORRELATED).random(HIGHEST).after(2).thenStable().loss(REFUSED)
            .waits(3_000, 1),
        row("after a stable period the retry duration counts from the new streak")
            .policy(NONE.newBuilder().maxRetryDuration(10, SECONDS).build())
            .failedAt(0, 1_000).thenStable().at(20_000).loss(REFUSED).waits(1_000, 1),
    }) {
      rows.add(new Object[] {r});
    }
    return rows;
  }

  private final Row row;

  public ReconnectionTest(Row row) {
    this.row = row;
  }

  @Test public void decides() {
    if (row.expectedKind == Decision.Kind.WAIT && row.maxDelay != row.minDelay) {
      for (int seed = 0; seed < 100; seed++) {
        Reconnection r = row.replay(new Random(seed));
        Decision d = r.afterLoss(row.loss, row.nowMillis, row.paused);
        assertEquals(Decision.Kind.WAIT, d.kind);
        assertTrue("seed " + seed + ": " + d,
            d.delayMillis >= row.minDelay && d.delayMillis <= row.maxDelay);
        assertEquals(row.expectedAttempt, d.attempt);
      }
      return;
    }
    Reconnection r = row.replay(row.random);
    Decision d = r.afterLoss(row.loss, row.nowMillis, row.paused);
    assertEquals(d.toString(), row.expectedKind, d.kind);
    switch (row.expectedKind) {
      case TERMINATE:
        assertEquals(row.expectedReason, d.reason);
        break;
      case PAUSE:
        assertEquals(row.expectedPause, d.pauseReason);
        assertEquals(row.loss.reason, d.reason);
        assertEquals("the paused failure counts", row.expectedAttempt, r.attempt());
        break;
      default:
        assertEquals(row.minDelay, d.delayMillis);
        assertEquals(row.expectedAttempt, d.attempt);
        assertEquals(row.expectedAttempt, r.attempt());
        assertEquals(row.loss.reason, d.reason);
        break;
    }
  }

  // ---- The table's vocabulary. ----

  private static Row row(String name) {
    return new Row(name);
  }

  private static Failure http(int code) {
    return http(code, -1);
  }

  private static Failure http(int code, long retryAfterMillis) {
    return Failure.httpStatus(code, retryAfterMillis,
        new ProtocolException("Expected HTTP 101 response but was '" + code + "'"));
  }

  /** A random source whose every draw is {@code value}: ranges yield their low or high end. */
  private static Random drawing(final double value) {
    return new Random() {
      @Override public double nextDouble() {
        return value;
      }
    };
  }

  /** Something that happened before the loss under test. */
  private interface Step {
    void apply(Reconnection r);
  }

  /** One row: given a policy and a history, this loss leads to this decision. */
  static final class Row {
    final String name;
    ReconnectPolicy policy = NONE;
    boolean credentialsProvider;
    Random random = LOWEST;
    final List<Step> history = new ArrayList<>();
    long nowMillis;
    PauseReason paused;
    Failure loss;
    Decision.Kind expectedKind;
    String expectedReason;
    PauseReason expectedPause;
    long minDelay;
    long maxDelay;
    int expectedAttempt;

    Row(String name) {
      this.name = name;
    }

    Row policy(ReconnectPolicy p) {
      policy = p;
      return this;
    }

    Row withCredentialsProvider() {
      credentialsProvider = true;
      return this;
    }

    Row random(Random r) {
      random = r;
      return this;
    }

    /** {@code n} transient failures at the current time. */
    Row after(int n) {
      long t = nowMillis;
      for (int i = 0; i < n; i++) history.add(r -> r.afterLoss(REFUSED, t, null));
      return this;
    }

    /** Transient failures at these times; the loss under test comes at the last, unless {@link #at}. */
    Row failedAt(long... times) {
      for (long t : times) {
        history.add(r -> r.afterLoss(REFUSED, t, null));
        nowMillis = t;
      }
      return this;
    }

    Row afterPausedFailure(PauseReason why) {
      long t = nowMillis;
      history.add(r -> r.afterLoss(REFUSED, t, why));
      return this;
    }

    Row thenStable() {
      history.add(Reconnection::stable);
      return this;
    }

    Row at(long millis) {
      nowMillis = millis;
      return this;
    }

    Row paused(PauseReason why) {
      paused = why;
      return this;
    }

    Row loss(Failure f) {
      loss = f;
      return this;
    }

    Row terminates(String reason) {
      expectedKind = Decision.Kind.TERMINATE;
      expectedReason = reason;
      return this;
    }

    Row pauses(PauseReason why, int failuresCounted) {
      expectedKind = Decision.Kind.PAUSE;
      expectedPause = why;
      expectedAttempt = failuresCounted;
      return this;
    }

    Row waits(long delayMillis, int attempt) {
      return waitsBetween(delayMillis, delayMillis, attempt);
    }

    Row waitsBetween(long min, long max, int attempt) {
      expectedKind = Decision.Kind.WAIT;
      minDelay = min;
      maxDelay = max;
      expectedAttempt = attempt;
      return this;
    }

    /** A fresh reconnection with this row's history applied. */
    Reconnection replay(Random jitter) {
      Reconnection r = new Reconnection(policy, credentialsProvider, jitter);
      for (Step s : history) s.apply(r);
      return r;
    }

    @Override public String toString() {
      return name;
    }
  }
}
