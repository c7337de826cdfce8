package dev.lifeline.internal;

import dev.lifeline.Cancellable;
import dev.lifeline.Connection;
import dev.lifeline.ConnectionListener;
import dev.lifeline.ConnectionOptions;
import dev.lifeline.ConnectionState;
import dev.lifeline.ConnectionState.Kind;
import dev.lifeline.ConnectionState.PauseReason;
import dev.lifeline.CredentialsProvider;
import dev.lifeline.EnvironmentPolicy;
import dev.lifeline.EnvironmentSignals.Signal;
import dev.lifeline.EventListener;
import dev.lifeline.HeartbeatPolicy;
import dev.lifeline.Logger;
import dev.lifeline.Message;
import dev.lifeline.ReconnectPolicy;
import dev.lifeline.AckMatcher;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import kotlinx.coroutines.flow.MutableStateFlow;
import kotlinx.coroutines.flow.StateFlow;
import kotlinx.coroutines.flow.StateFlowKt;
import okio.ByteString;

/**
 * The connection manager: one state machine per connection, owned by the client's serial
 * {@link dev.lifeline.Scheduler}. Every transition, timer and transport callback runs there, so no
 * field below needs a lock unless it says otherwise; public methods only post work (and {@link
 * #send} touches the lock-guarded {@link Outbox}).
 *
 * <p>Timers (each null when not armed):
 * <ul>
 *   <li>{@code reconnectTimer}: WAITING_TO_RECONNECT → the next attempt.
 *   <li>{@code heartbeatTimer}: while open, the next client heartbeat (H1/H2).
 *   <li>{@code silenceTimer}: while open with a server timeout, the silence check (H4).
 *   <li>{@code stableTimer}: while open, resets the attempt counter after the stable period (R3).
 *   <li>{@code probeTimer}: while a wake-up probe waits for inbound data (H6).
 *   <li>{@code graceTimer}: while in the background, the graceful close (E3).
 * </ul>
 */
public final class RealConnection implements Connection, SignalHub.Receiver {
  /** How soon a flush refused by a full transport buffer is retried. */
  static final long FLUSH_RETRY_MILLIS = 100;

  /** Clock, scheduler, executors and transports shared with the client's other connections. */
  private final ClientContext ctx;
  private final ConnectionOptions options;
  private final HeartbeatPolicy heartbeat;
  private final ReconnectPolicy reconnect;
  private final EnvironmentPolicy environment;
  /** The app's listener, called on the callback executor. */
  private final ConnectionListener listener;
  /** Diagnostics, called on the scheduler thread. */
  private final EventListener events;
  /** Messages not yet handed to a transport; thread-safe. */
  private final Outbox outbox;
  /** Reconnect delay math. */
  private final Backoff backoff;
  /** Published state for Kotlin; thread-safe. */
  private final MutableStateFlow<ConnectionState> stateFlow;
  /** Published state for {@link #state()}; written on the scheduler thread only. */
  private volatile ConnectionState state = ConnectionState.idle();
  /** Set by the first {@link #connect()}. */
  private final AtomicBoolean connectCalled = new AtomicBoolean();
  /** Set by {@link #close()}; checked by {@link #send} on app threads. */
  private volatile boolean closeRequested;
  /** True while a drain of the outbox is posted and has not run yet. */
  private final AtomicBoolean drainPosted = new AtomicBoolean();

  /** The current transport (connecting or open), or null. */
  private Transport transport;
  /** {@link #transport}'s callbacks and inbound gate, or null. */
  private TransportEvents transportEvents;
  /** True once {@link #transport} completed its handshake. */
  private boolean open;
  /** Identifies the current attempt, so stale credential results are ignored. */
  private int attemptId;
  /** Consecutive failures since the last stable connection: the retry number. */
  private int failures;
  /** When the current streak of failures began, or -1. */
  private long failingSinceMillis = -1;
  /** True when the last handshake was answered 401/403 and the provider must refresh. */
  private boolean authRejected;
  /** The 401/403 status of the last rejected handshake, for the terminal reason. */
  private int rejectedStatus;
  /** True after the background grace period closed the connection (E3). */
  private boolean closedForBackground;
  /** When the current attempt started. */
  private long connectStartedAtMillis;
  /** When data was last handed to the transport. */
  private long lastSentAtMillis;
  /** When anything (message or pong) last arrived. */
  private long lastReceivedAtMillis;
  /** The transport's pong count when last looked at. */
  private long lastPongCount;
  /** When the running wake-up probe started, or -1. */
  private long probeStartedAtMillis = -1;
  /** What triggered the running probe. */
  private String probeTrigger;

