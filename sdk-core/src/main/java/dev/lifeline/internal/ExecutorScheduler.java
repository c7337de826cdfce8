package dev.lifeline.internal;

import dev.lifeline.Cancellable;
import dev.lifeline.Logger;
import dev.lifeline.Scheduler;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * The default {@link Scheduler}: one daemon thread shared by every connection of a client. It runs
 * only the connections' short, non-blocking engine work, never app code. Tasks that throw are
 * logged and do not kill the thread; tasks posted after {@link #shutdownNow} are ignored.
 *
 * <p>Stopping relies on no shutdown policy of {@link ScheduledThreadPoolExecutor}: they differ
 * between Java 8 (and Android), which discards even the zero-delay tasks already queued, and Java
 * 9+, which runs them. The client first waits for what matters (every connection closed), then
 * discards the rest with {@link #shutdownNow}.
 */
public final class ExecutorScheduler implements Scheduler {
  /** The thread. */
  private final ScheduledThreadPoolExecutor executor;
  /** Where task failures go; must not block (the client passes one that logs on another thread). */
  private final Logger logger;

  public ExecutorScheduler(ScheduledThreadPoolExecutor executor, Logger logger) {
    this.executor = executor;
    this.logger = logger;
    executor.setRemoveOnCancelPolicy(true); // Cancelled timers do not pile up in the queue.
  }

  /** One daemon thread named {@code threadName}. */
  public static ScheduledThreadPoolExecutor newExecutor(final String threadName) {
    return new ScheduledThreadPoolExecutor(1, new ThreadFactory() {
      @Override public Thread newThread(Runnable r) {
        Thread t = new Thread(r, threadName);
        t.setDaemon(true);
        return t;
      }
    });
  }

  @Override public void execute(Runnable task) {
    schedule(task, 0);
  }

  @Override public Cancellable schedule(Runnable task, long delayMillis) {
    final ScheduledFuture<?> f;
    try {
      f = executor.schedule(guard(task), delayMillis, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException shutDown) {
      // The client was shut down: its connections are closed, so there is nothing left to run.
      return NOOP;
    }
    return new Cancellable() {
      @Override public void cancel() {
        f.cancel(false);
      }
    };
  }

  /** Stops the thread, discarding whatever is still queued. */
  public void shutdownNow() {
    executor.shutdownNow();
  }

  private Runnable guard(final Runnable task) {
    return new Runnable() {
      @Override public void run() {
        try {
          task.run();
        } catch (Throwable t) {
          logger.log(Logger.Level.ERROR, "Lifeline scheduler task failed: " + t, t);
        }
      }

      @Override public String toString() {
        return task.toString();
      }
    };
  }

  private static final Cancellable NOOP = new Cancellable() {
    @Override public void cancel() {}
  };
}
