package dev.lifeline.android;

import android.app.Activity;
import android.app.Application;
import android.os.Bundle;
import android.os.Handler;
import dev.lifeline.EnvironmentSignals;
import dev.lifeline.Logger;
import java.util.HashSet;
import java.util.Set;

/**
 * The app is in the foreground while at least one of its activities is started. The last
 * stop only counts after a debounce: a rotation (stop, destroy, create, start) or a hop between
 * two activities briefly leaves none started, and must not be a trip to the background (which
 * would start the core's grace period and defer attempts).
 *
 * <p>Main thread only: activity callbacks run there, and attach/detach are required to.
 */
final class LifecycleWatcher implements Application.ActivityLifecycleCallbacks {
  /** Where the activity callbacks are registered. */
  private final Application application;
  /** The core's signals. */
  private final EnvironmentSignals signals;
  /** Where each translation is logged. */
  private final Logger logger;
  /** Main-thread handler for the debounce. */
  private final Handler handler;
  /** How long no activity must be started before it counts as background. */
  private final long debounceMillis;
  /**
   * Started activities (identity). A set rather than a counter: an activity seen resumed but
   * never started (attach ran between its onStart and onResume) is counted once, and a stop of
   * one never seen started cannot drive a count negative.
   */
  private final Set<Activity> started = new HashSet<Activity>();
  /** What the core was last told (it starts assuming foreground). */
  private boolean foreground = true;
  /** Set by {@link #stop}. */
  private boolean stopped;

  /** Runs after the debounce: still nothing started means background. */
  private final Runnable backgroundCheck = new Runnable() {
    @Override public void run() {
      if (stopped || !started.isEmpty() || !foreground) return;
      foreground = false;
      log("no activity started for " + debounceMillis + " ms: background");
      signals.background();
    }
  };

  LifecycleWatcher(Application application, EnvironmentSignals signals, Logger logger,
      Handler mainHandler, long debounceMillis) {
    this.application = application;
    this.signals = signals;
    this.logger = logger;
    this.handler = mainHandler;
    this.debounceMillis = debounceMillis;
  }

  void start() {
    application.registerActivityLifecycleCallbacks(this);
    // Attached from Application.onCreate, no activity is started yet. If one starts within the
    // debounce (the usual launch), nothing is signalled; if none does (the process runs for a
    // service or a broadcast), the app is in the background.
    handler.postDelayed(backgroundCheck, debounceMillis);
  }

  void stop() {
    stopped = true;
    handler.removeCallbacks(backgroundCheck);
    application.unregisterActivityLifecycleCallbacks(this);
  }

  /** True when the core was told the app is in the background. */
  boolean reportedBackground() {
    return !foreground;
  }

  @Override public void onActivityStarted(Activity activity) {
    started(activity);
  }

  @Override public void onActivityResumed(Activity activity) {
    started(activity); // No-op when already counted; catches up after a late attach.
  }

  @Override public void onActivityStopped(Activity activity) {
    gone(activity);
  }

  @Override public void onActivityDestroyed(Activity activity) {
    gone(activity); // Normally stopped first; never keep a destroyed activity (or leak it).
  }

  @Override public void onActivityCreated(Activity activity, Bundle savedInstanceState) {}
  @Override public void onActivityPaused(Activity activity) {}
  @Override public void onActivitySaveInstanceState(Activity activity, Bundle outState) {}

  private void started(Activity activity) {
    if (stopped || !started.add(activity)) return;
    handler.removeCallbacks(backgroundCheck);
    if (!foreground) {
      foreground = true;
      log(activity.getClass().getSimpleName() + " started: foreground");
      signals.foreground();
    }
  }

  private void gone(Activity activity) {
    if (stopped || !started.remove(activity) || !started.isEmpty()) return;
    handler.removeCallbacks(backgroundCheck);
    handler.postDelayed(backgroundCheck, debounceMillis);
  }

  private void log(String message) {
    try {
      logger.log(Logger.Level.INFO, message, null);
    } catch (Throwable ignored) {
      // A broken logger must not break signal delivery.
    }
  }
}
