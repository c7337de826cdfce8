package dev.lifeline.internal;

import dev.lifeline.ConnectionState.Kind;
import dev.lifeline.ConnectionState.PauseReason;
import dev.lifeline.EnvironmentSignals.Signal;
import dev.lifeline.Logger;

/**
 * The state machine operations {@link EnvironmentReactions} uses, on its {@link ConnectionEngine}.
 * Lane-confined, like the engine.
 */
final class EnvironmentOwner implements EnvironmentReactions.Owner {
  private final ConnectionEngine c;

  EnvironmentOwner(ConnectionEngine c) {
    this.c = c;
  }

  @Override public Kind kind() {
    return c.connection().state().kind();
  }

  @Override public boolean hasTransport() {
    return c.attempt() != null;
  }

  @Override public boolean isOpen() {
    Attempt a = c.attempt();
    return a != null && a.isOpen();
  }

  @Override public void drop(String why) {
    boolean wasOpen = isOpen();
    c.release(ConnectionEngine.Release.CANCEL, why);
    if (wasOpen) {
      c.app().log(Logger.Level.INFO, Redact.url(c.options().url()) + ": connection dropped: "
          + why);
      c.app().event("disconnected", e -> e.disconnected(c.connection(), why, null));
    }
  }

  @Override public boolean closeGracefully(String reason, String disconnectedBecause) {
    boolean wasOpen = c.closeGracefully(reason);
    if (wasOpen) {
      c.app().log(Logger.Level.INFO, Redact.url(c.options().url()) + ": connection closed: "
          + disconnectedBecause);
      c.app().event("disconnected",
          e -> e.disconnected(c.connection(), disconnectedBecause, null));
    }
    return wasOpen;
  }

  @Override public void attemptOrPause() {
    c.attemptOrPause();
  }

  @Override public void stopWaiting() {
    c.stopWaiting();
  }

  @Override public long waitRemainingMillis() {
    return c.waitRemainingMillis();
  }

  @Override public long resumeDelayMillis() {
    return c.reconnection().resumeDelayMillis();
  }

  @Override public void waitThenRetry(long delayMillis, String trigger) {
    c.waitThenAttempt(delayMillis, c.reconnection().attempt(), trigger, null);
  }

  @Override public void pause(PauseReason why) {
    c.pause(why);
  }

  @Override public void probe(String trigger) {
    c.keepAlive().probe(trigger);
  }

  @Override public void signalReceived(Signal signal) {
    c.app().event("signalReceived", e -> e.signalReceived(c.connection(), signal));
  }
}
