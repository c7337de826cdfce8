package dev.lifeline.internal;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import dev.lifeline.ConnectionOptions;
import dev.lifeline.HeartbeatPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.Test;

/**
 * The adaptive heartbeat (docs/behaviour.md, "Adaptive heartbeat") against a server whose idle
 * check is coarse, as a Workerman heartbeat server's: it looks every CHECK, so its cuts land
 * anywhere in [L, L + CHECK] (or [L, L + 2 CHECK] when it compares whole seconds). For many seeds
 * (the check's phase, the backoff's jitter): at most 3 cuts in all, none later than 10 L after the
 * start, and the interval it settles on is below L, so the path never cuts again. First the
 * learning alone over many seeds, then the real engine (KeepAlive, HeartbeatTuning, the real
 * backoff) in virtual time over fewer. A failure names the seed; nothing is printed.
 */
public final class CoarseTimerServerTest {
  /** The issue's bar: cuts in all. */
  private static final int MAX_CUTS = 3;
  /** The issue's bar: the last cut within this many L of the start. */
  private static final long SETTLED_WITHIN_LIMITS = 10;

  /**
   * A server's idle check in the learning-alone simulation: ticks every {@code check} ms from
   * {@code phase}; at a tick it cuts a connection idle for at least {@code limit} ms, or, when it
   * compares {@code wholeSeconds}, one whose last traffic lies more than limit / 1000 whole
   * seconds back (PHP's {@code time() - $last > 3}).
   */
  private static final class CoarseCheck {
    /** L, ms: a connection idle for less is never cut. */
    final long limit;
    /** The check's period, ms. */
    final long check;
    /** When the first tick is, ms after 0. */
    final long phase;
    /** True: compares whole seconds, as PHP's time() does. */
    final boolean wholeSeconds;

    CoarseCheck(long limit, long check, long phase, boolean wholeSeconds) {
      this.limit = limit;
      this.check = check;
      this.phase = phase;
      this.wholeSeconds = wholeSeconds;
    }

    /** The first tick that cuts a connection whose last traffic was at {@code last}. */
    long cutAt(long last) {
      long due = wholeSeconds
          ? (Math.floorDiv(last, 1000) + limit / 1000 + 1) * 1000
          : last + limit;
      return phase + Math.floorDiv(due - phase + check - 1, check) * check;
    }
  }

  /**
   * One seed of the learning alone: the connection opens at 0; each beat goes out after the
   * interval in use unless the check cuts first; a cut is reported with its idle time and the next
   * connection opens a random 200 to 1,200 ms later (the reconnect and handshake; random so that
   * the next opening is not locked to the check's phase; the real backoff is the engine test's).
   * Runs for 100 L. Returns null, or what went wrong.
   */
  private static String simulate(long limit, long check, long start, boolean wholeSeconds,
      long seed) {
    return simulate(limit, check, start, wholeSeconds, SETTLED_WITHIN_LIMITS, seed);
  }

  /** As above, with the bar for the last cut at {@code settledWithinLimits} L. */
  private static String simulate(long limit, long check, long start, boolean wholeSeconds,
      long settledWithinLimits, long seed) {
    Random random = new Random(seed);
    CoarseCheck server = new CoarseCheck(limit, check, random.nextInt((int) check), wholeSeconds);
    AdaptiveInterval a = new AdaptiveInterval(start, 200, 300_000);
    List<String> cuts = new ArrayList<>();
    long lastCutAt = -1;
    long last = 0;
    while (last < 100 * limit) {
      long interval = a.current();
      long cut = server.cutAt(last);
      if (cut <= last + interval) { // A tick at the beat's own millisecond cuts first.
        a.cutAfterIdle(cut - last);
        cuts.add(String.format(Locale.ROOT, "%d ms idle at %d ms (interval %d ms)", cut - last,
            cut, interval));
        lastCutAt = cut;
        last = cut + 200 + random.nextInt(1_000);
      } else {
        a.survived(interval);
        last += interval;
      }
    }
    if (cuts.size() <= MAX_CUTS && lastCutAt <= settledWithinLimits * limit
        && a.current() < limit) {
      return null;
    }
    return String.format(Locale.ROOT, "seed %d, L %d ms, check %d ms%s, start %d ms: %d cuts %s,"
        + " last at %d ms (bar %d ms), final interval %d ms (%s)", seed, limit, check,
        wholeSeconds ? " (whole seconds)" : "", start, cuts.size(), cuts, lastCutAt,
        settledWithinLimits * limit, a.current(), a);
  }

