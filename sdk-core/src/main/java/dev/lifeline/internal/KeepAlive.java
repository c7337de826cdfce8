package dev.lifeline.internal;

import dev.lifeline.HeartbeatPolicy;
import dev.lifeline.internal.BeatWindows.Turn;

/**
 * Keeps an open connection honest, in the manner of gRPC's {@code KeepAliveManager}: the client
 * heartbeat, protocol pings, the server-silence watch and the wake-up probe (docs/behaviour.md,
 * "Heartbeats", "Protocol pings", "Server-silence watch" and "Wake-up probe"). Started when a
 * transport opens, stopped when it goes; it talks to its owner only through {@link Owner}.
 * Confined to the connection's lane.
 *
 * <p><b>Verdicts.</b> The connection is declared dead only over time in which the transport's
 * reader was free to read ({@link Owner#readerFreeMillis()}, see {@link ReadWaits}) and nothing
 * came: the pong timeout for a ping, the silence limit since the last data, the probe timeout
 * since a probe. Time in which the inbound bound held the reader (the app is behind), the reader
 * handed a message on, or its thread was not scheduled (a busy machine) never counts: the data
 * may be there, unread. When such time kept a verdict short, the check looks again once the
 * missing free time could have passed. A transport that does not measure its reader counts
 * elapsed time instead.
 *
 * <p>Timers (each armed only while the connection is open):
 * <ul>
 *   <li>{@code heartbeat}: the next client heartbeat, one interval after the last send; a busy
 *       connection re-arms it for the remainder instead of sending (idle-only). When the protocol
 *       ping has the heartbeat's cadence, its wake-up also does the ping's turn.
 *   <li>{@code protocol ping}: the ping's turn when it has a cadence of its own (judge the ping
 *       out, then ping again), and a pong check deferred for want of free reader time.
 *   <li>{@code silence check}: with a server timeout, when the silence limit would be reached if
 *       nothing arrives; re-armed for the remainder when something did.
 *   <li>{@code probe}: while a wake-up probe waits for any inbound data.
 * </ul>
 *
 * <p>With an adaptive heartbeat ({@link HeartbeatTuning}), the interval is read anew each time a
 * timer is armed, so a change takes effect at the next beat without restarting a timer, and the
 * keep-alive reports every idle gap the connection lived through (no traffic either way: app
 * messages, heartbeats, protocol pings, anything received).
 *
 * <p><b>One wake-up for all connections</b> (docs/behaviour.md, "Heartbeats"). Each time the
 * heartbeat timer (and the ping's own timer, when the ping has a cadence of its own) is armed for
 * a turn, its window [due − slack, due] goes to the client's {@link WakeUps} (through {@link
 * BeatWindows}, which keeps this connection's windows), slack being {@link
 * HeartbeatPolicy#alignmentSlack()} of the interval. When a timer of any connection of the client
 * fires inside the window, the turn is taken then, on this lane, as if it were due: early, never
 * late, as the timer still fires at {@code due} when nobody woke before. The silence check does
 * not ride (its verdict must not come early); instead it is kept ahead of the traffic that proves
 * the server alive, so that it does not wake a connection whose server talks.
 */
final class KeepAlive {
  /** What the keep-alive needs from its connection. */
  interface Owner {
    /** Send one heartbeat now; {@link #sent} follows once the transport took it. */
    void sendHeartbeat();

    /**
     * Sends a protocol ping: its number (1, 2, … on this transport), which its pong must echo;
     * -1 when the transport has none (tcp://) or is going.
     */
    long sendProtocolPing();

    /**
     * Milliseconds the transport's reader has spent waiting for the socket so far (see {@link
     * ReadWaits}), or -1 when the transport does not measure it.
     */
    long readerFreeMillis();

    /** The highest protocol ping number whose pong echoed it, or -1 when it cannot tell. */
    long answeredPing();

    /** True while received messages wait for the app: the server is talking, the app is behind. */
    boolean inboundWaiting();

    /**
     * True when a timer due at {@code dueAtMillis} fired so late that the device must have slept;
     * the owner has then reported the sleep and asked for a {@link #probe}.
     */
    boolean sleptPast(long dueAtMillis);

    /** The connection is presumed dead: replace it. */
    void dead(String reason);

    void heartbeatSkipped(long sinceLastSendMillis);

    void serverSilence(long silentMillis, long limitMillis);

