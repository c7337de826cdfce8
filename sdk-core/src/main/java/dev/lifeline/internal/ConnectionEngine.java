package dev.lifeline.internal;

import dev.lifeline.ConnectionOptions;
import dev.lifeline.ConnectionState;
import dev.lifeline.ConnectionState.Kind;
import dev.lifeline.ConnectionState.PauseReason;
import dev.lifeline.EnvironmentPolicy;
import dev.lifeline.EnvironmentSignals.Signal;
import dev.lifeline.Logger;
import dev.lifeline.Message;
import java.net.SocketTimeoutException;
import java.util.List;
import java.util.Map;

/**
 * The state machine of one connection, confined to the connection's serial {@link SerialLane}
 * (docs/architecture.md): every transition, timer and transport callback runs there, so no field
 * here needs a lock. {@link RealConnection} is its thread-safe face: it posts the app's requests
 * here and publishes the states decided here. App code never runs on the lane: it goes through
 * {@link AppCalls}.
 *
 * <p>The parts: {@link Attempt} (one attempt and its stale callbacks), {@link Credentials} (the
 * credentials step), {@link KeepAlive} (heartbeat, silence watch, probe), {@link Reconnection}
 * (what follows a loss), {@link Delivery} (outbox, acknowledgements, expiry), {@link Inbound}
 * (the path of a received message), {@link StreamPositions} and {@link ResumeStep} (inbound
 * stream resume), {@link EnvironmentReactions} (network, screen, lifecycle) and {@link
 * SleepDetector}. A failure of any kind becomes one {@link Failure} and takes one path,
 * {@link #lose}; a transport is let go in one place, {@link #release}.
 *
 * <p>Timers: {@code reconnect} (waiting to reconnect → the next attempt), {@code attempt
 * deadline} (an attempt unfinished by then is abandoned), {@code stable period} (resets the
 * attempt counter), and the parts' own.
 */
final class ConnectionEngine {
  /**
   * From this many failures in a row, a failed attempt or lost connection is logged at WARN
   * instead of INFO: one failure is weather (a network change, a server restart), three in a row
   * is a problem someone may need to look at.
   */
  static final int WARN_FROM_CONSECUTIVE_FAILURES = 3;

  /**
   * How a transport is let go. In every way but {@link #GRACEFUL}, what it had not written goes
   * back to the outbox and what it wrote without being settled is reported as "may not have been
   * delivered" (or resent, with an ack key): see {@link Delivery#lost}.
   */
  enum Release {
    /** Abort the socket at once; what it had not written is final and goes back to the outbox. */
    CANCEL,
    /** It ended by itself: what it had not written goes back to the outbox. */
    ENDED,
    /**
     * The server started a close. Answered with a close 1000 only when the transport holds
     * nothing unwritten; otherwise cancelled as {@link #CANCEL}, because a close would first write
     * what it holds — messages that also go back to the outbox, and would be sent twice.
     */
    ANSWER_CLOSE,
    /** Our graceful close: it writes what it holds, then a close 1000; only unacked return. */
    GRACEFUL
  }

  private final ClientContext ctx;
  /** The public face, passed to app calls and told every new state. */
  private final RealConnection connection;
  private final ConnectionOptions options;
  /** The serial owner of this engine. */
  private final SerialLane lane;
  /** The only way to app code. */
  private final AppCalls app;
  /** This connection's named timers. */
  private final Timers timers;
  private final Reconnection reconnection;
  private final Credentials credentials;
  private final KeepAlive keepAlive;
  /** The adaptive heartbeat's learning; null when the interval is fixed. */
  private final HeartbeatTuning tuning;
  /** True when a network signal arrived since the transport opened: a cut then teaches nothing. */
  private boolean networkChangedSinceOpen;
  private final Delivery delivery;
  private final SleepDetector sleep;
  private final EnvironmentReactions environment;
  private final Timers.Timer reconnectTimer;
  private final Timers.Timer deadlineTimer;
  private final Timers.Timer stableTimer;
  /** The attempt whose transport is connecting or open, or null; written on the lane only. */
  private volatile Attempt attempt;
  /** Bounds the received bytes waiting for the app, across attempts; thread-safe. */
  private final InboundGate inboundGate;
  /** The path of received messages. */
  private final Inbound inbound;
  /** The resume hook's step of each attempt; null without a hook. */
  private final ResumeStep resumeStep;

