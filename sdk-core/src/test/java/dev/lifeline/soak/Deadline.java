package dev.lifeline.soak;

import static java.util.concurrent.TimeUnit.MILLISECONDS;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * A soak's hard bound: every wait takes the smaller of its own limit and what is left of the
 * soak's, so a soak ends, passed or failed, within its bound whatever hangs.
 */
final class Deadline {
  /** What the soak is, for the failure message. */
  private final String what;
  /** The bound, in ms. */
  private final long totalMillis;
  /** When it runs out, on {@link System#nanoTime()}. */
  private final long endNanos;
  /** When it started, on {@link System#nanoTime()}. */
  private final long startNanos = System.nanoTime();

  Deadline(String what, long totalMillis) {
    this.what = what;
    this.totalMillis = totalMillis;
    this.endNanos = startNanos + MILLISECONDS.toNanos(totalMillis);
  }

  /**
   * A wait's limit: {@code capMillis} or what is left, whichever is less.
   *
   * @throws AssertionError when nothing is left
   */
  long cap(long capMillis) {
    long left = MILLISECONDS.convert(endNanos - System.nanoTime(), TimeUnit.NANOSECONDS);
    if (left <= 0) {
      throw new AssertionError(what + " ran out of its " + totalMillis + " ms bound");
    }
    return Math.min(capMillis, left);
  }

  /** ms since the soak started. */
  long elapsedMillis() {
    return (System.nanoTime() - startNanos) / 1_000_000;
  }

  /** Waits {@code millis} (within the bound): the random pause before a kill or a cut. */
  void pause(long millis) {
    long end = System.nanoTime() + MILLISECONDS.toNanos(cap(millis));
    for (long left; (left = end - System.nanoTime()) > 0; ) LockSupport.parkNanos(left);
  }

  /** A condition polled by {@link #await}. */
  interface Condition {
    boolean holds() throws Exception;
  }

  /**
   * Polls {@code condition} every 5 ms until it holds.
   *
   * @throws AssertionError naming {@code what} and {@code context.get()} after {@code capMillis}
   *     or at the bound
   */
  void await(String what, long capMillis, Condition condition,
      Supplier<String> context) throws Exception {
    long limit = cap(capMillis);
    long end = System.nanoTime() + MILLISECONDS.toNanos(limit);
    while (!condition.holds()) {
      if (System.nanoTime() - end > 0) {
        throw new AssertionError("timed out after " + limit + " ms waiting for " + what + "; "
            + context.get());
      }
      LockSupport.parkNanos(MILLISECONDS.toNanos(5));
    }
  }
}
