package dev.lifeline.internal;

import dev.lifeline.HeartbeatPolicy;

/**
 * Keeps an open connection honest, in the manner of gRPC's {@code KeepAliveManager}: the client
 * heartbeat, the server-silence watch and the wake-up probe (docs/behaviour.md, "Heartbeats",
 * "Server-silence watch" and "Wake-up probe"). Started when a transport opens, stopped when it
 * goes; it talks to its owner only through {@link Owner}. Confined to the connection's lane.
 *
 * <p>Timers (each armed only while the connection is open):
 * <ul>
 *   <li>{@code heartbeat}: the next client heartbeat, one interval after the last send; a busy
 *       connection re-arms it for the remainder instead of sending (idle-only).
 *   <li>{@code silence check}: with a server timeout, when the silence limit would be reached if
 *       nothing arrives; re-armed for the remainder when something did.
 *   <li>{@code probe}: while a wake-up probe waits for any inbound data.
 * </ul>
 *
 * <p>With an adaptive heartbeat ({@link HeartbeatTuning}), the interval is read anew each time a
 * timer is armed, so a change takes effect at the next beat without restarting a timer, and the
 * keep-alive reports every idle gap the connection lived through (no traffic either way: app
 * messages, heartbeats, protocol pings, anything received).
 */
final class KeepAlive {
  /** What the keep-alive needs from its connection. */
  interface Owner {
    /** Send one heartbeat now; {@link #sent} follows once the transport took it. */
    void sendHeartbeat();

    /** Sends a protocol ping: its number, or -1 when the transport has none (tcp://) or is going. */
    long sendProtocolPing();

    /**
     * Milliseconds the transport's reader has spent waiting for the socket so far (see {@link
     * ReadWaits}), or -1 when the transport does not measure it.
     */
    long readerFreeMillis();

    /**
     * How many times the inbound bound has held the transport's reader so far (the app was
     * slower than the server), counting a hold still in progress as a new one each time asked.
     */
    long inboundHolds();

    /** The highest protocol ping number whose pong arrived, or -1 when it cannot tell. */
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

  private final HeartbeatPolicy policy;
  /** Chooses the interval when the heartbeat is adaptive; null when it is fixed. */
  private final HeartbeatTuning tuning;
  /** False when the environment policy turned wake-up probes off. */
  private final boolean probeOnWake;
  private final Owner owner;
  private final Timers timers;
  private final Timers.Timer heartbeatTimer;
  private final Timers.Timer silenceTimer;
  private final Timers.Timer probeTimer;
  private final Timers.Timer pingTimer;
  /** True between {@link #start} and {@link #stop}. */
  private boolean running;
  /** When data was last handed to the transport. */
  private long lastSentAtMillis;
  /** When anything (message or pong) last arrived. */
  private long lastReceivedAtMillis;
  /** When the transport opened ({@link #start}). */
  private long openedAtMillis;
  /** The transport's pong count when last looked at. */
  private long lastPongCount;
  /** Set when the transport turned out to have no protocol pings (tcp://): none are tried again. */
  private boolean noPings;
  /** The pong count when the unanswered protocol ping was sent, or -1 when none is out. */
  private long pongsAtPing = -1;
  /** {@link Owner#inboundHolds()} when that ping was sent. */
  private long holdsAtPing;
  /** When that ping was sent. */
  private long pingSentAtMillis;
  /** When the running wake-up probe started, or -1. */
  private long probeStartedAtMillis = -1;
  /** What triggered the running probe. */
  private String probeTrigger;
  /** When traffic last went either way that the keep-alive saw (not pongs: they follow pings). */
  private long lastTrafficAtMillis;
  /** The idle time before the unanswered protocol ping, once it was found unanswered; else -1. */
  private long zombieIdleMillis = -1;
  /** The idle time before the protocol ping that is out. */
  private long idleBeforePingMillis;
  /** The idle gap the last traffic ended. */
  private long lastGapMillis;

  KeepAlive(HeartbeatPolicy policy, boolean probeOnWake, Timers timers, Owner owner) {
    this(policy, null, probeOnWake, timers, owner);
  }

  KeepAlive(HeartbeatPolicy policy, HeartbeatTuning tuning, boolean probeOnWake, Timers timers,
      Owner owner) {
    this.policy = policy;
    this.tuning = tuning;
    this.probeOnWake = probeOnWake;
    this.owner = owner;
    this.timers = timers;
    this.heartbeatTimer = timers.timer("heartbeat", this::onHeartbeatDue);
    this.silenceTimer = timers.timer("silence check", this::onSilenceCheck);
    this.probeTimer = timers.timer("probe", this::onProbeTimeout);
    this.pingTimer = timers.timer("protocol ping", this::onPingDue);
  }

