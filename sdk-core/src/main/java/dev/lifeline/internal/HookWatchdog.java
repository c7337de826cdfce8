package dev.lifeline.internal;

import dev.lifeline.Cancellable;
import dev.lifeline.Clock;
import dev.lifeline.Scheduler;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reports app code that does not return: a call running in a {@link SerialLane} for the threshold
 * or longer is reported once, and again when it finally returns. Only the lane of the stuck call
 * waits for it (its connection's later calls of the same kind); the report is how the app learns
 * why.
 *
 * <p>Runs on the client's clock and scheduler, so tests drive it in virtual time, and is armed
 * only while some lane is busy: when the last busy lane goes idle, the check is cancelled, so an
 * idle connection whose heartbeat event ran for a moment is not woken again by the watchdog. Each
 * check is timed for the moment the oldest running call reaches the threshold, so a call is
 * reported exactly then.
 */
final class HookWatchdog {
  /** Receives the reports; implementations must not block (they post to app code elsewhere). */
  interface Reporter {
    void stuck(SerialLane lane, String call, long runningMillis);

    void returned(SerialLane lane, String call, long ranMillis);
  }

  /** Measures how long calls run. */
  private final Clock clock;
  /** Runs the checks. */
  private final Scheduler scheduler;
  /** A call running this long is stuck. */
  final long thresholdMillis;
  /** Where reports go. */
  private final Reporter reporter;
  /** Lanes that may be running app code; lanes found idle are dropped by the check. */
  private final Set<SerialLane> busy =
      Collections.newSetFromMap(new ConcurrentHashMap<SerialLane, Boolean>());
  /** The scheduled check, or null. Guarded by {@link #armLock}. */
  private Cancellable pending;
  /** Numbers each scheduled check, so a cancelled one that runs anyway does nothing. */
  private long generation;
  private final Object armLock = new Object();

  HookWatchdog(Clock clock, Scheduler scheduler, long thresholdMillis, Reporter reporter) {
    this.clock = clock;
    this.scheduler = scheduler;
    this.thresholdMillis = thresholdMillis;
    this.reporter = reporter;
  }

  /** {@code lane} has work: watch it until it is idle again. */
  void busy(SerialLane lane) {
    busy.add(lane);
    synchronized (armLock) {
      if (pending == null) arm(thresholdMillis);
    }
  }

  /**
   * {@code lane} ran out of work. When no lane is busy any more the check is cancelled: nothing
   * can be stuck, and an idle client should have no timer.
   */
  void idle(SerialLane lane) {
    if (lane.isBusy()) return;
    busy.remove(lane);
    if (lane.isBusy()) busy.add(lane); // Busy again meanwhile: its busy() may have run first.
    synchronized (armLock) {
      if (busy.isEmpty() && pending != null) {
        pending.cancel();
        pending = null;
        generation++;
      }
    }
  }

  /** {@code lane} finished a call that was reported stuck. */
  void returned(SerialLane lane, String call, long ranMillis) {
    reporter.returned(lane, call, ranMillis);
  }

  /** Under {@link #armLock}: schedules the next check. */
  private void arm(long delayMillis) {
    final long number = ++generation;
    pending = scheduler.schedule(new Runnable() {
      @Override public void run() {
        synchronized (armLock) {
          if (number != generation) return; // Cancelled, or replaced, after it was due.
          pending = null;
        }
        check();
      }

      @Override public String toString() {
        return "hook watchdog";
      }
    }, Math.max(1, delayMillis));
  }

  private void check() {
    long now = clock.elapsedMillis();
    long next = Long.MAX_VALUE;
    for (SerialLane lane : busy) {
      if (!lane.isBusy()) {
        busy.remove(lane);
        if (!lane.isBusy()) continue;
        busy.add(lane); // It became busy again meanwhile: keep watching it.
      }
      String call = lane.runningCall();
      long number = lane.callNumber();
      long running = now - lane.runningSinceMillis();
      if (call == null || lane.reportedCall.get() == number) {
        next = Math.min(next, thresholdMillis); // Queued or already reported: look again later.
      } else if (running >= thresholdMillis) {
        lane.reportedCall.set(number);
        reporter.stuck(lane, call, running);
        if (lane.finishedCall >= number
            && lane.reportedCall.compareAndSet(number, SerialLane.RETURN_REPORTED)) {
          reporter.returned(lane, call, running); // It returned while being reported.
        }
        next = Math.min(next, thresholdMillis);
      } else {
        next = Math.min(next, thresholdMillis - running);
      }
    }
    synchronized (armLock) {
      if (pending != null) return; // A lane became busy meanwhile and armed a check.
      if (next != Long.MAX_VALUE) {
        arm(next);
      } else if (!busy.isEmpty()) {
        arm(thresholdMillis);
      }
    }
  }

  /**
   * The app calls running now, e.g. "EventListener.connectStart (running for 2.0 s)", except the
   * one on the calling thread (the app code asking).
   */
  List<String> runningCalls() {
    long now = clock.elapsedMillis();
    List<String> calls = new ArrayList<String>();
    for (SerialLane lane : busy) {
      String call = lane.runningCall();
      if (call == null || lane.isRunningOnThisThread()) continue;
      calls.add(call + " on " + lane.owner + " (running for "
          + Durations.seconds1(now - lane.runningSinceMillis()) + ")");
    }
    return calls;
  }
}