  private static void simulateSeeds(long limit, long check, long start, boolean wholeSeconds) {
    for (long seed = 0; seed < 1_000; seed++) {
      String failure = simulate(limit, check, start, wholeSeconds, seed);
      if (failure != null) fail(failure);
    }
  }

  @Test public void theIssuesServerThreeSecondLimitCheckedEverySecondFromFiveSeconds() {
    simulateSeeds(3_000, 1_000, 5_000, false);
  }

  @Test public void cutsSpreadOverTheWholeModelRangeOfLToOnePointSixL() {
    simulateSeeds(3_000, 1_800, 5_000, false);
    simulateSeeds(10_000, 6_000, 30_000, false);
    simulateSeeds(1_000, 600, 1_600, false);
    simulateSeeds(55_000, 33_000, 120_000, false);
  }

  @Test public void aServerComparingWholeSecondsCutsUpToTwoChecksLate() {
    // time() - $last > 3 checked every 1 s: cuts anywhere in (3 s, 5 s).
    simulateSeeds(3_000, 1_000, 5_000, true);
    simulateSeeds(3_000, 1_000, 8_000, true);
    simulateSeeds(10_000, 1_000, 25_000, true);
  }

  @Test public void aServerCheckingEveryTenMillisecondsIsAFixedCutAndSettlesToo() {
    // Cuts within 10 ms of L: as a proxy cutting at a fixed idle time.
    for (long seed = 0; seed < 100; seed++) {
      String failure = simulate(3_000, 10, 5_000, false, seed);
      if (failure != null) fail(failure);
    }
  }

  /**
   * Climbing from below: probes of 1.5, 2.25 and 3.4 s; the one above L is cut, and that cut while
   * probing is enough (docs/behaviour.md, "Upward, careful"). The climb itself takes its time (5
   * survived intervals a step), so the bar for the last cut is 20 L here.
   */
  @Test public void climbingFromBelowIsCutOnlyByTheProbePastTheLimit() {
    for (long seed = 0; seed < 1_000; seed++) {
      for (String failure : new String[] {
          simulate(3_000, 1_000, 1_000, false, 20, seed),
          simulate(3_000, 1_800, 1_000, false, 20, seed),
          simulate(3_000, 1_000, 1_000, true, 20, seed)}) {
        if (failure != null) fail(failure);
      }
    }
  }

  /**
   * The same server against the real engine in virtual time: a connection with an adaptive
   * heartbeat (5 s start, min 1 s), its KeepAlive and HeartbeatTuning, the default reconnect
   * policy with its jitter, over an {@link IdleCuttingPath#coarseCheck} whose tick phase the seed
   * draws. 200 seeds of 30 L each.
   */
  @Test public void theRealEngineSettlesTheSameWay() {
    for (long seed = 0; seed < 200; seed++) {
      Harness h = new Harness(new Random(seed));
      RealConnection c = h.connection(ConnectionOptions.builder("ws://chat.example.com:8080/s")
          .heartbeat(HeartbeatPolicy.builder().interval(5_000, MILLISECONDS)
              .adaptive(1_000, 60_000, MILLISECONDS).build())
          .build());
      IdleCuttingPath path = IdleCuttingPath.coarseCheck(h, 3_000, 1_000, seed);
      c.connect();
      path.run(90_000);
      StringBuilder cuts = new StringBuilder();
      for (long[] cut : path.cuts) cuts.append(" ").append(cut[1]).append(" ms idle at ")
          .append(cut[0]).append(" ms;");
      String report = "seed " + seed + ": " + path.cuts.size() + " cuts:" + cuts
          + " final interval " + c.heartbeatIntervalMillis() + " ms";
      assertTrue(report, path.cuts.size() <= MAX_CUTS);
      assertTrue(report, path.lastCutAt() <= SETTLED_WITHIN_LIMITS * 3_000);
      assertTrue(report, c.heartbeatIntervalMillis() < 3_000);
      assertTrue(report, path.open() != null);
      c.close();
      h.time.runUntilIdle();
    }
  }
}
