package dev.lifeline;

import java.util.concurrent.TimeUnit;

/**
 * How a connection reacts to the device's environment: screen, app lifecycle, sleep (see
 * docs/behaviour.md, "Environment reactions"). Network reactions are not optional: attempts while
 * the network is known to be down only burn battery, so they never happen; when it returns, a
 * connection reconnects within {@link ReconnectPolicy#resumeJitterMillis()}.
 *
 * <p>Defaults:
 * <ul>
 *   <li>Screen off: an existing connection is kept, but reconnect attempts wait for screen on. On
 *       screen on, an open connection is probed (docs/behaviour.md, "Wake-up probe").
 *   <li>Background: the connection is kept for a {@link #DEFAULT_BACKGROUND_GRACE_MILLIS grace
 *       period}, then closed gracefully; no attempts while in the background; on foreground the
 *       connection comes back after a short jitter, or an open one is probed.
 *   <li>Sleep: a timer firing more than {@link #DEFAULT_SLEEP_DETECTION_MILLIS} late means the
 *       device slept; the connection is probed.
 * </ul>
 *
 * <pre>{@code
 * // Keep the connection for 30 s after the app leaves the foreground, then close it until the
 * // app comes back.
 * EnvironmentPolicy environment = EnvironmentPolicy.builder()
 *     .closeInBackgroundAfter(30, SECONDS)
 *     .build();
 * }</pre>
 */
public final class EnvironmentPolicy {
  /** How long a backgrounded app keeps its connection before closing it gracefully. */
  public static final long DEFAULT_BACKGROUND_GRACE_MILLIS = 60_000L;
  /** A timer this late means the process was asleep or suspended. */
  public static final long DEFAULT_SLEEP_DETECTION_MILLIS = 10_000L;

  private static final EnvironmentPolicy DEFAULTS = new Builder().build();

  /** True: no reconnect attempts while the screen is off. */
  private final boolean deferWhileScreenOff;
  /** True: no reconnect attempts while the app is in the background. */
  private final boolean deferInBackground;
  /** True: close the connection after {@link #backgroundGraceMillis} in the background. */
  private final boolean closeInBackground;
  /** Grace period before the background close. */
  private final long backgroundGraceMillis;
  /** True: probe an open connection on screen on, foreground, resume and detected sleep. */
  private final boolean probeOnWake;
  /** Timer lateness that counts as sleep. */
  private final long sleepDetectionMillis;

  private EnvironmentPolicy(Builder b) {
    deferWhileScreenOff = b.deferWhileScreenOff;
    deferInBackground = b.deferInBackground;
    closeInBackground = b.closeInBackground;
    backgroundGraceMillis = b.backgroundGraceMillis;
    probeOnWake = b.probeOnWake;
    sleepDetectionMillis = b.sleepDetectionMillis;
  }

  /**
   * The defaults listed above.
   *
   * @return the default policy
   */
  public static EnvironmentPolicy defaults() {
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
   * Whether reconnect attempts wait while the screen is off.
   *
   * @return true to defer
   */
  public boolean deferWhileScreenOff() { return deferWhileScreenOff; }
  /**
   * Whether reconnect attempts wait while the app is in the background.
   *
   * @return true to defer
   */
  public boolean deferInBackground() { return deferInBackground; }
  /**
   * Whether the connection closes after {@link #backgroundGraceMillis()} in the background.
   *
   * @return true to close
   */
  public boolean closeInBackground() { return closeInBackground; }
  /**
   * How long a backgrounded app keeps its connection before the background close.
   *
   * @return the grace period in ms
   */
  public long backgroundGraceMillis() { return backgroundGraceMillis; }
  /**
   * Whether an open connection is probed on screen on, foreground, resume and detected sleep.
   *
   * @return true to probe
   */
  public boolean probeOnWake() { return probeOnWake; }
  /**
   * How late a timer must fire to count as a sleep of the device.
   *
   * @return the threshold in ms
   */
  public long sleepDetectionMillis() { return sleepDetectionMillis; }

  /**
   * The settings, with units, e.g. {@code EnvironmentPolicy{deferWhileScreenOff=true,
   * deferInBackground=true, closeInBackground=after 60000 ms, probeOnWake=true,
   * sleepDetection=10000 ms}}.
   */
  @Override public String toString() {
    return "EnvironmentPolicy{deferWhileScreenOff=" + deferWhileScreenOff + ", deferInBackground="
        + deferInBackground + ", closeInBackground="
        + (closeInBackground ? "after " + backgroundGraceMillis + " ms" : "never")
        + ", probeOnWake=" + probeOnWake + ", sleepDetection=" + sleepDetectionMillis + " ms}";
  }

  /** Builds an {@link EnvironmentPolicy}. */
  public static final class Builder {
    private boolean deferWhileScreenOff = true;
    private boolean deferInBackground = true;
    private boolean closeInBackground = true;
    private long backgroundGraceMillis = DEFAULT_BACKGROUND_GRACE_MILLIS;
    private boolean probeOnWake = true;
    private long sleepDetectionMillis = DEFAULT_SLEEP_DETECTION_MILLIS;

    Builder() {}

    /**
     * Defer reconnect attempts while the screen is off [true].
     *
     * @param defer true to defer
     * @return this builder
     */
    public Builder deferWhileScreenOff(boolean defer) {
      deferWhileScreenOff = defer;
      return this;
    }

    /**
     * Defer reconnect attempts while in the background [true].
     *
     * @param defer true to defer
     * @return this builder
     */
    public Builder deferInBackground(boolean defer) {
      deferInBackground = defer;
      return this;
    }

    /**
     * Close gracefully after {@code grace} in the background [60 s].
     *
     * @param grace the grace period, ≥ 0
     * @param unit its unit
     * @return this builder
     */
    public Builder closeInBackgroundAfter(long grace, TimeUnit unit) {
      backgroundGraceMillis = Checks.nonNegativeMillis("background grace period", grace, unit);
      closeInBackground = true;
      return this;
    }

    /**
     * Keep the connection open in the background (e.g. under a foreground service).
     *
     * @return this builder
     */
    public Builder keepConnectionInBackground() {
      closeInBackground = false;
      return this;
    }

    /**
     * Probe an open connection after screen on, foreground, resume and a detected sleep [true]
     * (docs/behaviour.md, "Wake-up probe").
     *
     * @param probe true to probe
     * @return this builder
     */
    public Builder probeOnWake(boolean probe) {
      probeOnWake = probe;
      return this;
    }

    /**
     * Sleep detection: a timer late by more than this means the device slept [10 s].
     *
     * @param threshold the lateness, > 0
     * @param unit its unit
     * @return this builder
     */
    public Builder sleepDetection(long threshold, TimeUnit unit) {
      sleepDetectionMillis = Checks.positiveMillis("sleep detection threshold", threshold, unit);
      return this;
    }

    /**
     * Builds the policy.
     *
     * @return the policy
     */
    public EnvironmentPolicy build() {
      return new EnvironmentPolicy(this);
    }
  }
}
