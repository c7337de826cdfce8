package dev.lifeline;

/**
 * A registration that lasts until closed, such as a {@link StateObserver}'s. Works with
 * try-with-resources; closing never throws.
 */
public interface Subscription extends AutoCloseable {
  /**
   * Ends the registration: no call to the observer starts after this returns (one already running
   * on another thread finishes). Idempotent.
   */
  @Override void close();
}
