package dev.lifeline;

import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * When and how often a connection that the app did not close comes back
 * (docs/behaviour.md, "Reconnection").
 *
 * <p>The n-th consecutive retry waits {@code min(cap, base × factor^(n-1))}, spread by the {@link
 * Jitter} strategy, so that a server restart does not bring every client back at the same
 * instant. Jitter applies at the cap too. The attempt counter resets only after a connection stayed
 * up for the {@link #stablePeriodMillis() stable period}: a server that accepts and then drops is
 * not hammered at the base delay.
 *
 * <pre>{@code
 * // Retry after about 1 s, 2 s, 4 s … at most 60 s apart; give up after 10 minutes, or at once
 * // when the server closes with 4001 or 4003 (its "banned" and "bad token" codes).
 * ReconnectPolicy reconnect = ReconnectPolicy.builder()
 *     .baseDelay(1, SECONDS)
 *     .maxDelay(60, SECONDS)
 *     .maxRetryDuration(10, MINUTES)
 *     .fatalCloseCodes(4001, 4003)
 *     .build();
 * }</pre>
 */
public final class ReconnectPolicy {
  /** First retry delay: 1 s. */
  public static final long DEFAULT_BASE_DELAY_MILLIS = 1_000L;
  /** Each delay doubles the previous one. */
  public static final double DEFAULT_FACTOR = 2.0;
  /** Delays grow to at most 60 s. */
  public static final long DEFAULT_MAX_DELAY_MILLIS = 60_000L;
  /**
   * Paced jitter: a fleet dropped at once comes back evenly, and a lone drop retries after
   * 0.71–1.41 s, never at once (docs/behaviour.md, "Reconnection", has the measurements).
   */
  public static final Jitter DEFAULT_JITTER = Jitter.PACED;
  /** A connection up for 30 s resets the attempt counter. */
  public static final long DEFAULT_STABLE_PERIOD_MILLIS = 30_000L;
  /** After the network returns (or a deferral ends), reconnect within [0, this]. */
  public static final long DEFAULT_RESUME_JITTER_MILLIS = 1_000L;
  /** A server's Retry-After longer than this is clamped to it. */
  public static final long DEFAULT_MAX_RETRY_AFTER_MILLIS = 3_600_000L;

  private static final ReconnectPolicy DEFAULTS = new Builder().build();

  /** How each delay is randomised. */
  public enum Jitter {
    /** Exactly the exponential delay. Every client retries in lock-step: not recommended. */
    NONE,
    /** Uniform in [0, delay]. Spreads best, but may retry immediately. */
    FULL,
    /** Uniform in [delay/2, delay]: spread, with a non-zero floor. */
    EQUAL,
    /** Uniform in [base, previous × 3], capped: AWS's "decorrelated jitter". */
    DECORRELATED,
    /**
     * The default. The first wait is the base times a factor drawn once per streak of failures,
     * log-uniformly from [1/√g, √g] (g = max(factor, 2)): 0.71–1.41 s with the defaults. Each
     * later attempt waits until the time failing so far has grown by the factor ((factor − 1) ×
     * that time, at least the first wait); at the cap, uniform in [cap/2, cap]. Each client keeps
     * its own pace, so whenever the server returns, the attempts that find it up are spread
     * evenly instead of arriving in waves.
     */
    PACED
  }

  /** First retry delay in ms, > 0. */
  private final long baseDelayMillis;
  /** Growth per attempt, ≥ 1. */
  private final double factor;
  /** Cap of the exponential delay in ms, ≥ base. */
  private final long maxDelayMillis;
  /** Randomisation strategy. */
  private final Jitter jitter;
  /** A connection up this long resets the attempt counter. */
  private final long stablePeriodMillis;
  /** Attempts before giving up; 0 = unlimited. */
  private final int maxAttempts;
  /** Give up when failing for longer than this; 0 = unlimited. */
  private final long maxRetryDurationMillis;
  /** Reconnect jitter after the network returns or a deferral ends. */
  private final long resumeJitterMillis;
  /** Server close codes that end the connection for good. */
  private final Set<Integer> fatalCloseCodes;
  /** Retry-After values are clamped to this. */
  private final long maxRetryAfterMillis;

  private ReconnectPolicy(Builder b) {
    baseDelayMillis = b.baseDelayMillis;
    factor = b.factor;
    maxDelayMillis = b.maxDelayMillis;
    jitter = b.jitter;
    stablePeriodMillis = b.stablePeriodMillis;
    maxAttempts = b.maxAttempts;
    maxRetryDurationMillis = b.maxRetryDurationMillis;
    resumeJitterMillis = b.resumeJitterMillis;
    fatalCloseCodes = Collections.unmodifiableSet(new HashSet<Integer>(b.fatalCloseCodes));
    maxRetryAfterMillis = b.maxRetryAfterMillis;
  }

  /**
   * Base 1 s, factor 2, cap 60 s, paced jitter, stable after 30 s, no limits.
   *
   * @return the default policy
   */
  public static ReconnectPolicy defaults() {
    return DEFAULTS;
  }

  /**
   * A builder starting from the defaults.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * A builder starting from this policy's values.
   *
   * @return a new builder
   */
  public Builder newBuilder() {
    return new Builder(this);
  }

  /**
   * The first retry delay, before jitter.
   *
   * @return the delay in ms
   */
  public long baseDelayMillis() { return baseDelayMillis; }
  /**
   * How much each delay grows over the previous one.
   *
   * @return the factor, ≥ 1
   */
  public double factor() { return factor; }
  /**
   * The cap of the exponential delay, before jitter.
   *
   * @return the cap in ms
   */
  public long maxDelayMillis() { return maxDelayMillis; }
  /**
   * How each delay is randomised.
   *
   * @return the jitter strategy
   */
  public Jitter jitter() { return jitter; }
  /**
   * How long a connection must stay up before the attempt counter resets.
   *
   * @return the period in ms
   */
  public long stablePeriodMillis() { return stablePeriodMillis; }
  /**
   * Consecutive failed attempts before the connection closes for good.
   *
   * @return the limit, or 0 for unlimited
   */
  public int maxAttempts() { return maxAttempts; }
  /**
   * How long a connection may keep failing before it closes for good.
   *
   * @return the limit in ms, or 0 for unlimited
   */
  public long maxRetryDurationMillis() { return maxRetryDurationMillis; }
  /**
   * The reconnect window after the network returns or a pause ends.
   *
   * @return the window in ms: the attempt comes within [0, this]
   */
  public long resumeJitterMillis() { return resumeJitterMillis; }
  /**
   * Server close codes that end the connection for good instead of a reconnect.
   *
   * @return the codes, unmodifiable; empty by default
   */
  public Set<Integer> fatalCloseCodes() { return fatalCloseCodes; }
  /**
   * The longest server Retry-After honoured; longer values are clamped to it.
   *
   * @return the limit in ms
   */
  public long maxRetryAfterMillis() { return maxRetryAfterMillis; }

  /**
   * The settings, with units, e.g. {@code ReconnectPolicy{baseDelay=1000 ms, factor=2.0,
   * maxDelay=60000 ms, jitter=PACED, stablePeriod=30000 ms, maxAttempts=unlimited,
   * maxRetryDuration=unlimited, resumeJitter=1000 ms, maxRetryAfter=3600000 ms,
   * fatalCloseCodes=[]}}.
   */
  @Override public String toString() {
    return "ReconnectPolicy{baseDelay=" + baseDelayMillis + " ms, factor=" + factor
        + ", maxDelay=" + maxDelayMillis + " ms, jitter=" + jitter
        + ", stablePeriod=" + stablePeriodMillis + " ms"
        + ", maxAttempts=" + (maxAttempts == 0 ? "unlimited" : String.valueOf(maxAttempts))
        + ", maxRetryDuration="
        + (maxRetryDurationMillis == 0 ? "unlimited" : maxRetryDurationMillis + " ms")
        + ", resumeJitter=" + resumeJitterMillis + " ms"
        + ", maxRetryAfter=" + maxRetryAfterMillis + " ms"
        + ", fatalCloseCodes=" + new java.util.TreeSet<Integer>(fatalCloseCodes) + "}";
  }

  /** Builds a {@link ReconnectPolicy}; every setter validates its argument at once. */
  public static final class Builder {
    private long baseDelayMillis = DEFAULT_BASE_DELAY_MILLIS;
    private double factor = DEFAULT_FACTOR;
    private long maxDelayMillis = DEFAULT_MAX_DELAY_MILLIS;
    private Jitter jitter = DEFAULT_JITTER;
    private long stablePeriodMillis = DEFAULT_STABLE_PERIOD_MILLIS;
    private int maxAttempts;
    private long maxRetryDurationMillis;
    private long resumeJitterMillis = DEFAULT_RESUME_JITTER_MILLIS;
    private Set<Integer> fatalCloseCodes = new HashSet<Integer>();
    private long maxRetryAfterMillis = DEFAULT_MAX_RETRY_AFTER_MILLIS;

    Builder() {}

    Builder(ReconnectPolicy p) {
      baseDelayMillis = p.baseDelayMillis;
      factor = p.factor;
      maxDelayMillis = p.maxDelayMillis;
      jitter = p.jitter;
      stablePeriodMillis = p.stablePeriodMillis;
      maxAttempts = p.maxAttempts;
      maxRetryDurationMillis = p.maxRetryDurationMillis;
      resumeJitterMillis = p.resumeJitterMillis;
      fatalCloseCodes = new HashSet<Integer>(p.fatalCloseCodes);
      maxRetryAfterMillis = p.maxRetryAfterMillis;
    }

    /**
     * The first retry delay, before jitter [1 s].
     *
     * @param delay the delay, > 0
     * @param unit its unit
     * @return this builder
     */
    public Builder baseDelay(long delay, TimeUnit unit) {
      baseDelayMillis = Checks.positiveMillis("base delay", delay, unit);
      return this;
    }

    /**
     * Growth per attempt [2].
     *
     * @param factor the factor; must be ≥ 1 and finite
     * @return this builder
     */
    public Builder factor(double factor) {
      if (!(factor >= 1.0) || Double.isInfinite(factor)) {
        throw new IllegalArgumentException("backoff factor must be ≥ 1 and finite, was " + factor);
      }
      this.factor = factor;
      return this;
    }

    /**
     * The cap of the exponential delay, before jitter [60 s]; must not be below the base delay.
     *
     * @param delay the cap, > 0
     * @param unit its unit
     * @return this builder
     */
    public Builder maxDelay(long delay, TimeUnit unit) {
      maxDelayMillis = Checks.positiveMillis("max delay", delay, unit);
      return this;
    }

    /**
     * How each delay is randomised [{@link Jitter#PACED}].
     *
     * @param jitter the strategy
     * @return this builder
     */
    public Builder jitter(Jitter jitter) {
      this.jitter = Checks.notNull("jitter", jitter);
      return this;
    }

    /**
     * How long a connection must stay up before the attempt counter resets [30 s].
     *
     * @param period the period, ≥ 0
     * @param unit its unit
     * @return this builder
     */
    public Builder stablePeriod(long period, TimeUnit unit) {
      stablePeriodMillis = Checks.nonNegativeMillis("stable period", period, unit);
      return this;
    }

    /**
     * Give up after this many consecutive failed attempts; 0 = unlimited [0].
     *
     * @param maxAttempts the limit, ≥ 0
     * @return this builder
     */
    public Builder maxAttempts(int maxAttempts) {
      if (maxAttempts < 0) {
        throw new IllegalArgumentException("max attempts must not be negative, was " + maxAttempts);
      }
      this.maxAttempts = maxAttempts;
      return this;
    }

    /**
     * Give up when failing for longer than this; 0 = unlimited [0].
     *
     * @param duration the limit, ≥ 0
     * @param unit its unit
     * @return this builder
     */
    public Builder maxRetryDuration(long duration, TimeUnit unit) {
      maxRetryDurationMillis = Checks.nonNegativeMillis("max retry duration", duration, unit);
      return this;
    }

    /**
     * Reconnect within [0, this] after the network returns or a pause ends, instead of waiting out
     * the backoff [1 s].
     *
     * @param jitter the window, ≥ 0
     * @param unit its unit
     * @return this builder
     */
    public Builder resumeJitter(long jitter, TimeUnit unit) {
      resumeJitterMillis = Checks.nonNegativeMillis("resume jitter", jitter, unit);
      return this;
    }

    /**
     * Server close codes (e.g. an app's 4001 "banned") that end the connection for good.
     *
     * @param codes WebSocket close codes, 1000 to 4999; replaces any earlier set
     * @return this builder
     */
    public Builder fatalCloseCodes(Integer... codes) {
      Set<Integer> set = new HashSet<Integer>();
      for (Integer code : Arrays.asList(codes)) {
        if (code == null || code < 1000 || code > 4999) {
          throw new IllegalArgumentException("not a WebSocket close code: " + code);
        }
        set.add(code);
      }
      fatalCloseCodes = set;
      return this;
    }

    /**
     * A server's Retry-After above this is clamped [1 h].
     *
     * @param max the limit, ≥ 0
     * @param unit its unit
     * @return this builder
     */
    public Builder maxRetryAfter(long max, TimeUnit unit) {
      maxRetryAfterMillis = Checks.nonNegativeMillis("max retry-after", max, unit);
      return this;
    }

    /**
     * Checks the settings together and builds the policy.
     *
     * @return the policy
     * @throws IllegalArgumentException when the cap is below the base delay
     */
    public ReconnectPolicy build() {
      if (maxDelayMillis < baseDelayMillis) {
        throw new IllegalArgumentException("max delay (" + maxDelayMillis
            + " ms) must not be below the base delay (" + baseDelayMillis + " ms)");
      }
      return new ReconnectPolicy(this);
    }
  }
}
