package dev.lifeline.internal;

import dev.lifeline.Connection;
import dev.lifeline.Logger;

/**
 * Tells deep sleep from a timer that fires late by the client's clock, which keeps counting while
 * the device sleeps (docs/behaviour.md, "Environment reactions"): reports the sleep once, however
 * many timers wake up late together, and probes the connection. Lane-confined.
 */
final class SleepDetector {
  private final Connection connection;
  /** A timer later than this means the device slept. */
  private final long thresholdMillis;
  private final AppCalls app;
  private final KeepAlive keepAlive;
  private final Timers clock;
  /** When a sleep was last reported, or {@link Long#MIN_VALUE}. */
  private long reportedAtMillis = Long.MIN_VALUE;

  SleepDetector(Connection connection, long thresholdMillis, AppCalls app, KeepAlive keepAlive,
      Timers clock) {
    this.connection = connection;
    this.thresholdMillis = thresholdMillis;
    this.app = app;
    this.keepAlive = keepAlive;
    this.clock = clock;
  }

  /**
   * True when a timer due at {@code dueAtMillis} fired so late that the device must have slept;
   * the first such timer after a sleep reports it and starts a wake-up probe.
   */
  boolean sleptPast(long dueAtMillis) {
    long now = clock.now();
    long late = now - dueAtMillis;
    if (late <= thresholdMillis) return false;
    if (reportedAtMillis != Long.MIN_VALUE && now - reportedAtMillis <= thresholdMillis) {
      return true; // Another timer late from the same sleep.
    }
    reportedAtMillis = now;
    app.event("sleepDetected", e -> e.sleepDetected(connection, late));
    app.log(Logger.Level.INFO, "timer fired " + Durations.seconds(late) + " late: the device slept");
    keepAlive.probe("a sleep of " + Durations.seconds(late));
    return true;
  }
}
