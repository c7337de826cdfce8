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
    assertEquals(3_520, c.toMillis);
    assertEquals("the path closes connections idle for about 4.4 s; heartbeat lowered from 5.0 s"
        + " to 3.5 s", c.why);
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
    assertEquals(3_520, a.current());
    assertEquals(2_640, a.cutAfterIdle(3_300).toMillis);
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
    assertEquals(3_000, c.toMillis);
    assertEquals(2 * AdaptiveInterval.FIRST_PROBE_AFTER, a.probeAfter());
    // No probe above 80 % of the 4 s cut: 3.2 s, reached after twice as many survived intervals.
    for (int i = 0; i < 2 * AdaptiveInterval.FIRST_PROBE_AFTER - 1; i++) assertNull(a.survived(3_000));
    assertEquals(3_200, a.survived(3_000).toMillis);
    for (int i = 0; i < 100; i++) assertNull(a.survived(3_200));
  }

  @Test public void encodesAndRestores() {
    AdaptiveInterval a = new AdaptiveInterval(5_000, 1_000, 60_000);
    a.cutAfterIdle(4_400);
    a.cutAfterIdle(4_400);
    String stored = a.encode();
    assertEquals("v1:3520:4400:5:-", stored);
    AdaptiveInterval b = new AdaptiveInterval(5_000, 1_000, 60_000);
    b.restore(stored);
    assertEquals(3_520, b.current());
    assertEquals(4_400, b.ceiling());
    assertEquals(stored, b.encode());
    AdaptiveInterval narrower = new AdaptiveInterval(5_000, 4_000, 60_000);
    narrower.restore(stored);
    assertEquals("clamped to the new min", 4_000, narrower.current());
  }

  @Test public void rejectsWhatItDidNotWrite() {
    for (String garbage : new String[] {"", "v2:1:2:3:4", "v1:1:2:3", "v1:x:-:5:-",
        "v1:-5:-:5:-", "v1:1000:-:999999:-", "v1:1000:-:5:-:extra"}) {
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
