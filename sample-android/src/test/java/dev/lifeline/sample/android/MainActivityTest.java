package dev.lifeline.sample.android;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;
import static org.robolectric.Shadows.shadowOf;

import android.content.Context;
import android.content.Intent;
import android.content.pm.PackageInfo;
import android.content.pm.PackageManager;
import android.net.ConnectivityManager;
import android.net.Network;
import android.os.Bundle;
import android.os.Looper;
import android.os.PowerManager;
import dev.lifeline.EnvironmentPolicy;
import dev.lifeline.HeartbeatPolicy;
import dev.lifeline.android.AttachOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.robolectric.Robolectric;
import org.robolectric.RobolectricTestRunner;
import org.robolectric.RuntimeEnvironment;
import org.robolectric.android.controller.ActivityController;
import org.robolectric.annotation.Config;
import org.robolectric.shadows.ShadowConnectivityManager;
import org.robolectric.shadows.ShadowNetwork;
import org.robolectric.shadows.ShadowNetworkInfo;
import org.robolectric.shadows.ShadowPausedLooper;

/**
 * The sample as a user sees it: {@link MainActivity} launched, the network lost and back, the
 * screen off and on, the app backgrounded past the grace period and brought back, and each time
 * the words on screen checked. The connection is a real WebSocket to an {@link EchoServer} on
 * 127.0.0.1; Lifeline's timers, its clock and the lifecycle debounce all run on Robolectric's
 * clock (see {@link MainLooperScheduler}), so minutes pass in no time. Waiting for the socket is
 * condition polling on the main looper against a 10 s deadline.
 */
@RunWith(RobolectricTestRunner.class)
@Config(sdk = {26, 34},
    application = TestSampleApplication.class)
public final class MainActivityTest {
  private static final long DEBOUNCE = AttachOptions.DEFAULT_LIFECYCLE_DEBOUNCE_MILLIS;
  private static final long GRACE = EnvironmentPolicy.DEFAULT_BACKGROUND_GRACE_MILLIS;
  /**
   * The longest jittered wait after the network returns or the app comes back: the resume jitter
   * ({@code ReconnectPolicy.DEFAULT_RESUME_JITTER_MILLIS}).
   */
  private static final long RESUME_JITTER = 1_000;

  private TestSampleApplication app;
  private EchoServer server;
  private MainActivity activity;

  @Before public void setUp() {
    app = (TestSampleApplication) RuntimeEnvironment.getApplication();
    server = app.server;
  }

  @After public void tearDown() throws Exception {
    app.connection().close();
    shadowOf(Looper.getMainLooper()).idle();
    app.lifeline().shutdown(5, TimeUnit.SECONDS);
    server.shutdown();
  }

  @Test public void showsWhatTheConnectionDoesThroughNetworkScreenAndBackground() {
    ActivityController<MainActivity> controller = launch();
    assertEquals("Heartbeats sent: 0 · Wake-up probes: 0 · Reconnects: 0 · Messages received: 1",
        counters());
    assertFalse("nothing to skip while connected", activity.reconnectButton().isEnabled());

    // Network lost: the socket is dropped and nothing is attempted until it returns.
    ConnectivityManager cm = (ConnectivityManager) app.getSystemService(Context.CONNECTIVITY_SERVICE);
    Network mobile = cm.getActiveNetwork();
    networkLost(cm, mobile);
    // The signal queues behind whatever the connection is doing with its last message on
    // OkHttp's reader thread (it runs there when the connection's lane is idle): wait for it.
    awaitShown("Paused: network down");
    assertTrue(activity.reconnectButton().isEnabled());
    advance(10 * 60_000);
    assertEquals("Paused: network down", shown());
    assertEquals("no attempt while the network is down", 1, server.connections.get());

    // Network back: a reconnect after a short jitter, not after the remaining backoff.
    networkAvailable(cm, mobile);
    assertTrue(shown(),
        shown().matches("Waiting to reconnect: attempt \\d+ in [01]\\.\\d s — network available"));
    advance(RESUME_JITTER);
    awaitShown("Connected");
    awaitLastMessage("welcome 2");
    assertTrue(counters(), counters().contains("Reconnects: 1 "));

    // Screen off keeps the connection; screen on probes it at once with a heartbeat.
    screen(false);
    assertEquals("Connected", shown());
    screen(true);
    awaitLastMessage("echo: " + HeartbeatPolicy.DEFAULT_PAYLOAD);
    // Events come from Lifeline's hook thread, independently of the listener's echo: wait for them.
    awaitCounters("Heartbeats sent: 1 · Wake-up probes: 1 · Reconnects: 1 · Messages received: 3");
    assertEquals("Connected", shown());

    // Background: kept through the debounce and the grace period, then closed gracefully.
    controller.pause().stop();
    advance(DEBOUNCE + GRACE - 1);
    assertEquals("Connected", shown());
    advance(1);
    awaitShown("Paused: app in background");
    advance(10 * 60_000);
    assertEquals("Paused: app in background", shown());
    assertEquals("no attempt while in the background", 2, server.connections.get());

    // Foreground: back after a short jitter.
    controller.restart().resume();
    shadowOf(Looper.getMainLooper()).idle();
    // Waiting for the jitter (0 to 1,000 ms), or already connecting when it was drawn near 0:
    // the next lines wait for the outcome either way.
    assertTrue(shown(), shown().startsWith("Waiting to reconnect: ")
        || shown().equals("Connecting…"));
    advance(RESUME_JITTER);
    awaitShown("Connected");
    awaitLastMessage("welcome 3");
    assertTrue(counters(), counters().contains("Reconnects: 2 "));
  }

