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
    RESUMED,
    /**
     * The app received a push (e.g. a Firebase Cloud Messaging message): a backgrounded {@link
     * EnvironmentPolicy.BackgroundMode#PUSH_TO_WAKE} connection connects at once; an open
     * connection of any mode is probed.
     */
    PUSH_RECEIVED,
    /**
     * A foreground service now runs for this client: {@link
     * EnvironmentPolicy.BackgroundMode#FOREGROUND_SERVICE} connections stay connected in the
     * background.
     */
    FOREGROUND_SERVICE_STARTED,
    /** The foreground service stopped: such connections fall back to the grace close. */
    FOREGROUND_SERVICE_STOPPED,
    /**
     * The platform refused the foreground service (see {@link #foregroundServiceRefused}): such
     * connections close after the grace period, and say why.
     */
    FOREGROUND_SERVICE_REFUSED
  }

  /**
   * Told whether a foreground service is needed now: when the app is in the background and at
   * least one connection of the client with {@link
   * EnvironmentPolicy.BackgroundMode#FOREGROUND_SERVICE} was connected and not closed. On
   * Android, {@code LifelineAndroid.foregroundService} is this observer.
   */
  public interface ForegroundServiceNeed {
    /**
     * The need changed (and once at registration, with the current need, on the registering
     * thread). Called in order on Lifeline's threads, under a lock: return quickly (post the work
     * elsewhere) and do not call back into Lifeline.
     *
     * @param needed true: start the service; false: stop it
     */
    void changed(boolean needed);
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

  /**
   * Signals {@link Signal#PUSH_RECEIVED}: the app received a push, e.g. in {@code
   * FirebaseMessagingService.onMessageReceived}. Callable from any thread; returns at once. A
   * backgrounded {@link EnvironmentPolicy.BackgroundMode#PUSH_TO_WAKE} connection connects at
   * once and closes after its idle window; another push extends the window (docs/behaviour.md,
   * "Environment reactions").
   */
  public void pushReceived() { signal(Signal.PUSH_RECEIVED); }

  /** Signals {@link Signal#FOREGROUND_SERVICE_STARTED}: a foreground service runs for this client. */
  public void foregroundServiceStarted() { signal(Signal.FOREGROUND_SERVICE_STARTED); }

  /** Signals {@link Signal#FOREGROUND_SERVICE_STOPPED}: the foreground service stopped. */
  public void foregroundServiceStopped() { signal(Signal.FOREGROUND_SERVICE_STOPPED); }

  /**
   * Signals {@link Signal#FOREGROUND_SERVICE_REFUSED}: the platform would not run the foreground
   * service; {@link EnvironmentPolicy.BackgroundMode#FOREGROUND_SERVICE} connections close after
   * the grace period with {@code reason} in their close reason.
   *
   * @param reason why, e.g. the exception's class and message; cut to 200 characters
   */
  public void foregroundServiceRefused(String reason) {
    String why = Checks.notNull("reason", reason);
    hub.serviceRefused(why.length() > MAX_REASON_LENGTH ? why.substring(0, MAX_REASON_LENGTH)
        : why);
  }

  /** A refusal reason ends up in close reasons and logs: bounded, like network keys. */
  private static final int MAX_REASON_LENGTH = 200;

  /**
   * Follows whether a foreground service is needed (see {@link ForegroundServiceNeed}); {@code
   * observer} is called at once with the current need, then on each change.
   *
   * @param observer the observer
   * @return closes the registration
   */
  public Subscription observeForegroundServiceNeed(ForegroundServiceNeed observer) {
    return hub.observeServiceNeed(Checks.notNull("observer", observer));
  }
}
