package dev.lifeline.internal;

import dev.lifeline.ConnectionState.Kind;
import dev.lifeline.ConnectionState.PauseReason;
import dev.lifeline.EnvironmentPolicy;
import dev.lifeline.EnvironmentPolicy.BackgroundMode;
import dev.lifeline.EnvironmentSignals.Signal;

/**
 * How one connection reacts to the environment (docs/behaviour.md, "Environment reactions"): no
 * attempts while the network is down, a socket on a network that is no longer the default is
 * replaced at once, screen off and suspension defer attempts, the background closes the connection
 * after a grace period, and events that make a dead connection likely probe an open one or cut a
 * wait short. The background modes: a push wakes a {@link BackgroundMode#PUSH_TO_WAKE} connection
 * for an idle window, a running foreground service keeps a {@link
 * BackgroundMode#FOREGROUND_SERVICE} one. Owns the {@code background grace} and {@code push
 * window} timers. Confined to the connection's lane; it acts only through {@link Owner}.
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
  private final Timers timers;
  private final Timers.Timer graceTimer;
  /**
   * PUSH_TO_WAKE: armed from a push until the connection was idle for the push window; while it
   * is armed, the connection is awake in the background.
   */
  private final Timers.Timer pushTimer;
  /** True after the background grace period (or a push window) closed the connection. */
  private boolean closedForBackground;
  /** While awake: the last push, open or app message; the idle window counts from it. */
  private long lastActivityMillis;
  /** PUSH_TO_WAKE: when the last push came, in any state; -1 before. */
  private long lastPushMillis = -1;
  /** When a push last probed the open connection; -1 before. */
  private long lastPushProbeMillis = -1;

  /**
   * Pushes probe an open connection at most this often: a burst of pushes sends one heartbeat,
   * not one each. As long as the default probe timeout, so one probe's verdict is in first.
   */
  static final long PUSH_PROBE_SPACING_MILLIS = 10_000L;

  EnvironmentReactions(EnvironmentPolicy policy, SignalHub hub, Timers timers, Owner owner) {
    this.policy = policy;
    this.hub = hub;
    this.owner = owner;
    this.timers = timers;
    this.graceTimer = timers.timer("background grace", this::onBackgroundGraceOver);
    this.pushTimer = timers.timer("push window", this::onPushWindowDue);
  }

  /**
   * The connection starts: one started while the app is already in the background gets its
   * grace period too (no BACKGROUND signal will come to start it). A FOREGROUND_SERVICE one
   * tells the hub it wants the service in the background.
   */
  void started() {
    if (policy.backgroundMode() == BackgroundMode.FOREGROUND_SERVICE) {
      hub.keepsInBackground(this, true);
    }
    if (policy.backgroundMode() == BackgroundMode.PUSH_TO_WAKE) {
      // A push the hub applied before this connection joined it counts as one it received: on a
      // cold start the push service can forward it before connect() reaches the lane.
      lastPushMillis = Math.max(lastPushMillis, hub.lastPushAtMillis());
    }
    if (hub.foreground()) return;
    if (pushRecent()) {
      wakeFor(lastPushMillis);
    } else if (policy.closeInBackground() && !graceTimer.isArmed() && !serviceKeeps()) {
      graceTimer.arm(policy.backgroundGraceMillis());
    }
  }

  /** True when a push came less than the idle window ago (PUSH_TO_WAKE only records them). */
  private boolean pushRecent() {
    return lastPushMillis >= 0 && timers.now() - lastPushMillis < policy.pushIdleWindowMillis();
  }

  /** The connection ended for good: it no longer wants a foreground service. */
  void ended() {
    if (policy.backgroundMode() == BackgroundMode.FOREGROUND_SERVICE) {
      hub.keepsInBackground(this, false);
    }
  }

  /** A transport opened: a push window's idle time starts again. */
  void opened() {
    if (pushTimer.isArmed()) lastActivityMillis = timers.now();
  }

  /** An app message went out or came in: a push window's idle time starts again. */
  void traffic() {
    if (pushTimer.isArmed()) lastActivityMillis = timers.now();
  }

  /** Why attempts must wait now, or null; the most fundamental reason first. */
  PauseReason pauseReason() {
    boolean kept = pushTimer.isArmed() || (serviceKeeps() && !hub.foreground());
    return hub.pauseReason(policy, closedForBackground, kept);
  }

  /** A FOREGROUND_SERVICE connection whose service runs: no grace close, no deferral. */
  private boolean serviceKeeps() {
    return policy.backgroundMode() == BackgroundMode.FOREGROUND_SERVICE && hub.serviceRunning();
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
        if (pushRecent()) {
          // A push just before (the process started by it, the user leaving): its window.
          wakeFor(lastPushMillis);
        } else if (policy.closeInBackground() && !graceTimer.isArmed() && !serviceKeeps()) {
          graceTimer.arm(policy.backgroundGraceMillis());
        }
        deferIfWaiting();
        break;
      case FOREGROUND:
        graceTimer.cancel();
        pushTimer.cancel(); // The app is back: normal foreground behaviour from here.
        closedForBackground = false;
        wake("foreground", "foreground");
        break;
      case PUSH_RECEIVED:
        pushReceived();
        break;
      case FOREGROUND_SERVICE_STARTED:
        if (policy.backgroundMode() == BackgroundMode.FOREGROUND_SERVICE && !hub.foreground()) {
          graceTimer.cancel();
          closedForBackground = false;
          resumeSoon("foreground service started", true);
        }
        break;
      case FOREGROUND_SERVICE_STOPPED:
      case FOREGROUND_SERVICE_REFUSED:
        if (policy.backgroundMode() == BackgroundMode.FOREGROUND_SERVICE && !hub.foreground()) {
          // Without the service, the fallback: close after the grace period.
          if (policy.closeInBackground() && !graceTimer.isArmed() && !closedForBackground) {
            graceTimer.arm(policy.backgroundGraceMillis());
          }
          deferIfWaiting();
        }
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
    if (owner.kind() == Kind.CLOSED || hub.foreground() || serviceKeeps()) return;
    closedForBackground = true;
    String refusal = policy.backgroundMode() == BackgroundMode.FOREGROUND_SERVICE
        ? hub.serviceRefusal() : null;
    owner.closeGracefully("app in background",
        "closed after " + Durations.seconds(policy.backgroundGraceMillis()) + " in the background"
        + (refusal != null ? " (the foreground service was refused: " + refusal + ")" : ""));
    owner.stopWaiting();
    owner.pause(PauseReason.BACKGROUND);
  }

  /**
   * A push: an open connection of any mode is probed (the push may announce what a dead socket
   * failed to bring), at most once per {@link #PUSH_PROBE_SPACING_MILLIS}. A backgrounded
   * PUSH_TO_WAKE one is awake for the push window; a paused one connects at once, or as soon as
   * the network returns within the window. A push while an attempt or a wait is already under
   * way only extends the window: a burst of pushes makes one attempt.
   */
  private void pushReceived() {
    long now = timers.now();
    if (owner.isOpen() && (lastPushProbeMillis < 0
        || now - lastPushProbeMillis >= PUSH_PROBE_SPACING_MILLIS)) {
      lastPushProbeMillis = now;
      owner.probe("push received");
    }
    if (policy.backgroundMode() != BackgroundMode.PUSH_TO_WAKE) return;
    lastPushMillis = now;
    if (hub.foreground()) return; // Its window starts if the app goes to the background soon.
    boolean wasAwake = pushTimer.isArmed();
    wakeFor(now);
    Kind kind = owner.kind();
    if (kind == Kind.PAUSED || (kind == Kind.WAITING_TO_RECONNECT && !wasAwake)) {
      PauseReason why = pauseReason();
      if (why != null) {
        owner.stopWaiting();
        owner.pause(why); // Remembered: the network returning within the window connects.
      } else {
        owner.waitThenRetry(0, "push received");
      }
    }
  }

  /** Awake for the push window, counted from {@code sinceMillis}; the grace timer is done. */
  private void wakeFor(long sinceMillis) {
    lastActivityMillis = Math.max(lastActivityMillis, sinceMillis);
    graceTimer.cancel(); // The push window decides when it closes now.
    if (!pushTimer.isArmed()) {
      pushTimer.arm(policy.pushIdleWindowMillis() - (timers.now() - lastActivityMillis));
    }
  }

  /**
   * The push window may be over: closes after the idle window with no push, open or app message,
   * or re-arms for what is left. An attempt still connecting then is cancelled, so that failing
   * attempts cannot keep a connection awake.
   */
  private void onPushWindowDue() {
    if (owner.kind() == Kind.CLOSED || hub.foreground()) return;
    long window = policy.pushIdleWindowMillis();
    long idle = timers.now() - lastActivityMillis;
    if (idle < window) {
      pushTimer.arm(window - idle);
      return;
    }
    closedForBackground = true;
    owner.closeGracefully("idle after a push wake",
        "idle for " + Durations.seconds(window) + " after a push wake");
    owner.stopWaiting();
    PauseReason why = pauseReason(); // The window is over: BACKGROUND, or more fundamental.
    owner.pause(why != null ? why : PauseReason.BACKGROUND);
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
    // Awake after a push: at once, the push is about this one connection, not a crowd's return.
    long delay = pushTimer.isArmed() ? 0 : owner.resumeDelayMillis();
    if (kind == Kind.WAITING_TO_RECONNECT && owner.waitRemainingMillis() <= delay) {
      return; // The pending attempt comes sooner than the jitter would.
    }
    owner.waitThenRetry(delay, trigger);
  }
}
