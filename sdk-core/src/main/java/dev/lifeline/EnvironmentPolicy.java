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
 *   <li>Background mode: {@link BackgroundMode#CLOSE_AFTER_GRACE}, the above. {@link
 *       BackgroundMode#PUSH_TO_WAKE} also connects at once on {@link
 *       EnvironmentSignals#pushReceived()} and closes after {@link
 *       #DEFAULT_PUSH_IDLE_WINDOW_MILLIS 30 s} without traffic; {@link
 *       BackgroundMode#FOREGROUND_SERVICE} stays connected while the app runs a foreground service
 *       for it.
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
  /**
   * What a connection does while the app is in the background (docs/behaviour.md, "Environment
   * reactions"). Chosen per connection; the default is {@link #CLOSE_AFTER_GRACE}.
   *
   * <pre>{@code
   * // A chat connection that the app's push service (e.g. FCM) wakes up in the background.
   * EnvironmentPolicy pushed = EnvironmentPolicy.builder()
   *     .backgroundMode(EnvironmentPolicy.BackgroundMode.PUSH_TO_WAKE)
   *     .pushIdleWindow(20, SECONDS)
   *     .build();
   * }</pre>
   */
  public enum BackgroundMode {
    /**
     * Kept for the grace period ({@link Builder#closeInBackgroundAfter}), then closed until the
     * app comes back; no attempts in the background. {@link Builder#keepConnectionInBackground()}
     * turns the close off.
     */
    CLOSE_AFTER_GRACE,
    /**
     * As {@link #CLOSE_AFTER_GRACE}, and a push ({@link EnvironmentSignals#pushReceived()})
     * connects at once, without backoff or jitter, even with the screen off or the host
     * suspended (but never without a network); the connection sends its outbox, receives, and
     * closes after {@link Builder#pushIdleWindow an idle window} with no message either way.
     */
    PUSH_TO_WAKE,
    /**
     * Kept connected in the background while the app runs a foreground service for it (on
     * Android, {@code LifelineAndroid.foregroundService}); when no service runs (refused by the
     * platform, or none was set up), as {@link #CLOSE_AFTER_GRACE}.
     */
    FOREGROUND_SERVICE
  }

  /** How long a backgrounded app keeps its connection before closing it gracefully. */
  public static final long DEFAULT_BACKGROUND_GRACE_MILLIS = 60_000L;
  /** A timer this late means the process was asleep or suspended. */
  public static final long DEFAULT_SLEEP_DETECTION_MILLIS = 10_000L;
  /**
   * {@link BackgroundMode#PUSH_TO_WAKE}: how long a connection woken by a push stays up without a
   * message either way: long enough for a server to send what the push announced and for the app
   * to answer, short next to the radio's cost of staying up.
   */
  public static final long DEFAULT_PUSH_IDLE_WINDOW_MILLIS = 30_000L;

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
  /** What the connection does in the background. */
  private final BackgroundMode backgroundMode;
  /** {@link BackgroundMode#PUSH_TO_WAKE}: the idle time after which a woken connection closes. */
  private final long pushIdleWindowMillis;

  private EnvironmentPolicy(Builder b) {
    deferWhileScreenOff = b.deferWhileScreenOff;
    deferInBackground = b.deferInBackground;
    closeInBackground = b.closeInBackground;
    backgroundGraceMillis = b.backgroundGraceMillis;
    probeOnWake = b.probeOnWake;
    sleepDetectionMillis = b.sleepDetectionMillis;
    backgroundMode = b.backgroundMode;
    pushIdleWindowMillis = b.pushIdleWindowMillis;
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
   * What the connection does while the app is in the background.
   *
   * @return the mode; {@link BackgroundMode#CLOSE_AFTER_GRACE} unless set
   */
  public BackgroundMode backgroundMode() { return backgroundMode; }
  /**
   * {@link BackgroundMode#PUSH_TO_WAKE}: how long a connection woken by a push stays up with no
   * message either way.
   *
   * @return the idle window in ms
   */
  public long pushIdleWindowMillis() { return pushIdleWindowMillis; }

  /**
   * The settings, with units, e.g. {@code EnvironmentPolicy{deferWhileScreenOff=true,
   * deferInBackground=true, closeInBackground=after 60000 ms, probeOnWake=true,
   * sleepDetection=10000 ms, backgroundMode=CLOSE_AFTER_GRACE}}; with {@link
   * BackgroundMode#PUSH_TO_WAKE}, {@code backgroundMode=PUSH_TO_WAKE (idle window 30000 ms)}.
   */
  @Override public String toString() {
    return "EnvironmentPolicy{deferWhileScreenOff=" + deferWhileScreenOff + ", deferInBackground="
        + deferInBackground + ", closeInBackground="
        + (closeInBackground ? "after " + backgroundGraceMillis + " ms" : "never")
        + ", probeOnWake=" + probeOnWake + ", sleepDetection=" + sleepDetectionMillis + " ms"
        + ", backgroundMode=" + backgroundMode + (backgroundMode == BackgroundMode.PUSH_TO_WAKE
            ? " (idle window " + pushIdleWindowMillis + " ms)" : "") + "}";
  }

  /** Builds an {@link EnvironmentPolicy}. */
  public static final class Builder {
    private boolean deferWhileScreenOff = true;
    private boolean deferInBackground = true;
    private boolean closeInBackground = true;
    private long backgroundGraceMillis = DEFAULT_BACKGROUND_GRACE_MILLIS;
    private boolean probeOnWake = true;
    private long sleepDetectionMillis = DEFAULT_SLEEP_DETECTION_MILLIS;
    private BackgroundMode backgroundMode = BackgroundMode.CLOSE_AFTER_GRACE;
    private long pushIdleWindowMillis = DEFAULT_PUSH_IDLE_WINDOW_MILLIS;
    /** True once {@link #pushIdleWindow} was called: only meaningful with PUSH_TO_WAKE. */
    private boolean pushIdleWindowSet;

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
     * Keep the connection open in the background, with no grace close. Only with {@link
     * BackgroundMode#CLOSE_AFTER_GRACE}: on Android, prefer {@link
     * BackgroundMode#FOREGROUND_SERVICE}, which keeps it open only while a foreground service runs.
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
     * What the connection does while the app is in the background [{@link
     * BackgroundMode#CLOSE_AFTER_GRACE}].
     *
     * @param mode the mode
     * @return this builder
     */
    public Builder backgroundMode(BackgroundMode mode) {
      backgroundMode = Checks.notNull("background mode", mode);
      return this;
    }

    /**
     * {@link BackgroundMode#PUSH_TO_WAKE}: close a connection woken by a push after this long
     * with no message either way [30 s]. Heartbeats do not count as messages.
     *
     * @param window the idle window, &gt; 0
     * @param unit its unit
     * @return this builder
     */
    public Builder pushIdleWindow(long window, TimeUnit unit) {
      pushIdleWindowMillis = Checks.positiveMillis("push idle window", window, unit);
      pushIdleWindowSet = true;
      return this;
    }

    /**
     * Builds the policy.
     *
     * @return the policy
     * @throws IllegalStateException when settings contradict the background mode: {@link
     *     #keepConnectionInBackground()} or {@code deferInBackground(false)} with {@link
     *     BackgroundMode#PUSH_TO_WAKE} (which connects in the background only on a push), {@link
     *     #keepConnectionInBackground()} with {@link BackgroundMode#FOREGROUND_SERVICE} (which
     *     closes after the grace period when no service runs), or {@link #pushIdleWindow} with
     *     another mode than {@link BackgroundMode#PUSH_TO_WAKE}.
     */
    public EnvironmentPolicy build() {
      if (backgroundMode != BackgroundMode.CLOSE_AFTER_GRACE && !closeInBackground) {
        throw new IllegalStateException("keepConnectionInBackground() contradicts backgroundMode("
            + backgroundMode + "): " + (backgroundMode == BackgroundMode.PUSH_TO_WAKE
                ? "it closes in the background between pushes"
                : "it closes after the grace period when no foreground service runs"));
      }
      if (backgroundMode == BackgroundMode.PUSH_TO_WAKE && !deferInBackground) {
        throw new IllegalStateException("deferInBackground(false) contradicts backgroundMode("
            + "PUSH_TO_WAKE): it makes attempts in the background only after a push");
      }
      if (pushIdleWindowSet && backgroundMode != BackgroundMode.PUSH_TO_WAKE) {
        throw new IllegalStateException("pushIdleWindow(" + pushIdleWindowMillis
            + " ms) is set, but backgroundMode is " + backgroundMode + ", not PUSH_TO_WAKE");
      }
      return new EnvironmentPolicy(this);
    }
  }
}