  private Cancellable reconnectTimer;
  /** When {@link #reconnectTimer} is due. */
  private long reconnectDueAtMillis;
  private Cancellable heartbeatTimer;
  /** When {@link #heartbeatTimer} is due. */
  private long heartbeatDueAtMillis;
  private Cancellable silenceTimer;
  /** When {@link #silenceTimer} is due. */
  private long silenceDueAtMillis;
  private Cancellable stableTimer;
  private Cancellable probeTimer;
  private Cancellable graceTimer;
  /** Retries a flush that the transport's full buffer refused. */
  private Cancellable flushRetryTimer;
  /** Expires outbox messages (TTL) while nothing flushes them. */
  private Cancellable expiryTimer;
  /** When a sleep was last reported, so two late timers report one sleep. */
  private long sleepReportedAtMillis = Long.MIN_VALUE;

  public RealConnection(ClientContext ctx, ConnectionOptions options, ConnectionListener listener) {
    this.ctx = ctx;
    this.options = options;
    this.heartbeat = options.heartbeat();
    this.reconnect = options.reconnect();
    this.environment = options.environment();
    this.listener = listener;
    this.events = options.eventListener();
    this.outbox = new Outbox(options.outbox());
    this.backoff = new Backoff(reconnect, ctx.random);
    this.stateFlow = StateFlowKt.MutableStateFlow(state);
  }

  // ---- Public API: thread-safe, posts to the scheduler. ----

  @Override public void connect() {
    if (closeRequested) throw new IllegalStateException("connect() after close(): " + state);
    if (!connectCalled.compareAndSet(false, true)) {
      throw new IllegalStateException("connect() called twice; the connection reconnects by itself");
    }
    ctx.scheduler.execute(() -> {
      if (state.isTerminal()) return;
      ctx.signals.add(this);
      attemptOrPause();
    });
  }

  @Override public boolean send(String text) {
    if (text == null) throw new NullPointerException("text == null");
    return send(Message.text(text));
  }

  @Override public boolean send(ByteString bytes) {
    if (bytes == null) throw new NullPointerException("bytes == null");
    return send(Message.binary(bytes));
  }

  @Override public boolean send(Message message) {
    if (message == null) throw new NullPointerException("message == null");
    Transports.checkSendable(options.url(), message); // tcp://: one text line per message.
    if (closeRequested || state.isTerminal()) {
      throw new IllegalStateException("send() after the connection closed: " + state);
    }
    String rejected = outbox.offer(message, ctx.clock.elapsedMillis());
    if (rejected != null) {
      notifySendFailed(message, rejected);
      return false;
    }
    // A close racing with this send finds the message in the outbox and reports it.
    if (drainPosted.compareAndSet(false, true)) {
      ctx.scheduler.execute(() -> {
        drainPosted.set(false);
        flushOutbox();
      });
    }
    return true;
  }

  @Override public void close() {
    closeRequested = true;
    ctx.scheduler.execute(() -> {
      if (state.isTerminal()) return;
      closeGracefully("client closed");
      terminate("closed by the app", null);
    });
  }

  @Override public void reconnectNow() {
    ctx.scheduler.execute(() -> {
      Kind kind = state.kind();
      if (kind == Kind.WAITING_TO_RECONNECT || kind == Kind.PAUSED) {
        log(Logger.Level.INFO, "reconnectNow(): attempting at once");
        startAttempt();
      }
    });
  }

  @Override public ConnectionState state() {
    return state;
  }

  @Override public StateFlow<ConnectionState> stateFlow() {
    return stateFlow;
  }

  @Override public int queuedMessages() {
    return outbox.size();
  }

  @Override public ConnectionOptions options() {
    return options;
  }

  @Override public String toString() {
    return "Connection{" + options.url() + ", " + state + "}";
  }

  // ---- Attempts. ----

  /** Starts an attempt, unless the environment says to wait. */
  private void attemptOrPause() {
    PauseReason why = pauseReason();
    if (why != null) {
      pause(why);
    } else {
      startAttempt();
    }
  }

  private void startAttempt() {
    cancelReconnectTimer();
    dropTransport();
    final int id = ++attemptId;
    final int attempt = failures;
    final boolean rejected = authRejected;
    authRejected = false;
    connectStartedAtMillis = now();
    setState(ConnectionState.connecting(attempt));
    event(e -> e.connectStart(this, attempt, options.url()));
    final CredentialsProvider credentials = options.credentials();
    if (credentials == null) {
      openTransport(options.headers());
      return;
    }
    // The provider may block (token refresh): ask off the scheduler thread.
    try {
      ctx.blockingExecutor.execute(() -> askCredentials(credentials, id, attempt, rejected));
    } catch (RuntimeException e) {
      attemptFailed("could not ask the credentials provider: " + e, e, 0, -1);
    }
  }

