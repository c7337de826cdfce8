package dev.lifeline.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import dev.lifeline.ConnectionState.Kind;
import dev.lifeline.ConnectionState.PauseReason;
import dev.lifeline.EnvironmentPolicy;
import dev.lifeline.HeartbeatPolicy;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.junit.Test;

/**
 * Reactions to network, screen, lifecycle, suspension and sleep
 * (docs/behaviour.md, "Environment reactions"), and the wake-up probe
 * (docs/behaviour.md, "Wake-up probe").
 */
public final class EnvironmentTest {
  private static final long GRACE = EnvironmentPolicy.DEFAULT_BACKGROUND_GRACE_MILLIS;
  private final Harness h = new Harness();

  @Test public void networkLostDropsAnOpenConnectionAndPauses() {
    RealConnection c = h.connection(h.options().build());
    FakeTransport t = h.connectAndOpen(c);
    h.signals.networkLost();
    h.time.runUntilIdle();
    assertTrue(t.cancelled);
    assertEquals(Kind.PAUSED, c.state().kind());
    assertEquals(PauseReason.NETWORK_DOWN, c.state().pauseReason());
    assertTrue(h.events.contains("disconnected network lost"));
  }

  @Test public void connectWhileNetworkDownWaitsForTheNetwork() {
    RealConnection c = h.connection(h.options().build());
    h.signals.networkLost();
    c.connect();
    h.time.advanceBy(600_000);
    assertEquals(0, h.transports.count());
    assertEquals(PauseReason.NETWORK_DOWN, c.state().pauseReason());
    h.signals.networkAvailable();
    h.time.advanceBy(1_000);
    assertEquals(1, h.transports.count());
  }

  @Test public void networkChangeWhileConnectedReplacesTheSocketAtOnce() {
    RealConnection c = h.connection(h.options().build());
    FakeTransport t = h.connectAndOpen(c);
    h.signals.networkChanged();
    h.time.runUntilIdle(); // No time passes.
    assertTrue(t.cancelled);
    assertEquals(2, h.transports.count());
    assertEquals(Kind.CONNECTING, c.state().kind());
    assertTrue(h.events.contains("disconnected default network changed"));
  }

  @Test public void screenOffKeepsTheConnectionButDefersAttemptsUntilScreenOn() {
    RealConnection c = h.connection(h.options().build());
    FakeTransport t = h.connectAndOpen(c);
    h.signals.screenOff();
    h.time.advanceBy(10 * 60_000);
    assertEquals(Kind.CONNECTED, c.state().kind()); // Kept, heartbeats still flowing.
    assertTrue(t.sent.size() >= 10);

    t.fails(new IOException("reset"));
    h.time.runUntilIdle();
    assertEquals(Kind.PAUSED, c.state().kind());
    assertEquals(PauseReason.SCREEN_OFF, c.state().pauseReason());
    h.time.advanceBy(10 * 60_000);
    assertEquals(1, h.transports.count());

    h.signals.screenOn();
    h.time.runUntilIdle();
    assertEquals(Kind.WAITING_TO_RECONNECT, c.state().kind());
    assertTrue(c.state().delayMillis() <= 1_000);
    h.time.advanceBy(1_000);
    assertEquals(2, h.transports.count());
  }

  @Test public void screenOffDuringAWaitTurnsItIntoAPause() {
    RealConnection c = h.connection(h.options().build());
    FakeTransport t = h.connectAndOpen(c);
    t.fails(new IOException("reset"));
    h.time.runUntilIdle();
    assertEquals(Kind.WAITING_TO_RECONNECT, c.state().kind());
    h.signals.screenOff();
    h.time.advanceBy(60_000);
    assertEquals(PauseReason.SCREEN_OFF, c.state().pauseReason());
    assertEquals(1, h.transports.count());
  }

  @Test public void screenOnProbesAnOpenConnectionAtOnce() {
    RealConnection c = h.connection(h.options().build());
    FakeTransport t = h.connectAndOpen(c);
    h.time.advanceBy(5_000);
    h.signals.screenOff();
    h.signals.screenOn();
    h.time.runUntilIdle();
    assertEquals(1, t.sent.size()); // The probe heartbeat, 50 s before the timer.
    assertTrue(h.events.contains("probeStarted screen on"));
  }

