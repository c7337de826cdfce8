package dev.lifeline.internal;

import dev.lifeline.Cancellable;
import dev.lifeline.Clock;
import dev.lifeline.Scheduler;
import java.util.PriorityQueue;

/**
 * A {@link Clock} and serial {@link Scheduler} in virtual time, like OkHttp's TaskFaker: nothing
 * runs until the test advances time, and then tasks run on the test thread in due order (ties in
 * submission order). Sleep is simulated with {@link #sleep}: time jumps without running tasks,
 * so timers then fire late, as they do after an Android device's deep sleep.
 */
public final class VirtualTime implements Clock, Scheduler {
  private static final class Task implements Comparable<Task>, Cancellable {
    final long dueAt;
    final long seq;
    final Runnable runnable;
    /** True for {@link #schedule}d tasks (timers: scheduler wake-ups), false for hops. */
    final boolean timer;
    boolean cancelled;

    Task(long dueAt, long seq, Runnable runnable, boolean timer) {
      this.dueAt = dueAt;
      this.seq = seq;
      this.runnable = runnable;
      this.timer = timer;
    }

    @Override public int compareTo(Task o) {
      return dueAt != o.dueAt ? Long.compare(dueAt, o.dueAt) : Long.compare(seq, o.seq);
    }

    @Override public void cancel() {
      cancelled = true;
    }
  }

  private final PriorityQueue<Task> queue = new PriorityQueue<>();
  /**
   * The timer tasks that ran, as "moment name" ({@code toString()} of the task: a connection's
   * timer names its connection and itself); for counting scheduler wake-ups.
   */
  public final java.util.List<String> timersRun =
      java.util.Collections.synchronizedList(new java.util.ArrayList<>());
  private long now;
  private long seq;

  public VirtualTime() {
    this(1_000_000L); // An arbitrary non-zero origin, so code never relies on time starting at 0.
  }

  public VirtualTime(long startMillis) {
    this.now = startMillis;
  }

  @Override public synchronized long elapsedMillis() {
    return now;
  }

  @Override public synchronized void execute(Runnable task) {
    queue.add(new Task(now, seq++, task, false));
  }

  @Override public synchronized Cancellable schedule(Runnable task, long delayMillis) {
    if (delayMillis < 0) throw new IllegalArgumentException("negative delay " + delayMillis);
    // As ScheduledThreadPoolExecutor does: a delay past the clock's range is the end of time.
    Task t = new Task(delayMillis > Long.MAX_VALUE - now ? Long.MAX_VALUE : now + delayMillis,
        seq++, task, true);
    queue.add(t);
    return t;
  }

  /** Runs every task due now, including those they schedule for now. */
  public void runUntilIdle() {
    advanceBy(0);
  }

  /** Moves time forward by {@code millis}, running each task at its due time. */
  public void advanceBy(long millis) {
    long target;
    synchronized (this) {
      target = now + millis;
    }
    while (true) {
      Task next;
      synchronized (this) {
        next = queue.peek();
        if (next == null || next.dueAt > target) {
          now = target;
          return;
        }
        queue.poll();
        if (next.cancelled) continue;
        now = Math.max(now, next.dueAt);
        if (next.timer) timersRun.add(now + " " + next.runnable);
      }
      next.runnable.run();
    }
  }

  /** Moves time forward to {@code atMillis}. */
  public void advanceTo(long atMillis) {
    advanceBy(atMillis - elapsedMillis());
  }

  /**
   * Simulates deep sleep: the clock jumps {@code millis} but no timer runs during the jump;
   * timers that were due in between then run late, at the new time.
   */
  public void sleep(long millis) {
    synchronized (this) {
      now += millis;
    }
    runUntilIdle();
  }

  /** What the waiting tasks are (their {@code toString()}), cancelled ones excluded. */
  public synchronized java.util.List<String> pendingTaskNames() {
    java.util.List<Task> waiting = new java.util.ArrayList<>();
    for (Task t : queue) if (!t.cancelled) waiting.add(t);
    java.util.Collections.sort(waiting);
    java.util.List<String> names = new java.util.ArrayList<>();
    for (Task t : waiting) names.add(t.runnable.toString());
    return names;
  }

  /** Tasks waiting, cancelled ones excluded. */
  public synchronized int pendingTasks() {
    int n = 0;
    for (Task t : queue) if (!t.cancelled) n++;
    return n;
  }
}