    void probeStarted(String trigger);

    void probeSucceeded(long afterMillis);
  }

  /**
   * Where the keep-alive stands, protocol pings included. The heartbeat and the silence watch
   * run in every state between {@link #start} and a verdict; the probe has its own {@link Probe}.
   */
  private enum State {
    /** No open transport (before {@link #start}, after {@link #stop}): no timer armed. */
    STOPPED,
    /** Open, without protocol pings: the policy sends none, or the transport has none (tcp://). */
    NO_PINGS,
    /**
     * Open; the next ping is due one ping interval after the last (or after the open), on the
     * {@code protocol ping} timer or at the heartbeat's wake-up it rides.
     */
    PING_SCHEDULED,
    /**
     * Open; ping {@link #pingNumber} is out and was not answered at the last look. Its pong is
     * judged one pong timeout (the ping interval) after it, at the ping's next turn.
     */
    AWAITING_PONG,
    /**
     * Open; the pong timeout passed without the pong, but the reader was not free for all of it
     * (held by the inbound bound, handing a message on, not scheduled), so the pong may sit
     * unread. The {@code protocol ping} timer looks again once the missing free time could have
     * passed; no new ping goes out meanwhile.
     */
    PONG_DEFERRED,
    /**
     * The connection was declared dead and the owner told: every timer is cancelled, nothing
     * more is judged or sent. The transport is still the owner's until it calls {@link #stop}.
     */
    DEAD
  }

  /** Where the wake-up probe stands. */
  private enum Probe {
    /** No probe runs. */
    NONE,
    /** A probe beat (and pinged) and waits for data or a pong until the {@code probe} timer. */
    WAITING
  }

  /**
   * A check that lacks free reader time while the reader was held looks again no sooner than
   * this fraction of its limit: the reader may still be held, and a hold of minutes a few
   * milliseconds short of the limit must not wake the connection every few milliseconds. Costs
   * at most a tenth of the limit of lateness, only after a hold.
   */
  static final int LOOK_AGAIN_FRACTION = 10;

  private final HeartbeatPolicy policy;
  /** Chooses the interval when the heartbeat is adaptive; null when it is fixed. */
  private final HeartbeatTuning tuning;
  /** False when the environment policy turned wake-up probes off. */
  private final boolean probeOnWake;
  /**
   * True when the protocol ping has the heartbeat's cadence (the default): then the heartbeat
   * timer's wake-up also does the ping's turn, so an idle connection wakes once per interval,
   * not twice. Fixed per keep-alive, so that an adaptive interval passing a fixed ping interval
   * does not switch the ping between timers.
   */
  private final boolean pingsRideHeartbeat;
  private final Owner owner;
  /** The connection's named timers; their firings run on the lane. */
  private final Timers timers;
  private final Timers.Timer heartbeatTimer;
  private final Timers.Timer silenceTimer;
  private final Timers.Timer probeTimer;
  /** The ping's own turn, and a pong check deferred for want of free reader time. */
  private final Timers.Timer pingTimer;
  /**
   * This connection's windows in the client's wake-ups: the heartbeat's, and the ping's when it
   * has a cadence of its own. Opens none when this connection never goes early (a slack of 0, an
   * adaptive heartbeat: see the constructor, or no client's wake-ups to share).
   */
  private final BeatWindows windows;

  /** Where the keep-alive and its pings stand; changed before any call to the owner. */
  private State state = State.STOPPED;
  /** Where the wake-up probe stands; changed before any call to the owner. */
  private Probe probe = Probe.NONE;

  /** When the transport opened ({@link #start}). */
  private long openedAtMillis;
  /** When data was last handed to the transport. */
  private long lastSentAtMillis;
  /** When anything (message, pong, messages waiting for the app) was last seen arriving. */
  private long lastReceivedAtMillis;
  /** {@link Owner#readerFreeMillis()} at {@link #lastReceivedAtMillis}. */
  private long readerFreeAtReceivedMillis;
  /** {@link Owner#answeredPing()} when last looked at. */
  private long lastPongCount;
  /** When traffic last went either way that the keep-alive saw (not pongs: they follow pings). */
  private long lastTrafficAtMillis;
  /** The idle gap the last traffic ended. */
  private long lastGapMillis;