  @Test public void probeWithSilenceWatchReplacesAZombieAfterTheProbeTimeout() {
    HeartbeatPolicy hb = HeartbeatPolicy.builder().serverTimeout(120, TimeUnit.SECONDS).build();
    RealConnection c = h.connection(h.options().heartbeat(hb).build());
    FakeTransport t = h.connectAndOpen(c);
    h.signals.foreground(); // Already foreground: still a wake-up hint.
    h.time.advanceBy(HeartbeatPolicy.DEFAULT_PROBE_TIMEOUT_MILLIS - 1);
    assertEquals(Kind.CONNECTED, c.state().kind());
    h.time.advanceBy(1);
    assertTrue(t.cancelled);
    assertEquals(Kind.WAITING_TO_RECONNECT, c.state().kind());
    assertEquals("wake-up probe after foreground: no data from server within 10 s (probe timeout 10 s)",
        c.state().reason());
  }

  @Test public void probeAnsweredKeepsTheConnection() {
    HeartbeatPolicy hb = HeartbeatPolicy.builder().serverTimeout(120, TimeUnit.SECONDS).build();
    RealConnection c = h.connection(h.options().heartbeat(hb).build());
    FakeTransport t = h.connectAndOpen(c);
    h.signals.resumed();
    h.time.advanceBy(300);
    t.serverSends("pong");
    h.time.advanceBy(60_000);
    assertEquals(Kind.CONNECTED, c.state().kind());
    assertTrue(h.events.contains("probeSucceeded 300"));
  }

  @Test public void backgroundClosesGracefullyAfterTheGracePeriodAndForegroundReconnects() {
    RealConnection c = h.connection(h.options().build());
    FakeTransport t = h.connectAndOpen(c);
    h.signals.background();
    h.time.advanceBy(GRACE - 1);
    assertEquals(Kind.CONNECTED, c.state().kind());
    assertEquals(-1, t.closeCode);
    h.time.advanceBy(1);
    assertEquals(1000, t.closeCode);
    assertEquals(Kind.PAUSED, c.state().kind());
    assertEquals(PauseReason.BACKGROUND, c.state().pauseReason());
    h.time.advanceBy(3_600_000);
    assertEquals(1, h.transports.count());

    h.signals.foreground();
    h.time.runUntilIdle();
    assertTrue(c.state().delayMillis() <= 1_000);
    h.time.advanceBy(1_000);
    assertEquals(2, h.transports.count());
  }

  @Test public void foregroundWithinTheGracePeriodKeepsTheConnection() {
    RealConnection c = h.connection(h.options().build());
    FakeTransport t = h.connectAndOpen(c);
    h.signals.background();
    h.time.advanceBy(GRACE / 2);
    h.signals.foreground();
    h.time.advanceBy(GRACE * 2);
    assertEquals(Kind.CONNECTED, c.state().kind());
    assertEquals(-1, t.closeCode);
  }

  @Test public void keepConnectionInBackgroundPolicy() {
    RealConnection c = h.connection(h.options().environment(EnvironmentPolicy.builder()
        .keepConnectionInBackground().deferInBackground(false).build()).build());
    FakeTransport t = h.connectAndOpen(c);
    h.signals.background();
    h.time.advanceBy(GRACE * 10);
    assertEquals(Kind.CONNECTED, c.state().kind());
    t.fails(new IOException("reset"));
    h.time.runUntilIdle();
    assertEquals(Kind.WAITING_TO_RECONNECT, c.state().kind()); // Not deferred.
  }

  @Test public void suspendDefersAttemptsAndResumeProbesOrReconnects() {
    RealConnection c = h.connection(h.options().build());
    FakeTransport t = h.connectAndOpen(c);
    h.signals.suspended();
    t.fails(new IOException("reset"));
    h.time.advanceBy(600_000);
    assertEquals(PauseReason.SUSPENDED, c.state().pauseReason());
    assertEquals(1, h.transports.count());
    h.signals.resumed();
    h.time.advanceBy(1_000);
    assertEquals(2, h.transports.count());
  }

