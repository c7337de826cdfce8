package dev.lifeline;

/**
 * A <em>serial</em> executor with timers: the single place where every connection's state
 * changes. Implementations run one task at a time, in order of due time (ties in submission
 * order). Lifeline's default is one daemon thread per {@link Lifeline} client, shared by all of
 * its connections; tests inject a virtual-time implementation.
 */
public interface Scheduler {
  /** Runs {@code task} as soon as possible, after tasks already due. */
  void execute(Runnable task);

  /** Runs {@code task} once, {@code delayMillis} (≥ 0) from now. */
  Cancellable schedule(Runnable task, long delayMillis);
}