  /** On the blocking executor: asks for headers, then continues the attempt on the scheduler. */
  private void askCredentials(
      CredentialsProvider credentials, int id, int attempt, boolean rejected) {
    Map<String, String> extra;
    try {
      extra = credentials.headers(attempt, rejected);
    } catch (Throwable t) {
      ctx.scheduler.execute(() -> {
        if (id != attemptId || state.kind() != Kind.CONNECTING) return;
        attemptFailed("credentials provider failed: " + t, t, 0, -1);
      });
      return;
    }
    final Map<String, String> headers = extra;
    ctx.scheduler.execute(() -> {
      if (id != attemptId || state.kind() != Kind.CONNECTING) return;
      if (rejected && headers == null) {
        terminate("HTTP " + rejectedStatus + " at handshake and the credentials provider"
            + " has no new credentials", null);
        return;
      }
      Map<String, String> all = new LinkedHashMap<>(options.headers());
      if (headers != null) all.putAll(headers);
      openTransport(all);
    });
  }


  private void openTransport(Map<String, String> headers) {
    Transport.Request request =
        new Transport.Request(options.url(), headers, heartbeat.protocolPingIntervalMillis(),
            options.maxLineLength());
    TransportEvents callbacks = new TransportEvents(new InboundGate(options.maxPendingInboundBytes()));
    try {
      transport = ctx.transports.open(request, callbacks);
      transportEvents = callbacks;
    } catch (RuntimeException e) {
      attemptFailed("could not start connecting: " + e, e, 0, -1);
    }
  }

  private void attemptFailed(String reason, Throwable error, int httpCode, long retryAfterMillis) {
    final int attempt = failures;
    event(e -> e.connectFailed(this, attempt, httpCode, reason, error));
    lost(reason, error, httpCode, retryAfterMillis, 0);
  }

  // ---- Transport events, on the scheduler thread. ----

  private void onOpen(Transport t) {
    open = true;
    long now = now();
    lastSentAtMillis = now;
    lastReceivedAtMillis = now;
    lastPongCount = t.receivedPongCount();
    final long handshake = now - connectStartedAtMillis;
    final int attempt = failures;
    setState(ConnectionState.connected());
    event(e -> e.connectEnd(this, attempt, handshake));
    scheduleHeartbeat(heartbeat.intervalMillis());
    if (heartbeat.serverTimeoutMillis() > 0) scheduleSilenceCheck(heartbeat.serverTimeoutMillis());
    stableTimer = ctx.scheduler.schedule(() -> {
      stableTimer = null;
      failures = 0;
      failingSinceMillis = -1;
      backoff.reset();
    }, reconnect.stablePeriodMillis());
    flushOutbox();
  }

  /** An inbound message; {@code handled} runs once the app is done with it (or it was consumed). */
  private void onMessage(Message message, Runnable handled) {
    received();
    AckMatcher acks = options.ackMatcher();
    if (acks != null) {
      Object key = null;
      try {
        key = acks.acknowledgedKey(message);
      } catch (Throwable t) {
        log(Logger.Level.WARN, "AckMatcher.acknowledgedKey threw; message delivered as usual", t);
      }
      if (key != null) {
        Message delivered = outbox.acknowledge(key);
        handled.run();
        if (delivered != null) deliver("onDelivered", () -> listener.onDelivered(this, delivered));
        return; // An acknowledgement, not an app message (a duplicate one is dropped too).
      }
    }
    Message reply = null;
    if (heartbeat.responder() != null) {
      try {
        reply = heartbeat.responder().replyTo(message);
      } catch (Throwable t) {
        log(Logger.Level.WARN, "server heartbeat responder threw; message delivered as usual", t);
      }
    }
    if (reply != null) {
      final Message answer = reply;
      if (transport.send(answer)) lastSentAtMillis = now();
      event(e -> e.serverHeartbeatAnswered(this, message, answer));
      handled.run();
      return; // A protocol heartbeat, not an app message.
    }
    deliver("onMessage", () -> {
      if (message.isText()) {
        listener.onMessage(this, message.text());
      } else {
        listener.onMessage(this, message.bytes());
      }
    }, handled);
  }

  private void onPeerClosing(Transport t, int code, String reason) {
    detachTransport();
    t.close(1000, null); // Complete the closing handshake.
    lost(serverClosed(code, reason), null, 0, -1, code);
  }