  @Test public void pauseReasonsStackMostFundamentalFirst() {
    RealConnection c = h.connection(h.options().build());
    h.signals.screenOff();
    h.signals.networkLost();
    c.connect();
    h.time.runUntilIdle();
    assertEquals(PauseReason.NETWORK_DOWN, c.state().pauseReason());
    h.signals.networkAvailable();
    h.time.runUntilIdle();
    assertEquals(PauseReason.SCREEN_OFF, c.state().pauseReason());
    h.time.advanceBy(60_000);
    assertEquals(0, h.transports.count());
  }

  @Test public void lateTimerMeansSleepAndTriggersAProbe() {
    HeartbeatPolicy hb = HeartbeatPolicy.builder().serverTimeout(120, TimeUnit.SECONDS).build();
    RealConnection c = h.connection(h.options().heartbeat(hb).build());
    FakeTransport t = h.connectAndOpen(c);
    h.time.advanceBy(50_000);
    h.time.sleep(5 * 60_000); // Heartbeat due at 55 s fires at 350 s.
    assertTrue(h.events.toString(), h.events.contains("sleepDetected 295000"));
    assertEquals(1, t.sent.size()); // The probe's heartbeat.
    // The server answers nothing within the probe timeout: replaced.
    h.time.advanceBy(HeartbeatPolicy.DEFAULT_PROBE_TIMEOUT_MILLIS);
    assertTrue(t.cancelled);
    assertTrue(c.state().reason().startsWith("wake-up probe after a sleep of 295 s"));
  }

  @Test public void oneSleepIsReportedOnceThoughSeveralTimersFireLate() {
    HeartbeatPolicy hb = HeartbeatPolicy.builder().serverTimeout(120, TimeUnit.SECONDS).build();
    RealConnection c = h.connection(h.options().heartbeat(hb).build());
    h.connectAndOpen(c);
    h.time.sleep(10 * 60_000); // Heartbeat (55 s) and silence check (120 s) both fire late.
    int reports = 0;
    for (String e : h.events) if (e.startsWith("sleepDetected")) reports++;
    assertEquals(1, reports);
  }

  @Test public void timerLateByLessThanTheThresholdIsNotSleep() {
    RealConnection c = h.connection(h.options().build());
    h.connectAndOpen(c);
    h.time.advanceBy(50_000);
    h.time.sleep(EnvironmentPolicy.DEFAULT_SLEEP_DETECTION_MILLIS + 5_000); // 10 s late exactly.
    assertFalse(h.events.toString().contains("sleepDetected"));
  }

  @Test public void signalsBeforeConnectOrAfterCloseAreHarmless() {
    RealConnection c = h.connection(h.options().build());
    h.signals.screenOn();
    h.signals.foreground();
    h.time.runUntilIdle();
    assertEquals(Kind.IDLE, c.state().kind());
    h.connectAndOpen(c);
    c.close();
    h.time.runUntilIdle();
    h.signals.networkChanged();
    h.signals.networkAvailable();
    h.time.advanceBy(60_000);
    assertEquals(Kind.CLOSED, c.state().kind());
    assertEquals(1, h.transports.count());
  }

  @Test public void aConnectionStartedInTheBackgroundGetsItsGracePeriodToo() {
    h.signals.background(); // Before connect(): no BACKGROUND signal reaches the connection.
    h.time.runUntilIdle();
    RealConnection c = h.connection(h.options()
        .environment(EnvironmentPolicy.builder().deferInBackground(false).build()).build());
    FakeTransport t = h.connectAndOpen(c);
    assertEquals(Kind.CONNECTED, c.state().kind());
    h.time.advanceBy(EnvironmentPolicy.DEFAULT_BACKGROUND_GRACE_MILLIS - 1);
    assertEquals(Kind.CONNECTED, c.state().kind());
    h.time.advanceBy(1);
    assertEquals(1000, t.closeCode);
    assertEquals(PauseReason.BACKGROUND, c.state().pauseReason());
  }
}
