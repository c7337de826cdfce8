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
 * The default {@link Scheduler}: one daemon thread shared by every connection of a client. Tasks
 * that throw are logged and do not kill the thread.
 */
public final class ExecutorScheduler implements Scheduler {
  /** One thread: tasks are serial by construction. */
  private final ScheduledThreadPoolExecutor executor;
  /** Where task failures go. */
  private final Logger logger;

  public ExecutorScheduler(final String threadName, Logger logger) {
    this.logger = logger;
    this.executor = new ScheduledThreadPoolExecutor(1, new ThreadFactory() {
      @Override public Thread newThread(Runnable r) {
        Thread t = new Thread(r, threadName);
        t.setDaemon(true);
        return t;
      }
    });
    executor.setRemoveOnCancelPolicy(true);
    executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
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
      logger.log(Logger.Level.DEBUG, "task after Lifeline.shutdown() ignored", null);
      return NOOP;
    }
    return new Cancellable() {
      @Override public void cancel() {
        f.cancel(false);
      }
    };
  }

  /** Stops the thread once the tasks already due have run. */
  public void shutdown() {
    executor.shutdown();
  }

  public boolean isShutdown() {
    return executor.isShutdown();
  }

  /** Waits for the thread to end. */
  public boolean awaitTermination(long timeoutMillis) throws InterruptedException {
    return executor.awaitTermination(timeoutMillis, TimeUnit.MILLISECONDS);
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
    };
  }

  private static final Cancellable NOOP = new Cancellable() {
    @Override public void cancel() {}
  };
}
