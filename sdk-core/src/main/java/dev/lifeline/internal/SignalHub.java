package dev.lifeline.internal;

import dev.lifeline.Clock;
import dev.lifeline.ConnectionState.PauseReason;
import dev.lifeline.EnvironmentPolicy;
import dev.lifeline.EnvironmentSignals.ForegroundServiceNeed;
import dev.lifeline.EnvironmentSignals.Signal;
import dev.lifeline.Logger;
import dev.lifeline.Scheduler;
import dev.lifeline.Subscription;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * Holds the environment as last signalled and fans each signal out to the client's connections.
 * Signals are applied in order on a lane of their own; the snapshot is readable from any thread,
 * and each connection reacts on its own lane (docs/behaviour.md, "Environment reactions").
 *
 * <p>It also decides whether the client needs a foreground service: while the app is in the
 * background and some {@code FOREGROUND_SERVICE} connection is live, and tells the {@link
 * ForegroundServiceNeed} observers when that changes.
 */
public final class SignalHub {
  /** Receives signals; must only post to its own lane. */
  public interface Receiver {
    void onSignal(Signal signal);
  }

  /** Applies signals one at a time, in the order given. */
  private final SerialLane lane;
  /** Live receivers. */
  private final CopyOnWriteArrayList<Receiver> receivers = new CopyOnWriteArrayList<Receiver>();
  /** Written on {@link #lane} only. */
  private volatile boolean networkUp = true;
  /** Written on {@link #lane} only. */
  private volatile boolean screenOn = true;
  /** Written on {@link #lane} only. */
  private volatile boolean foreground = true;
  /** Written on {@link #lane} only. */
  private volatile boolean suspended = false;
  /** The network last named; written on {@link #lane} only. */
  private volatile String networkKey = dev.lifeline.EnvironmentSignals.DEFAULT_NETWORK_KEY;
  /** True between FOREGROUND_SERVICE_STARTED and _STOPPED or _REFUSED; written on the lane. */
  private volatile boolean serviceRunning = false;
  /**
   * Why the platform refused the foreground service for the current need, or null; written on
   * the lane, and cleared when the need ends.
   */
  private volatile String serviceRefusal;
  /**
   * Guards the need: connections start and end on their own lanes, foreground changes on this
   * lane. Observers are told under it, so in order; they must return quickly (sdk-android's
   * posts to the main thread).
   */
  private final Object needLock = new Object();
  /** The live connections that want a foreground service in the background; {@link #needLock}. */
  private final Set<Object> serviceKeepers = new HashSet<Object>();
  /** Told when {@link #serviceNeeded} changes. */
  private final CopyOnWriteArrayList<NeedSubscription> needObservers =
      new CopyOnWriteArrayList<NeedSubscription>();
  /** Background and at least one keeper, as last told to the observers; {@link #needLock}. */
  private boolean serviceNeeded;

  /** Where a throwing need observer is reported; null: nowhere (a hub tested alone). */
  private final Logger logger;
  /** Runs {@link #logger} calls, off the threads that change the need. */
  private final Executor logExecutor;

  /** The client's clock: the time of the last push is read on it. */
  private final Clock clock;
  /** When the last push was applied, on {@link #clock}; -1 before any. Written on the lane. */
  private volatile long lastPushAtMillis = -1;

  /** A hub on the monotonic clock that reports nothing (tests). */
  public SignalHub(Scheduler scheduler) {
    this(scheduler, MonotonicClock.INSTANCE, null, null);
  }

  /**
   * A hub for a client on {@code clock}; {@code logger}, called on {@code logExecutor}, hears of
   * need observers that throw.
   */
  public SignalHub(final Scheduler scheduler, Clock clock, Logger logger, Executor logExecutor) {
    this.clock = clock;
    this.logger = logger;
    this.logExecutor = logExecutor;
    this.lane = new SerialLane(this, "signals", new Executor() {
      @Override public void execute(Runnable task) {
        scheduler.execute(task);
      }
    }, MonotonicClock.INSTANCE, null, new SerialLane.RejectionHandler() {
      @Override public void rejected(SerialLane lane, int lost,
          RejectedExecutionException e) {
        // The client was shut down: no connection is left to tell.
      }
    });
  }

  /** Posts {@code signal}; it updates the snapshot, then reaches every receiver. */
  public void signal(final Signal signal) {
    signal(signal, null);
  }

  /**
   * Posts {@code signal} naming the network {@code key} (NETWORK_AVAILABLE, NETWORK_CHANGED), or
   * null to keep the key last named.
   */
  public void signal(final Signal signal, final String key) {
    lane.execute(new Runnable() {
      @Override public void run() {
        if (key != null) networkKey = key;
        deliver(signal);
      }
    });
  }

  /** Posts FOREGROUND_SERVICE_REFUSED, keeping {@code why} for the connections' close reasons. */
  public void serviceRefused(final String why) {
    lane.execute(new Runnable() {
      @Override public void run() {
        serviceRefusal = why;
        deliver(Signal.FOREGROUND_SERVICE_REFUSED);
      }
    });
  }

  /** Lane: updates the snapshot, reaches every receiver, then tells a change of the need. */
  private void deliver(Signal signal) {
    apply(signal);
    for (Receiver r : receivers) r.onSignal(signal);
    updateServiceNeed();
  }

