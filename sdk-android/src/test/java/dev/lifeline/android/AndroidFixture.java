package dev.lifeline.android;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.robolectric.Shadows.shadowOf;

import android.app.Activity;
import android.app.Application;
import android.content.Context;
import android.content.Intent;
import android.net.ConnectivityManager;
import android.net.Network;
import android.net.NetworkCapabilities;
import android.os.Looper;
import android.os.PowerManager;
import dev.lifeline.ConnectionState;
import dev.lifeline.ConnectionState.Kind;
import dev.lifeline.ConnectionState.PauseReason;
import dev.lifeline.internal.FakeTransport;
import dev.lifeline.internal.Harness;
import dev.lifeline.internal.RealConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.robolectric.Robolectric;
import org.robolectric.RuntimeEnvironment;
import org.robolectric.android.controller.ActivityController;
import org.robolectric.shadows.ShadowConnectivityManager;
import org.robolectric.shadows.ShadowNetwork;
import org.robolectric.shadows.ShadowNetworkCapabilities;
import org.robolectric.shadows.ShadowNetworkInfo;

/**
 * One Lifeline connection in virtual time (the core's {@link Harness}) whose environment signals
 * come from the real Android entry points, driven through Robolectric's shadows: network
 * callbacks, screen and Doze broadcasts, activity lifecycles. Two clocks run side by side: the
 * main looper's (Android time: broadcasts, the lifecycle debounce) and the harness's virtual
 * time (the connection's timers); each test advances the one it is about.
 */
final class AndroidFixture {
  /** Network ids as Robolectric maps them: netId == legacy network type. */
  // Robolectric numbers its networks by the legacy (deprecated) types: the ids are those.
  @SuppressWarnings("deprecation")
  static final int MOBILE = ConnectivityManager.TYPE_MOBILE;
  @SuppressWarnings("deprecation")
  static final int WIFI = ConnectivityManager.TYPE_WIFI;

  final Harness h = new Harness();
  final Application app = RuntimeEnvironment.getApplication();
  final ConnectivityManager cm = (ConnectivityManager) app.getSystemService(Context.CONNECTIVITY_SERVICE);
  final ShadowConnectivityManager shadowCm = shadowOf(cm);
  final PowerManager pm = (PowerManager) app.getSystemService(Context.POWER_SERVICE);
  AndroidEnvironment env;
  RealConnection connection;
  /** The activity started last by {@link #startActivity()}. */
  ActivityController<Activity> activity;

  /** Attaches the Android watchers to the harness's signals (as an app does in onCreate). */
  AndroidEnvironment attach() {
    env = LifelineAndroid.attach(app, h.signals);
    settle();
    return env;
  }

  /** Attach, an activity in the foreground, and an open connection: the usual starting point. */
  FakeTransport openInForeground() {
    attach();
    startActivity();
    connection = h.connection(h.options().build());
    return h.connectAndOpen(connection);
  }

  ActivityController<Activity> startActivity() {
    activity = Robolectric.buildActivity(Activity.class).create().start().resume();
    settle();
    return activity;
  }

  /** Runs what is due on the main looper, then on the connection's scheduler. */
  void settle() {
    shadowOf(Looper.getMainLooper()).idle();
    h.time.runUntilIdle();
  }

  /** Advances Android time (main looper, SystemClock) without touching the connection's clock. */
  void advanceAndroidTime(long millis) {
    shadowOf(Looper.getMainLooper()).idleFor(Duration.ofMillis(millis));
    h.time.runUntilIdle();
  }

  // ---- Network. ----

  /** The network the platform reports as the default: Robolectric's initial one is mobile. */
  Network activeNetwork() {
    return cm.getActiveNetwork();
  }