  /** {@code initialPosition}: the inbound stream position restored by the store, or null. */
  ConnectionEngine(ClientContext ctx, RealConnection connection, SerialLane lane, AppCalls app,
      String initialPosition) {
    this.ctx = ctx;
    this.connection = connection;
    this.options = connection.options();
    this.lane = lane;
    this.app = app;
    this.timers = new Timers(Redact.url(options.url()), ctx.scheduler, lane, ctx.clock);
    this.reconnection =
        new Reconnection(options.reconnect(), options.credentials() != null, ctx.random);
    this.credentials = new Credentials(this, options, app, lane);
    EnvironmentPolicy environmentPolicy = options.environment();
    this.tuning = options.heartbeat().isAdaptive()
        ? new HeartbeatTuning(ctx, options.heartbeat(), app, lane, connection) : null;
    this.keepAlive = new KeepAlive(options.heartbeat(), tuning, environmentPolicy.probeOnWake(),
        timers, ctx.wakeUps, new KeepAliveOwner(this, options.heartbeat(), app));
    if (tuning != null) tuning.onChange(keepAlive::intervalChanged);
    this.delivery = new Delivery(options.outbox(), options.ackTimeoutMillis(), timers,
        new DeliveryOwner(this), options.outboxStore() == null ? null : new OutboxRecords(
            options.outboxStore(), ctx.wallClock, app, Redact.url(options.url())));
    this.sleep = new SleepDetector(connection, environmentPolicy.sleepDetectionMillis(), app,
        keepAlive, timers);
    this.environment =
        new EnvironmentReactions(environmentPolicy, ctx.signals, timers, new EnvironmentOwner(this));
    this.reconnectTimer = timers.timer("reconnect", this::onReconnectDue);
    this.deadlineTimer = timers.timer("attempt deadline", this::attemptTimedOut);
    this.stableTimer = timers.timer("stable period", reconnection::stable);
    this.inboundGate = new InboundGate(options.maxPendingInboundBytes());
    StreamPositions positions = StreamPositions.of(options, app, connection, initialPosition);
    this.inbound = new Inbound(this, positions);
    this.resumeStep = ResumeStep.of(options, positions, new ResumeOwner(this), app, lane);
  }

  // ---- The app's requests, posted by RealConnection. ----

  /** Lane: {@code connect()}. */
  void start() {
    if (connection.state().isTerminal()) return;
    ctx.signals.add(connection);
    environment.started();
    attemptOrPause();
  }

  /** Lane: {@code close()}. */
  void close() {
    if (connection.state().isTerminal()) return;
    closeGracefully("client closed");
    terminate("closed by the app", null);
  }

  /** Lane: {@code reconnectNow()}. */
  void reconnectNow() {
    Kind kind = connection.state().kind();
    if (kind == Kind.WAITING_TO_RECONNECT || kind == Kind.PAUSED) {
      app.log(Logger.Level.INFO, "reconnectNow(): attempting at once");
      startAttempt();
    }
  }

  /** Any thread: queues an app message; null when accepted, else why not. */
  String offer(Message message, Object ackKey, long nowMillis) {
    return delivery.offer(message, ackKey, nowMillis);
  }

  int queued() {
    return delivery.queued();
  }

  /** Any thread: received bytes waiting for the listener. */
  long pendingInboundBytes() {
    return inboundGate.pendingBytes();
  }

  // ---- Attempts. ----

  /** Starts an attempt, unless the environment says to wait. */
  void attemptOrPause() {
    PauseReason why = pauseReason();
    if (why != null) {
      pause(why);
    } else {
      startAttempt();
    }
  }

