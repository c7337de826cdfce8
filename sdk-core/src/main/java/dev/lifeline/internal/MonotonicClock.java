package dev.lifeline.internal;

import dev.lifeline.Clock;

/** {@link System#nanoTime()} in milliseconds: the JVM default clock. */
public final class MonotonicClock implements Clock {
  public static final MonotonicClock INSTANCE = new MonotonicClock();

  private MonotonicClock() {}

  @Override public long elapsedMillis() {
    return System.nanoTime() / 1_000_000L;
  }
}
