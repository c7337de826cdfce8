package dev.lifeline.testing;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/** Bounded waits for real-socket tests: poll a condition against a deadline, never sleep blindly. */
public final class Await {
  /** A condition polled by {@link #until}. */
  public interface Condition {
    boolean holds() throws Exception;
  }

  /** How often a condition is polled. */
  private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

  private Await() {}

  /** Polls {@code condition} every few ms; fails naming {@code what} after {@code timeoutMillis}. */
  public static void until(String what, long timeoutMillis, Condition condition) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    while (!condition.holds()) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("timed out after " + timeoutMillis + " ms waiting for " + what);
      }
      LockSupport.parkNanos(POLL_NANOS);
    }
  }

  /** True while a live thread is named {@code name}. */
  public static boolean threadAlive(String name) {
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.isAlive() && t.getName().equals(name)) return true;
    }
    return false;
  }

  /** Waits until no live thread is named {@code name}. */
  public static void threadEnded(String name, long timeoutMillis) throws Exception {
    until("thread '" + name + "' to end", timeoutMillis, () -> !threadAlive(name));
  }
}
