package dev.lifeline.sample;

import java.util.function.BooleanSupplier;

/** Waiting in tests: poll a condition against a deadline, never a bare sleep. */
final class Poll {
  private Poll() {}

  /** Returns true as soon as {@code condition} holds; false if it still does not after the time. */
  static boolean until(BooleanSupplier condition, long timeoutMillis) throws InterruptedException {
    long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline >= 0) return false;
      Thread.sleep(10);
    }
    return true;
  }

  /** Returns true when {@code condition} held at every check for the whole period. */
  static boolean holdsFor(BooleanSupplier condition, long periodMillis) throws InterruptedException {
    long deadline = System.nanoTime() + periodMillis * 1_000_000L;
    while (System.nanoTime() - deadline < 0) {
      if (!condition.getAsBoolean()) return false;
      Thread.sleep(10);
    }
    return condition.getAsBoolean();
  }
}
