package dev.lifeline.internal;

import dev.lifeline.ConnectionState.PauseReason;
import dev.lifeline.EnvironmentPolicy;
import dev.lifeline.EnvironmentSignals.Signal;
import dev.lifeline.Scheduler;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;

/**
 * Holds the environment as last signalled and fans each signal out to the client's connections.
 * Signals are applied in order on a lane of their own; the snapshot is readable from any thread,
 * and each connection reacts on its own lane (docs/behaviour.md, "Environment reactions").
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

  public SignalHub(final Scheduler scheduler) {
    this.lane = new SerialLane(this, "signals", new Executor() {
      @Override public void execute(Runnable task) {
        scheduler.execute(task);
      }
    }, MonotonicClock.INSTANCE, null, new SerialLane.RejectionHandler() {
      @Override public void rejected(SerialLane lane, int lost,
          java.util.concurrent.RejectedExecutionException e) {
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
        apply(signal);
        for (Receiver r : receivers) r.onSignal(signal);
      }
    });
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

  /**
   * Why attempts must wait now under {@code policy}, or null; the most fundamental reason first.
   * {@code closedForBackground}: the connection was closed after the background grace period.
   */
  PauseReason pauseReason(EnvironmentPolicy policy, boolean closedForBackground) {
    if (!networkUp) return PauseReason.NETWORK_DOWN;
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