  private void onFailure(Throwable error, int httpCode, long retryAfterMillis) {
    if (!open) {
      detachTransport();
      String reason = httpCode > 0
          ? "HTTP " + httpCode + " at handshake"
          : "connect failed: " + describe(error);
      attemptFailed(reason, error, httpCode, retryAfterMillis);
    } else {
      detachTransport();
      lost("connection failed: " + describe(error), error, 0, -1, 0);
    }
  }

  /**
   * The transport is gone (already detached). Decides between a terminal close and a delayed
   * reconnect.
   */
  private void lost(String reason, Throwable error, int httpCode, long retryAfterMillis, int closeCode) {
    if (state.isTerminal()) return;
    if (state.kind() == Kind.CONNECTED) event(e -> e.disconnected(this, reason, error));
    if (closeRequested) {
      terminate("closed by the app", null);
      return;
    }
    if (httpCode == 401 || httpCode == 403) {
      if (options.credentials() == null) {
        terminate(reason + " (" + (httpCode == 401 ? "Unauthorized" : "Forbidden")
            + "); configure a CredentialsProvider to refresh credentials", error);
        return;
      }
      authRejected = true;
      rejectedStatus = httpCode;
    } else if (httpCode >= 400 && httpCode < 500 && httpCode != 408 && httpCode != 429) {
      terminate(reason + ": the server rejects this request, retrying cannot help", error);
      return;
    }
    if (closeCode != 0 && reconnect.fatalCloseCodes().contains(closeCode)) {
      terminate(reason + " (close code " + closeCode + " is configured as fatal)", error);
      return;
    }
    scheduleReconnect(reason, error, retryAfterMillis);
  }

  private void scheduleReconnect(String reason, Throwable error, long retryAfterMillis) {
    long now = now();
    failures++;
    if (failingSinceMillis < 0) failingSinceMillis = now;
    if (reconnect.maxAttempts() > 0 && failures > reconnect.maxAttempts()) {
      terminate("gave up after " + reconnect.maxAttempts() + " reconnect attempts; last: " + reason, error);
      return;
    }
    PauseReason why = pauseReason();
    if (why != null) {
      pause(why);
      return;
    }
    long delay = backoff.delayMillis(failures);
    if (retryAfterMillis >= 0) {
      // Honour the server's Retry-After, with jitter on top so a fleet does not return at once.
      long retryAfter = Math.min(retryAfterMillis, reconnect.maxRetryAfterMillis());
      delay = Math.max(delay, retryAfter + backoff.uniform(0, reconnect.baseDelayMillis()));
    }
    long limit = reconnect.maxRetryDurationMillis();
    if (limit > 0 && now + delay - failingSinceMillis > limit) {
      terminate("gave up: still failing after " + seconds(now - failingSinceMillis)
          + " (retry limit " + seconds(limit) + "); last: " + reason, error);
      return;
    }
    waitThenAttempt(delay, reason, error);
  }

  /** WAITING_TO_RECONNECT for {@code delay}, then an attempt. */
  private void waitThenAttempt(long delay, String reason, Throwable error) {
    cancelReconnectTimer();
    final int attempt = failures;
    setState(ConnectionState.waitingToReconnect(attempt, delay, reason, error));
    event(e -> e.reconnectScheduled(this, attempt, delay, reason));
    reconnectDueAtMillis = now() + delay;
    reconnectTimer = ctx.scheduler.schedule(() -> {
      reconnectTimer = null;
      checkSleep(reconnectDueAtMillis);
      attemptOrPause();
    }, delay);
  }

  /** Ends the connection for good. */
  private void terminate(String reason, Throwable error) {
    dropTransport();
    cancelReconnectTimer();
    graceTimer = cancel(graceTimer);
    flushRetryTimer = cancel(flushRetryTimer);
    expiryTimer = cancel(expiryTimer);
    ctx.signals.remove(this);
    ctx.unregister(this);
    setState(ConnectionState.closed(reason, error));
    for (Message m : outbox.drain()) {
      notifySendFailed(m, "connection closed before the message was delivered: " + reason);
    }
  }

  // ---- Sending. ----