  /** When the last protocol ping went out, or pinging (re)started: the next is due from here. */
  private long lastPingAtMillis;
  /** The number of the ping out ({@link State#AWAITING_PONG}, {@link State#PONG_DEFERRED}). */
  private long pingNumber;
  /** {@link Owner#readerFreeMillis()} when that ping went out. */
  private long readerFreeAtPingMillis;
  /** The idle time before that ping. */
  private long idleBeforePingMillis;
  /**
   * Once a ping went unanswered and the connection was declared dead for it, the idle time
   * before that ping (the adaptive heartbeat learns from it); else -1.
   */
  private long zombieIdleMillis = -1;

  /** When the waiting probe started ({@link Probe#WAITING}). */
  private long probeStartedAtMillis;
  /** {@link Owner#readerFreeMillis()} then. */
  private long readerFreeAtProbeMillis;
  /** What triggered the waiting probe. */
  private String probeTrigger;

  /** A keep-alive alone: it shares no wake-ups. */
  KeepAlive(HeartbeatPolicy policy, boolean probeOnWake, Timers timers, Owner owner) {
    this(policy, null, probeOnWake, timers, null, owner);
  }

  /** {@code wakeUps}: the client's, shared with its other connections; null: shares none. */
  KeepAlive(HeartbeatPolicy policy, HeartbeatTuning tuning, boolean probeOnWake, Timers timers,
      WakeUps wakeUps, Owner owner) {
    this.policy = policy;
    this.tuning = tuning;
    this.probeOnWake = probeOnWake;
    long ping = policy.protocolPingIntervalMillis();
    this.pingsRideHeartbeat = ping > 0 && (policy.protocolPingFollowsInterval()
        || (tuning == null && ping == policy.intervalMillis()));
    this.owner = owner;
    this.timers = timers;
    // An adaptive interval learns from the idle gaps the connection lives through: a beat pulled
    // early ends a gap short of the interval, which neither counts towards a raise (5 gaps of at
    // least 90 % of it) nor is the idle time a cut would be measured against. So an adaptive
    // connection never goes early; its own wake-ups are still there for the others to ride.
    this.windows = new BeatWindows(wakeUps, tuning != null ? 0 : policy.alignmentSlack(), timers,
        new BeatWindows.Owner() {
          @Override public void rideBeat(long atMillis) {
            KeepAlive.this.rideBeat(atMillis);
          }

          @Override public void ridePing(long atMillis) {
            KeepAlive.this.ridePing(atMillis);
          }
        });
    // Each firing is a scheduler wake-up: once handled, the beats due soon ride it, this
    // connection's other turns included (e.g. a heartbeat riding its silence check). Not the
    // heartbeat's own window at its own firing: the firing just decided about that beat (a busy
    // connection skips it: idle-only is about the whole interval).
    this.heartbeatTimer =
        timers.timer("heartbeat", windows.wakingOthers(this::onHeartbeatDue, Turn.BEAT));
    this.silenceTimer =
        timers.timer("silence check", windows.wakingOthers(this::onSilenceCheck, null));
    this.probeTimer = timers.timer("probe", windows.wakingOthers(this::onProbeTimeout, null));
    this.pingTimer =
        timers.timer("protocol ping", windows.wakingOthers(this::onPingTimer, Turn.PING));
  }

  /** A transport opened: everything counts from now. */
  void start() {
    long now = timers.now();
    state = pingInterval() > 0 ? State.PING_SCHEDULED : State.NO_PINGS;
    probe = Probe.NONE;
    openedAtMillis = now;
    lastSentAtMillis = now;
    lastReceivedAtMillis = now;
    lastTrafficAtMillis = now;
    lastPingAtMillis = now;
    zombieIdleMillis = -1;
    armHeartbeat(interval());
    if (silenceWatched()) silenceTimer.arm(policy.serverTimeoutMillis());
    if (state == State.PING_SCHEDULED && !pingsRideHeartbeat) armPing(pingInterval());
    readerFreeAtReceivedMillis = owner.readerFreeMillis();
    lastPongCount = owner.answeredPing();
  }

  /** The transport is gone. */
  void stop() {
    state = State.STOPPED;
    probe = Probe.NONE;
    cancelTimers();
  }

  /** Cancels every keep-alive timer and closes its windows: nothing rides into a stopped one. */
  private void cancelTimers() {
    heartbeatTimer.cancel();
    silenceTimer.cancel();
    probeTimer.cancel();
    pingTimer.cancel();
    windows.closeAll();
  }

