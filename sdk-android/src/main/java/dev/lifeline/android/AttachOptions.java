package dev.lifeline.android;

import dev.lifeline.Logger;
import java.util.concurrent.TimeUnit;

/**
 * Which Android signals {@link LifelineAndroid#attach(android.content.Context,
 * dev.lifeline.EnvironmentSignals, AttachOptions) attach} follows. How a connection reacts to
 * them is configured on the connection itself, with {@link dev.lifeline.EnvironmentPolicy}.
 *
 * <p>Example: an app that keeps its connection under a foreground service does not want
 * background trips at all:
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

  /** Everything watched, 700 ms debounce, no logging. */
  public static AttachOptions defaults() {
    return DEFAULTS;
  }

  public static Builder builder() {
    return new Builder();
  }

  public boolean watchNetwork() { return watchNetwork; }
  public boolean watchScreen() { return watchScreen; }
  public boolean watchDeviceIdle() { return watchDeviceIdle; }
  public boolean watchLifecycle() { return watchLifecycle; }
  public long lifecycleDebounceMillis() { return lifecycleDebounceMillis; }
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

    /** Default-network callbacks [true]. Needs ACCESS_NETWORK_STATE (in the AAR manifest). */
    public Builder watchNetwork(boolean watch) {
      watchNetwork = watch;
      return this;
    }

    /** Screen on/off broadcasts and the initial {@code isInteractive()} [true]. */
    public Builder watchScreen(boolean watch) {
      watchScreen = watch;
      return this;
    }

    /** Doze as suspended/resumed, API 23+ [true]. */
    public Builder watchDeviceIdle(boolean watch) {
      watchDeviceIdle = watch;
      return this;
    }

    /** Foreground/background from started activities [true]. */
    public Builder watchLifecycle(boolean watch) {
      watchLifecycle = watch;
      return this;
    }

    /** How long no activity may be started before it counts as background [700 ms]. */
    public Builder lifecycleDebounce(long debounce, TimeUnit unit) {
      if (unit == null) throw new NullPointerException("unit == null");
      if (debounce < 0) {
        throw new IllegalArgumentException("lifecycle debounce must be >= 0 but was " + debounce
            + " " + unit);
      }
      lifecycleDebounceMillis = unit.toMillis(debounce);
      return this;
    }

    /** Where each translated signal is logged, e.g. {@link LifelineAndroid#logcat} [nowhere]. */
    public Builder logger(Logger logger) {
      if (logger == null) throw new NullPointerException("logger == null");
      this.logger = logger;
      return this;
    }

    public AttachOptions build() {
      return new AttachOptions(this);
    }
  }
}