  /** Hands queued messages to an open transport, oldest first; reports expired ones. */
  private void flushOutbox() {
    long now = now();
    for (Message m : outbox.expire(now)) {
      notifySendFailed(m, "expired in the outbox after " + seconds(options.outbox().ttlMillis()));
    }
    if (state.isTerminal()) {
      for (Message m : outbox.drain()) {
        notifySendFailed(m, "connection closed before the message was delivered: " + state.reason());
      }
      return;
    }
    if (open) {
      Message m;
      while ((m = outbox.peek()) != null) {
        if (!transport.send(m)) {
          // The transport's own buffer is full (or it is closing): try again shortly.
          if (flushRetryTimer == null) {
            flushRetryTimer = ctx.scheduler.schedule(() -> {
              flushRetryTimer = null;
              flushOutbox();
            }, FLUSH_RETRY_MILLIS);
          }
          break;
        }
        outbox.removeFirst();
        lastSentAtMillis = now;
        Object key = ackKey(m);
        if (key != null) outbox.awaitAck(key, m, now);
      }
    }
    scheduleExpiry(now);
  }

  /** The at-least-once key of an app message, or null (no matcher, or no ack needed). */
  private Object ackKey(Message m) {
    AckMatcher acks = options.ackMatcher();
    if (acks == null) return null;
    try {
      return acks.key(m);
    } catch (Throwable t) {
      log(Logger.Level.WARN, "AckMatcher.key threw; message sent without waiting for an ack", t);
      return null;
    }
  }

  /** With a TTL, wakes up when the oldest queued message expires, so the app hears in time. */
  private void scheduleExpiry(long now) {
    long ttl = options.outbox().ttlMillis();
    long oldest = outbox.oldestAcceptedAtMillis();
    if (ttl == 0 || oldest < 0 || expiryTimer != null) return;
    expiryTimer = ctx.scheduler.schedule(() -> {
      expiryTimer = null;
      flushOutbox();
    }, Math.max(0, oldest + ttl - now));
  }

  private void notifySendFailed(Message message, String reason) {
    deliver("onSendFailed", () -> listener.onSendFailed(this, message, reason));
  }

  // ---- Heartbeats, silence watch and probes. ----

  private void scheduleHeartbeat(long delay) {
    heartbeatDueAtMillis = now() + delay;
    heartbeatTimer = ctx.scheduler.schedule(this::onHeartbeatDue, delay);
  }

  private void onHeartbeatDue() {
    heartbeatTimer = null;
    if (!open) return;
    if (checkSleep(heartbeatDueAtMillis) || !open) {
      if (open && heartbeatTimer == null) scheduleHeartbeat(heartbeat.intervalMillis());
      return;
    }
    long since = now() - lastSentAtMillis;
    if (heartbeat.idleOnly() && since < heartbeat.intervalMillis()) {
      event(e -> e.heartbeatSkipped(this, since));
      scheduleHeartbeat(heartbeat.intervalMillis() - since);
      return;
    }
    sendHeartbeat();
    scheduleHeartbeat(heartbeat.intervalMillis());
  }

  private void sendHeartbeat() {
    Message beat;
    try {
      beat = heartbeat.payload().next();
      if (beat == null) throw new NullPointerException("HeartbeatPayload.next() returned null");
    } catch (Throwable t) {
      log(Logger.Level.WARN, "heartbeat payload supplier failed; sending the default payload", t);
      beat = Message.text(HeartbeatPolicy.DEFAULT_PAYLOAD);
    }
    final Message sent = beat;
    if (transport.send(sent)) {
      lastSentAtMillis = now();
      event(e -> e.heartbeatSent(this, sent));
    }
  }

  private void scheduleSilenceCheck(long delay) {
    silenceDueAtMillis = now() + delay;
    silenceTimer = ctx.scheduler.schedule(this::onSilenceCheck, delay);
  }

  private void onSilenceCheck() {
    silenceTimer = null;
    if (!open) return;
    long limit = heartbeat.serverTimeoutMillis();
    if (checkSleep(silenceDueAtMillis) || !open) {
      // Data may still sit unread in the socket after a sleep: the probe decides, not this timer.
      if (open && silenceTimer == null) scheduleSilenceCheck(limit);
      return;
    }
    noteInboundActivity();
    long silent = now() - lastReceivedAtMillis;
    if (silent >= limit) {
      event(e -> e.serverSilence(this, silent, limit));
      dead("no data from server for " + seconds(silent) + " (limit " + seconds(limit) + ")");
    } else {
      scheduleSilenceCheck(limit - silent);
    }
  }

  /** H6: sends a heartbeat at once and, if the server is known to talk, expects data soon. */
  private void probe(String trigger) {
    if (!open || !environment.probeOnWake() || probeStartedAtMillis >= 0) return;
    event(e -> e.probeStarted(this, trigger));
    sendHeartbeat();
    if (heartbeat.serverTimeoutMillis() == 0) return; // Nothing to wait for; H3 pings still watch.
    probeStartedAtMillis = now();
    probeTrigger = trigger;
    probeTimer = ctx.scheduler.schedule(() -> {
      probeTimer = null;
      if (!open) return;
      noteInboundActivity();
      if (probeStartedAtMillis < 0) return;
      long waited = now() - probeStartedAtMillis;
      probeStartedAtMillis = -1;
      dead("wake-up probe after " + probeTrigger + ": no data from server within "
          + seconds(waited) + " (probe timeout " + seconds(heartbeat.probeTimeoutMillis()) + ")");
    }, heartbeat.probeTimeoutMillis());
  }

