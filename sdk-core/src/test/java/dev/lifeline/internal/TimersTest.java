package dev.lifeline.internal;

import static java.util.Arrays.asList;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.Test;

/**
 * {@link Timers}: a named timer fires once, on the lane, at its due time; arming again replaces
 * it; and a cancel or re-arm is final even when the scheduler has already handed the firing to the
 * lane (simulated with a lane whose executor the test drains by hand).
 */
public final class TimersTest {
  private final VirtualLane v = new VirtualLane();
  private final List<String> fired = new ArrayList<>();

  @Test public void aTimerFiresOnceOnTheLaneAtItsDueTime() {
    Timers.Timer t = v.timers.timer("heartbeat", () -> fired.add("on " + v.lane.runningCall()));
    long start = v.time.elapsedMillis();
    t.arm(1_000);
    assertTrue(t.isArmed());
    assertEquals(start + 1_000, t.dueAtMillis());
    assertEquals(asList("test connection heartbeat"), v.time.pendingTaskNames());
    v.time.advanceBy(999);
    assertEquals(Collections.emptyList(), fired);
    v.time.advanceBy(1);
    assertEquals(asList("on engine"), fired);
    assertFalse(t.isArmed());
    v.time.advanceBy(10_000);
    assertEquals(1, fired.size());
  }

  @Test public void aDelayPastTheClocksRangeIsDueAtTheEndOfTimeNotInThePast() {
    Timers.Timer t = v.timers.timer("heartbeat", () -> fired.add("heartbeat"));
    v.time.advanceBy(1_000);
    t.arm(Long.MAX_VALUE);
    assertEquals(Long.MAX_VALUE, t.dueAtMillis());
    v.time.advanceBy(3_600_000);
    assertEquals(Collections.emptyList(), fired);
    assertTrue(t.isArmed());
  }

  @Test public void armingAgainReplacesThePendingFiring() {
    Timers.Timer t = v.timers.timer("silence check", () -> fired.add("silence check"));
    t.arm(1_000);
    v.time.advanceBy(500);
    t.arm(1_000);
    assertEquals(asList("silence check"), v.pendingTimers());
    v.time.advanceBy(999);
    assertEquals(Collections.emptyList(), fired);
    v.time.advanceBy(1);
    assertEquals(asList("silence check"), fired);
  }

  @Test public void cancelIsFinalEvenWhenTheFiringIsAlreadyOnItsWayToTheLane() {
    ManualExecutor laneThread = new ManualExecutor();
    Timers timers = timersOnLaneOver(laneThread);
    Timers.Timer t = timers.timer("reconnect", () -> fired.add("reconnect"));
    t.arm(1_000);
    v.time.advanceBy(1_000);
    assertEquals(1, laneThread.waiting()); // The scheduler handed the firing to the lane.
    t.cancel();
    laneThread.runAll();
    assertEquals(Collections.emptyList(), fired);
    assertFalse(t.isArmed());
  }

  @Test public void reArmingAfterTheFiringWasHandedToTheLaneDropsTheOldFiring() {
    ManualExecutor laneThread = new ManualExecutor();
    Timers timers = timersOnLaneOver(laneThread);
    Timers.Timer t = timers.timer("probe", () -> fired.add("probe"));
    t.arm(1_000);
    v.time.advanceBy(1_000);
    t.arm(500);
    laneThread.runAll();
    assertEquals(Collections.emptyList(), fired);
    assertTrue(t.isArmed());
    v.time.advanceBy(499);
    laneThread.runAll();
    assertEquals(Collections.emptyList(), fired);
    v.time.advanceBy(1);
    laneThread.runAll();
    assertEquals(asList("probe"), fired);
  }

  @Test public void armedNamesTheArmedTimersInTheOrderTheyWereMade() {
    Timers.Timer a = v.timers.timer("reconnect", () -> fired.add("reconnect"));
    v.timers.timer("attempt deadline", () -> fired.add("attempt deadline"));
    Timers.Timer c = v.timers.timer("stable period", () -> fired.add("stable period"));
    c.arm(2_000);
    a.arm(1_000);
    assertEquals(asList("reconnect", "stable period"), v.timers.armed());
    v.time.advanceBy(1_000);
    assertEquals(asList("stable period"), v.timers.armed());
  }

  @Test public void cancelAllCancelsEveryTimer() {
    List<Timers.Timer> all = new ArrayList<>();
    for (String name : new String[] {"heartbeat", "silence check", "outbox expiry"}) {
      all.add(v.timers.timer(name, () -> fired.add(name)));
    }
    for (Timers.Timer t : all) t.arm(1_000);
    v.timers.cancelAll();
    assertEquals(Collections.emptyList(), v.timers.armed());
    assertEquals(Collections.emptyList(), v.pendingTimers());
    v.time.advanceBy(10_000);
    assertEquals(Collections.emptyList(), fired);
  }

  /** Timers on {@link #v}'s scheduler and clock whose firings wait in {@code laneThread}. */
  private Timers timersOnLaneOver(ManualExecutor laneThread) {
    SerialLane lane = new SerialLane(VirtualLane.OWNER, "engine", laneThread, v.time, null,
        (l, lost, e) -> { });
    return new Timers(VirtualLane.OWNER, v.time, lane, v.time);
  }
}
