package dev.lifeline.android;

import dev.lifeline.EnvironmentSignals;

/**
 * The Android signal sources attached to one {@link EnvironmentSignals}, returned by {@link
 * LifelineAndroid#attach}. Keep it to {@link #detach()} when the client is no longer used.
 */
public final class AndroidEnvironment {
  /** The signals fed; told "all clear" on detach for whatever was reported otherwise. */
  private final EnvironmentSignals signals;
  /** Each null when not watched (by option, or because its service was unavailable). */
  private final NetworkWatcher network;
  private final ScreenWatcher screen;
  private final LifecycleWatcher lifecycle;
  /** Main thread only. */
  private boolean detached;

  AndroidEnvironment(EnvironmentSignals signals, NetworkWatcher network, ScreenWatcher screen,
      LifecycleWatcher lifecycle) {
    this.signals = signals;
    this.network = network;
    this.screen = screen;
    this.lifecycle = lifecycle;
  }

  /**
   * Unregisters every callback and receiver this attachment registered. Idempotent.
   *
   * <p>The core then hears nothing more about the environment, so whatever was last reported as
   * bad (network down, screen off, background, Doze) is reported as good again: a connection must
   * not stay paused forever for a condition nobody watches any more.
   *
   * @throws IllegalStateException if not called on the main thread.
   */
  public void detach() {
    LifelineAndroid.checkMainThread("detach()");
    if (detached) return;
    detached = true;
    if (network != null) {
      network.stop();
      if (network.reportedDown()) signals.networkAvailable();
    }
    if (screen != null) {
      screen.stop();
      if (screen.reportedScreenOff()) signals.screenOn();
      if (screen.reportedIdle()) signals.resumed();
    }
    if (lifecycle != null) {
      lifecycle.stop();
      if (lifecycle.reportedBackground()) signals.foreground();
    }
  }

  /**
   * False once {@link #detach()} ran.
   *
   * @return true until detached
   */
  public boolean isAttached() {
    return !detached;
  }

  @Override public String toString() {
    return "AndroidEnvironment{network=" + (network != null) + ", screen=" + (screen != null)
        + ", lifecycle=" + (lifecycle != null) + (detached ? ", detached}" : "}");
  }
}
