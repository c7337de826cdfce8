package dev.lifeline.testing;

import java.util.List;
import java.util.concurrent.RunnableScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;

/**
 * A one-thread {@link ScheduledThreadPoolExecutor} that stops the way Java 8 and Android stop one
 * whose {@code executeExistingDelayedTasksAfterShutdownPolicy} is false: {@link #shutdown()}
 * discards every queued one-shot task, even one scheduled with zero delay that is already due.
 *
 * <p>Why a simulation: Java 9 and later keep the tasks that are already due (their {@code
 * onShutdown()} removes only those whose delay is still positive). On the JDK the tests run on,
 * code that posts work (a connection's {@code close()}) and then shuts the executor down appears
 * to work, and the work is silently lost only on a phone. Lifeline must not depend on either
 * behaviour (see {@code ExecutorScheduler}); tests inject this executor through {@code
 * TestAccess.schedulerExecutor} to make sure that it does not.
 *
 * <p>The queue is swept before the real shutdown (what is queued now) and again after it (what a
 * racing thread slipped in meanwhile; nothing can be added once the executor is shut down). Java
 * 8 does the same atomically, under the executor's lock. {@link #shutdownNow()} discards the queue
 * on every version; it sweeps first too, so both ways of stopping behave alike here. Periodic
 * tasks are left to the executor's own policy, as on Java 8.
 */
public final class Java8ScheduledExecutor extends ScheduledThreadPoolExecutor {
  public Java8ScheduledExecutor(String threadName) {
    super(1, r -> {
      Thread t = new Thread(r, threadName);
      t.setDaemon(true);
      return t;
    });
  }

  @Override public void shutdown() {
    discardQueuedOneShotTasks();
    super.shutdown();
    discardQueuedOneShotTasks();
  }

  @Override public List<Runnable> shutdownNow() {
    discardQueuedOneShotTasks();
    return super.shutdownNow();
  }

  /** Removes and cancels every queued task that is not periodic, due or not. */
  private void discardQueuedOneShotTasks() {
    for (Object queued : getQueue().toArray()) {
      if (!(queued instanceof RunnableScheduledFuture)) continue;
      RunnableScheduledFuture<?> task = (RunnableScheduledFuture<?>) queued;
      if (!task.isPeriodic() && getQueue().remove(task)) task.cancel(false);
    }
  }
}