  /** True from {@link #start} until {@link #stop}, a verdict included (the transport is open). */
  boolean isRunning() {
    return state != State.STOPPED;
  }

  /** True while open and no verdict was given: the keep-alive acts and judges. */
  private boolean watching() {
    return state != State.STOPPED && state != State.DEAD;
  }

  /** The heartbeat interval in use now. */
  long interval() {
    return tuning == null ? policy.intervalMillis() : tuning.intervalMillis();
  }

  /** The protocol ping interval now, which is also the pong timeout: 0 without pings. */
  private long pingInterval() {
    long configured = policy.protocolPingIntervalMillis();
    return configured > 0 && policy.protocolPingFollowsInterval() ? interval() : configured;
  }

  private boolean silenceWatched() {
    return policy.serverTimeoutMillis() > 0;
  }

  /**
   * The adaptive interval changed while the connection is open (e.g. a stored value arrived): a
   * heartbeat armed for later than the new interval allows is brought forward; one armed earlier
   * stays, and the idle-only check re-arms it for the remainder when it fires. A ping that
   * follows the interval rides the heartbeat, so it follows too.
   */
  void intervalChanged() {
    if (!watching()) return;
    long beatDue = lastSentAtMillis + interval();
    if (heartbeatTimer.isArmed() && heartbeatTimer.dueAtMillis() > beatDue) {
      armHeartbeat(Math.max(0, beatDue - timers.now()));
    }
  }

  /** Traffic went one way or the other now: the idle gap before it was lived through. */
  private void traffic() {
    long now = timers.now();
    long gap = now - lastTrafficAtMillis;
    lastTrafficAtMillis = now;
    if (gap > 0) lastGapMillis = gap;
    if (tuning != null && watching() && gap > 0) tuning.survived(gap);
  }

  /** How long nothing went either way as of {@code nowMillis}; for classifying a cut. */
  long idleMillis(long nowMillis) {
    return nowMillis - lastTrafficAtMillis;
  }

  /**
   * When the connection was found a zombie (a protocol ping unanswered), how long it had been
   * idle before that ping; else -1.
   */
  long zombieIdleMillis() {
    return zombieIdleMillis;
  }

  /** Data (an app message, a heartbeat, a reply) was handed to the transport. */
  void sent() {
    lastSentAtMillis = timers.now();
    traffic();
  }

  /**
   * A message arrived: refreshes the silence watch and completes a waiting probe. A silence check
   * armed well before the new limit is moved to it, so that a server that talks (or answers our
   * beats) never has the check wake the connection at a moment of its own; at most one re-arm
   * per tenth of the limit on a busy connection.
   */
  void received() {
    traffic();
    receivedNow();
    // While messages wait for the app the server counts as talking until they are taken, a
    // moment only the check's own looks see: it keeps them.
    if (!watching() || !silenceTimer.isArmed() || owner.inboundWaiting()) return;
    long limit = policy.serverTimeoutMillis();
    if (silenceTimer.dueAtMillis() < timers.now() + limit - limit / LOOK_AGAIN_FRACTION) {
      silenceTimer.arm(limit);
    }
  }

  /** Something arrived (a message, or pongs or waiting messages noticed now): see {@link #received}. */
  private void receivedNow() {
    long now = timers.now();
    lastReceivedAtMillis = now;
    readerFreeAtReceivedMillis = owner.readerFreeMillis();
    if (probe == Probe.WAITING) {
      probe = Probe.NONE;
      probeTimer.cancel();
      owner.probeSucceeded(now - probeStartedAtMillis);
    }
  }

  /**
   * Probes at once after an event that makes a dead connection likely: sends a heartbeat and, when
   * something is sure to answer (a protocol ping's pong, or a server known to talk: silence watch
   * on), expects data within the probe timeout.
   */
  void probe(String trigger) {
    if (!watching() || !probeOnWake || probe == Probe.WAITING) return;
    // Pongs that came before the probe are counted now, or the first look would take them for
    // an answer to it (nothing counts them without a silence watch).
    noteInboundActivity();
    probe = Probe.WAITING; // First: a probe asked for meanwhile is this one.
    probeTrigger = trigger;
    probeStartedAtMillis = timers.now();
    readerFreeAtProbeMillis = owner.readerFreeMillis();
    owner.probeStarted(trigger);
    owner.sendHeartbeat();
    if (probe != Probe.WAITING) return; // The heartbeat could not be sent and the connection is gone.
    // A ping's pong is an answer every WebSocket server gives; without one (tcp://) only a server
    // known to talk (silence watch on) gives something to wait for.
    boolean pinged = owner.sendProtocolPing() > 0;
    if (probe != Probe.WAITING) return;
    if (!pinged && !silenceWatched()) {
      probe = Probe.NONE; // Nothing to wait for.
      return;
    }
    probeTimer.arm(policy.probeTimeoutMillis());
  }