  /** Inbound activity: refreshes the silence watch and completes a running probe. */
  private void received() {
    lastReceivedAtMillis = now();
    if (probeStartedAtMillis >= 0) {
      long after = lastReceivedAtMillis - probeStartedAtMillis;
      probeStartedAtMillis = -1;
      probeTimer = cancel(probeTimer);
      event(e -> e.probeSucceeded(this, after));
    }
  }

  /**
   * Counts what arrived without passing through {@link #onMessage}: pongs, and messages still
   * waiting for a slow listener (the server is clearly talking; it is the app that is behind).
   */
  private void noteInboundActivity() {
    long pongs = transport.receivedPongCount();
    boolean waitingForApp = transportEvents != null && transportEvents.gate.pendingBytes() > 0;
    if (pongs > lastPongCount || waitingForApp) {
      lastPongCount = Math.max(lastPongCount, pongs);
      received();
    }
  }

  /**
   * Returns true when a timer due at {@code dueAtMillis} fired so late that the device must have
   * slept (E4); the connection is then probed (H6).
   */
  private boolean checkSleep(long dueAtMillis) {
    long now = now();
    long late = now - dueAtMillis;
    if (late <= environment.sleepDetectionMillis()) return false;
    // Several timers wake up late after one sleep: report and probe once.
    if (sleepReportedAtMillis != Long.MIN_VALUE
        && now - sleepReportedAtMillis <= environment.sleepDetectionMillis()) {
      return true;
    }
    sleepReportedAtMillis = now;
    event(e -> e.sleepDetected(this, late));
    log(Logger.Level.INFO, "timer fired " + seconds(late) + " late: the device slept", null);
    probe("a sleep of " + seconds(late));
    return true;
  }

  /** The open connection is presumed dead: release it at once and reconnect. */
  private void dead(String reason) {
    transport.cancel(); // First: what it had not written yet is then final, and requeued below.
    detachTransport();
    lost(reason, new SocketTimeoutException(reason), 0, -1, 0);
  }

  // ---- Environment signals (E1–E5). ----

  @Override public void onSignal(Signal signal) {
    if (state.isTerminal() || state.kind() == Kind.IDLE) return;
    event(e -> e.signalReceived(this, signal));
    switch (signal) {
      case NETWORK_LOST:
        if (transport != null) {
          boolean wasOpen = open;
          dropTransport();
          if (wasOpen) event(e -> e.disconnected(this, "network lost", null));
        }
        cancelReconnectTimer();
        pause(PauseReason.NETWORK_DOWN);
        break;
      case NETWORK_CHANGED:
        if (transport != null) {
          // The socket is bound to the old network and will never hear back: replace it now.
          boolean wasOpen = open;
          dropTransport();
          if (wasOpen) event(e -> e.disconnected(this, "default network changed", null));
          attemptOrPause();
        } else {
          resumeSoon("network changed", true);
        }
        break;
      case NETWORK_AVAILABLE:
        resumeSoon("network available", true);
        break;
      case SCREEN_OFF:
        deferIfWaiting();
        break;
      case SCREEN_ON:
        if (open) probe("screen on");
        resumeSoon("screen on", false);
        break;
      case BACKGROUND:
        if (environment.closeInBackground() && graceTimer == null) {
          graceTimer = ctx.scheduler.schedule(this::onBackgroundGraceOver,
              environment.backgroundGraceMillis());
        }
        deferIfWaiting();
        break;
      case FOREGROUND:
        graceTimer = cancel(graceTimer);
        closedForBackground = false;
        if (open) probe("foreground");
        resumeSoon("foreground", false);
        break;
      case SUSPENDED:
        deferIfWaiting();
        break;
      case RESUMED:
        if (open) probe("resume");
        resumeSoon("resumed", false);
        break;
    }
  }

  private void onBackgroundGraceOver() {
    graceTimer = null;
    if (state.isTerminal() || ctx.signals.foreground()) return;
    closedForBackground = true;
    if (closeGracefully("app in background")) {
      event(e -> e.disconnected(this, "closed after " + seconds(environment.backgroundGraceMillis())
          + " in the background", null));
    }
    cancelReconnectTimer();
    pause(PauseReason.BACKGROUND);
  }

