package dev.lifeline.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import org.junit.Test;

/** The adaptive heartbeat's learning alone, without timers (docs/behaviour.md, "Adaptive heartbeat"). */
public final class AdaptiveIntervalTest {
  @Test public void oneIdleCutProvesNothingTheSameCutAgainLowersAtOnce() {
    AdaptiveInterval a = new AdaptiveInterval(5_000, 1_000, 60_000);
    assertNull(a.cutAfterIdle(4_400));
    assertEquals(5_000, a.current());
    AdaptiveInterval.Change c = a.cutAfterIdle(4_500);
    assertEquals("below the longest cut / SPREAD: 4.5 s / 1.8", 2_500, c.toMillis);
    assertEquals("the path closes connections idle for about 4.4 s to 4.5 s; heartbeat lowered"
        + " from 5.0 s to 2.5 s", c.why);
  }

  @Test public void aCutAtAFixedIdleTimeIsNamedOnce() {
    AdaptiveInterval a = new AdaptiveInterval(5_000, 1_000, 60_000);
    a.cutAfterIdle(4_400);
    AdaptiveInterval.Change c = a.cutAfterIdle(4_400);
    assertEquals(2_444, c.toMillis);
    assertEquals("the path closes connections idle for about 4.4 s; heartbeat lowered from 5.0 s"
        + " to 2.4 s", c.why);
  }

  @Test public void cutsFitOneLimitUpToTheSpreadApart() {
    // 3.0 and 5.4 s: 1.8 times apart, as a whole-second check every 1 s cuts a 3 s limit.
    AdaptiveInterval a = new AdaptiveInterval(6_000, 1_000, 60_000);
    assertNull(a.cutAfterIdle(3_000));
    AdaptiveInterval.Change c = a.cutAfterIdle(5_400);
    assertEquals("0.8 x 3.0 s, below 5.4 s / 1.8", 2_400, c.toMillis);
    assertEquals(3_000, a.ceiling());
    assertEquals(5_400, a.longestCut());

    AdaptiveInterval b = new AdaptiveInterval(6_000, 1_000, 60_000);
    assertNull(b.cutAfterIdle(3_000));
    assertNull("5.401 s is more than 1.8 times 3 s: another cause", b.cutAfterIdle(5_401));
    assertEquals(6_000, b.current());
  }

  @Test public void cutsThatDisagreeTeachNothing() {
    AdaptiveInterval a = new AdaptiveInterval(5_000, 1_000, 60_000);
    assertNull(a.cutAfterIdle(4_400));
    assertNull(a.cutAfterIdle(2_000)); // 55 % apart: two different causes.
    assertEquals(5_000, a.current());
  }

  @Test public void afterALearnedLimitOneCutAtOrBelowItLowersAgain() {
    AdaptiveInterval a = new AdaptiveInterval(5_000, 1_000, 60_000);
    a.cutAfterIdle(4_400);
    a.cutAfterIdle(4_400);
    assertEquals(2_444, a.current());
    assertEquals("0.8 x 3.0 s", 2_400, a.cutAfterIdle(3_000).toMillis);
    assertNull("3.3 s: still 0.8 x 3.0 s, already in use", a.cutAfterIdle(3_300));
    assertEquals(2_400, a.current());
  }

  @Test public void neverBelowMin() {
    AdaptiveInterval a = new AdaptiveInterval(5_000, 2_000, 60_000);
    a.cutAfterIdle(1_000);
    AdaptiveInterval.Change c = a.cutAfterIdle(1_000);
    assertEquals(2_000, c.toMillis);
    assertTrue(c.why, c.why.contains("the adaptive min"));
  }

  @Test public void climbsAfterEnoughSurvivedIntervalsAndNeverPastNinetyPercentOfMax() {
    AdaptiveInterval a = new AdaptiveInterval(1_000, 500, 2_000);
    for (int i = 0; i < AdaptiveInterval.FIRST_PROBE_AFTER - 1; i++) assertNull(a.survived(1_000));
    assertEquals(1_500, a.survived(1_000).toMillis);
    assertTrue(a.probing());
    for (int i = 0; i < AdaptiveInterval.FIRST_PROBE_AFTER - 1; i++) assertNull(a.survived(1_500));
    assertEquals(1_800, a.survived(1_500).toMillis); // 90 % of max 2 s.
    for (int i = 0; i < 50; i++) assertNull(a.survived(1_800));
    assertEquals(1_800, a.current());
  }

