package dev.lifeline.android;

import dev.lifeline.Logger;
import java.util.concurrent.TimeUnit;

/**
 * Which Android signals {@link LifelineAndroid#attach(android.content.Context,
 * dev.lifeline.EnvironmentSignals, AttachOptions) attach} follows. How a connection reacts to
 * them is configured on the connection itself, with {@link dev.lifeline.EnvironmentPolicy}.
 *
 * <p>Example: a kiosk app, always on screen, does not want background trips at all (an app that
 * keeps its connection under a foreground service uses {@link
 * dev.lifeline.EnvironmentPolicy.BackgroundMode#FOREGROUND_SERVICE} instead, which needs them):
 * <pre>{@code
 * LifelineAndroid.attach(app, lifeline, AttachOptions.builder().watchLifecycle(false).build());
 * }</pre>
 */
public final class AttachOptions {
  /**
   * How long no activity may be started before the app counts as in the background. Longer than
   * a rotation or an activity-to-activity hop (typically well under 500 ms), short next to the
   * core's 60 s background grace period.
   */
  public static final long DEFAULT_LIFECYCLE_DEBOUNCE_MILLIS = 700L;

  private static final AttachOptions DEFAULTS = new Builder().build();

  /** Follow the default network. */
  private final boolean watchNetwork;
  /** Follow screen on/off. */
  private final boolean watchScreen;
  /** Follow Doze (API 23+) as suspended/resumed. */
  private final boolean watchDeviceIdle;
  /** Follow activities for foreground/background. */
  private final boolean watchLifecycle;
  /** The debounce before background. */
  private final long lifecycleDebounceMillis;
  /** Where signal translations are logged. */
  private final Logger logger;

  private AttachOptions(Builder b) {
    watchNetwork = b.watchNetwork;
    watchScreen = b.watchScreen;
    watchDeviceIdle = b.watchDeviceIdle;
    watchLifecycle = b.watchLifecycle;
    lifecycleDebounceMillis = b.lifecycleDebounceMillis;
    logger = b.logger;
  }

  /**
   * Everything watched, 700 ms debounce, no logging.
   *
   * @return the default options
   */
  public static AttachOptions defaults() {
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
   * Whether default-network changes are followed.
   *
   * @return true to watch
   */
  public boolean watchNetwork() { return watchNetwork; }
  /**
   * Whether screen on/off is followed.
   *
   * @return true to watch
   */
  public boolean watchScreen() { return watchScreen; }
  /**
   * Whether Doze is reported as suspended/resumed (API 23+).
   *
   * @return true to watch
   */
  public boolean watchDeviceIdle() { return watchDeviceIdle; }
  /**
   * Whether foreground/background is followed from started activities.
   *
   * @return true to watch
   */
  public boolean watchLifecycle() { return watchLifecycle; }
  /**
   * How long no activity may be started before the app counts as in the background.
   *
   * @return the debounce in ms
   */
  public long lifecycleDebounceMillis() { return lifecycleDebounceMillis; }
  /**
   * Where each translated signal is logged.
   *
   * @return the logger; {@link Logger#NONE} unless set
   */
  public Logger logger() { return logger; }

  @Override public String toString() {
    return "AttachOptions{network=" + watchNetwork + ", screen=" + watchScreen + ", deviceIdle="
        + watchDeviceIdle + ", lifecycle=" + watchLifecycle + " (debounce "
        + lifecycleDebounceMillis + " ms)}";
  }

  /** Builds {@link AttachOptions}; everything is optional. */
  public static final class Builder {
    private boolean watchNetwork = true;
    private boolean watchScreen = true;
    private boolean watchDeviceIdle = true;
    private boolean watchLifecycle = true;
    private long lifecycleDebounceMillis = DEFAULT_LIFECYCLE_DEBOUNCE_MILLIS;
    private Logger logger = Logger.NONE;

    Builder() {}

    /**
     * Default-network callbacks [true]. Needs ACCESS_NETWORK_STATE (in the AAR manifest).
     *
     * @param watch true to watch
     * @return this builder
     */
    public Builder watchNetwork(boolean watch) {
      watchNetwork = watch;
      return this;
    }

    /**
     * Screen on/off broadcasts and the initial {@code isInteractive()} [true].
     *
     * @param watch true to watch
     * @return this builder
     */
    public Builder watchScreen(boolean watch) {
      watchScreen = watch;
      return this;
    }

    /**
     * Doze as suspended/resumed, API 23+ [true].
     *
     * @param watch true to watch
     * @return this builder
     */
    public Builder watchDeviceIdle(boolean watch) {
      watchDeviceIdle = watch;
      return this;
    }

    /**
     * Foreground/background from started activities [true].
     *
     * @param watch true to watch
     * @return this builder
     */
    public Builder watchLifecycle(boolean watch) {
      watchLifecycle = watch;
      return this;
    }

    /**
     * How long no activity may be started before it counts as background [700 ms].
     *
     * @param debounce the debounce, ≥ 0
     * @param unit its unit
     * @return this builder
     */
    public Builder lifecycleDebounce(long debounce, TimeUnit unit) {
      if (unit == null) throw new NullPointerException("unit == null");
      if (debounce < 0) {
        throw new IllegalArgumentException("lifecycle debounce must be >= 0 but was " + debounce
            + " " + unit);
      }
      lifecycleDebounceMillis = unit.toMillis(debounce);
      return this;
    }

    /**
     * Where each translated signal is logged, e.g. {@link LifelineAndroid#logcat} [nowhere].
     *
     * @param logger the logger
     * @return this builder
     */
    public Builder logger(Logger logger) {
      if (logger == null) throw new NullPointerException("logger == null");
      this.logger = logger;
      return this;
    }

    /**
     * Builds the options.
     *
     * @return the options
     */
    public AttachOptions build() {
      return new AttachOptions(this);
    }
  }
}
