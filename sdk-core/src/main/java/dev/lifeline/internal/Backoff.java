package dev.lifeline.internal;

import dev.lifeline.ReconnectPolicy;
import java.util.Random;

/**
 * The reconnect delay math of {@link ReconnectPolicy}. Stateful for decorrelated jitter, which
 * grows from the previous delay, and for paced jitter, which draws its first wait once per streak
 * of failures. Not thread-safe: confined to one connection's lane.
 */
public final class Backoff {
  /** The delays' shape. */
  private final ReconnectPolicy policy;
  /** Source of jitter. */
  private final Random random;
  /** The previous decorrelated delay; base after a reset. */
  private long previousMillis;
  /**
   * PACED: this streak's first wait, drawn at its first failure; -1 after a reset. Kept unrounded:
   * whole milliseconds multiplied by factor^n would put a fleet's attempts on a grid.
   */
  private double pacedFirstMillis = -1;

  public Backoff(ReconnectPolicy policy, Random random) {
    this.policy = policy;
    this.random = random;
    this.previousMillis = policy.baseDelayMillis();
  }

  /** The un-jittered delay before retry {@code attempt} (1-based): min(cap, base × factor^(n-1)). */
  public long exponentialMillis(int attempt) {
    double d = policy.baseDelayMillis() * Math.pow(policy.factor(), Math.max(0, attempt - 1));
    return d >= policy.maxDelayMillis() ? policy.maxDelayMillis() : (long) d;
  }

  /** The jittered delay before retry {@code attempt} (1-based). */
  public long delayMillis(int attempt) {
    if (policy.jitter() == ReconnectPolicy.Jitter.PACED) return pacedMillis(attempt);
    long d = exponentialMillis(attempt);
    switch (policy.jitter()) {
      case NONE:
        return d;
      case FULL:
        return uniform(0, d);
      case EQUAL:
        return d / 2 + uniform(0, d - d / 2);
      case DECORRELATED: {
        long base = policy.baseDelayMillis();
        long upper = Math.min(policy.maxDelayMillis(), Math.max(base, previousMillis * 3));
        long next = uniform(base, upper);
        previousMillis = next;
        return next;
      }
      default:
        throw new AssertionError(policy.jitter());
    }
  }

  /**
   * PACED (docs/behaviour.md, "Reconnection"): the first wait is the base times a factor drawn
   * log-uniformly from [1/√g, √g] with g = max(factor, 2); attempt n ≥ 2 waits first × (factor −
   * 1) × factor^(n-2), at least the first wait. A client's attempts then fall at about first ×
   * factor^(n-1) after the loss (attempt durations aside), and the fleet's
   * attempts are log-uniform over every factor-wide stretch of time: whenever the server returns,
   * the attempts that find it up are spread over the following stretch instead of bunched, as
   * per-attempt jitter bunches them (each attempt's spread adds to the last, so a fleet dropped
   * at once moves in waves). At the cap the wait is uniform in [cap/2, cap], as with EQUAL.
   */
  private long pacedMillis(int attempt) {
    if (attempt <= 1 || pacedFirstMillis < 0) {
      double g = Math.max(policy.factor(), 2.0);
      double spread = Math.pow(g, random.nextDouble() - 0.5);
      pacedFirstMillis = Math.max(1.0, policy.baseDelayMillis() * spread);
    }
    double wait = pacedFirstMillis;
    if (attempt > 1) {
      wait = Math.max(wait,
          pacedFirstMillis * (policy.factor() - 1) * Math.pow(policy.factor(), attempt - 2));
    }
    long cap = policy.maxDelayMillis();
    return wait >= cap ? cap / 2 + uniform(0, cap - cap / 2) : Math.round(wait);
  }

  /** Forgets the decorrelated history and the paced first wait (after a stable connection). */
  public void reset() {
    previousMillis = policy.baseDelayMillis();
    pacedFirstMillis = -1;
  }

  /** Uniform in [lo, hi]. */
  long uniform(long lo, long hi) {
    if (hi <= lo) return lo;
    return lo + (long) (random.nextDouble() * (hi - lo + 1)) % (hi - lo + 1);
  }
}