  @Test public void shortGapsAreNotSurvivedIntervals() {
    AdaptiveInterval a = new AdaptiveInterval(1_000, 500, 60_000);
    for (int i = 0; i < 100; i++) assertNull(a.survived(899));
    assertEquals(1_000, a.current());
  }

  @Test public void aCutWhileProbingFallsBackAndProbesHalfAsOften() {
    AdaptiveInterval a = new AdaptiveInterval(3_000, 500, 60_000);
    for (int i = 0; i < AdaptiveInterval.FIRST_PROBE_AFTER; i++) a.survived(3_000);
    assertEquals(4_500, a.current());
    AdaptiveInterval.Change c = a.cutAfterIdle(4_000); // One cut is enough while probing.
    // Below the 4 s cut / 1.8 (the probe may have met a periodic check's late cut), so below the
    // 3 s that survived too.
    assertEquals(2_222, c.toMillis);
    assertEquals(2 * AdaptiveInterval.FIRST_PROBE_AFTER, a.probeAfter());
    for (int i = 0; i < 100; i++) assertNull(a.survived(2_222));
    assertEquals(2_222, a.current());
  }

  @Test public void encodesAndRestores() {
    AdaptiveInterval a = new AdaptiveInterval(5_000, 1_000, 60_000);
    a.cutAfterIdle(3_300);
    a.cutAfterIdle(4_900);
    String stored = a.encode();
    assertEquals("v2:2640:3300:4900:5:-", stored);
    AdaptiveInterval b = new AdaptiveInterval(5_000, 1_000, 60_000);
    b.restore(stored);
    assertEquals(2_640, b.current());
    assertEquals(3_300, b.ceiling());
    assertEquals(4_900, b.longestCut());
    assertEquals(stored, b.encode());
    AdaptiveInterval narrower = new AdaptiveInterval(5_000, 4_000, 60_000);
    narrower.restore(stored);
    assertEquals("clamped to the new min", 4_000, narrower.current());

    AdaptiveInterval lone = new AdaptiveInterval(5_000, 1_000, 60_000);
    lone.cutAfterIdle(4_400);
    assertEquals("v2:5000:-:-:5:4400", lone.encode());
    AdaptiveInterval c = new AdaptiveInterval(5_000, 1_000, 60_000);
    c.restore(lone.encode());
    assertEquals("the lone cut is kept: the next one confirms it", 2_444,
        c.cutAfterIdle(4_400).toMillis);
  }

  @Test public void readsTheOldFormAndLowersWhatTheOldRuleLearned() {
    AdaptiveInterval a = new AdaptiveInterval(5_000, 1_000, 60_000);
    a.restore("v1:3520:4400:5:-"); // 80 % of a 4.4 s cut: above the limit of a coarse check.
    assertEquals("4.4 s / 1.8", 2_444, a.current());
    assertEquals(4_400, a.ceiling());
    assertEquals(4_400, a.longestCut());
    assertEquals("v2:2444:4400:4400:5:-", a.encode());

    AdaptiveInterval nothingLearned = new AdaptiveInterval(5_000, 1_000, 60_000);
    nothingLearned.restore("v1:7000:-:10:4400");
    assertEquals(7_000, nothingLearned.current());
    assertEquals("v2:7000:-:-:10:4400", nothingLearned.encode());
  }

  @Test public void rejectsWhatItDidNotWrite() {
    for (String garbage : new String[] {"", "v3:1:2:3:4:5", "v2:1:2:3:4", "v1:1:2:3",
        "v1:x:-:5:-", "v1:-5:-:5:-", "v1:1000:-:999999:-", "v1:1000:-:5:-:extra",
        "v2:1000:-:5:5:-", "v2:1000:4000:-:5:-", "v2:1000:5000:4000:5:-", "v2:1000:0:4000:5:-",
        "v2:1000:4000:4000:5:-:extra", "v2:1000:4000:99999999999999999999:5:-",
        "v2:1000:-:-:1:-", "v1:1000:-:4:-"}) {
      AdaptiveInterval a = new AdaptiveInterval(5_000, 1_000, 60_000);
      try {
        a.restore(garbage);
        fail("accepted " + garbage);
      } catch (IllegalArgumentException expected) {
        assertEquals(5_000, a.current());
        assertFalse(a.learned());
      }
    }
  }
}