  @Test public void reconnectNowSkipsTheBackoff() {
    launch();
    server.latest.close(1001, "going away");
    awaitOnMainLooper(() -> shown().startsWith("Waiting to reconnect: "));
    assertTrue(shown(), shown().matches("Waiting to reconnect: attempt 1 in \\d\\.\\d s — .*1001.*"));
    assertTrue(activity.reconnectButton().isEnabled());

    // Robolectric's clock stands still from here: only the button can start the attempt.
    activity.reconnectButton().performClick();
    awaitShown("Connected");
    awaitLastMessage("welcome 2");
    assertTrue(counters(), counters().contains("Reconnects: 1 "));
  }

  @Test public void serverUrlComesFromTheManifestMetaData() throws Exception {
    assertEquals("no meta-data: the default", SampleApplication.DEFAULT_SERVER_URL,
        app.sampleServerUrl());

    // Robolectric registers no meta-data without a resource APK: install it as a build would.
    PackageManager pm = app.getPackageManager();
    PackageInfo info = pm.getPackageInfo(app.getPackageName(), 0);
    info.applicationInfo.metaData = new Bundle();
    info.applicationInfo.metaData.putString(SampleApplication.SERVER_URL_META_DATA,
        "wss://chat.example.com/socket");
    shadowOf(pm).installPackage(info);
    assertEquals("wss://chat.example.com/socket", app.sampleServerUrl());
  }

  // ---- Driving the device. ----

  /** Launches the activity as the launcher would and waits for the first connect. */
  private ActivityController<MainActivity> launch() {
    // Not setup()/visible(): they break on some SDK levels (shared notes, gotcha 8).
    ActivityController<MainActivity> controller =
        Robolectric.buildActivity(MainActivity.class).create().start().resume();
    activity = controller.get();
    awaitShown("Connected");
    awaitLastMessage("welcome 1");
    return controller;
  }

  @SuppressWarnings("deprecation") // Robolectric models the active network with NetworkInfo.
  private static void networkLost(ConnectivityManager cm, Network network) {
    ShadowConnectivityManager shadow = shadowOf(cm);
    shadow.setActiveNetworkInfo(null);
    for (ConnectivityManager.NetworkCallback cb : new ArrayList<>(shadow.getNetworkCallbacks())) {
      cb.onLost(network);
    }
    shadowOf(Looper.getMainLooper()).idle();
  }

  @SuppressWarnings("deprecation")
  private static void networkAvailable(ConnectivityManager cm, Network network) {
    ShadowConnectivityManager shadow = shadowOf(cm);
    shadow.setActiveNetworkInfo(ShadowNetworkInfo.newInstance(
        android.net.NetworkInfo.DetailedState.CONNECTED, ConnectivityManager.TYPE_MOBILE, 0,
        true, android.net.NetworkInfo.State.CONNECTED));
    Network same = ShadowNetwork.newInstance(Integer.parseInt(network.toString()));
    for (ConnectivityManager.NetworkCallback cb : new ArrayList<>(shadow.getNetworkCallbacks())) {
      cb.onAvailable(same);
    }
    shadowOf(Looper.getMainLooper()).idle();
  }

  @SuppressWarnings("deprecation") // setIsInteractive, as sdk-android's tests; the broadcast is ours.
  private void screen(boolean on) {
    PowerManager pm = (PowerManager) app.getSystemService(Context.POWER_SERVICE);
    shadowOf(pm).setIsInteractive(on);
    app.sendBroadcast(new Intent(on ? Intent.ACTION_SCREEN_ON : Intent.ACTION_SCREEN_OFF));
    shadowOf(Looper.getMainLooper()).idle();
  }

  /** Moves Robolectric's clock (and so Lifeline's timers) forward, running what falls due. */
  private static void advance(long millis) {
    shadowOf(Looper.getMainLooper()).idleFor(Duration.ofMillis(millis));
  }

  // ---- Reading the screen. ----

  private String shown() {
    return activity.stateView().getText().toString();
  }

  private String counters() {
    return activity.countersView().getText().toString();
  }

  private void awaitCounters(String expected) {
    awaitOnMainLooper(() -> counters().equals(expected));
  }

  private void awaitShown(String expected) {
    awaitOnMainLooper(() -> shown().equals(expected));
  }

  private void awaitLastMessage(String expected) {
    awaitOnMainLooper(() -> activity.lastMessageView().getText().toString()
        .equals("Last message: " + expected));
  }

  /**
   * Runs the main looper (without moving its clock) until {@code condition} holds: the socket's
   * events arrive from OkHttp's threads in real time. Fails after 10 s with what is shown.
   */
  private void awaitOnMainLooper(BooleanSupplier condition) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      shadowOf(Looper.getMainLooper()).idle();
      if (condition.getAsBoolean()) return;
      if (System.nanoTime() > deadline) {
        fail("not shown within 10 s; the screen says: " + shown() + " | "
            + activity.lastMessageView().getText() + " | " + counters());
      }
      ((ShadowPausedLooper) shadowOf(Looper.getMainLooper())).poll(50); // Wakes on a post.
    }
  }
}
