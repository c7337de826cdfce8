package dev.lifeline.sample;

import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** Waiting in tests: poll a condition against a deadline, never a bare sleep. */
final class Poll {
  private Poll() {}

  /** The gap between two checks of a condition (interruptible, like the waits it replaces). */
  private static void pollPause() throws InterruptedException {
    LockSupport.parkNanos(10_000_000L);
    if (Thread.interrupted()) throw new InterruptedException();
  }

  /** Returns true as soon as {@code condition} holds; false if it still does not after the time. */
  static boolean until(BooleanSupplier condition, long timeoutMillis) throws InterruptedException {
    long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline >= 0) return false;
      pollPause();
    }
    return true;
  }

  /** Returns true when {@code condition} held at every check for the whole period. */
  static boolean holdsFor(BooleanSupplier condition, long periodMillis) throws InterruptedException {
    long deadline = System.nanoTime() + periodMillis * 1_000_000L;
    while (System.nanoTime() - deadline < 0) {
      if (!condition.getAsBoolean()) return false;
      pollPause();
    }
    return condition.getAsBoolean();
  }
}
