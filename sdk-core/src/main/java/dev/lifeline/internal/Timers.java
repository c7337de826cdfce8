package dev.lifeline.internal;

import dev.lifeline.Cancellable;
import dev.lifeline.Clock;
import dev.lifeline.Scheduler;
import java.util.ArrayList;
import java.util.List;

/**
 * The named timers of one connection. Each is armed on the client's scheduler and fires on the
 * connection's lane; a cancel or re-arm on the lane is final, even when the scheduler had already
 * handed the old firing to the lane. Confined to the lane, like the rest of the connection.
 */
final class Timers {
  /** One named timer: at most one pending firing; arming again replaces it. */
  final class Timer {
    /** "heartbeat", "silence check", …: shows in the scheduler's task list and in tests. */
    final String name;
    /** What runs when the timer fires, on the lane. */
    private final Runnable action;
    /** The scheduler's handle of the pending firing, or null. */
    private Cancellable pending;
    /** When the pending firing is due. */
    private long dueAtMillis;
    /** Bumped by every arm and cancel, so a firing already on its way can tell it is stale. */
    private int generation;

    Timer(String name, Runnable action) {
      this.name = name;
      this.action = action;
    }

    /** Fires {@code delayMillis} from now, replacing a pending firing. */
    void arm(long delayMillis) {
      cancel();
      long now = clock.elapsedMillis();
      // An interval near Long.MAX_VALUE (a configuration value) must not wrap into the past.
      dueAtMillis = delayMillis > Long.MAX_VALUE - now ? Long.MAX_VALUE : now + delayMillis;
      final int armedAs = generation;
      pending = scheduler.schedule(new Runnable() {
        @Override public void run() {
          lane.execute(new Runnable() {
            @Override public void run() {
              if (generation != armedAs) return; // Cancelled or re-armed since.
              pending = null;
              action.run();
            }
          });
        }

        @Override public String toString() {
          return owner + " " + Timer.this.name;
        }
      }, delayMillis);
    }

    /** Prevents a pending firing. Idempotent. */
    void cancel() {
      generation++;
      if (pending != null) {
        pending.cancel();
        pending = null;
      }
    }

    boolean isArmed() {
      return pending != null;
    }

    /** When the pending firing is due; meaningful while {@link #isArmed()}. */
    long dueAtMillis() {
      return dueAtMillis;
    }
  }

  /** Names the connection in the scheduler's task list. */
  private final String owner;
  private final Scheduler scheduler;
  /** Where firings run. */
  private final SerialLane lane;
  private final Clock clock;
  /** Every timer made here, for {@link #cancelAll()} and {@link #armed()}. */
  private final List<Timer> all = new ArrayList<Timer>();

  Timers(String owner, Scheduler scheduler, SerialLane lane, Clock clock) {
    this.owner = owner;
    this.scheduler = scheduler;
    this.lane = lane;
    this.clock = clock;
  }

  Timer timer(String name, Runnable action) {
    Timer t = new Timer(name, action);
    all.add(t);
    return t;
  }

  void cancelAll() {
    for (Timer t : all) t.cancel();
  }

  /** The names of the armed timers. */
  List<String> armed() {
    List<String> names = new ArrayList<String>();
    for (Timer t : all) {
      if (t.isArmed()) names.add(t.name);
    }
    return names;
  }

  /** Any thread: runs {@code task} on the lane, after what is queued there. */
  void onLane(Runnable task) {
    lane.execute(task);
  }

  long now() {
    return clock.elapsedMillis();
  }
}
