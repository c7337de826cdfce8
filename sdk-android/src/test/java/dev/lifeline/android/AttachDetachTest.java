package dev.lifeline.android;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;
import static org.robolectric.Shadows.shadowOf;

import android.content.Intent;
import android.os.Looper;
import android.os.PowerManager;
import dev.lifeline.ConnectionState.Kind;
import dev.lifeline.ConnectionState.PauseReason;
import dev.lifeline.Lifeline;
import dev.lifeline.internal.FakeTransport;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.robolectric.RobolectricTestRunner;
import org.robolectric.annotation.Config;
import org.robolectric.shadows.ShadowApplication;
import org.robolectric.shadows.ShadowLog;

/** The one-line integration: attach registers everything, detach removes everything. */
@RunWith(RobolectricTestRunner.class)
@Config(sdk = {23, 26, 30, 34})
public final class AttachDetachTest {
  private final AndroidFixture f = new AndroidFixture();

  // Robolectric 4.17 deprecates hasReceiverForIntent (and getReceiversForIntent), still the
  // direct way to ask whether a registered receiver matches an intent.
  @SuppressWarnings("deprecation")
  @Test public void detachUnregistersEveryCallbackAndReceiver() {
    ShadowApplication app = shadowOf(f.app);
    int receiversBefore = app.getRegisteredReceivers().size();
    AndroidEnvironment env = f.attach();
    assertEquals(1, f.shadowCm.getNetworkCallbacks().size());
    assertTrue(app.hasReceiverForIntent(new Intent(Intent.ACTION_SCREEN_OFF)));
    assertTrue(app.hasReceiverForIntent(new Intent(Intent.ACTION_SCREEN_ON)));
    assertTrue(app.hasReceiverForIntent(new Intent(PowerManager.ACTION_DEVICE_IDLE_MODE_CHANGED)));
    assertTrue(env.isAttached());

    env.detach();
    assertTrue(f.shadowCm.getNetworkCallbacks().isEmpty());
    assertEquals(receiversBefore, app.getRegisteredReceivers().size());
    assertFalse(app.hasReceiverForIntent(new Intent(Intent.ACTION_SCREEN_OFF)));
    assertFalse(app.hasReceiverForIntent(new Intent(PowerManager.ACTION_DEVICE_IDLE_MODE_CHANGED)));
    assertFalse(env.isAttached());
    env.detach(); // Idempotent.

    // The lifecycle callbacks are gone too: no activity means no background signal any more.
    f.advanceAndroidTime(10 * AttachOptions.DEFAULT_LIFECYCLE_DEBOUNCE_MILLIS);
    assertTrue(f.h.context.signals.foreground());
  }

  @Test public void afterDetachNothingIsSignalled() {
    FakeTransport t = f.openInForeground();
    f.env.detach();
    f.screenOff();
    f.activity.pause().stop();
    f.advanceAndroidTime(10 * AttachOptions.DEFAULT_LIFECYCLE_DEBOUNCE_MILLIS);
    assertTrue(f.h.context.signals.screenOn());
    assertTrue(f.h.context.signals.foreground());
    f.h.time.advanceBy(2 * 60_000 - 1);
    assertEquals(-1, t.closeCode); // No background close: only the 55 s heartbeats went out.
  }

  @Test public void detachReportsAllClearSoNothingStaysPausedForever() {
    FakeTransport t = f.openInForeground();
    f.screenOff();
    f.lose(f.activeNetwork(), true);
    assertTrue(t.cancelled);
    f.assertPaused(PauseReason.NETWORK_DOWN);

    f.env.detach();
    f.settle();
    assertTrue(f.h.context.signals.networkUp());
    assertTrue(f.h.context.signals.screenOn());
    f.reconnectsWithinJitter();
  }

  // Robolectric 4.17 deprecates hasReceiverForIntent (and getReceiversForIntent), still the
  // direct way to ask whether a registered receiver matches an intent.
  @SuppressWarnings("deprecation")
  @Test public void attachOptionsSelectTheWatchers() {
    ShadowApplication app = shadowOf(f.app);
    AndroidEnvironment env = LifelineAndroid.attach(f.app, f.h.signals, AttachOptions.builder()
        .watchNetwork(false).watchScreen(false).watchDeviceIdle(false).watchLifecycle(false)
        .build());
    assertTrue(f.shadowCm.getNetworkCallbacks().isEmpty());
    assertFalse(app.hasReceiverForIntent(new Intent(Intent.ACTION_SCREEN_OFF)));
    f.advanceAndroidTime(10 * AttachOptions.DEFAULT_LIFECYCLE_DEBOUNCE_MILLIS);
    assertTrue(f.h.context.signals.foreground());
    env.detach();
  }

  @Test public void translationsAreLoggedToLogcat() {
    AndroidEnvironment env = LifelineAndroid.attach(f.app, f.h.signals,
        AttachOptions.builder().logger(LifelineAndroid.logcat("Lifeline")).build());
    f.screenOff();
    List<String> lines = new ArrayList<>();
    for (ShadowLog.LogItem item : ShadowLog.getLogsForTag("Lifeline")) lines.add(item.msg);
    assertTrue(lines.toString(), lines.contains("screen off (broadcast)"));
    env.detach();
  }

  @Test public void attachOffTheMainThreadIsRefused() throws Exception {
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    Thread worker = new Thread(() -> {
      try {
        LifelineAndroid.attach(f.app, f.h.signals);
      } catch (Throwable e) {
        thrown.set(e);
      }
    }, "not main");
    worker.start();
    worker.join(10_000);
    assertTrue(String.valueOf(thrown.get()), thrown.get() instanceof IllegalStateException);
    assertTrue(thrown.get().getMessage(), thrown.get().getMessage().contains("main thread"));
    assertTrue(f.shadowCm.getNetworkCallbacks().isEmpty());
  }

  @Test public void mainThreadExecutorPostsInOrderToTheMainLooper() {
    Executor main = LifelineAndroid.mainThreadExecutor();
    List<String> ran = new ArrayList<>();
    main.execute(() -> ran.add("a " + (Looper.myLooper() == Looper.getMainLooper())));
    main.execute(() -> ran.add("b"));
    assertTrue("posted, never inline", ran.isEmpty());
    shadowOf(Looper.getMainLooper()).idle();
    assertEquals("[a true, b]", ran.toString());
  }

  @Test public void lifelineBuilderHasAndroidDefaultsAndAttaches() throws Exception {
    Lifeline lifeline = LifelineAndroid.lifelineBuilder().build();
    try {
      AndroidEnvironment env = LifelineAndroid.attach(f.app, lifeline);
      assertNotNull(lifeline.signals());
      assertEquals(1, f.shadowCm.getNetworkCallbacks().size());
      env.detach();
      assertTrue(f.shadowCm.getNetworkCallbacks().isEmpty());
    } finally {
      lifeline.shutdown(5, TimeUnit.SECONDS);
    }
  }

  @Test public void nullArgumentsAreRejectedClearly() {
    try {
      LifelineAndroid.attach(f.app, (Lifeline) null);
      fail();
    } catch (NullPointerException expected) {
      assertEquals("lifeline == null", expected.getMessage());
    }
    try {
      AttachOptions.builder().lifecycleDebounce(-1, TimeUnit.MILLISECONDS);
      fail();
    } catch (IllegalArgumentException expected) {
      assertEquals("lifecycle debounce must be >= 0 but was -1 MILLISECONDS", expected.getMessage());
    }
    assertEquals(Kind.IDLE, f.h.connection(f.h.options().build()).state().kind());
  }
}
