package dev.lifeline.internal;

import dev.lifeline.ReconnectPolicy;
import java.util.Random;

/**
 * The reconnect delay math of {@link ReconnectPolicy}. Stateful only for decorrelated jitter,
 * which grows from the previous delay. Not thread-safe: confined to one connection's lane.
 */
public final class Backoff {
  /** The delays' shape. */
  private final ReconnectPolicy policy;
  /** Source of jitter. */
  private final Random random;
  /** The previous decorrelated delay; base after a reset. */
  private long previousMillis;

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

  /** Forgets the decorrelated history (after a stable connection). */
  public void reset() {
    previousMillis = policy.baseDelayMillis();
  }

  /** Uniform in [lo, hi]. */
  long uniform(long lo, long hi) {
    if (hi <= lo) return lo;
    return lo + (long) (random.nextDouble() * (hi - lo + 1)) % (hi - lo + 1);
  }
}
