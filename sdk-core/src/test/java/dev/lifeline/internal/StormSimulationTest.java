package dev.lifeline.internal;

import static org.junit.Assert.assertTrue;

import dev.lifeline.ReconnectPolicy;
import dev.lifeline.ReconnectPolicy.Jitter;
import org.junit.Test;

/**
 * The default reconnect policy against a storm (docs/behaviour.md, "Reconnection"), in virtual
 * time through the real {@link Reconnection}: 10,000 clients dropped at once, the server back
 * after 2.25 s. The fleet must come back evenly (busiest 100 ms ≤ 2× the mean rate between the
 * first and the 99 % arrival) and soon (99 % back ≤ 5 s after the server), while a lone client
 * whose connection blipped tries again in about a second.
 */
public final class StormSimulationTest {
  private static final int CLIENTS = 10_000;
  private static final long SERVER_BACK_MILLIS = 2_250;
  /** A refused connect on a LAN. */
  private static final long ATTEMPT_MILLIS = 1;

  @Test public void theDefaultBringsAFleetDroppedAtOnceBackEvenlyAndSoon() {
    for (long seed = 1; seed <= 3; seed++) {
      StormSimulation.Result r = StormSimulation.storm(ReconnectPolicy.defaults(), CLIENTS,
          SERVER_BACK_MILLIS, ATTEMPT_MILLIS, seed);
      assertTrue(r.toString(), r.busiestToMean() <= 2.0);
      assertTrue(r.toString(), r.p99AfterServerBackMillis() <= 5_000);
      assertTrue(r.toString(), r.firstMillis >= SERVER_BACK_MILLIS);
    }
  }

  @Test public void theDefaultStaysEvenWhateverTheOutageLasts() {
    for (long down : new long[] {1_500, 5_000, 17_000, 45_000, 200_000}) {
      // 100,000 clients: a long outage spreads them over tens of seconds, and with fewer the
      // chance bunching of a few per 100 ms window would hide the shape.
      StormSimulation.Result r = StormSimulation.storm(ReconnectPolicy.defaults(), 100_000,
          down, ATTEMPT_MILLIS, down);
      assertTrue(down + " ms down: " + r, r.busiestToMean() <= 2.0);
      // Backing off costs at most one outage's length, and never more than the cap.
      assertTrue(down + " ms down: " + r,
          r.p99AfterServerBackMillis() <= Math.min(down, ReconnectPolicy.DEFAULT_MAX_DELAY_MILLIS));
    }
  }

  @Test public void theOldDefaultEqualJitterBunchesTheSameFleet() {
    // The yardstick: what the bar rules out. Equal jitter's attempts move in waves.
    StormSimulation.Result r = StormSimulation.storm(
        ReconnectPolicy.builder().jitter(Jitter.EQUAL).build(), CLIENTS, SERVER_BACK_MILLIS,
        ATTEMPT_MILLIS, 1);
    assertTrue(r.toString(), r.busiestToMean() > 3.0);
  }

  @Test public void aLoneBlipTriesAgainInAboutASecondNeverAtOnce() {
    long[] delays = StormSimulation.blips(ReconnectPolicy.defaults(), CLIENTS, 1);
    assertTrue("earliest " + delays[0] + " ms", delays[0] >= 700);
    assertTrue("latest " + delays[delays.length - 1] + " ms",
        delays[delays.length - 1] <= 1_415);
    long median = delays[delays.length / 2];
    assertTrue("median " + median + " ms", median >= 950 && median <= 1_050);
  }

  @Test public void busiestWindowCountsArrivalsWithinHalfOpenWindows() {
    long[] arrivals = {0, 50, 99, 100, 150, 300};
    assertTrue(StormSimulation.busiestWindow(arrivals, 100) == 3); // 0, 50, 99 (or 50, 99, 100…)
    assertTrue(StormSimulation.busiestWindow(new long[] {5, 5, 5}, 100) == 3);
  }
}
