package dev.lifeline.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.lifeline.ReconnectPolicy;
import dev.lifeline.ReconnectPolicy.Jitter;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.Test;

/**
 * Backoff (docs/behaviour.md, "Reconnection"): delays stay within each jitter strategy's bounds
 * over many draws, at the cap too.
 */
public final class BackoffTest {
  private static final int DRAWS = 20_000;

  private static Backoff backoff(Jitter jitter) {
    return new Backoff(ReconnectPolicy.builder().jitter(jitter).build(), new Random(7));
  }

  @Test public void exponentialGrowsByTheFactorUpToTheCap() {
    Backoff b = backoff(Jitter.NONE);
    long[] expected = {1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000};
    for (int i = 0; i < expected.length; i++) {
      assertEquals(expected[i], b.exponentialMillis(i + 1));
      assertEquals(expected[i], b.delayMillis(i + 1));
    }
    assertEquals(60_000, b.exponentialMillis(10_000)); // No overflow far past the cap.
  }

  @Test public void equalJitterIsWithinHalfToFullAndNeverImmediate() {
    Backoff b = backoff(Jitter.EQUAL);
    for (int attempt = 1; attempt <= 12; attempt++) {
      long d = b.exponentialMillis(attempt);
      long min = Long.MAX_VALUE;
      long max = Long.MIN_VALUE;
      for (int i = 0; i < DRAWS; i++) {
        long x = b.delayMillis(attempt);
        min = Math.min(min, x);
        max = Math.max(max, x);
      }
      assertTrue("attempt " + attempt + " min " + min, min >= d / 2);
      assertTrue("attempt " + attempt + " max " + max, max <= d);
      // The draws really spread over the range (within 2% of both ends).
      assertTrue(min <= d / 2 + d / 50);
      assertTrue(max >= d - d / 50);
    }
  }

  @Test public void fullJitterSpansZeroToDelay() {
    Backoff b = backoff(Jitter.FULL);
    long min = Long.MAX_VALUE;
    long max = 0;
    for (int i = 0; i < DRAWS; i++) {
      long x = b.delayMillis(3);
      min = Math.min(min, x);
      max = Math.max(max, x);
    }
    assertTrue(min >= 0 && min < 100);
    assertTrue(max <= 4_000 && max > 3_900);
  }

  @Test public void jitterAppliesAtTheCap() {
    for (Jitter j : new Jitter[] {Jitter.FULL, Jitter.EQUAL, Jitter.DECORRELATED}) {
      Backoff b = backoff(j);
      Set<Long> distinct = new HashSet<>();
      for (int i = 0; i < 1000; i++) {
        long x = b.delayMillis(50);
        assertTrue(j + " " + x, x <= 60_000);
        distinct.add(x);
      }
      assertTrue(j + " gave only " + distinct.size() + " distinct delays at the cap", distinct.size() > 500);
    }
  }

  @Test public void pacedFirstWaitSpansBaseOverRootTwoToBaseTimesRootTwoAndIsKeptForTheStreak() {
    Backoff b = backoff(Jitter.PACED);
    long min = Long.MAX_VALUE;
    long max = 0;
    int belowOneSecond = 0;
    for (int i = 0; i < DRAWS; i++) {
      long first = b.delayMillis(1);
      min = Math.min(min, first);
      max = Math.max(max, first);
      if (first < 1_000) belowOneSecond++;
      // With factor 2 the second wait is the streak's own first wait again, not a new draw.
      assertEquals(first, b.delayMillis(2));
    }
    assertTrue("min " + min, min >= 707 && min < 720);
    assertTrue("max " + max, max <= 1_414 && max > 1_400);
    // Log-uniform: half the draws below the geometric middle, 1 s.
    assertEquals(0.5, belowOneSecond / (double) DRAWS, 0.02);
  }

  @Test public void pacedJitterAppliesAtTheCap() {
    Backoff b = backoff(Jitter.PACED);
    Set<Long> distinct = new HashSet<>();
    for (int i = 0; i < 1000; i++) {
      long x = b.delayMillis(20);
      assertTrue(String.valueOf(x), x >= 30_000 && x <= 60_000);
      distinct.add(x);
    }
    assertTrue(distinct.size() > 500);
  }

  @Test public void decorrelatedStaysBetweenBaseAndThreeTimesPreviousCapped() {
    Backoff b = backoff(Jitter.DECORRELATED);
    long previous = 1_000;
    for (int i = 0; i < DRAWS; i++) {
      long x = b.delayMillis(i + 1);
      assertTrue(x >= 1_000);
      assertTrue(x <= Math.min(60_000, previous * 3));
      previous = x;
    }
    b.reset();
    assertTrue(b.delayMillis(1) <= 3_000);
  }

  @Test public void uniformIsInclusiveAndHandlesEmptyRanges() {
    Backoff b = backoff(Jitter.EQUAL);
    boolean sawLo = false;
    boolean sawHi = false;
    for (int i = 0; i < 1000; i++) {
      long x = b.uniform(5, 7);
      assertTrue(x >= 5 && x <= 7);
      sawLo |= x == 5;
      sawHi |= x == 7;
    }
    assertTrue(sawLo && sawHi);
    assertEquals(4, b.uniform(4, 4));
  }
}
