package dev.lifeline.internal;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * An executor the test drains by hand: what it is given waits until {@link #runNext()} or {@link
 * #runAll()}, so a test can act between "handed to the executor" and "ran". With {@link
 * #rejecting} set it refuses work, as a shut-down executor does.
 */
final class ManualExecutor implements Executor {
  private final ArrayDeque<Runnable> waiting = new ArrayDeque<>();
  /** True: {@link #execute} throws {@link RejectedExecutionException}. */
  boolean rejecting;

  @Override public synchronized void execute(Runnable task) {
    if (rejecting) throw new RejectedExecutionException("test executor refuses work");
    waiting.addLast(task);
  }

  /** Tasks handed over and not run yet. */
  synchronized int waiting() {
    return waiting.size();
  }

  /** Runs the oldest waiting task; false when none waits. */
  boolean runNext() {
    Runnable next;
    synchronized (this) {
      next = waiting.pollFirst();
    }
    if (next == null) return false;
    next.run();
    return true;
  }

  /** Runs waiting tasks, including those they hand over, until none waits. */
  void runAll() {
    while (runNext()) { }
  }
}
