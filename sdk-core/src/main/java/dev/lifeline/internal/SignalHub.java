package dev.lifeline.internal;

import dev.lifeline.EnvironmentSignals.Signal;
import dev.lifeline.Scheduler;
import java.util.ArrayList;
import java.util.List;

/**
 * Holds the environment as last signalled and fans each signal out to the client's connections.
 * All state is confined to the scheduler thread: {@link #signal} only posts.
 */
public final class SignalHub {
  /** Receives signals on the scheduler thread. */
  public interface Receiver {
    void onSignal(Signal signal);
  }

  /** Where signals are applied. */
  private final Scheduler scheduler;
  /** Live receivers; scheduler thread only. */
  private final List<Receiver> receivers = new ArrayList<Receiver>();
  /** Scheduler thread only. */
  private boolean networkUp = true;
  /** Scheduler thread only. */
  private boolean screenOn = true;
  /** Scheduler thread only. */
  private boolean foreground = true;
  /** Scheduler thread only. */
  private boolean suspended = false;

  public SignalHub(Scheduler scheduler) {
    this.scheduler = scheduler;
  }

  /** Posts {@code signal}; it updates the snapshot, then reaches every receiver. */
  public void signal(final Signal signal) {
    scheduler.execute(new Runnable() {
      @Override public void run() {
        apply(signal);
        for (Receiver r : new ArrayList<Receiver>(receivers)) r.onSignal(signal);
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

  /** Scheduler thread only. */
  public void add(Receiver r) { receivers.add(r); }

  /** Scheduler thread only. */
  public void remove(Receiver r) { receivers.remove(r); }

  public boolean networkUp() { return networkUp; }
  public boolean screenOn() { return screenOn; }
  public boolean foreground() { return foreground; }
  public boolean suspended() { return suspended; }
}