  /** When the open transport opened; for failure reasons. */
  long openedAtMillis() {
    return openedAtMillis;
  }

  /** When anything last arrived, as far as counted (pongs count when a check looked); for reasons. */
  long lastReceivedAtMillis() {
    return lastReceivedAtMillis;
  }

  /** True when pongs arrived after {@link #lastReceivedAtMillis} (when exactly is unknown). */
  boolean pongsSinceLastReceived() {
    return owner.answeredPing() > lastPongCount;
  }

  // ---- Timers. ----

  private void onHeartbeatDue() {
    if (owner.sleptPast(heartbeatTimer.dueAtMillis())) {
      // The probe decides about the connection, not this timer; pinging starts over.
      if (!watching()) return;
      if (pingsRideHeartbeat) restartPings();
      armHeartbeat(interval());
      return;
    }
    long since = timers.now() - lastSentAtMillis;
    long interval = interval();
    if (policy.idleOnly() && since < interval) {
      armHeartbeat(interval - since);
      owner.heartbeatSkipped(since);
    } else {
      owner.sendHeartbeat();
      if (!watching()) return; // It could not be sent, and the connection is gone.
      armHeartbeat(interval());
    }
    // Riding the heartbeat's wake-ups, the ping's turn comes at most one interval late; a
    // wake-up that comes too soon after the last ping (a busy connection re-arming for the
    // remainder) leaves it for the next.
    pingAlong(interval, Math.max(1, interval / 20));
    keepSilenceCheckAhead();
  }

  /**
   * Lane: another wake-up of the client came at {@code atMillis}, inside the heartbeat's current
   * window ({@link BeatWindows} dropped rides for windows moved or closed since, by a re-arm, a
   * close or a verdict): the beat goes now, as if it were due, unless a send since made the
   * connection busy.
   */
  private void rideBeat(long atMillis) {
    if (!watching() || !heartbeatTimer.isArmed()) return;
    long interval = interval();
    long slack = windows.slackOf(interval);
    long due = policy.idleOnly()
        ? Math.max(heartbeatTimer.dueAtMillis(), lastSentAtMillis + interval)
        : heartbeatTimer.dueAtMillis();
    if (atMillis < due - slack) {
      // Busy since the window opened: the beat moved out of it. The timer stays; the window
      // follows the beat.
      windows.open(Turn.BEAT, due, interval);
      return;
    }
    owner.sendHeartbeat();
    if (!watching()) return; // It could not be sent, and the connection is gone.
    armHeartbeat(interval);
    pingAlong(interval, Math.max(Math.max(1, interval / 20), slack));
    keepSilenceCheckAhead();
  }

  /**
   * The ping's turn at a heartbeat's wake-up, when the ping rides the heartbeat and its last went
   * out at least {@code interval − toleranceMillis} ago.
   */
  private void pingAlong(long interval, long toleranceMillis) {
    if (pingsRideHeartbeat && (state == State.PING_SCHEDULED || state == State.AWAITING_PONG)
        && timers.now() - lastPingAtMillis >= interval - toleranceMillis) {
      pingTurn();
    }
  }

  /**
   * Lane: a wake-up of the client at {@code atMillis} fell in the current window of the ping's own
   * turn: the turn is taken now. A pong still missing then is judged as at the turn itself: short
   * of the pong timeout, the check looks again at the very moment the turn was due, so the
   * verdict never comes later.
   */
  private void ridePing(long atMillis) {
    if (!watching()) return;
    if (state != State.PING_SCHEDULED && state != State.AWAITING_PONG) return;
    pingTurn();
    keepSilenceCheckAhead();
  }

