package dev.lifeline.android;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import android.os.SystemClock;
import dev.lifeline.Clock;
import dev.lifeline.ConnectionState.Kind;
import dev.lifeline.HeartbeatPolicy;
import dev.lifeline.internal.ClientContext;
import dev.lifeline.internal.FakeTransport;
import dev.lifeline.internal.Harness;
import dev.lifeline.internal.RealConnection;
import dev.lifeline.internal.VirtualTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.robolectric.RobolectricTestRunner;
import org.robolectric.annotation.Config;
import org.robolectric.shadows.ShadowSystemClock;

/**
 * Sleep detection and the wake-up probe (docs/behaviour.md, "Environment reactions", "Wake-up
 * probe"): deadlines on {@code elapsedRealtime}, which counts deep sleep, while timers run on a
 * scheduler whose delays do not (like Java's and Handler's). Robolectric's simulated deep sleep
 * moves elapsedRealtime but not uptime; the scheduler's virtual time stands for uptime here.
 */
@RunWith(RobolectricTestRunner.class)
@Config(sdk = {23, 26, 30, 34})
public final class SleepClockTest {
  private static final long INTERVAL = HeartbeatPolicy.DEFAULT_INTERVAL_MILLIS;

  /** The timers' time: advances with the CPU awake only. */
  private final VirtualTime uptime = new VirtualTime();
  private final Harness h = new Harness(); // For its recording listener and event list.
  private final List<String> logs = new ArrayList<>();
  private final ClientContext context = new ClientContext(LifelineAndroid.elapsedRealtimeClock(),
      uptime, Runnable::run, Runnable::run, (level, message, error) -> logs.add(message),
      new Random(42), h.transports);

  @Test public void clockIsElapsedRealtimeWhichCountsDeepSleep() {
    Clock clock = LifelineAndroid.elapsedRealtimeClock();
    long uptimeBefore = SystemClock.uptimeMillis();
    long before = clock.elapsedMillis();
    ShadowSystemClock.simulateDeepSleep(Duration.ofMinutes(5));
    assertEquals(5 * 60_000, clock.elapsedMillis() - before);
    assertEquals("uptime stood still", uptimeBefore, SystemClock.uptimeMillis());
  }

  @Test public void timerLateAfterDeepSleepIsDetectedAndProbes() {
    FakeTransport t = open();
    ShadowSystemClock.simulateDeepSleep(Duration.ofMinutes(5));
    awake(INTERVAL); // The heartbeat timer fires, 5 minutes late by the clock.

    assertTrue(h.events.toString(), h.events.contains("sleepDetected " + 5 * 60_000));
    assertTrue(h.events.toString(), h.events.contains("probeStarted a sleep of 300 s"));
    assertEquals("the probe's heartbeat", 1, t.sent.size());
    assertEquals(Kind.CONNECTED, connection.state().kind());
  }

  @Test public void awakeTimersAreNotMistakenForSleep() {
    FakeTransport t = open();
    awake(3 * INTERVAL);
    assertTrue(h.events.toString(), h.events.stream().noneMatch(e -> e.startsWith("sleepDetected")));
    assertEquals("three regular heartbeats", 3, t.sent.size());
  }

  private RealConnection connection;

  private FakeTransport open() {
    connection = new RealConnection(context, h.options().build(), h.recordingListener());
    context.register(connection);
    connection.connect();
    uptime.runUntilIdle();
    FakeTransport t = h.transports.last();
    t.serverAccepts();
    uptime.runUntilIdle();
    assertEquals(Kind.CONNECTED, connection.state().kind());
    return t;
  }

  /** Both clocks advance together, in 1 s steps: the device is awake. */
  private void awake(long millis) {
    for (long done = 0; done < millis; done += 1_000) {
      long step = Math.min(1_000, millis - done);
      ShadowSystemClock.advanceBy(Duration.ofMillis(step));
      uptime.advanceBy(step);
    }
  }
}
