package dev.lifeline.sample.android;

import android.os.Handler;
import android.os.Looper;
import dev.lifeline.Cancellable;
import dev.lifeline.Scheduler;

/**
 * Lifeline's serial scheduler on the main looper. Under Robolectric the main looper runs on
 * Robolectric's clock, which is also {@code SystemClock.elapsedRealtime()} (the client's clock)
 * and the clock of the lifecycle debounce: {@code idleFor(60 s)} moves all three together, so a
 * 60 s grace period passes in no real time, and on time.
 */
final class MainLooperScheduler implements Scheduler {
  private final Handler handler = new Handler(Looper.getMainLooper());

  @Override public void execute(Runnable task) {
    handler.post(task);
  }

  @Override public Cancellable schedule(Runnable task, long delayMillis) {
    // A distinct Runnable per call, so cancelling removes this timer and no other.
    final Runnable timer = new Runnable() {
      @Override public void run() {
        task.run();
      }
    };
    handler.postDelayed(timer, delayMillis);
    return () -> handler.removeCallbacks(timer);
  }
}