  /**
   * At a wake-up of this connection: pongs noticed now count as inbound activity, and a silence
   * check armed before the limit they set is moved to it; it would only look and re-arm itself
   * at a moment of its own. The verdict never comes later: the check, when it fires, counts
   * the pongs it sees as arriving then.
   */
  private void keepSilenceCheckAhead() {
    // While messages wait for the app, see received().
    if (!watching() || !silenceTimer.isArmed() || owner.inboundWaiting()) return;
    noteInboundActivity();
    long deadline = lastReceivedAtMillis + policy.serverTimeoutMillis();
    if (deadline > silenceTimer.dueAtMillis()) silenceTimer.arm(deadline - timers.now());
  }

  /** Arms the heartbeat for {@code delayMillis} from now and opens its window there. */
  private void armHeartbeat(long delayMillis) {
    heartbeatTimer.arm(delayMillis);
    windows.open(Turn.BEAT, heartbeatTimer.dueAtMillis(), interval());
  }

  /**
   * Arms the ping's timer for {@code delayMillis}; its window opens only for a turn of its own
   * cadence, not for a deferred pong check (that one must not come early).
   */
  private void armPing(long delayMillis) {
    pingTimer.arm(delayMillis);
    boolean turn = !pingsRideHeartbeat && (state == State.PING_SCHEDULED
        || state == State.AWAITING_PONG);
    if (turn) {
      windows.open(Turn.PING, pingTimer.dueAtMillis(), pingInterval());
    } else {
      windows.close(Turn.PING);
    }
  }

  private void onPingTimer() {
    if (owner.sleptPast(pingTimer.dueAtMillis())) {
      // The probe decides about the connection, not this timer; pinging starts over.
      if (watching()) restartPings();
      return;
    }
    if (!watching()) return;
    long interval = pingInterval();
    if (pingsRideHeartbeat && state == State.PONG_DEFERRED && owner.answeredPing() >= pingNumber
        && heartbeatTimer.dueAtMillis() - timers.now() < interval - Math.max(1, interval / 20)) {
      // Answered while its check was deferred (a beat rode early, the reader was held), with the
      // heartbeat's next wake-up less than an interval away: the next ping goes then, in its
      // phase. Sent now, that wake-up would be too soon to judge it, and the verdict would wait
      // for the one after: up to two intervals after the ping instead of one.
      state = State.PING_SCHEDULED;
    } else {
      pingTurn();
    }
    keepSilenceCheckAhead();
  }

  /** After a sleep: no verdict on the ping out; the next is due one interval from now. */
  private void restartPings() {
    if (state == State.NO_PINGS) return;
    state = State.PING_SCHEDULED;
    lastPingAtMillis = timers.now();
    if (pingsRideHeartbeat) {
      pingTimer.cancel(); // A deferred pong check, if any.
    } else {
      armPing(pingInterval());
    }
  }

  /**
   * The ping's turn, on its own timer or riding the heartbeat's wake-up (docs/behaviour.md,
   * "Protocol pings"): the ping out, if any, is judged; an answered one is followed by the next.
   */
  private void pingTurn() {
    boolean out = state == State.AWAITING_PONG || state == State.PONG_DEFERRED;
    if (out && owner.answeredPing() < pingNumber) {
      judgeMissingPong(); // The pong of an older ping does not answer this one.
    } else {
      sendPing();
    }
  }

  /**
   * The pong to ping {@link #pingNumber} has not come: dead once the reader was free to read it
   * for the whole pong timeout; otherwise the check looks again when it could have been.
   */
  private void judgeMissingPong() {
    long now = timers.now();
    long timeout = pingInterval();
    long elapsed = now - lastPingAtMillis;
    long free = readerFreeSince(readerFreeAtPingMillis);
    long waited = free < 0 ? elapsed : Math.min(elapsed, free);
    if (waited < timeout) {
      state = State.PONG_DEFERRED;
      armPing(lookAgainIn(timeout - waited, timeout, free >= 0 && free < elapsed));
      return;
    }
    zombieIdleMillis = idleBeforePingMillis;
    condemn();
    owner.dead("no pong within " + Durations.seconds(elapsed) + " of a protocol ping (ping interval "
        + Durations.seconds(timeout) + readerWaited(free) + ")");
  }