  /** A transport opened: everything counts from now. */
  void start() {
    running = true;
    long now = timers.now();
    openedAtMillis = now;
    lastSentAtMillis = now;
    lastReceivedAtMillis = now;
    lastTrafficAtMillis = now;
    zombieIdleMillis = -1;
    lastPongCount = owner.answeredPing();
    heartbeatTimer.arm(interval());
    if (policy.serverTimeoutMillis() > 0) silenceTimer.arm(policy.serverTimeoutMillis());
    pongsAtPing = -1;
    noPings = false;
    if (pingInterval() > 0 && !pingsRideHeartbeat()) pingTimer.arm(pingInterval());
  }

  /**
   * True when the protocol ping has the heartbeat's cadence (the default): then the heartbeat
   * timer's wake-up also does the ping's work, so an idle connection wakes once per interval,
   * not twice.
   */
  private boolean pingsRideHeartbeat() {
    long ping = pingInterval();
    return ping > 0 && ping == interval();
  }

  /** The heartbeat interval in use now. */
  long interval() {
    return tuning == null ? policy.intervalMillis() : tuning.intervalMillis();
  }

  /**
   * The adaptive interval changed while the connection is open (e.g. a stored value arrived):
   * a timer armed for later than the new interval allows is brought forward; one armed earlier
   * stays, and the idle-only check re-arms it for the remainder when it fires.
   */
  void intervalChanged() {
    if (!running) return;
    long now = timers.now();
    long beatDue = lastSentAtMillis + interval();
    if (heartbeatTimer.isArmed() && heartbeatTimer.dueAtMillis() > beatDue) {
      heartbeatTimer.arm(Math.max(0, beatDue - now));
    }
    long ping = pingInterval();
    long pingDue = (pongsAtPing >= 0 ? pingSentAtMillis : openedAtMillis) + ping;
    if (ping > 0 && policy.protocolPingFollowsInterval() && pingTimer.isArmed()
        && !pingsRideHeartbeat()
        && pingTimer.dueAtMillis() > pingDue) {
      pingTimer.arm(Math.max(0, pingDue - now));
    }
  }

  /** The protocol ping interval now: the heartbeat's when it was left at "same as heartbeat". */
  private long pingInterval() {
    long configured = policy.protocolPingIntervalMillis();
    return configured > 0 && policy.protocolPingFollowsInterval() ? interval() : configured;
  }