  private void startAttempt() {
    reconnectTimer.cancel();
    release(Release.CANCEL, "replaced by a new connection attempt");
    Attempt a = new Attempt(attemptOwner, reconnection.attempt(), now(), inboundGate, ctx.clock);
    attempt = a;
    setState(ConnectionState.connecting(a.number));
    app.event("connectStart", e -> e.connectStart(connection, a.number, Redact.url(options.url())));
    deadlineTimer.arm(options.attemptTimeoutMillis());
    credentials.start(a); // Opens the transport once the headers are known.
  }

  private void onReconnectDue() {
    sleep.sleptPast(reconnectTimer.dueAtMillis());
    attemptOrPause();
  }

  /** Lane: the attempt's headers are known; asks the resume hook if any, then the handshake. */
  void openTransport(Attempt a, Map<String, String> headers) {
    if (resumeStep != null) {
      resumeStep.start(a, headers);
    } else {
      handshake(a, options.url(), headers);
    }
  }

  /** Lane: starts {@code a}'s handshake to {@code url} (the options' own, or with resume). */
  void handshake(Attempt a, String url, Map<String, String> headers) {
    a.phase = Attempt.Phase.HANDSHAKE;
    Transport.Request request = new Transport.Request(url, headers,
        options.maxLineLength(), options.maxInboundMessageBytes(), a.readWaits);
    try {
      a.transport = ctx.transports.open(request, a);
    } catch (RuntimeException e) {
      lose(Failure.transientFailure("could not start connecting: " + e, e), Release.CANCEL);
    } catch (Error e) {
      // A library the factory uses is incompatible: never retried, never rethrown to a thread.
      lose(Failure.ofError("", e), Release.CANCEL);
    }
  }

  private void attemptTimedOut() {
    Attempt a = attempt;
    if (a == null || a.isOpen()) return;
    String reason = a.deadlineReason(now(), options.attemptTimeoutMillis());
    lose(Failure.transientFailure(reason, new SocketTimeoutException(reason)), Release.CANCEL);
  }

  /** The current attempt's transport callbacks, already on the lane. */
  private final Attempt.Owner attemptOwner = new Attempt.Owner() {
    @Override public SerialLane lane() {
      return lane;
    }

    @Override public Attempt current() {
      return attempt;
    }

    @Override public void opened(Attempt a) {
      a.phase = Attempt.Phase.OPEN;
      deadlineTimer.cancel();
      networkChangedSinceOpen = false;
      if (tuning != null) tuning.opened();
      keepAlive.start();
      environment.opened();
      if (resumeStep != null) resumeStep.opened(a); // Its first message, before the outbox.
      long handshake = now() - a.startedAtMillis;
      setState(ConnectionState.connected());
      app.event("connectEnd", e -> e.connectEnd(connection, a.number, handshake));
      stableTimer.arm(options.reconnect().stablePeriodMillis());
      delivery.flush();
    }

    @Override public void arrived(Attempt a, Message message, Runnable handled) {
      inbound.route(a, message, handled);
    }

    @Override public void peerClosing(Attempt a, int code, String reason) {
      lose(Failure.serverClose(code, reason), Release.ANSWER_CLOSE);
    }

    @Override public void closed(Attempt a, int code, String reason) {
      lose(Failure.serverClose(code, reason), Release.ENDED);
    }

    @Override public void failed(Attempt a, Throwable error, int httpCode, long retryAfterMillis) {
      lose(Failure.ofTransport(error, httpCode, retryAfterMillis,
          Failure.Timing.of(a, keepAlive, now())), Release.ENDED);
    }
  };

  /** Lane: the transport of {@code a}, if {@code a} is current and open; else null. */
  Transport openTransportOf(Attempt a) {
    return a != null && a == attempt && a.isOpen() ? a.transport : null;
  }

  /**
   * Lane: sends a heartbeat or a responder reply ({@code what}). One that the transport can never
   * carry is a configuration error and ends the connection. Returns whether it was handed over.
   */
  boolean sendProtocolMessage(Transport t, Message m, String what) {
    String invalid = Transports.whyNotSendable(options.url(), m);
    if (invalid == null) invalid = Transports.whyTooLarge(options.url(), m);
    if (invalid != null) {
      lose(Failure.configuration(what + " cannot be sent: " + invalid, null), Release.CANCEL);
      return false;
    }
    if (!t.send(m)) return false;
    keepAlive.sent();
    return true;
  }

