package dev.lifeline.internal;

import dev.lifeline.Clock;
import dev.lifeline.Connection;
import dev.lifeline.EventListener;
import dev.lifeline.HeartbeatStore;
import dev.lifeline.Lifeline;
import dev.lifeline.Logger;
import dev.lifeline.Scheduler;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * What a client's connections share: time, the scheduler their engine lanes and timers run on,
 * the executors their app calls run on, the transports, the environment, and the watchdog that
 * reports app code that does not return. See docs/architecture.md for who may touch what.
 */
public final class ClientContext {
  public final Clock clock;
  /** Runs every connection's engine lane and timers; never runs app code. */
  public final Scheduler scheduler;
  /** Where {@code ConnectionListener} calls run, one lane per connection. */
  public final Executor callbackExecutor;
  /** Where app code that may block runs (credentials providers), one lane per connection. */
  public final Executor blockingExecutor;
  /**
   * Where event listener and logger calls run, and per-message hook calls, on two lanes per
   * connection.
   */
  public final Executor hookExecutor;
  public final Logger logger;
  /** Jitter source; thread-safe. */
  public final Random random;
  /** Opens transports for a URL. */
  public final Transport.Factory transports;
  /** The environment as last signalled. */
  public final SignalHub signals;
  /** Where adaptive heartbeats keep what they learned; app code, called on hook lanes only. */
  public final HeartbeatStore heartbeatStore;
  /**
   * What adaptive heartbeats learned, by store key (endpoint and network), encoded as in the
   * store: shared by the client's connections, so a reconnect starts from it at once.
   */
  final java.util.concurrent.ConcurrentMap<String, String> learnedHeartbeats =
      new java.util.concurrent.ConcurrentHashMap<String, String>();
  /**
   * The windows in which the connections' next beats may go early, so that beats due close
   * together ride one scheduler wake-up (docs/behaviour.md, "Heartbeats"); thread-safe.
   */
  final WakeUps wakeUps = new WakeUps();
  /** The time of day, for durable outboxes; tests replace it before creating connections. */
  WallClock wallClock = WallClock.SYSTEM;
  /** Reports app calls running longer than the threshold. */
  final HookWatchdog watchdog;
  /** Connections not yet terminal; guarded by itself. */
  private final Set<RealConnection> live = new LinkedHashSet<RealConnection>();
  /** Runs once no connection is live any more, after shutdown; guarded by {@link #live}. */
  private Runnable whenNoneLive;

  /**
   * A context for tests: event listener, logger and hook calls run on {@code scheduler}, and the
   * watchdog uses the default threshold.
   */
  public ClientContext(Clock clock, Scheduler scheduler, Executor callbackExecutor,
      Executor blockingExecutor, Logger logger, Random random, Transport.Factory transports) {
    this(clock, scheduler, callbackExecutor, blockingExecutor, executorOf(scheduler), logger,
        random, transports, Lifeline.DEFAULT_STUCK_HOOK_THRESHOLD_MILLIS);
  }

  /** As the full constructor, with a new in-memory heartbeat store. */
  public ClientContext(Clock clock, Scheduler scheduler, Executor callbackExecutor,
      Executor blockingExecutor, Executor hookExecutor, Logger logger, Random random,
      Transport.Factory transports, long stuckHookThresholdMillis) {
    this(clock, scheduler, callbackExecutor, blockingExecutor, hookExecutor, logger, random,
        transports, stuckHookThresholdMillis, HeartbeatStore.inMemory());
  }

  public ClientContext(Clock clock, Scheduler scheduler, Executor callbackExecutor,
      Executor blockingExecutor, Executor hookExecutor, Logger logger, Random random,
      Transport.Factory transports, long stuckHookThresholdMillis, HeartbeatStore heartbeatStore) {
    this.heartbeatStore = heartbeatStore;
    this.clock = clock;
    this.scheduler = scheduler;
    this.callbackExecutor = callbackExecutor;
    this.blockingExecutor = blockingExecutor;
    this.hookExecutor = hookExecutor;
    this.logger = logger;
    this.random = random;
    this.transports = transports;
    this.signals = new SignalHub(scheduler, clock, logger, hookExecutor);
    this.watchdog = new HookWatchdog(clock, scheduler, stuckHookThresholdMillis, reporter);
  }