  /** Traffic went one way or the other now: the idle gap before it was lived through. */
  private void traffic() {
    long now = timers.now();
    long gap = now - lastTrafficAtMillis;
    lastTrafficAtMillis = now;
    if (gap > 0) lastGapMillis = gap;
    if (tuning != null && running && gap > 0) tuning.survived(gap);
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

  /** The transport is gone. */
  void stop() {
    running = false;
    heartbeatTimer.cancel();
    silenceTimer.cancel();
    probeTimer.cancel();
    pingTimer.cancel();
    probeStartedAtMillis = -1;
  }

  /** Data (an app message, a heartbeat, a reply) was handed to the transport. */
  void sent() {
    lastSentAtMillis = timers.now();
    traffic();
  }

  /** A message arrived: refreshes the silence watch and completes a running probe. */
  void received() {
    traffic();
    receivedNow();
  }

  /** Something arrived (a message, or pongs counted now): see {@link #received}. */
  private void receivedNow() {
    lastReceivedAtMillis = timers.now();
    if (probeStartedAtMillis >= 0) {
      long after = lastReceivedAtMillis - probeStartedAtMillis;
      probeStartedAtMillis = -1;
      probeTimer.cancel();
      owner.probeSucceeded(after);
    }
  }

  /**
   * Probes at once after an event that makes a dead connection likely: sends a heartbeat and, when
   * the server is known to talk (silence watch on), expects data within the probe timeout.
   */
  void probe(String trigger) {
    if (!running || !probeOnWake || probeStartedAtMillis >= 0) return;
    owner.probeStarted(trigger);
    owner.sendHeartbeat();
    if (!running) return; // The heartbeat could not be sent and the connection is gone.
    // A ping's pong is an answer every WebSocket server gives; without one (tcp://) only a server
    // known to talk (silence watch on) gives something to wait for.
    boolean pinged = owner.sendProtocolPing() > 0;
    if (!running) return;
    if (!pinged && policy.serverTimeoutMillis() == 0) return; // Nothing to wait for.
    probeStartedAtMillis = timers.now();
    probeTrigger = trigger;
    probeTimer.arm(policy.probeTimeoutMillis());
  }

  boolean isRunning() {
    return running;
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

  private void onHeartbeatDue() {
    if (!running) return;
    boolean ride = pingsRideHeartbeat();
    if (owner.sleptPast(heartbeatTimer.dueAtMillis()) || !running) {
      if (ride) pongsAtPing = -1; // The probe decides about the connection; pinging starts over.
      if (running && !heartbeatTimer.isArmed()) heartbeatTimer.arm(interval());
      return;
    }
    long since = timers.now() - lastSentAtMillis;
    long interval = interval();
    if (policy.idleOnly() && since < interval) {
      owner.heartbeatSkipped(since);
      heartbeatTimer.arm(interval - since);
    } else {
      owner.sendHeartbeat();
      if (running) heartbeatTimer.arm(interval());
    }
    // Riding the heartbeat's wake-ups, the ping's turn comes at most one interval late; a
    // wake-up that comes too soon after the last ping (a busy connection re-arming for the
    // remainder) leaves it for the next.
    long sincePing = timers.now() - (pongsAtPing >= 0 ? pingSentAtMillis : openedAtMillis);
    if (ride && running && !noPings && sincePing >= interval - Math.max(1, interval / 20)) {
      pingTick();
    }
  }

  /**
   * Protocol pings (docs/behaviour.md, "Protocol pings"): a pong still missing when the next ping
   * is due means the connection is dead — unless the inbound bound held the reader since that
   * ping: then the pong may be waiting, unread, behind messages the app has not taken yet, and
   * the app, not the connection, is the slow side. The verdict waits for an interval in which
   * the reader was free.
   */
  private void onPingDue() {
    if (!running) return;
    long interval = pingInterval();
    if (owner.sleptPast(pingTimer.dueAtMillis()) || !running) {
      // The device slept: the probe decides about the connection; pinging starts over.
      pongsAtPing = -1;
      if (running && !pingTimer.isArmed()) pingTimer.arm(interval);
      return;
    }
    pingTick();
    if (running && !noPings && !pingTimer.isArmed() && pingInterval() > 0
        && !pingsRideHeartbeat()) {
      pingTimer.arm(pingInterval());
    }
  }

  /** The ping's work, from its own timer or riding the heartbeat's: judge, then ping again. */
  private void pingTick() {
    long interval = pingInterval();
    long now = timers.now();
    if (pongsAtPing >= 0 && owner.answeredPing() <= pongsAtPing) {
      long holds = owner.inboundHolds();
      if (holds != holdsAtPing) {
        holdsAtPing = holds;
        return;
      }
      zombieIdleMillis = idleBeforePingMillis;
      owner.dead("no pong within " + Durations.seconds(now - pingSentAtMillis)
          + " of a protocol ping (ping interval " + Durations.seconds(interval) + ")");
      return;
    }
    long ping = owner.sendProtocolPing();
    if (ping <= 0) {
      pongsAtPing = -1;
      noPings = true; // No pings on this transport: the heartbeat and the silence watch do the work.
      return;
    }
    pongsAtPing = ping - 1;
    holdsAtPing = owner.inboundHolds();
    pingSentAtMillis = now;
    // A heartbeat due at the same moment may have gone just before: the idle time is the gap
    // it ended.
    long idle = now - lastTrafficAtMillis;
    idleBeforePingMillis = idle < interval / 10 ? Math.max(idle, lastGapMillis) : idle;
    traffic();
  }

  private void onSilenceCheck() {
    if (!running) return;
    long limit = policy.serverTimeoutMillis();
    if (owner.sleptPast(silenceTimer.dueAtMillis()) || !running) {
      // Data may still sit unread in the socket after a sleep: the probe decides, not this timer.
      if (running && !silenceTimer.isArmed()) silenceTimer.arm(limit);
      return;
    }
    noteInboundActivity();
    long silent = timers.now() - lastReceivedAtMillis;
    if (silent >= limit) {
      owner.serverSilence(silent, limit);
      owner.dead("no data from server for " + Durations.seconds(silent) + " (limit "
          + Durations.seconds(limit) + ")");
    } else {
      silenceTimer.arm(limit - silent);
    }
  }

  private void onProbeTimeout() {
    if (!running) return;
    noteInboundActivity();
    if (probeStartedAtMillis < 0) return;
    long waited = timers.now() - probeStartedAtMillis;
    probeStartedAtMillis = -1;
    owner.dead("wake-up probe after " + probeTrigger + ": no data from server within "
        + Durations.seconds(waited) + " (probe timeout "
        + Durations.seconds(policy.probeTimeoutMillis()) + ")");
  }

  /**
   * Counts what arrived without passing through the message path: pongs, and messages still
   * waiting for a slow listener.
   */
  private void noteInboundActivity() {
    long pongs = owner.answeredPing();
    if (pongs > lastPongCount || owner.inboundWaiting()) {
      lastPongCount = Math.max(lastPongCount, pongs);
      receivedNow();
    }
  }
}