  // ---- Losing a transport: the one teardown path. ----

  /**
   * Lane: the current transport is lost, or the attempt failed, because of {@code failure}: lets
   * the transport go as {@code how} says, tells the app, and carries out what {@link
   * Reconnection} decides.
   */
  void lose(Failure failure, Release how) {
    Attempt a = attempt;
    boolean wasOpen = a != null && a.isOpen();
    if (wasOpen && tuning != null && keepAlive.isRunning()) tuning.learnFrom(failure, keepAlive, now(), networkChangedSinceOpen);
    release(how, failure.reason);
    if (connection.state().isTerminal()) return;
    int number = a != null ? a.number : reconnection.attempt();
    if (wasOpen) {
      app.event("disconnected", e -> e.disconnected(connection, failure.reason, failure.cause));
    } else {
      app.event("connectFailed", e -> e.connectFailed(connection, number, failure.httpCode,
          failure.reason, failure.cause));
    }
    if (connection.closeRequested()) {
      logLoss(Logger.Level.INFO, wasOpen, number, failure, null);
      terminate("closed by the app", null);
      return;
    }
    if (a != null) credentials.lost(a, failure);
    Reconnection.Decision d = reconnection.afterLoss(failure, now(), pauseReason());
    boolean ends = d.kind == Reconnection.Decision.Kind.TERMINATE;
    boolean repeats = !wasOpen && number + 1 >= WARN_FROM_CONSECUTIVE_FAILURES;
    logLoss(ends || repeats ? Logger.Level.WARN : Logger.Level.INFO, wasOpen, number, failure,
        ends ? failure.cause : null);
    switch (d.kind) {
      case TERMINATE:
        terminate(d.reason, failure.cause);
        break;
      case PAUSE:
        pause(d.pauseReason);
        break;
      default:
        waitThenAttempt(d.delayMillis, d.attempt, d.reason, failure.cause);
        break;
    }
  }

  /**
   * Lane: logs a lost connection or a failed attempt ({@code number}: the failures in a row it
   * follows). Levels: docs/behaviour.md, "Log levels".
   */
  private void logLoss(Logger.Level level, boolean wasOpen, int number, Failure failure,
      Throwable cause) {
    String url = Redact.url(options.url());
    if (wasOpen) {
      app.log(level, url + ": connection lost: " + failure.reason, cause);
    } else {
      app.log(level, url + ": attempt " + number + " failed (" + (number + 1)
          + (number == 0 ? " failure" : " failures in a row") + "): " + failure.reason, cause);
    }
  }

  /**
   * Lane: the one place a transport is let go. {@code why}: the close reason for {@link
   * Release#GRACEFUL}, else why it was lost (the messages it may not have delivered say so).
   */
  void release(Release how, String why) {
    Attempt a = attempt;
    if (a == null) return;
    attempt = null; // From now on the attempt's late callbacks are ignored.
    deadlineTimer.cancel();
    stableTimer.cancel();
    keepAlive.stop();
    a.end();
    Transport t = a.transport;
    if (t == null) return;
    if (how == Release.ANSWER_CLOSE && !t.unsent().isEmpty()) how = Release.CANCEL;
    if (how == Release.CANCEL) t.cancel(); // First: what it had not written is then final.
    delivery.lost(t, how == Release.GRACEFUL ? null : why);
    if (how == Release.GRACEFUL) {
      t.close(1000, why);
    } else if (how == Release.ANSWER_CLOSE) {
      t.close(1000, null); // Completes the closing handshake; it holds nothing left to write.
    }
  }

