package dev.lifeline;

import dev.lifeline.internal.SignalHub;

/**
 * The environment as the core sees it: network, screen, app lifecycle and host suspension (see
 * docs/behaviour.md, "Environment reactions"). Every connection of the {@link Lifeline} client
 * reacts to these signals. On Android, {@code dev.lifeline.android.LifelineAndroid} feeds them from
 * the platform; a desktop app calls them itself (e.g. {@link #suspended()} before the lid closes,
 * {@link #resumed()} after).
 *
 * <p>Initially the network is assumed available, the screen on, the app in the foreground and the
 * host running. Thread-safe; signals take effect on the scheduler, in the order given.
 */
public final class EnvironmentSignals {
  /** The signals a connection reacts to. */
  public enum Signal {
    /** A network is available (after none was). */
    NETWORK_AVAILABLE,
    /** No network: attempts pause, an open connection is dropped. */
    NETWORK_LOST,
    /** The default network changed (e.g. Wi-Fi to cellular): open sockets are bound to the old one. */
    NETWORK_CHANGED,
    SCREEN_ON,
    SCREEN_OFF,
    FOREGROUND,
    BACKGROUND,
    /** The host is about to sleep or freeze the process. */
    SUSPENDED,
    /** The host is running again. */
    RESUMED
  }

  /** Fans signals out to the client's connections on the scheduler. */
  private final SignalHub hub;

  EnvironmentSignals(SignalHub hub) {
    this.hub = hub;
  }

  /** Delivers {@code signal} to every connection of this client. */
  public void signal(Signal signal) {
    hub.signal(Checks.notNull("signal", signal));
  }

  public void networkAvailable() { signal(Signal.NETWORK_AVAILABLE); }
  public void networkLost() { signal(Signal.NETWORK_LOST); }
  public void networkChanged() { signal(Signal.NETWORK_CHANGED); }
  public void screenOn() { signal(Signal.SCREEN_ON); }
  public void screenOff() { signal(Signal.SCREEN_OFF); }
  public void foreground() { signal(Signal.FOREGROUND); }
  public void background() { signal(Signal.BACKGROUND); }
  public void suspended() { signal(Signal.SUSPENDED); }
  public void resumed() { signal(Signal.RESUMED); }
}
