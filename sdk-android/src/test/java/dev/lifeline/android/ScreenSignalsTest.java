package dev.lifeline.android;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.robolectric.Shadows.shadowOf;

import dev.lifeline.ConnectionState.Kind;
import dev.lifeline.ConnectionState.PauseReason;
import dev.lifeline.HeartbeatPolicy;
import dev.lifeline.internal.FakeTransport;
import java.io.IOException;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.robolectric.RobolectricTestRunner;
import org.robolectric.annotation.Config;

/**
 * Screen, Doze and the wake-up probe (docs/behaviour.md, "Environment reactions", "Wake-up
 * probe") through ACTION_SCREEN_OFF/ON, PowerManager.isInteractive() and Doze broadcasts.
 */
@RunWith(RobolectricTestRunner.class)
@Config(sdk = {23, 26, 30, 34})
public final class ScreenSignalsTest {
  private final AndroidFixture f = new AndroidFixture();

  @Test public void screenOffKeepsTheConnectionAndScreenOnProbesAtOnce() {
    FakeTransport t = f.openInForeground();
    f.screenOff();
    f.h.time.advanceBy(30_000);
    assertEquals(Kind.CONNECTED, f.state().kind());
    assertFalse("screen off keeps an existing connection", t.isClosedOrCancelled());
    assertTrue(t.sent.isEmpty());

    f.screenOn();
    assertEquals("a heartbeat goes out at once, not at the 55 s timer",
        1, t.sent.size());
    assertEquals(HeartbeatPolicy.DEFAULT_PAYLOAD, t.sentTexts().get(0));
    assertTrue(f.h.events.toString(), f.h.events.contains("probeStarted screen on"));
  }

  @Test public void screenOffDefersReconnectUntilScreenOn() {
    FakeTransport t = f.openInForeground();
    f.screenOff();
    t.fails(new IOException("connection reset"));
    f.h.time.runUntilIdle();
    f.assertPaused(PauseReason.SCREEN_OFF);
    f.assertNoAttemptsFor10Minutes();

    f.screenOn();
    f.reconnectsWithinJitter();
  }

  @Test public void repeatedScreenOnDoesNotProbeAgain() {
    FakeTransport t = f.openInForeground();
    f.screenOn(); // Already on since attach: no signal, no probe.
    assertTrue(t.sent.isEmpty());
  }

  // Robolectric's only way to set isInteractive; turnScreenOn would also send the broadcast
  // that these tests send themselves, in a chosen order.
  @SuppressWarnings("deprecation")
  @Test public void screenOffAtAttachIsReadFromIsInteractive() {
    shadowOf(f.pm).setIsInteractive(false);
    f.attach();
    f.startActivity();
    f.connection = f.h.connection(f.h.options().build());
    f.connection.connect();
    f.settle();
    f.assertPaused(PauseReason.SCREEN_OFF);
    assertEquals(0, f.h.transports.count());

    f.screenOn();
    f.reconnectsWithinJitter();
  }

  @Test public void dozeSuspendsAttemptsAndLeavingItReconnects() {
    FakeTransport t = f.openInForeground();
    f.deviceIdle(true);
    t.fails(new IOException("network unreachable in Doze"));
    f.h.time.runUntilIdle();
    f.assertPaused(PauseReason.SUSPENDED);
    f.assertNoAttemptsFor10Minutes();

    f.deviceIdle(false);
    f.reconnectsWithinJitter();
  }

  @Test public void leavingDozeProbesAnOpenConnection() {
    FakeTransport t = f.openInForeground();
    f.deviceIdle(true);
    assertEquals(Kind.CONNECTED, f.state().kind());
    f.deviceIdle(false);
    assertEquals(1, t.sent.size());
    assertTrue(f.h.events.toString(), f.h.events.contains("probeStarted resume"));
  }
}
