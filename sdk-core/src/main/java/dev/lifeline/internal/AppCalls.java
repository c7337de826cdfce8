package dev.lifeline.internal;

import dev.lifeline.Connection;
import dev.lifeline.ConnectionListener;
import dev.lifeline.EventListener;
import dev.lifeline.Logger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How one connection calls app code: never on its engine lane, never while connection state is
 * held, each kind in order on a lane of its own so that a stuck call holds up only the calls queued
 * behind it:
 * <ul>
 *   <li>{@link #callbacks}: {@link ConnectionListener} methods, on the app's callback executor;
 *   <li>{@link #hooks}: {@link EventListener} and {@link Logger}, on Lifeline's pool;
 *   <li>{@link #messageHooks}: the per-message hooks (ack matcher, server-heartbeat responder,
 *       heartbeat payload supplier), on Lifeline's pool. Every received message (when an ack
 *       matcher or responder is configured) and every supplied heartbeat passes through them, so
 *       they must not wait behind a stuck event listener or logger;
 *   <li>{@link #credentials}: the credentials provider and the stream resume hook, on the blocking
 *       executor;
 *   <li>{@link #positions}: saving the inbound stream position in the outbox store, and the
 *       store calls that must wait for listener calls ({@link #afterListenerCalls}), on the
 *       blocking executor (file I/O, never on the callback executor, which may be Android's main
 *       thread);
 *   <li>{@link #stateObservers}: the connection's {@code StateObserver}s, on Lifeline's pool (Kotlin's
 *       {@code stateFlow()} sets its value there, and a collector on an unconfined dispatcher
 *       resumes inside that call).
 * </ul>
 * An exception thrown by app code is logged and never breaks the connection. The rules are in
 * docs/behaviour.md, "App code isolation".
 *
 * <p>Events and log lines are diagnostics: behind a stuck event listener or logger, at most {@link
 * #MAX_QUEUED_DIAGNOSTICS} wait; later ones are dropped and counted, and the count is logged once
 * the lane catches up. Every other app call carries data or state and is never dropped (their
 * number is bounded elsewhere: the inbound bound, the outbox limits).
 */
final class AppCalls {
  /** Most events and log lines that may wait behind a slow event listener or logger. */
  static final int MAX_QUEUED_DIAGNOSTICS = 1_000;
  /** The name of the lane that also carries the log lines. */
  private static final String HOOKS = "hooks";

  /** One call on the connection's {@link ConnectionListener}. */
  interface ListenerCall {
    void call(ConnectionListener listener);
  }

  /** One call on the connection's {@link EventListener}. */
  interface EventCall {
    void call(EventListener events);
  }

  final SerialLane callbacks;
  /** Diagnostics: event listener and logger calls. */
  final SerialLane hooks;
  /** On the data path: ack matcher, server-heartbeat responder, heartbeat payload supplier. */
  final SerialLane messageHooks;
  final SerialLane credentials;
  /** Saves the inbound stream position ({@code OutboxStore.savePosition}). */
  final SerialLane positions;
  /** Tells the connection's {@code StateObserver}s its states. */
  final SerialLane stateObservers;
  /** Events and log lines dropped since the last report, because too many were waiting. */
  private final AtomicLong droppedDiagnostics = new AtomicLong();
  /** The connection, passed to listener and event calls. */
  private final Connection connection;
  private final ConnectionListener listener;
  /** Null when the app gave none: events are then not even queued. */
  private final EventListener events;
  /** Null when the app gave none: log lines are then not even built into tasks. */
  private final Logger logger;

  AppCalls(ClientContext ctx, Connection connection, ConnectionListener listener,
      EventListener events) {
    this.connection = connection;
    this.listener = listener;
    this.events = events == EventListener.NONE ? null : events;
    this.logger = ctx.logger == Logger.NONE ? null : ctx.logger;
    // Reported through the hooks lane; when that lane's own executor refuses (the client was
    // shut down), the log line would be refused the same way: nothing is left to tell.
    SerialLane.RejectionHandler rejected = (lane, lost, e) -> {
      if (lane.name.equals(HOOKS)) return;
      log(Logger.Level.WARN, "the " + lane.name + " executor rejected " + lost
          + " app call(s) of " + connection + " (was it shut down?)", e);
    };
    callbacks = ctx.lane(connection, "callbacks", ctx.callbackExecutor, rejected);
    hooks = ctx.lane(connection, HOOKS, ctx.hookExecutor, rejected);
    messageHooks = ctx.lane(connection, "message hook", ctx.hookExecutor, rejected);
    credentials = ctx.lane(connection, "credentials", ctx.blockingExecutor, rejected);
    positions = ctx.lane(connection, "stream position", ctx.blockingExecutor, rejected);
    stateObservers = ctx.lane(connection, "state observers", ctx.hookExecutor, rejected);
  }

  /** Calls the listener's {@code method} on the callback lane. */
  void listener(String method, ListenerCall call) {
    listener(method, call, null);
  }

  /** As {@link #listener(String, ListenerCall)}; {@code always} runs after it in any case. */
  void listener(String method, ListenerCall call, Runnable always) {
    callbacks.execute("ConnectionListener." + method, () -> {
      try {
        call.call(listener);
      } catch (Throwable t) {
        log(Logger.Level.WARN, "ConnectionListener." + method + " threw; ignored", t);
      }
    }, always);
  }

  /**
   * Runs {@code storeCall} on the stream position lane (a blocking-executor thread, never the
   * callbacks executor, which may be Android's main thread) once the listener calls queued so far
   * have run. Outbox store calls that must follow what the app was told go this way, in order. It
   * runs even when an executor refuses (the client was shut down), on the refusing thread.
   */
  void afterListenerCalls(String what, Runnable storeCall) {
    callbacks.execute("outbox store: " + what, NOTHING,
        () -> positions.execute("outbox store: " + what, NOTHING, storeCall));
  }

  /** A lane task whose work is in its {@code always} part. */
  private static final Runnable NOTHING = () -> { };

  /** Calls the event listener's {@code method} on the hooks lane; nothing when there is none. */
  void event(String method, EventCall call) {
    if (events == null || !roomForDiagnostics()) return;
    hooks.execute("EventListener." + method, () -> {
      try {
        call.call(events);
      } catch (Throwable t) {
        log(Logger.Level.WARN, "EventListener." + method + " threw; ignored", t);
      }
    });
  }

  void log(Logger.Level level, String message) {
    log(level, message, null);
  }

  /** Logs on the hooks lane, in order with the events; a throwing logger is ignored. */
  void log(Logger.Level level, String message, Throwable error) {
    if (logger == null || !roomForDiagnostics()) return;
    hooks.execute("Logger.log", () -> {
      try {
        logger.log(level, message, error);
      } catch (Throwable ignored) {
        // A broken logger must not break the connection, and has nowhere else to report.
      }
    });
  }

  /**
   * True when one more event or log line may queue on the hooks lane. Counts what is refused, and
   * queues the report of it first once there is room again.
   */
  private boolean roomForDiagnostics() {
    if (hooks.size() >= MAX_QUEUED_DIAGNOSTICS) {
      droppedDiagnostics.incrementAndGet();
      return false;
    }
    if (droppedDiagnostics.get() == 0) return true; // The usual case: a read, no write.
    long dropped = droppedDiagnostics.getAndSet(0);
    if (dropped > 0 && logger != null) {
      String report = dropped + " event(s) and log line(s) of " + connection + " were dropped: "
          + MAX_QUEUED_DIAGNOSTICS + " were already waiting behind a slow EventListener or Logger";
      hooks.execute("Logger.log", () -> {
        try {
          logger.log(Logger.Level.WARN, report, null);
        } catch (Throwable ignored) {
          // See log().
        }
      });
    }
    return true;
  }
}
