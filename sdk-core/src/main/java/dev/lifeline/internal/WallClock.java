package dev.lifeline.internal;

/**
 * The time of day, in ms since the epoch: for what must outlive the process (when a message of a
 * durable outbox was accepted), where the monotonic {@code Clock} means nothing after a restart.
 * Tests replace it ({@link ClientContext#wallClock}).
 */
interface WallClock {
  /** The system's clock. */
  WallClock SYSTEM = System::currentTimeMillis;

  /** Now, in ms since the epoch. */
  long epochMillis();
}
