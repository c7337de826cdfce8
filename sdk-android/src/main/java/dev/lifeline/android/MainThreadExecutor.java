package dev.lifeline.android;

import android.os.Handler;
import android.os.Looper;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * Runs tasks on the main thread, in order. Always posts, even when called on the main thread:
 * a listener then never runs inside the caller's stack (no re-entrancy surprises).
 */
final class MainThreadExecutor implements Executor {
  static final MainThreadExecutor INSTANCE = new MainThreadExecutor();

  /** Posts to the main looper. */
  private final Handler handler = new Handler(Looper.getMainLooper());

  private MainThreadExecutor() {}

  @Override public void execute(Runnable task) {
    if (task == null) throw new NullPointerException("task == null");
    if (!handler.post(task)) {
      throw new RejectedExecutionException("the main looper is quitting; task not run: " + task);
    }
  }

  @Override public String toString() {
    return "MainThreadExecutor";
  }
}