  /**
   * Lane: ends the current transport on purpose. An open one sends what is queued, then a close
   * 1000 with {@code reason}; one still connecting is cancelled. Returns whether one was open.
   */
  boolean closeGracefully(String reason) {
    Attempt a = attempt;
    if (a == null || !a.isOpen()) {
      release(Release.CANCEL, reason);
      return false;
    }
    delivery.flush();
    release(Release.GRACEFUL, reason);
    return true;
  }

  /** Lane: WAITING_TO_RECONNECT for {@code delay}, then an attempt. */
  void waitThenAttempt(long delay, int number, String reason, Throwable cause) {
    reconnectTimer.cancel();
    setState(ConnectionState.waitingToReconnect(number, delay, reason, cause));
    app.event("reconnectScheduled", e -> e.reconnectScheduled(connection, number, delay, reason));
    reconnectTimer.arm(delay);
  }

  /** Lane: ends the connection for good. */
  private void terminate(String reason, Throwable cause) {
    release(Release.CANCEL, reason);
    timers.cancelAll();
    environment.ended();
    ctx.signals.remove(connection);
    setState(ConnectionState.closed(reason, cause));
    delivery.failQueued(reason); // From here on, a send() racing with this end throws.
    connection.terminated();
  }

  // ---- Environment signals. ----

  /** Lane: a signal from the environment. */
  void react(Signal signal) {
    if (signal == Signal.NETWORK_CHANGED || signal == Signal.NETWORK_LOST
        || signal == Signal.NETWORK_AVAILABLE) {
      networkChangedSinceOpen = true;
    }
    environment.react(signal);
  }

  /** Lane: an app message went out or came in (a push window counts idle time from it). */
  void appTraffic() {
    environment.traffic();
  }

  /** Why attempts must wait now, or null. */
  private PauseReason pauseReason() {
    return environment.pauseReason();
  }

  void pause(PauseReason why) {
    ConnectionState s = connection.state();
    if (s.kind() == Kind.PAUSED && s.pauseReason() == why) return;
    setState(ConnectionState.paused(why, SignalHub.describe(why)));
  }

  // ---- Plumbing for the parts. ----

  /** Lane: stops waiting to reconnect. */
  void stopWaiting() {
    reconnectTimer.cancel();
  }

  /** Lane: how long the wait to reconnect still has to run. */
  long waitRemainingMillis() {
    return reconnectTimer.dueAtMillis() - now();
  }

  Reconnection reconnection() {
    return reconnection;
  }

  /** Lane: the current attempt, or null. */
  Attempt attempt() {
    return attempt;
  }

  RealConnection connection() {
    return connection;
  }

  ConnectionOptions options() {
    return options;
  }

  SerialLane lane() {
    return lane;
  }

  KeepAlive keepAlive() {
    return keepAlive;
  }

  /** Any thread: the heartbeat interval in use. */
  long heartbeatIntervalMillis() {
    return tuning != null ? tuning.intervalMillis() : options.heartbeat().intervalMillis();
  }

  Delivery delivery() {
    return delivery;
  }

  AppCalls app() {
    return app;
  }

  /** Lane: see {@link SleepDetector#sleptPast}. */
  boolean sleptPast(long dueAtMillis) {
    return sleep.sleptPast(dueAtMillis);
  }

  /** The names of this connection's armed timers; lane. */
  List<String> armedTimers() {
    return timers.armed();
  }

  private void setState(ConnectionState next) {
    app.log(levelOf(next), Redact.url(options.url()) + " → " + next);
    connection.publish(next);
  }

  /**
   * The level a new state is logged at (docs/behaviour.md, "Log levels"): what an operator wants
   * to see at INFO is whether the connection is up, waiting, paused or gone; the attempts
   * themselves are DEBUG. A CLOSED the app did not ask for (fatal, retry limits) is WARN.
   */
  private Logger.Level levelOf(ConnectionState next) {
    switch (next.kind()) {
      case CONNECTING:
        return Logger.Level.DEBUG;
      case CLOSED:
        return connection.closeRequested() ? Logger.Level.INFO : Logger.Level.WARN;
      default:
        return Logger.Level.INFO;
    }
  }

  long now() {
    return ctx.clock.elapsedMillis();
  }
}
