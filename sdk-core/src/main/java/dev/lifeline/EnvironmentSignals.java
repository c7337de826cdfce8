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
 *
 * <pre>{@code
 * // A desktop app passes on what the OS tells it (Android: LifelineAndroid does this).
 * EnvironmentSignals signals = lifeline.signals();
 * signals.suspended(); // the lid is closing
 * signals.resumed(); // awake again
 * signals.networkChanged(); // e.g. Wi-Fi to Ethernet: open sockets belong to the old network
 * }</pre>
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
    /** The screen turned on; what follows depends on the {@link EnvironmentPolicy}. */
    SCREEN_ON,
    /** The screen turned off; what follows depends on the {@link EnvironmentPolicy}. */
    SCREEN_OFF,
    /** The app came to the foreground; see the {@link EnvironmentPolicy}. */
    FOREGROUND,
    /** The app went to the background; see the {@link EnvironmentPolicy}. */
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

  /**
   * Delivers {@code signal} to every connection of this client.
   *
   * @param signal what happened
   */
  public void signal(Signal signal) {
    hub.signal(Checks.notNull("signal", signal));
  }

  /**
   * The network key used until the app names one: on the JVM every connection runs over "the"
   * network, and what an adaptive heartbeat learns is kept under this key.
   */
  public static final String DEFAULT_NETWORK_KEY = "default";

  /** A network is available again; it is the one last named (its key is unchanged). */
  public void networkAvailable() { signal(Signal.NETWORK_AVAILABLE); }

  /**
   * A network is available again, named {@code networkKey}: an adaptive heartbeat (docs/behaviour.md,
   * "Adaptive heartbeat") keeps what it learns per network under this key, so that the path's idle
   * limit learned on one Wi-Fi is not applied to cellular. Use a stable, non-secret name (sdk-android
   * derives one from the network's type and identity); it becomes part of {@link HeartbeatStore} keys.
   *
   * @param networkKey the network's name, 1 to 100 characters
   * @throws IllegalArgumentException when {@code networkKey} is empty or longer than 100 characters.
   */
  public void networkAvailable(String networkKey) {
    hub.signal(Signal.NETWORK_AVAILABLE, checkNetworkKey(networkKey));
  }

  /** No network: attempts pause and an open connection is dropped until it returns. */
  public void networkLost() { signal(Signal.NETWORK_LOST); }

  /** The default network changed; its key is unchanged (see {@link #networkChanged(String)}). */
  public void networkChanged() { signal(Signal.NETWORK_CHANGED); }

  /**
   * The default network changed to the one named {@code networkKey} (see {@link
   * #networkAvailable(String)}).
   *
   * @param networkKey the network's name, 1 to 100 characters
   * @throws IllegalArgumentException when {@code networkKey} is empty or longer than 100 characters.
   */
  public void networkChanged(String networkKey) {
    hub.signal(Signal.NETWORK_CHANGED, checkNetworkKey(networkKey));
  }

  private static String checkNetworkKey(String networkKey) {
    Checks.notNull("network key", networkKey);
    if (networkKey.isEmpty() || networkKey.length() > MAX_NETWORK_KEY_LENGTH) {
      throw new IllegalArgumentException("network key must have 1 to " + MAX_NETWORK_KEY_LENGTH
          + " characters, had " + networkKey.length());
    }
    return networkKey;
  }

  /** Keys end up in store keys and log lines: short, so a runaway key cannot bloat either. */
  private static final int MAX_NETWORK_KEY_LENGTH = 100;

  /** Signals {@link Signal#SCREEN_ON}. */
  public void screenOn() { signal(Signal.SCREEN_ON); }
  /** Signals {@link Signal#SCREEN_OFF}. */
  public void screenOff() { signal(Signal.SCREEN_OFF); }
  /** Signals {@link Signal#FOREGROUND}. */
  public void foreground() { signal(Signal.FOREGROUND); }
  /** Signals {@link Signal#BACKGROUND}. */
  public void background() { signal(Signal.BACKGROUND); }
  /** Signals {@link Signal#SUSPENDED}: call it before the host sleeps or freezes the process. */
  public void suspended() { signal(Signal.SUSPENDED); }
  /** Signals {@link Signal#RESUMED}: call it when the host runs again. */
  public void resumed() { signal(Signal.RESUMED); }
}
