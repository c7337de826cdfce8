package dev.lifeline;

/** A scheduled task that may still be cancelled. */
public interface Cancellable {
  /** Prevents the task from running if it has not started yet. Idempotent. */
  void cancel();
}
