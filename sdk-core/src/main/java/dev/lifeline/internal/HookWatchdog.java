package dev.lifeline.internal;

import dev.lifeline.Clock;
import dev.lifeline.Scheduler;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Reports app code that does not return: a call running in a {@link SerialLane} for the threshold
 * or longer is reported once, and again when it finally returns. Only the lane of the stuck call
 * waits for it (its connection's later calls of the same kind); the report is how the app learns
 * why.
 *
 * <p>Runs on the client's clock and scheduler, so tests drive it in virtual time, and is armed
 * only while some lane is busy: an idle client has no watchdog timer. Each check is timed for the
 * moment the oldest running call reaches the threshold, so a call is reported exactly then.
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
  /** True while a check is scheduled. */
  private final AtomicBoolean armed = new AtomicBoolean();

  HookWatchdog(Clock clock, Scheduler scheduler, long thresholdMillis, Reporter reporter) {
    this.clock = clock;
    this.scheduler = scheduler;
    this.thresholdMillis = thresholdMillis;
    this.reporter = reporter;
  }

  /** {@code lane} has work: watch it until it is idle again. */
  void busy(SerialLane lane) {
    busy.add(lane);
    if (armed.compareAndSet(false, true)) schedule(thresholdMillis);
  }

  /** {@code lane} finished a call that was reported stuck. */
  void returned(SerialLane lane, String call, long ranMillis) {
    reporter.returned(lane, call, ranMillis);
  }

  private void schedule(long delayMillis) {
    scheduler.schedule(check, Math.max(1, delayMillis));
  }

  private final Runnable check = new Runnable() {
    @Override public void run() {
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
      if (next != Long.MAX_VALUE) {
        schedule(next);
        return;
      }
      armed.set(false);
      if (!busy.isEmpty() && armed.compareAndSet(false, true)) schedule(thresholdMillis);
    }

    @Override public String toString() {
      return "hook watchdog";
    }
  };

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
