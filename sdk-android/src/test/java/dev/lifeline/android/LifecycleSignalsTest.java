package dev.lifeline.android;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import android.app.Activity;
import dev.lifeline.ConnectionState.Kind;
import dev.lifeline.ConnectionState.PauseReason;
import dev.lifeline.EnvironmentPolicy;
import dev.lifeline.internal.FakeTransport;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.robolectric.RobolectricTestRunner;
import org.robolectric.android.controller.ActivityController;
import org.robolectric.annotation.Config;

/**
 * Background and foreground (docs/behaviour.md, "Environment reactions") through real Activity
 * lifecycles (Application.ActivityLifecycleCallbacks).
 */
@RunWith(RobolectricTestRunner.class)
@Config(sdk = {23, 26, 30, 34})
public final class LifecycleSignalsTest {
  private static final long DEBOUNCE = AttachOptions.DEFAULT_LIFECYCLE_DEBOUNCE_MILLIS;
  private static final long GRACE = EnvironmentPolicy.DEFAULT_BACKGROUND_GRACE_MILLIS;

  private final AndroidFixture f = new AndroidFixture();

  @Test public void backgroundAfterTheDebounceThenGracefulCloseAfterTheGracePeriod() {
    FakeTransport t = f.openInForeground();
    ActivityController<Activity> activity = f.activity;
    activity.pause().stop();
    f.settle();

    f.advanceAndroidTime(DEBOUNCE - 1);
    assertTrue("still foreground inside the debounce", f.h.context.signals.foreground());
    f.advanceAndroidTime(1);
    assertFalse("background once the debounce is over", f.h.context.signals.foreground());

    f.h.time.advanceBy(GRACE - 1);
    assertEquals(Kind.CONNECTED, f.state().kind());
    assertEquals(-1, t.closeCode);
    f.h.time.advanceBy(1);
    assertEquals("closed gracefully after the grace period", 1000, t.closeCode);
    f.assertPaused(PauseReason.BACKGROUND);
    f.assertNoAttemptsFor10Minutes();

    activity.restart().resume(); // restart() runs onRestart and onStart.
    f.settle();
    assertTrue(f.h.context.signals.foreground());
    f.reconnectsWithinJitter();
  }

  @Test public void backToForegroundWithinTheGracePeriodKeepsAndProbesTheConnection() {
    FakeTransport t = f.openInForeground();
    ActivityController<Activity> activity = f.activity;
    activity.pause().stop();
    f.advanceAndroidTime(DEBOUNCE);
    assertFalse(f.h.context.signals.foreground());
    f.h.time.advanceBy(GRACE / 2);

    activity.restart().resume();
    f.settle();
    assertEquals("probe on foreground", 1, t.sent.size());
    f.h.time.advanceBy(GRACE);
    assertEquals("the grace timer was cancelled", -1, t.closeCode);
    assertEquals(Kind.CONNECTED, f.state().kind());
  }

  @Test public void rotationInsideTheDebounceIsNotABackgroundTrip() {
    FakeTransport t = f.openInForeground();
    ActivityController<Activity> activity = f.activity;
    activity.recreate(); // pause, stop, destroy, then a new instance: create, start, resume.
    f.settle();
    f.advanceAndroidTime(10 * DEBOUNCE);
    assertTrue(f.h.context.signals.foreground());

    activity.pause().stop();
    f.advanceAndroidTime(DEBOUNCE / 2);
    activity.restart().resume(); // Back inside the debounce (e.g. an activity hop).
    f.advanceAndroidTime(10 * DEBOUNCE);
    assertTrue(f.h.context.signals.foreground());

    f.h.time.advanceBy(2 * GRACE);
    assertEquals(-1, t.closeCode);
    assertTrue(f.h.events.toString(), f.h.events.stream().noneMatch(e -> e.startsWith("probeStarted")));
  }

  @Test public void noActivityStartedAfterAttachMeansBackground() {
    f.attach();
    f.advanceAndroidTime(DEBOUNCE);
    assertFalse(f.h.context.signals.foreground());
    f.connection = f.h.connection(f.h.options().build());
    f.connection.connect();
    f.settle();
    f.assertPaused(PauseReason.BACKGROUND);
    assertEquals(0, f.h.transports.count());

    f.startActivity();
    f.reconnectsWithinJitter();
  }

  @Test public void anActivityStartedRightAfterAttachSignalsNothing() {
    f.attach();
    f.advanceAndroidTime(DEBOUNCE / 2);
    f.startActivity();
    f.advanceAndroidTime(10 * DEBOUNCE);
    assertTrue(f.h.context.signals.foreground());
  }
}