  /** Sends the next ping; a transport without pings is not asked again. */
  private void sendPing() {
    long now = timers.now();
    long interval = pingInterval();
    state = State.AWAITING_PONG;
    lastPingAtMillis = now;
    // A heartbeat due at the same moment may have gone just before: the idle time is the gap
    // it ended.
    long idle = now - lastTrafficAtMillis;
    idleBeforePingMillis = idle < interval / 10 ? Math.max(idle, lastGapMillis) : idle;
    readerFreeAtPingMillis = owner.readerFreeMillis();
    long number = owner.sendProtocolPing();
    if (number <= 0) {
      state = State.NO_PINGS; // The heartbeat and the silence watch do the work.
      pingTimer.cancel();
      windows.close(Turn.PING);
      return;
    }
    pingNumber = number;
    if (!pingsRideHeartbeat) armPing(interval);
    traffic();
  }

  private void onSilenceCheck() {
    long limit = policy.serverTimeoutMillis();
    if (owner.sleptPast(silenceTimer.dueAtMillis())) {
      // Data may still sit unread in the socket after a sleep: the probe decides, not this timer.
      if (watching()) silenceTimer.arm(limit);
      return;
    }
    if (!watching()) return;
    noteInboundActivity();
    long silent = timers.now() - lastReceivedAtMillis;
    long free = readerFreeSince(readerFreeAtReceivedMillis);
    long waited = free < 0 ? silent : Math.min(silent, free);
    if (waited < limit) {
      silenceTimer.arm(lookAgainIn(limit - waited, limit, free >= 0 && free < silent));
      return;
    }
    condemn();
    owner.serverSilence(silent, limit);
    owner.dead("no data from server for " + Durations.seconds(silent) + " (limit "
        + Durations.seconds(limit) + readerWaited(free) + ")");
  }

  private void onProbeTimeout() {
    if (!watching()) return;
    noteInboundActivity();
    if (probe != Probe.WAITING) return; // Something arrived: the probe succeeded.
    long timeout = policy.probeTimeoutMillis();
    long elapsed = timers.now() - probeStartedAtMillis;
    long free = readerFreeSince(readerFreeAtProbeMillis);
    long waited = free < 0 ? elapsed : Math.min(elapsed, free);
    if (waited < timeout) {
      probeTimer.arm(lookAgainIn(timeout - waited, timeout, free >= 0 && free < elapsed));
      return;
    }
    String trigger = probeTrigger;
    condemn();
    owner.dead("wake-up probe after " + trigger + ": no data from server within "
        + Durations.seconds(elapsed) + " (probe timeout " + Durations.seconds(timeout)
        + readerWaited(free) + ")");
  }

  /** The verdict is given: nothing more is judged or sent. The caller tells the owner next. */
  private void condemn() {
    state = State.DEAD;
    probe = Probe.NONE;
    cancelTimers();
  }

  /**
   * Counts what arrived without passing through the message path: pongs, and messages still
   * waiting for a slow listener. The latter may not have reached {@link #received} yet (they can
   * wait for the app's per-message hooks first), so they stand for data the watch has not seen.
   */
  private void noteInboundActivity() {
    long pongs = owner.answeredPing();
    if (pongs > lastPongCount || owner.inboundWaiting()) {
      lastPongCount = Math.max(lastPongCount, pongs);
      receivedNow();
    }
  }

  /**
   * Milliseconds the reader was free to read since it had been free for {@code markMillis} (a
   * reading of {@link Owner#readerFreeMillis()}), or -1 when the transport does not measure.
   */
  private long readerFreeSince(long markMillis) {
    long free = owner.readerFreeMillis();
    return markMillis < 0 || free < 0 ? -1 : Math.max(0, free - markMillis);
  }

  /**
   * When to look again at a verdict that lacks {@code missingMillis} of the {@code limitMillis}.
   * Elapsed time, and a reader that was free all along, make up the rest at once: the verdict is
   * due then. A reader that was held meanwhile may still be: see {@link #LOOK_AGAIN_FRACTION}.
   */
  private static long lookAgainIn(long missingMillis, long limitMillis, boolean readerWasHeld) {
    if (!readerWasHeld) return missingMillis;
    return Math.max(missingMillis, Math.max(1, limitMillis / LOOK_AGAIN_FRACTION));
  }

  /** The reason's account of the reader's free time, when measured. */
  private static String readerWaited(long freeMillis) {
    return freeMillis < 0 ? "" : "; the reader waited " + Durations.seconds(freeMillis) + " for data";
  }
}