  /** WAITING_TO_RECONNECT becomes PAUSED when the environment now says to wait. */
  private void deferIfWaiting() {
    if (state.kind() != Kind.WAITING_TO_RECONNECT) return;
    PauseReason why = pauseReason();
    if (why != null) {
      cancelReconnectTimer();
      pause(why);
    }
  }

  /**
   * Conditions improved: a PAUSED connection (and a waiting one, when {@code shortenWait}) tries
   * again after a short jitter instead of the remaining backoff (R6).
   */
  private void resumeSoon(String trigger, boolean shortenWait) {
    Kind kind = state.kind();
    if (kind != Kind.PAUSED && !(shortenWait && kind == Kind.WAITING_TO_RECONNECT)) return;
    PauseReason why = pauseReason();
    if (why != null) {
      if (kind == Kind.WAITING_TO_RECONNECT) cancelReconnectTimer();
      pause(why);
      return;
    }
    long delay = backoff.uniform(0, reconnect.resumeJitterMillis());
    if (kind == Kind.WAITING_TO_RECONNECT && reconnectDueAtMillis - now() <= delay) return;
    waitThenAttempt(delay, trigger, null);
  }

  /** Why attempts must wait now, or null. Most fundamental reason first. */
  private PauseReason pauseReason() {
    SignalHub env = ctx.signals;
    if (!env.networkUp()) return PauseReason.NETWORK_DOWN;
    if (env.suspended()) return PauseReason.SUSPENDED;
    if (!env.foreground() && (environment.deferInBackground() || closedForBackground)) {
      return PauseReason.BACKGROUND;
    }
    if (!env.screenOn() && environment.deferWhileScreenOff()) return PauseReason.SCREEN_OFF;
    return null;
  }

  private void pause(PauseReason why) {
    String reason;
    switch (why) {
      case NETWORK_DOWN: reason = "network down; reconnecting when it returns"; break;
      case SUSPENDED: reason = "host suspended; reconnecting on resume"; break;
      case BACKGROUND: reason = "app in background; reconnecting on foreground"; break;
      default: reason = "screen off; reconnecting on screen on"; break;
    }
    ConnectionState s = state;
    if (s.kind() == Kind.PAUSED && s.pauseReason() == why) return;
    setState(ConnectionState.paused(why, reason));
  }

  // ---- Plumbing. ----

  /** Forgets a transport that failed or is abandoned; see {@link #detachTransport(boolean)}. */
  private void detachTransport() {
    detachTransport(false);
  }

  /**
   * Forgets the current transport (its late callbacks are then ignored) and its timers, and puts
   * back in the outbox what must go out again. {@code closingGracefully}: the transport will
   * still write what it holds before its close frame, so only unacknowledged messages return.
   */
  private void detachTransport(boolean closingGracefully) {
    Transport t = transport;
    transport = null;
    if (transportEvents != null) transportEvents.gate.close(); // Frees a reader waiting on it.
    transportEvents = null;
    open = false;
    heartbeatTimer = cancel(heartbeatTimer);
    silenceTimer = cancel(silenceTimer);
    stableTimer = cancel(stableTimer);
    probeTimer = cancel(probeTimer);
    probeStartedAtMillis = -1;
    if (t != null) {
      // What goes out again first: messages written but never acknowledged (at-least-once), then
      // those the transport never wrote. Written ones all precede unwritten ones, so this is send
      // order; an unwritten message that also awaits an ack is counted once.
      List<Message> unsent = closingGracefully ? Collections.<Message>emptyList() : t.unsent();
      List<Message> again = new ArrayList<>();
      Set<Message> unwritten = Collections.newSetFromMap(new IdentityHashMap<>());
      unwritten.addAll(unsent);
      for (Message m : outbox.takeUnacked()) {
        if (!unwritten.contains(m)) again.add(m);
      }
      again.addAll(unsent);
      if (!again.isEmpty()) outbox.requeueFront(again, now());
    }
  }

  /**
   * Ends the current transport on purpose: an open one sends what is queued, then a close 1000
   * with {@code reason}; one still connecting is cancelled. Returns whether one was open.
   */
  private boolean closeGracefully(String reason) {
    if (!open) {
      dropTransport();
      return false;
    }
    flushOutbox();
    Transport t = transport;
    detachTransport(true);
    t.close(1000, reason);
    return true;
  }

  /** Detaches and cancels the current transport, if any. */
  private void dropTransport() {
    if (transport == null) return;
    transport.cancel(); // First: what it had not written yet is then final, and requeued below.
    detachTransport();
  }