  /** A lane for one connection's app calls, watched by the watchdog. */
  SerialLane lane(Object owner, String name, Executor executor,
      SerialLane.RejectionHandler onRejected) {
    return new SerialLane(owner, name, executor, clock, watchdog, onRejected);
  }

  /** A connection's engine lane: its one serial owner, on the scheduler. */
  SerialLane engineLane(Object owner) {
    // Only a scheduler that was shut down refuses work: the client is gone, nothing to tell.
    return new SerialLane(owner, "engine", executorOf(scheduler), clock, null,
        (lane, lost, e) -> { });
  }

  public void register(RealConnection c) {
    synchronized (live) {
      live.add(c);
    }
  }

  /**
   * Runs {@code action} now if no connection is live, else once the last one has ended (see
   * {@link #connectionEnded}). For the shutdown of pools that closing connections still use.
   */
  public void whenNoneLive(Runnable action) {
    synchronized (live) {
      if (!live.isEmpty()) {
        whenNoneLive = action;
        return;
      }
    }
    action.run();
  }

  /**
   * {@code c} ended and handed its last app calls over (on its lane): only now does it stop being
   * live, so a shutdown waiting for none to be live never stops the pools before those calls.
   */
  void connectionEnded(RealConnection c) {
    Runnable action;
    synchronized (live) {
      live.remove(c);
      if (!live.isEmpty() || whenNoneLive == null) return;
      action = whenNoneLive;
      whenNoneLive = null;
    }
    action.run();
  }

  /** A snapshot of the connections that are not closed yet. */
  public List<RealConnection> liveConnections() {
    synchronized (live) {
      return new ArrayList<RealConnection>(live);
    }
  }

  /** App calls running now, e.g. "EventListener.connectStart on ws://… (running for 2.0 s)". */
  public List<String> runningAppCalls() {
    return watchdog.runningCalls();
  }

  /**
   * Reports stuck app calls to the logger (WARN) and the connection's event listener, each on a
   * thread of its own so that neither waits for the other; a stuck logger is reported through
   * the event only, a stuck event listener through the logger only.
   */
  private final HookWatchdog.Reporter reporter = new HookWatchdog.Reporter() {
    @Override public void stuck(SerialLane lane, String call, long runningMillis) {
      String message = call + " on " + describe(lane.owner) + " has been running for "
          + Durations.seconds1(runningMillis) + " (threshold "
          + Durations.seconds(watchdog.thresholdMillis) + "); app code must return quickly: the "
          + lane.name + " calls of this connection wait behind it, other connections do not";
      if (!call.startsWith("Logger.")) report(Logger.Level.WARN, message);
      if (lane.owner instanceof RealConnection && !call.startsWith("EventListener.")) {
        RealConnection c = (RealConnection) lane.owner;
        EventListener events = c.options().eventListener();
        runReport(() -> events.hookStuck(c, call, runningMillis));
      }
    }

    @Override public void returned(SerialLane lane, String call, long ranMillis) {
      if (call.startsWith("Logger.")) return;
      report(Logger.Level.INFO, call + " on " + describe(lane.owner) + " returned after "
          + Durations.seconds1(ranMillis));
    }
  };

  private void report(Logger.Level level, String message) {
    if (logger == Logger.NONE) return;
    runReport(() -> logger.log(level, message, null));
  }

  /** Runs one report on the hook executor, outside every lane; failures are swallowed. */
  private void runReport(Runnable report) {
    try {
      hookExecutor.execute(() -> {
        try {
          report.run();
        } catch (Throwable ignored) {
          // The app's reporting code failed too; nothing is left to tell.
        }
      });
    } catch (RejectedExecutionException shutDown) {
      // The client was shut down.
    }
  }

  private static String describe(Object owner) {
    if (owner instanceof Connection) return Redact.url(((Connection) owner).options().url());
    return owner == null ? "the Lifeline client" : owner.toString();
  }

  private static Executor executorOf(Scheduler scheduler) {
    return scheduler::execute;
  }
}
