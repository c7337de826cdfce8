package dev.lifeline.android;

import android.annotation.TargetApi;
import android.content.BroadcastReceiver;
import android.content.Context;
import android.content.Intent;
import android.content.IntentFilter;
import android.os.Build;
import android.os.PowerManager;
import dev.lifeline.EnvironmentSignals;
import dev.lifeline.Logger;

/**
 * Screen on/off and Doze. The screen broadcasts cannot be declared in a manifest, so they are
 * registered at runtime; {@link PowerManager#isInteractive()} gives the state at attach, since
 * the broadcasts only report changes.
 *
 * <p>Doze (API 23+, {@code ACTION_DEVICE_IDLE_MODE_CHANGED}) maps to suspended/resumed: while the
 * device is idle the app has no network outside maintenance windows, so attempts would only fail.
 *
 * <p>Main thread only: the receiver runs there, and attach/detach are required to.
 */
final class ScreenWatcher extends BroadcastReceiver {
  /** The application context the receiver is registered on. */
  private final Context context;
  /** Screen and Doze state at attach, and Doze state on each change. */
  private final PowerManager power;
  /** The core's signals. */
  private final EnvironmentSignals signals;
  /** Where each translation is logged. */
  private final Logger logger;
  /** Follow screen on/off. */
  private final boolean watchScreen;
  /** Follow Doze (only possible on API 23+). */
  private final boolean watchDeviceIdle;
  /** True while the receiver is registered. */
  private boolean registered;
  /** What the core was last told about the screen (it starts assuming on). */
  private boolean screenOn = true;
  /** What the core was last told about Doze (it starts assuming not suspended). */
  private boolean idle;
  /** Set by {@link #stop}. */
  private boolean stopped;

  ScreenWatcher(Context context, PowerManager power, EnvironmentSignals signals, Logger logger,
      boolean watchScreen, boolean watchDeviceIdle) {
    this.context = context;
    this.power = power;
    this.signals = signals;
    this.logger = logger;
    this.watchScreen = watchScreen;
    this.watchDeviceIdle = watchDeviceIdle && Build.VERSION.SDK_INT >= 23;
  }

  void start() {
    if (!watchScreen && !watchDeviceIdle) return;
    IntentFilter filter = new IntentFilter();
    if (watchScreen) {
      filter.addAction(Intent.ACTION_SCREEN_ON);
      filter.addAction(Intent.ACTION_SCREEN_OFF);
    }
    if (watchDeviceIdle) filter.addAction(PowerManager.ACTION_DEVICE_IDLE_MODE_CHANGED);
    register(filter);
    registered = true;
    if (watchScreen) screen(power.isInteractive(), "at attach");
    if (watchDeviceIdle) deviceIdle(isDeviceIdle(), "at attach");
  }

  private void register(IntentFilter filter) {
    if (Build.VERSION.SDK_INT >= 33) {
      registerNotExported(filter);
    } else {
      context.registerReceiver(this, filter);
    }
  }

  /**
   * Android 13+ asks dynamic receivers to say whether other apps may reach them. These actions
   * are protected system broadcasts, which a not-exported receiver still gets; nobody else needs
   * to reach it.
   */
  @TargetApi(33)
  private void registerNotExported(IntentFilter filter) {
    context.registerReceiver(this, filter, Context.RECEIVER_NOT_EXPORTED);
  }

  void stop() {
    stopped = true;
    if (registered) context.unregisterReceiver(this);
    registered = false;
  }

  /** True when the core was told the screen is off. */
  boolean reportedScreenOff() {
    return !screenOn;
  }

  /** True when the core was told the device dozes (suspended). */
  boolean reportedIdle() {
    return idle;
  }

  @Override public void onReceive(Context context, Intent intent) {
    if (stopped) return;
    String action = intent.getAction();
    if (watchScreen && Intent.ACTION_SCREEN_ON.equals(action)) {
      screen(true, "broadcast");
    } else if (watchScreen && Intent.ACTION_SCREEN_OFF.equals(action)) {
      screen(false, "broadcast");
    } else if (watchDeviceIdle && PowerManager.ACTION_DEVICE_IDLE_MODE_CHANGED.equals(action)) {
      // The broadcast carries no extra: the mode is read back from PowerManager.
      deviceIdle(isDeviceIdle(), "broadcast");
    }
  }

  /** Signals a change only: a repeated "on" would make the core probe for nothing. */
  private void screen(boolean on, String source) {
    if (on == screenOn) return;
    screenOn = on;
    log("screen " + (on ? "on" : "off") + " (" + source + ")");
    if (on) {
      signals.screenOn();
    } else {
      signals.screenOff();
    }
  }

  private void deviceIdle(boolean nowIdle, String source) {
    if (nowIdle == idle) return;
    idle = nowIdle;
    log("device idle (Doze) " + (nowIdle ? "entered" : "left") + " (" + source + ")");
    if (nowIdle) {
      signals.suspended();
    } else {
      signals.resumed();
    }
  }

  @TargetApi(23)
  private boolean isDeviceIdle() {
    return power.isDeviceIdleMode();
  }

  private void log(String message) {
    try {
      logger.log(Logger.Level.INFO, message, null);
    } catch (Throwable ignored) {
      // A broken logger must not break signal delivery.
    }
  }
}
