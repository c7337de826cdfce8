package dev.lifeline.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.lifeline.internal.BeatWindows.Turn;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.junit.Test;

/**
 * One connection's windows in the client's wake-ups, alone, in virtual time: rides reach the
 * owner on the lane only for the window still current, none after a close, and the slack stays
 * below the interval whatever the fraction and the interval.
 */
public final class BeatWindowsTest {
  private final VirtualLane v = new VirtualLane();
  private final WakeUps wakeUps = new WakeUps();
  /** What the owner was told: "beat@t" and "ping@t". */
  private final List<String> rides = new ArrayList<>();
  private final BeatWindows.Owner owner = new BeatWindows.Owner() {
    @Override public void rideBeat(long atMillis) {
      rides.add("beat@" + atMillis);
    }

    @Override public void ridePing(long atMillis) {
      rides.add("ping@" + atMillis);
    }
  };

  private BeatWindows windows(double slack) {
    return new BeatWindows(wakeUps, slack, v.timers, owner);
  }

  @Test public void aWakeUpInsideTheWindowRidesOnceOnTheLaneAndItsEdgesAreExact() {
    BeatWindows w = windows(0.5);
    w.open(Turn.BEAT, 10_000, 4_000); // [8000, 10000]
    wakeUps.awake(7_999, null);
    wakeUps.awake(10_001, null);
    v.time.runUntilIdle();
    assertEquals(Collections.emptyList(), rides);
    wakeUps.awake(8_000, null);
    assertEquals("told on the waking lane, taken on the connection's", 0, rides.size());
    v.time.runUntilIdle();
    assertEquals(Collections.singletonList("beat@8000"), rides);
    assertEquals(0, wakeUps.openWindows());
    wakeUps.awake(9_000, null); // Told once: closed until opened again.
    v.time.runUntilIdle();
    assertEquals(1, rides.size());

    w.open(Turn.BEAT, 20_000, 4_000);
    wakeUps.awake(20_000, null);
    v.time.runUntilIdle();
    assertEquals(Arrays.asList("beat@8000", "beat@20000"), rides);
  }

  @Test public void aRideToldForAWindowSinceMovedOrClosedIsDropped() {
    BeatWindows w = windows(0.5);
    w.open(Turn.BEAT, 10_000, 4_000);
    wakeUps.awake(9_000, null); // Queued on the lane...
    w.open(Turn.BEAT, 30_000, 4_000); // ...behind a re-arm: the ride is for the old window.
    v.time.runUntilIdle();
    assertEquals(Collections.emptyList(), rides);
    assertEquals(1, wakeUps.openWindows());

    wakeUps.awake(29_000, null);
    w.closeAll(); // A stop queued ahead of the ride.
    v.time.runUntilIdle();
    assertEquals(Collections.emptyList(), rides);
    assertEquals(0, wakeUps.openWindows());

    w.open(Turn.BEAT, 50_000, 4_000); // A restart: only the new window's rides count.
    wakeUps.awake(49_000, null);
    v.time.runUntilIdle();
    assertEquals(Collections.singletonList("beat@49000"), rides);
  }

  @Test public void aFiringTellsTheOtherTurnsButNotItsOwn() {
    BeatWindows w = windows(0.5);
    long now = v.time.elapsedMillis(); // Firings tell the lane's clock's moment.
    w.open(Turn.BEAT, now + 1_000, 4_000);
    w.open(Turn.PING, now + 1_000, 4_000);
    List<String> ran = new ArrayList<>();
    w.wakingOthers(() -> ran.add("beat timer"), Turn.BEAT).run();
    v.time.runUntilIdle();
    assertEquals(Collections.singletonList("beat timer"), ran);
    assertEquals(Collections.singletonList("ping@" + now), rides);
    assertEquals("the beat's own window stays open", 1, wakeUps.openWindows());

    w.wakingOthers(() -> ran.add("silence check"), null).run();
    v.time.runUntilIdle();
    assertEquals(Arrays.asList("ping@" + now, "beat@" + now), rides);
    assertEquals(0, wakeUps.openWindows());
  }

  @Test public void withoutSlackOrWithoutARegistryNoWindowOpens() {
    BeatWindows none = windows(0);
    none.open(Turn.BEAT, 10_000, 4_000);
    none.open(Turn.PING, 10_000, 4_000);
    assertEquals(0, wakeUps.openWindows());
    assertEquals(0, none.slackOf(4_000));

    BeatWindows alone = new BeatWindows(null, 0.5, v.timers, owner);
    alone.open(Turn.BEAT, 10_000, 4_000);
    alone.close(Turn.PING);
    alone.closeAll();
    assertEquals(0, alone.slackOf(4_000));
    List<String> ran = new ArrayList<>();
    alone.wakingOthers(() -> ran.add("fired"), null).run();
    assertEquals(Collections.singletonList("fired"), ran);
  }

  @Test public void theSlackStaysBelowTheIntervalWhateverTheFraction() {
    BeatWindows w = windows(0.999);
    // A 1 ms beat has no slack: its window is its due moment alone, never the moment it was armed.
    assertEquals(0, w.slackOf(1));
    assertEquals(998, w.slackOf(1_000 - 1));
    w.open(Turn.BEAT, 5, 1);
    wakeUps.awake(4, null);
    v.time.runUntilIdle();
    assertEquals(Collections.emptyList(), rides);
    wakeUps.awake(5, null);
    v.time.runUntilIdle();
    assertEquals(Collections.singletonList("beat@5"), rides);

    BeatWindows nearOne = windows(Math.nextDown(1.0));
    long[] intervals = {1, 2, 3, 1_000, 25_000, 55_000, 86_400_000, 1L << 40, (1L << 53) - 1,
        Long.MAX_VALUE / 2, Long.MAX_VALUE};
    for (long interval : intervals) {
      long slack = nearOne.slackOf(interval);
      assertTrue(interval + " ms: slack " + slack, slack >= 0 && slack < interval);
    }
  }
}
