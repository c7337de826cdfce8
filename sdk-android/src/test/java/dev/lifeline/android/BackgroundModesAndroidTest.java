package dev.lifeline.android;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;
import static org.robolectric.Shadows.shadowOf;

import android.app.Activity;
import android.app.Application;
import android.app.Notification;
import android.content.ComponentName;
import android.content.Intent;
import android.content.pm.ServiceInfo;
import android.os.Build;
import android.os.Looper;
import dev.lifeline.Connection;
import dev.lifeline.ConnectionListener;
import dev.lifeline.ConnectionOptions;
import dev.lifeline.ConnectionState;
import dev.lifeline.ConnectionState.Kind;
import dev.lifeline.ConnectionState.PauseReason;
import dev.lifeline.EnvironmentPolicy;
import dev.lifeline.EnvironmentPolicy.BackgroundMode;
import dev.lifeline.EventListener;
import dev.lifeline.Lifeline;
import dev.lifeline.Subscription;
import dev.lifeline.internal.FakeTransport;
import java.lang.reflect.Field;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import okhttp3.Response;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import org.junit.After;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.robolectric.Robolectric;
import org.robolectric.RobolectricTestRunner;
import org.robolectric.RuntimeEnvironment;
import org.robolectric.android.controller.ActivityController;
import org.robolectric.android.controller.ServiceController;
import org.robolectric.annotation.Config;
import org.robolectric.shadows.ShadowPausedLooper;

/**
 * The background modes on Android (docs/behaviour.md, "Environment reactions"): push-to-wake end
 * to end over a real WebSocket on 127.0.0.1, and the foreground service started with the app's
 * notification and declared type only while a FOREGROUND_SERVICE connection is in the background.
 */
@RunWith(RobolectricTestRunner.class)
@Config(sdk = {26, 34})
public final class BackgroundModesAndroidTest {
  private static final long GRACE = EnvironmentPolicy.DEFAULT_BACKGROUND_GRACE_MILLIS;
  /** ServiceInfo.FOREGROUND_SERVICE_TYPE_REMOTE_MESSAGING (API 34; a plain int below). */
  private static final int REMOTE_MESSAGING = 1 << 9;
  private static final int NOTIFICATION_ID = 7;

  private final Application app = RuntimeEnvironment.getApplication();
  private final MockWebServer server = new MockWebServer();
  private Lifeline lifeline;
  private AndroidEnvironment env;
  private Subscription service;

  @After public void tearDown() throws Exception {
    if (service != null) service.close();
    shadowOf(Looper.getMainLooper()).idle();
    if (env != null) env.detach();
    if (lifeline != null) lifeline.shutdown(5, TimeUnit.SECONDS);
    server.shutdown();
  }

  // ---- Push-to-wake, end to end. ----

  @Test public void aPushFromTheBackgroundConnectsWithinOneSecondDeliversTheQueueAndClosesWhenIdle()
      throws Exception {
    List<String> serverReceived = new CopyOnWriteArrayList<>();
    List<String> serverCloses = new CopyOnWriteArrayList<>();
    for (int i = 0; i < 2; i++) {
      server.enqueue(new MockResponse().withWebSocketUpgrade(new WebSocketListener() {
        @Override public void onMessage(WebSocket webSocket, String text) {
          serverReceived.add(text);
        }

        @Override public void onClosing(WebSocket webSocket, int code, String reason) {
          serverCloses.add(code + " " + reason);
          webSocket.close(1000, null);
        }
      }));
    }
    server.start(InetAddress.getByName("127.0.0.1"), 0);
    List<String> disconnects = new CopyOnWriteArrayList<>();
    lifeline = Lifeline.builder().build();
    env = LifelineAndroid.attach(app, lifeline);
    ActivityController<Activity> activity =
        Robolectric.buildActivity(Activity.class).create().start().resume();
    shadowOf(Looper.getMainLooper()).idle();
    Connection chat = lifeline.newConnection(ConnectionOptions
        .builder("ws://127.0.0.1:" + server.getPort() + "/socket")
        .environment(EnvironmentPolicy.builder()
            .backgroundMode(BackgroundMode.PUSH_TO_WAKE)
            .closeInBackgroundAfter(100, TimeUnit.MILLISECONDS)
            .pushIdleWindow(500, TimeUnit.MILLISECONDS)
            .build())
        .eventListener(new EventListener() {
          @Override public void disconnected(Connection c, String reason, Throwable error) {
            disconnects.add(reason);
          }
        })
        .build(), new ConnectionListener() {});
    chat.connect();
    await(() -> chat.state().kind() == Kind.CONNECTED);

    activity.pause().stop();
    shadowOf(Looper.getMainLooper()).idleFor(Duration.ofMillis(
        AttachOptions.DEFAULT_LIFECYCLE_DEBOUNCE_MILLIS)); // Now in the background.
    await(() -> isPaused(chat.state(), PauseReason.BACKGROUND));
    chat.send("queued-1");
    chat.send("queued-2");
    assertEquals(2, chat.queuedMessages());
    // The client is paused once its close frame went out; the server reads it on its own thread.
    await(() -> serverCloses.size() == 1);
    assertEquals("[1000 app in background]", serverCloses.toString());

    long pushedAt = System.nanoTime();
    Thread push = new Thread(() -> LifelineAndroid.pushReceived(lifeline), "FCM");
    push.start(); // As FirebaseMessagingService would: not the main thread.
    await(() -> chat.state().kind() == Kind.CONNECTED);
    long connectMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - pushedAt);
    assertTrue("connected " + connectMillis + " ms after the push", connectMillis < 1_000);
    await(() -> serverReceived.size() == 2);
    assertEquals("[queued-1, queued-2]", serverReceived.toString());