  /** The platform switches its default to {@code netId} and reports it available. */
  @SuppressWarnings("deprecation") // Robolectric models the active network with NetworkInfo.
  Network defaultBecomes(int netId) {
    shadowCm.setActiveNetworkInfo(ShadowNetworkInfo.newInstance(
        android.net.NetworkInfo.DetailedState.CONNECTED, netId, 0, true,
        android.net.NetworkInfo.State.CONNECTED));
    Network network = ShadowNetwork.newInstance(netId);
    for (ConnectivityManager.NetworkCallback cb : callbacks()) cb.onAvailable(network);
    settle();
    return network;
  }

  /** The platform loses {@code network}; with {@code wasDefault}, no default network remains. */
  void lose(Network network, boolean wasDefault) {
    if (wasDefault) shadowCm.setActiveNetworkInfo(null);
    for (ConnectivityManager.NetworkCallback cb : callbacks()) cb.onLost(network);
    settle();
  }

  void capabilities(Network network, boolean validated) {
    NetworkCapabilities caps = ShadowNetworkCapabilities.newInstance();
    shadowOf(caps).addCapability(NetworkCapabilities.NET_CAPABILITY_INTERNET);
    if (validated) shadowOf(caps).addCapability(NetworkCapabilities.NET_CAPABILITY_VALIDATED);
    shadowCm.setNetworkCapabilities(network, caps);
    for (ConnectivityManager.NetworkCallback cb : callbacks()) cb.onCapabilitiesChanged(network, caps);
    settle();
  }

  List<ConnectivityManager.NetworkCallback> callbacks() {
    return new ArrayList<>(shadowCm.getNetworkCallbacks());
  }

  // ---- Screen and Doze. ----

  // Robolectric's only way to set isInteractive; turnScreenOn would also send the broadcast
  // that these tests send themselves, in a chosen order.
  @SuppressWarnings("deprecation")
  void screenOff() {
    shadowOf(pm).setIsInteractive(false);
    app.sendBroadcast(new Intent(Intent.ACTION_SCREEN_OFF));
    settle();
  }

  // Robolectric's only way to set isInteractive; turnScreenOn would also send the broadcast
  // that these tests send themselves, in a chosen order.
  @SuppressWarnings("deprecation")
  void screenOn() {
    shadowOf(pm).setIsInteractive(true);
    app.sendBroadcast(new Intent(Intent.ACTION_SCREEN_ON));
    settle();
  }

  void deviceIdle(boolean idle) {
    shadowOf(pm).setIsDeviceIdleMode(idle);
    app.sendBroadcast(new Intent(PowerManager.ACTION_DEVICE_IDLE_MODE_CHANGED));
    settle();
  }

  // ---- Assertions. ----

  ConnectionState state() {
    return connection.state();
  }

  void assertPaused(PauseReason why) {
    ConnectionState s = state();
    assertEquals(s.toString(), Kind.PAUSED, s.kind());
    assertEquals(s.toString(), why, s.pauseReason());
  }

  /**
   * WAITING_TO_RECONNECT after the short resume jitter ([0, 1 s]), not the remaining backoff:
   * conditions improved, so the connection comes back soon, but not in lock-step with others.
   */
  void assertReconnectWithinJitter() {
    ConnectionState s = state();
    assertEquals(s.toString(), Kind.WAITING_TO_RECONNECT, s.kind());
    assertTrue(s.toString(), s.delayMillis() >= 0 && s.delayMillis() <= 1_000);
  }

  /** Lets the jittered reconnect run and the server accept; returns the new transport. */
  FakeTransport reconnectsWithinJitter() {
    assertReconnectWithinJitter();
    int before = h.transports.count();
    h.time.advanceBy(1_000);
    assertEquals("one new attempt within the jitter bound", before + 1, h.transports.count());
    FakeTransport t = h.transports.last();
    t.serverAccepts();
    h.time.runUntilIdle();
    assertEquals(Kind.CONNECTED, state().kind());
    return t;
  }

  /** Ten quiet minutes of the connection's time must start no attempt. */
  void assertNoAttemptsFor10Minutes() {
    int before = h.transports.count();
    h.time.advanceBy(10 * 60_000);
    assertEquals("attempts while paused: " + h.events, before, h.transports.count());
  }
}