  private void cancelReconnectTimer() {
    reconnectTimer = cancel(reconnectTimer);
  }

  private static Cancellable cancel(Cancellable c) {
    if (c != null) c.cancel();
    return null;
  }

  private void setState(ConnectionState next) {
    state = next;
    stateFlow.setValue(next);
    log(Logger.Level.DEBUG, options.url() + " → " + next, null);
    deliver("onStateChanged", () -> listener.onStateChanged(this, next));
  }

  /**
   * Runs one app listener call on the callback executor. A throwing listener is logged and never
   * breaks the connection; a rejected executor (the app shut it down) loses only the callback.
   */
  private void deliver(String method, Runnable call) {
    deliver(method, call, NOTHING);
  }

  /** As {@link #deliver(String, Runnable)}, then runs {@code after} whatever happened. */
  private void deliver(String method, Runnable call, Runnable after) {
    try {
      ctx.callbackExecutor.execute(() -> {
        try {
          call.run();
        } catch (Throwable t) {
          log(Logger.Level.WARN, "ConnectionListener." + method + " threw; ignored", t);
        } finally {
          after.run();
        }
      });
    } catch (RuntimeException rejected) {
      log(Logger.Level.WARN, "callback executor rejected ConnectionListener." + method, rejected);
      after.run();
    }
  }

  private static final Runnable NOTHING = () -> {};

  /** Calls one diagnostics method; a throwing listener is logged, never fatal. */
  private void event(EventCall call) {
    try {
      call.on(events);
    } catch (Throwable t) {
      log(Logger.Level.WARN, "EventListener threw; ignored", t);
    }
  }

  /** One call on the {@link EventListener}. */
  private interface EventCall {
    void on(EventListener events);
  }

  private void log(Logger.Level level, String message) {
    log(level, message, null);
  }

  private void log(Logger.Level level, String message, Throwable t) {
    try {
      ctx.logger.log(level, message, t);
    } catch (Throwable ignored) {
      // A broken logger must not break the connection.
    }
  }

  private long now() {
    return ctx.clock.elapsedMillis();
  }

  /** "70 s", "0.5 s", "70.3 s": seconds as people read them. */
  static String seconds(long millis) {
    if (millis % 1000 == 0) return (millis / 1000) + " s";
    return String.format(Locale.ROOT, "%.1f s", millis / 1000.0);
  }

  private static String serverClosed(int code, String reason) {
    return "server closed the connection: " + code
        + (reason == null || reason.isEmpty() ? "" : " " + reason);
  }

  private static String describe(Throwable t) {
    if (t == null) return "unknown error";
    String m = t.getMessage();
    return m == null ? t.getClass().getSimpleName() : t.getClass().getSimpleName() + ": " + m;
  }

  /**
   * Moves one transport's callbacks onto the scheduler, dropping those of replaced transports,
   * and holds back the transport's reader while too many received bytes wait for the app.
   */
  private final class TransportEvents implements Transport.Listener {
    /** Bounds this transport's messages waiting for the listener. */
    final InboundGate gate;

    TransportEvents(InboundGate gate) {
      this.gate = gate;
    }

    @Override public void onOpen(Transport t) {
      ctx.scheduler.execute(() -> {
        if (t != transport) {
          t.cancel(); // Opened after it was abandoned (close, network change): release it.
          return;
        }
        RealConnection.this.onOpen(t);
      });
    }

    /** On the transport's reader thread, which waits here while the gate is full. */
    @Override public void onMessage(Transport t, Message message) {
      long bytes = message.byteCount();
      if (!gate.enter(bytes)) return; // The transport was abandoned while we waited.
      Runnable handled = () -> gate.leave(bytes);
      ctx.scheduler.execute(() -> {
        if (t == transport && open) {
          RealConnection.this.onMessage(message, handled);
        } else {
          handled.run();
        }
      });
    }

    @Override public void onClosing(Transport t, int code, String reason) {
      ctx.scheduler.execute(() -> {
        if (t == transport) onPeerClosing(t, code, reason);
      });
    }

    @Override public void onClosed(Transport t, int code, String reason) {
      ctx.scheduler.execute(() -> {
        if (t != transport) return;
        detachTransport();
        lost(serverClosed(code, reason), null, 0, -1, code);
      });
    }

    @Override public void onFailure(Transport t, Throwable error, int httpCode, long retryAfterMillis) {
      ctx.scheduler.execute(() -> {
        if (t == transport) RealConnection.this.onFailure(error, httpCode, retryAfterMillis);
      });
    }
  }
}