    await(() -> serverCloses.size() == 2);
    assertEquals("1000 idle after a push wake", serverCloses.get(1));
    await(() -> isPaused(chat.state(), PauseReason.BACKGROUND));
    assertTrue(disconnects.toString(), disconnects.contains("idle for 0.5 s after a push wake"));
    assertEquals(2, server.getRequestCount());
    push.join(5_000);
  }

  private static boolean isPaused(ConnectionState s, PauseReason why) {
    return s.kind() == Kind.PAUSED && s.pauseReason() == why;
  }

  /** Runs the main looper until {@code condition} holds, failing after 10 s. */
  private static void await(BooleanSupplier condition) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      shadowOf(Looper.getMainLooper()).idle();
      if (condition.getAsBoolean()) return;
      if (System.nanoTime() > deadline) fail("condition not met within 10 s");
      ((ShadowPausedLooper) shadowOf(Looper.getMainLooper())).poll(10); // Wakes on a post.
    }
  }

  // ---- The foreground service. ----

  /** The app's manifest declares the service with its type, and the permissions. */
  private void declareService(int types) throws Exception {
    declareService(types, true);
  }

  /** {@code typePermission}: FOREGROUND_SERVICE_REMOTE_MESSAGING is held too. */
  private void declareService(int types, boolean typePermission) throws Exception {
    ServiceInfo info = new ServiceInfo();
    info.name = LifelineForegroundService.class.getName();
    info.packageName = app.getPackageName();
    info.applicationInfo = app.getApplicationInfo();
    info.exported = false;
    if (Build.VERSION.SDK_INT >= 29) {
      Field field = ServiceInfo.class.getDeclaredField("mForegroundServiceType");
      field.setAccessible(true);
      field.setInt(info, types);
    }
    shadowOf(app.getPackageManager()).addOrUpdateService(info);
    shadowOf(app).grantPermissions(ForegroundServiceController.FOREGROUND_SERVICE_PERMISSION);
    if (typePermission) {
      shadowOf(app).grantPermissions("android.permission.FOREGROUND_SERVICE_REMOTE_MESSAGING");
    }
  }

  private Notification notification() {
    return new Notification.Builder(app, "lifeline").setContentTitle("Chat connected").build();
  }

  private static AndroidFixture serviceFixture() {
    AndroidFixture f = new AndroidFixture();
    f.attach();
    f.startActivity();
    f.connection = f.h.connection(f.h.options().environment(EnvironmentPolicy.builder()
        .backgroundMode(BackgroundMode.FOREGROUND_SERVICE).build()).build());
    f.h.connectAndOpen(f.connection);
    return f;
  }

  /** A FOREGROUND_SERVICE connection open, the service set up, then the app in the background. */
  private AndroidFixture backgroundedWithTheService() {
    AndroidFixture f = serviceFixture();
    service = LifelineAndroid.foregroundService(app, f.h.signals, NOTIFICATION_ID, notification(),
        REMOTE_MESSAGING);
    background(f);
    return f;
  }

  private static void background(AndroidFixture f) {
    f.activity.pause().stop();
    f.advanceAndroidTime(AttachOptions.DEFAULT_LIFECYCLE_DEBOUNCE_MILLIS);
    f.settle(); // The need reaches the main thread.
  }

  /** The platform creates the service the app asked for and calls onStartCommand. */
  private ServiceController<LifelineForegroundService> platformRuns(Intent started,
      RuntimeException startForegroundThrows) {
    assertNotNull("the service was not started", started);
    assertEquals(new ComponentName(app, LifelineForegroundService.class), started.getComponent());
    ServiceController<LifelineForegroundService> sc =
        Robolectric.buildService(LifelineForegroundService.class, started).create();
    if (startForegroundThrows != null) {
      shadowOf(sc.get()).setThrowInStartForeground(startForegroundThrows);
    }
    return sc.startCommand(0, 1);
  }

  @Test public void theServiceRunsWithTheAppsNotificationAndTypeOnlyInTheBackground()
      throws Exception {
    declareService(REMOTE_MESSAGING);
    AndroidFixture f = serviceFixture();
    Notification notification = notification();
    service = LifelineAndroid.foregroundService(app, f.h.signals, NOTIFICATION_ID, notification,
        REMOTE_MESSAGING);
    f.settle();
    assertNull("not needed in the foreground", shadowOf(app).getNextStartedService());

    background(f);
    ServiceController<LifelineForegroundService> sc =
        platformRuns(shadowOf(app).getNextStartedService(), null);
    LifelineForegroundService running = sc.get();
    assertSame(notification, shadowOf(running).getLastForegroundNotification());
    assertEquals(NOTIFICATION_ID, shadowOf(running).getLastForegroundNotificationId());
    if (Build.VERSION.SDK_INT >= 29) {
      // Android 14 throws MissingForegroundServiceTypeException without one: it is set.
      assertEquals(REMOTE_MESSAGING, running.getForegroundServiceType());
    }
    f.settle();
    f.h.time.advanceBy(GRACE * 10);
    assertEquals("kept while the service runs", Kind.CONNECTED, f.state().kind());

    f.activity.restart(); // Foreground again.
    f.settle();
    f.settle();
    assertNotNull("stopped in the foreground", shadowOf(app).getNextStoppedService());
    sc.destroy();
    f.settle();
    assertEquals(Kind.CONNECTED, f.state().kind());

    background(f);
    ServiceController<LifelineForegroundService> again =
        platformRuns(shadowOf(app).getNextStartedService(), null);
    f.settle();
    f.connection.close();
    f.settle();
    f.settle();
    assertNotNull("stopped when the connection closed", shadowOf(app).getNextStoppedService());
    again.destroy();
    f.settle();
    assertNull(shadowOf(app).getNextStartedService());
  }

  @Test public void foregroundBeforeTheServiceStartedStopsItOnlyOnceItReachedTheForeground()
      throws Exception {
    declareService(REMOTE_MESSAGING);
    AndroidFixture f = backgroundedWithTheService();
    Intent started = shadowOf(app).getNextStartedService();
    f.activity.restart(); // Back before the platform ran the service.
    f.settle();
    f.settle();
    assertNull("not stopped before startForeground", shadowOf(app).getNextStoppedService());
    ServiceController<LifelineForegroundService> sc = platformRuns(started, null);
    assertEquals(NOTIFICATION_ID, shadowOf(sc.get()).getLastForegroundNotificationId());
    assertTrue("then it stops itself", shadowOf(sc.get()).isStoppedBySelf());
    sc.destroy();
    f.settle();
    f.h.time.advanceBy(GRACE * 2);
    assertEquals("in the foreground, kept", Kind.CONNECTED, f.state().kind());
  }

  @Test public void closedWhileTheServiceStartsItStillReachesTheForegroundOnceThenStops()
      throws Exception {
    declareService(REMOTE_MESSAGING);
    AndroidFixture f = backgroundedWithTheService();
    Intent started = shadowOf(app).getNextStartedService();
    service.close(); // The app tears the setup down before the platform ran the service.
    service = null;
    f.settle();
    ServiceController<LifelineForegroundService> sc = platformRuns(started, null);
    // A service started with startForegroundService that stops before startForeground makes
    // the platform end the app.
    assertEquals(NOTIFICATION_ID, shadowOf(sc.get()).getLastForegroundNotificationId());
    assertTrue("then it stops itself", shadowOf(sc.get()).isStoppedBySelf());
    sc.destroy();
    f.settle();
    f.h.time.advanceBy(GRACE);
    f.assertPaused(PauseReason.BACKGROUND); // No service keeps it: the grace close.
  }

  @Test public void theOldServiceDestroyedDuringANewStartDoesNotStopTheNewOne() throws Exception {
    declareService(REMOTE_MESSAGING);
    AndroidFixture f = backgroundedWithTheService();
    ServiceController<LifelineForegroundService> old =
        platformRuns(shadowOf(app).getNextStartedService(), null);
    f.settle();
    f.activity.restart(); // Foreground: the service is asked to stop...
    f.settle();
    f.settle();
    assertNotNull(shadowOf(app).getNextStoppedService());
    background(f); // ...and the app is back in the background before the platform destroyed it.
    Intent again = shadowOf(app).getNextStartedService();
    old.destroy(); // The platform: the old instance's onDestroy, then the new one's start.
    f.settle();
    ServiceController<LifelineForegroundService> sc = platformRuns(again, null);
    assertEquals(NOTIFICATION_ID, shadowOf(sc.get()).getLastForegroundNotificationId());
    assertFalse("the new service keeps running", shadowOf(sc.get()).isStoppedBySelf());
    f.settle();
    f.h.time.advanceBy(GRACE * 2);
    assertEquals("kept while the new service runs", Kind.CONNECTED, f.state().kind());
  }

  @Test public void aDefaultConnectionNeverStartsTheService() throws Exception {
    declareService(REMOTE_MESSAGING);
    AndroidFixture f = new AndroidFixture();
    f.openInForeground();
    service = LifelineAndroid.foregroundService(app, f.h.signals, NOTIFICATION_ID, notification(),
        REMOTE_MESSAGING);
    background(f);
    assertNull(shadowOf(app).getNextStartedService());
    f.h.time.advanceBy(GRACE);
    f.assertPaused(PauseReason.BACKGROUND);
  }

  @Test public void aRefusedStartForegroundFallsBackToTheGraceCloseWithTheReason()
      throws Exception {
    declareService(REMOTE_MESSAGING);
    AndroidFixture f = backgroundedWithTheService();
    ServiceController<LifelineForegroundService> sc = platformRuns(
        shadowOf(app).getNextStartedService(),
        new SecurityException("needs FOREGROUND_SERVICE_REMOTE_MESSAGING"));
    assertTrue("the service stops itself", shadowOf(sc.get()).isStoppedBySelf());
    f.settle();
    FakeTransport t = f.h.transports.last();
    f.h.time.advanceBy(GRACE);
    assertEquals(1000, t.closeCode);
    f.assertPaused(PauseReason.BACKGROUND);
    assertTrue(f.h.events.toString(), f.h.events.contains("disconnected closed after 60 s in the"
        + " background (the foreground service was refused: startForeground threw"
        + " SecurityException: needs"
        + " FOREGROUND_SERVICE_REMOTE_MESSAGING)"));
  }

  @Test public void anUndeclaredServiceIsNeverStartedAndSaysWhy() {
    assertRefusedBeforeStarting("LifelineForegroundService is not declared in the app's manifest"
        + " (see its javadoc)");
  }

  @Test public void aWrongTypeIsRefusedBeforeStarting() throws Exception {
    if (Build.VERSION.SDK_INT < 29) return; // Types exist from API 29.
    declareService(1 /* dataSync */);
    assertRefusedBeforeStarting("LifelineForegroundService declares foregroundServiceType 0x1 in"
        + " the manifest, but is started with 0x200");
  }

  @Test public void withoutTheTypesPermissionAndroid14IsNotAskedAtAll() throws Exception {
    if (Build.VERSION.SDK_INT < 34) return; // FOREGROUND_SERVICE_<TYPE> exists from API 34.
    declareService(REMOTE_MESSAGING, false);
    assertRefusedBeforeStarting("the app does not hold"
        + " android.permission.FOREGROUND_SERVICE_REMOTE_MESSAGING, which Android 14 requires for"
        + " foregroundServiceType 0x200");
  }

  /**
   * The manifest as declared cannot run the service: it is never started (it could not reach the
   * foreground, and the platform would end the app), and the connection closes after its grace
   * period saying {@code why}.
   */
  private void assertRefusedBeforeStarting(String why) {
    AndroidFixture f = backgroundedWithTheService();
    assertNull("never started", shadowOf(app).getNextStartedService());
    f.h.time.advanceBy(GRACE);
    f.assertPaused(PauseReason.BACKGROUND);
    assertTrue(f.h.events.toString(), f.h.events.contains("disconnected closed after 60 s in the"
        + " background (the foreground service was refused: " + why + ")"));
  }

  @Test public void oneSetupPerProcessAndBadArgumentsFailClearly() {
    AndroidFixture f = new AndroidFixture();
    service = LifelineAndroid.foregroundService(app, f.h.signals, NOTIFICATION_ID, notification(),
        REMOTE_MESSAGING);
    try {
      LifelineAndroid.foregroundService(app, f.h.signals, 8, notification(), REMOTE_MESSAGING);
      fail();
    } catch (IllegalStateException expected) {
      assertTrue(expected.getMessage(), expected.getMessage().contains("already set up"));
    }
    try {
      LifelineAndroid.foregroundService(app, f.h.signals, 8, notification(), 0);
      fail();
    } catch (IllegalArgumentException expected) {
      assertTrue(expected.getMessage(), expected.getMessage().contains("was 0"));
    }
    service.close();
    service = LifelineAndroid.foregroundService(app, f.h.signals, 8, notification(),
        REMOTE_MESSAGING); // Closed: a new one may be set up.
  }
}
