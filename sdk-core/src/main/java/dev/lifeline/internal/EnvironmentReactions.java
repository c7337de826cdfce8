package dev.lifeline.internal;

import dev.lifeline.ConnectionState.Kind;
import dev.lifeline.ConnectionState.PauseReason;
import dev.lifeline.EnvironmentPolicy;
import dev.lifeline.EnvironmentSignals.Signal;

/**
 * How one connection reacts to the environment (docs/behaviour.md, "Environment reactions"): no
 * attempts while the network is down, a socket on a network that is no longer the default is
 * replaced at once, screen off and suspension defer attempts, the background closes the connection
 * after a grace period, and events that make a dead connection likely probe an open one or cut a
 * wait short. Owns the {@code background grace} timer. Confined to the connection's lane; it acts
 * only through {@link Owner}.
 */
final class EnvironmentReactions {
  /** The state machine operations the reactions use. */
  interface Owner {
    Kind kind();

    /** True while a transport is connecting or open. */
    boolean hasTransport();

    boolean isOpen();

    /** Lets the transport go without counting a failure; an open one reports {@code why}. */
    void drop(String why);

    /** Closes an open transport gracefully (true), or cancels a connecting one (false). */
    boolean closeGracefully(String reason, String disconnectedBecause);

    void attemptOrPause();

    /** Cancels a pending reconnect. */
    void stopWaiting();

    /** How long until the pending reconnect. */
    long waitRemainingMillis();

    /** Draws the short random delay before retrying once conditions improved. */
    long resumeDelayMillis();

    /** WAITING_TO_RECONNECT for {@code delayMillis}, then an attempt. */
    void waitThenRetry(long delayMillis, String trigger);

    void pause(PauseReason why);

    void probe(String trigger);

    void signalReceived(Signal signal);
  }

  private final EnvironmentPolicy policy;
  /** The environment as last signalled. */
  private final SignalHub hub;
  private final Owner owner;
  private final Timers.Timer graceTimer;
  /** True after the background grace period closed the connection. */
  private boolean closedForBackground;

  EnvironmentReactions(EnvironmentPolicy policy, SignalHub hub, Timers timers, Owner owner) {
    this.policy = policy;
    this.hub = hub;
    this.owner = owner;
    this.graceTimer = timers.timer("background grace", this::onBackgroundGraceOver);
  }

  /**
   * The connection starts: one started while the app is already in the background gets its
   * grace period too (no BACKGROUND signal will come to start it).
   */
  void started() {
    if (!hub.foreground() && policy.closeInBackground() && !graceTimer.isArmed()) {
      graceTimer.arm(policy.backgroundGraceMillis());
    }
  }

  /** Why attempts must wait now, or null; the most fundamental reason first. */
  PauseReason pauseReason() {
    return hub.pauseReason(policy, closedForBackground);
  }

  void react(Signal signal) {
    Kind kind = owner.kind();
    if (kind == Kind.CLOSED || kind == Kind.IDLE) return;
    owner.signalReceived(signal);
    switch (signal) {
      case NETWORK_LOST:
        owner.drop("network lost");
        owner.stopWaiting();
        owner.pause(PauseReason.NETWORK_DOWN);
        break;
      case NETWORK_CHANGED:
        if (owner.hasTransport()) {
          // The socket is bound to the old network and will never hear back: replace it now.
          owner.drop("default network changed");
          owner.attemptOrPause();
        } else {
          resumeSoon("network changed", true);
        }
        break;
      case NETWORK_AVAILABLE:
        resumeSoon("network available", true);
        break;
      case SCREEN_OFF:
      case SUSPENDED:
        deferIfWaiting();
        break;
      case BACKGROUND:
        if (policy.closeInBackground() && !graceTimer.isArmed()) {
          graceTimer.arm(policy.backgroundGraceMillis());
        }
        deferIfWaiting();
        break;
      case FOREGROUND:
        graceTimer.cancel();
        closedForBackground = false;
        wake("foreground", "foreground");
        break;
      case SCREEN_ON:
        wake("screen on", "screen on");
        break;
      case RESUMED:
        wake("resume", "resumed");
        break;
    }
  }

  /** An event that makes a dead connection likely: probe an open one, or retry soon. */
  private void wake(String probeTrigger, String resumeTrigger) {
    if (owner.isOpen()) owner.probe(probeTrigger);
    resumeSoon(resumeTrigger, false);
  }

  private void onBackgroundGraceOver() {
    if (owner.kind() == Kind.CLOSED || hub.foreground()) return;
    closedForBackground = true;
    owner.closeGracefully("app in background",
        "closed after " + Durations.seconds(policy.backgroundGraceMillis()) + " in the background");
    owner.stopWaiting();
    owner.pause(PauseReason.BACKGROUND);
  }

  /** WAITING_TO_RECONNECT becomes PAUSED when the environment now says to wait. */
  private void deferIfWaiting() {
    if (owner.kind() != Kind.WAITING_TO_RECONNECT) return;
    PauseReason why = pauseReason();
    if (why != null) {
      owner.stopWaiting();
      owner.pause(why);
    }
  }

  /**
   * Conditions improved: a PAUSED connection (and a waiting one, when {@code shortenWait}) tries
   * again after a short jitter instead of the remaining backoff.
   */
  private void resumeSoon(String trigger, boolean shortenWait) {
    Kind kind = owner.kind();
    if (kind != Kind.PAUSED && !(shortenWait && kind == Kind.WAITING_TO_RECONNECT)) return;
    PauseReason why = pauseReason();
    if (why != null) {
      if (kind == Kind.WAITING_TO_RECONNECT) owner.stopWaiting();
      owner.pause(why);
      return;
    }
    long delay = owner.resumeDelayMillis();
    if (kind == Kind.WAITING_TO_RECONNECT && owner.waitRemainingMillis() <= delay) {
      return; // The pending attempt comes sooner than the jitter would.
    }
    owner.waitThenRetry(delay, trigger);
  }
}