  /**
   * Any thread: {@code who} (a FOREGROUND_SERVICE connection) started ({@code keeps}) or ended.
   * Applied at once, not on the lane: a client shutting down stops its scheduler right after its
   * connections end, and the last "not needed" must not be lost with it.
   */
  void keepsInBackground(Object who, boolean keeps) {
    synchronized (needLock) {
      if (keeps) {
        serviceKeepers.add(who);
      } else {
        serviceKeepers.remove(who);
      }
      updateServiceNeed();
    }
  }

  /** Registers {@code observer}; it hears the current need at once, on this thread. */
  public Subscription observeServiceNeed(ForegroundServiceNeed observer) {
    NeedSubscription s = new NeedSubscription(observer);
    synchronized (needLock) {
      needObservers.add(s);
      s.tell(serviceNeeded);
    }
    return s;
  }

  /** Tells the observers when the need changed; under {@link #needLock}, so in order. */
  private void updateServiceNeed() {
    synchronized (needLock) {
      boolean needed = !foreground && !serviceKeepers.isEmpty();
      if (needed == serviceNeeded) return;
      serviceNeeded = needed;
      // A refusal was about the start for that need: a later grace close must not name it.
      if (!needed) serviceRefusal = null;
      for (NeedSubscription s : needObservers) s.tell(needed);
    }
  }

  /** One {@link ForegroundServiceNeed} registration. */
  private final class NeedSubscription implements Subscription {
    /** The app's (or sdk-android's) observer. */
    private final ForegroundServiceNeed observer;
    /** Set by {@link #close}: no call starts after it. */
    private volatile boolean closed;

    NeedSubscription(ForegroundServiceNeed observer) {
      this.observer = observer;
    }

    /** Under {@link #needLock}: one call; an observer that throws breaks nothing. */
    void tell(boolean needed) {
      if (closed) return;
      try {
        observer.changed(needed);
      } catch (Throwable t) {
        // Observer code must not break the thread that changed the need: reported, not rethrown.
        report("ForegroundServiceNeed.changed(" + needed + ") threw; ignored", t);
      }
    }

    @Override public void close() {
      closed = true;
      needObservers.remove(this);
    }
  }

  /** Logs {@code message} on the log executor; a refusing executor or throwing logger is ignored. */
  private void report(final String message, final Throwable error) {
    if (logger == null) return;
    try {
      logExecutor.execute(new Runnable() {
        @Override public void run() {
          try {
            logger.log(Logger.Level.WARN, message, error);
          } catch (Throwable ignored) {
            // A broken logger has nowhere to report to.
          }
        }
      });
    } catch (RejectedExecutionException ignored) {
      // The client was shut down: nobody is left to tell.
    }
  }

  private void apply(Signal signal) {
    switch (signal) {
      case NETWORK_AVAILABLE:
      case NETWORK_CHANGED:
        networkUp = true;
        break;
      case NETWORK_LOST:
        networkUp = false;
        break;
      case SCREEN_ON:
        screenOn = true;
        break;
      case SCREEN_OFF:
        screenOn = false;
        break;
      case FOREGROUND:
        foreground = true;
        break;
      case BACKGROUND:
        foreground = false;
        break;
      case SUSPENDED:
        suspended = true;
        break;
      case RESUMED:
        suspended = false;
        break;
      case FOREGROUND_SERVICE_STARTED:
        serviceRunning = true;
        serviceRefusal = null;
        break;
      case FOREGROUND_SERVICE_STOPPED:
      case FOREGROUND_SERVICE_REFUSED:
        serviceRunning = false;
        break;
      case PUSH_RECEIVED:
        // Each connection reacts; the time is kept for one that starts just after (a cold start).
        lastPushAtMillis = clock.elapsedMillis();
        break;
      default:
        break;
    }
  }

  public void add(Receiver r) { receivers.addIfAbsent(r); }

  public void remove(Receiver r) { receivers.remove(r); }

  public boolean networkUp() { return networkUp; }
  public boolean screenOn() { return screenOn; }
  public boolean foreground() { return foreground; }
  public boolean suspended() { return suspended; }
  /** The network key last named ({@code "default"} until one is). */
  public String networkKey() { return networkKey; }
  /** True while a foreground service runs for this client. */
  boolean serviceRunning() { return serviceRunning; }
  /** Why the platform refused the foreground service for the current need, or null. */
  String serviceRefusal() { return serviceRefusal; }
  /** When the last push was applied, on the client's clock; -1 before any. */
  long lastPushAtMillis() { return lastPushAtMillis; }

  /**
   * Why attempts must wait now under {@code policy}, or null; the most fundamental reason first.
   * {@code closedForBackground}: the connection was closed after the background grace period.
   * {@code asInForeground}: the background and screen-off deferrals do not apply (a push window,
   * a running foreground service).
   */
  PauseReason pauseReason(EnvironmentPolicy policy, boolean closedForBackground,
      boolean asInForeground) {
    if (!networkUp) return PauseReason.NETWORK_DOWN;
    if (asInForeground) return null;
    if (suspended) return PauseReason.SUSPENDED;
    if (!foreground && (policy.deferInBackground() || closedForBackground)) {
      return PauseReason.BACKGROUND;
    }
    if (!screenOn && policy.deferWhileScreenOff()) return PauseReason.SCREEN_OFF;
    return null;
  }

  /** The reason shown with {@code PAUSED(why)}. */
  static String describe(PauseReason why) {
    switch (why) {
      case NETWORK_DOWN: return "network down; reconnecting when it returns";
      case SUSPENDED: return "host suspended; reconnecting on resume";
      case BACKGROUND: return "app in background; reconnecting on foreground";
      default: return "screen off; reconnecting on screen on";
    }
  }
}
