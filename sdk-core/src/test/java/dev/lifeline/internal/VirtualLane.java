package dev.lifeline.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * A connection's lane and named timers in virtual time, with no connection around them: the
 * fixture of the parts' own tests ({@link KeepAlive}, {@link Delivery}, {@link
 * EnvironmentReactions}, {@link Timers}). Timer firings run on the test thread when the test
 * advances {@link #time}.
 */
final class VirtualLane {
  /** Names the timers' owner in {@link VirtualTime#pendingTaskNames()}. */
  static final String OWNER = "test connection";

  final VirtualTime time = new VirtualTime();
  final SerialLane lane =
      new SerialLane(OWNER, "engine", time::execute, time, null, (l, lost, e) -> { });
  final Timers timers = new Timers(OWNER, time, lane, time);

  /** The scheduler's pending timers of this lane, by timer name ("heartbeat", "probe", …). */
  List<String> pendingTimers() {
    List<String> names = new ArrayList<>();
    for (String task : time.pendingTaskNames()) {
      if (task.startsWith(OWNER + " ")) names.add(task.substring(OWNER.length() + 1));
    }
    return names;
  }
}
