package dev.lifeline;

/**
 * An executor with timers, where Lifeline runs its own engine work: every connection's state
 * changes and timers, the environment signals, and the watch for stuck app code. Lifeline never
 * runs app code there and never blocks in its tasks, and it does not rely on the scheduler to keep
 * a connection consistent: it serialises each connection's work itself, on a lane of its own.
 *
 * <p>An implementation must accept calls from any thread, run each task once, later (never inside
 * {@code execute} or {@code schedule}, on the caller's thread) and not before its delay, and never
 * run a task cancelled before it started. Lifeline's default runs one task at a time in order of
 * due time (ties in submission order), on one daemon thread per {@link Lifeline} client shared by
 * all of its connections; tests inject a virtual-time implementation with the same order.
 */
public interface Scheduler {
  /**
   * Runs {@code task} as soon as possible, after tasks already due.
   *
   * @param task the work to run
   */
  void execute(Runnable task);

  /**
   * Runs {@code task} once, {@code delayMillis} from now.
   *
   * @param task the work to run
   * @param delayMillis the delay in ms, ≥ 0
   * @return a handle that cancels the task if it has not started
   */
  Cancellable schedule(Runnable task, long delayMillis);
}
