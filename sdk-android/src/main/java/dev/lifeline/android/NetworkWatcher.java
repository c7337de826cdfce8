package dev.lifeline.android;

import android.annotation.TargetApi;
import android.net.ConnectivityManager;
import android.net.LinkProperties;
import android.net.Network;
import android.net.NetworkCapabilities;
import android.net.NetworkRequest;
import android.os.Build;
import dev.lifeline.EnvironmentSignals;
import dev.lifeline.Logger;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Follows the default network and tells the core when it is lost, when one is available
 * again, and when it changes to a different {@link Network} (Wi-Fi → cellular: the open socket is
 * bound to the old network and will never hear back, so the core replaces it at once).
 *
 * <p>API 24+ uses {@code registerDefaultNetworkCallback}, which reports exactly the default
 * network. API 21–23 only have {@code registerNetworkCallback}, which reports <em>every</em>
 * network with internet, so the default one is worked out from {@code getActiveNetwork()} (23) or
 * the active network's type (21–22).
 *
 * <p>Each network is named by a {@link NetworkKeys key} ("wifi:192.168.1.1", "cellular:26201"),
 * passed with {@code networkAvailable(key)} and {@code networkChanged(key)}: an adaptive heartbeat
 * keeps what it learned per network. The core only hears a key with a signal, so a device that is
 * connected at attach is reported with {@code networkAvailable(key)} (which changes nothing for a
 * connection that is not waiting), and a key that becomes known or changes later for the same
 * network (capabilities or link properties arriving after {@code onAvailable}) is passed the same
 * way.
 *
 * <p>Callbacks arrive on ConnectivityManager's own thread, attach and detach on the main thread:
 * every field below is guarded by {@code this}.
 */
final class NetworkWatcher {
  /** Where the platform reports networks. */
  private final ConnectivityManager connectivity;
  /** The core's signals. */
  private final EnvironmentSignals signals;
  /** Where each translation is logged. */
  private final Logger logger;
  /** Names networks for the adaptive heartbeat. */
  private final NetworkKeys keys;
  /** The callback registered with {@link #connectivity}. */
  private final ConnectivityManager.NetworkCallback callback;
  /** True when the legacy (API 21–23) listen-to-every-network callback is in use. */
  private final boolean legacy;

  /** The default network, or null when there is none (or, on 21–22 at first, not known yet). */
  private Network current;
  /** What the core was last told: true means "network up" (its initial assumption). */
  private boolean up = true;
  /** API 29+: the platform blocks this app from {@link #current} (Data Saver, Doze, restrictions). */
  private boolean blocked;
  /** API 23+: {@link #current} was last reported without NET_CAPABILITY_VALIDATED. */
  private boolean unvalidated;
  /** API 21–23 only: every network with internet that is currently available. */
  private final Set<Network> available = new LinkedHashSet<Network>();
  /** Set by {@link #stop}: late callbacks are then ignored. */
  private boolean stopped;
  /** The network key last passed to the core; null before the first. */
  private String reportedKey;

  NetworkWatcher(ConnectivityManager connectivity, NetworkKeys keys, EnvironmentSignals signals,
      Logger logger) {
    this.connectivity = connectivity;
    this.keys = keys;
    this.signals = signals;
    this.logger = logger;
    this.legacy = Build.VERSION.SDK_INT < 24;
    this.callback = legacy ? new LegacyCallback() : new DefaultCallback();
  }

  /** Reports the initial state, then registers the callback. */
  synchronized void start() {
    boolean connected = initialState();
    if (!connected) {
      up = false;
      log("no network at attach: attempts wait for one");
      signals.networkLost();
    } else {
      reportedKey = initialKey();
      log("network at attach: " + reportedKey);
      signals.networkAvailable(reportedKey);
    }
    if (legacy) {
      // Only INTERNET: the builder's defaults (not restricted, trusted, not VPN) stay.
      NetworkRequest request = new NetworkRequest.Builder()
          .addCapability(NetworkCapabilities.NET_CAPABILITY_INTERNET)
          .build();
      connectivity.registerNetworkCallback(request, callback);
    } else {
      registerDefault();
    }
  }

  @TargetApi(24)
  private void registerDefault() {
    connectivity.registerDefaultNetworkCallback(callback);
  }

  synchronized void stop() {
    stopped = true;
    try {
      connectivity.unregisterNetworkCallback(callback);
    } catch (IllegalArgumentException alreadyGone) {
      // Not registered (registration failed earlier): nothing to undo.
    }
  }

  /** True when the core was told the network is down (so detach must say it is back). */
  synchronized boolean reportedDown() {
    return !up;
  }

  /** Reads the current default network; returns whether the device is connected at all. */
  @SuppressWarnings("deprecation") // NetworkInfo is the only API 21–22 way to ask.
  private boolean initialState() {
    if (Build.VERSION.SDK_INT >= 23) {
      current = activeNetwork();
      if (current != null && legacy) available.add(current);
      return current != null;
    }
    android.net.NetworkInfo info = connectivity.getActiveNetworkInfo();
    // The Network object is unknown on 21–22 until the first callback: current stays null.
    return info != null && info.isConnected();
  }

  /** The key of the network found by {@link #initialState()}, which is connected. */
  @SuppressWarnings("deprecation")
  private String initialKey() {
    if (current != null) return keys.of(current, null);
    android.net.NetworkInfo info = connectivity.getActiveNetworkInfo();
    return info == null ? NetworkKeys.OTHER : keys.ofLegacyType(info.getType());
  }

  @TargetApi(23)
  private Network activeNetwork() {
    return connectivity.getActiveNetwork();
  }

  // ---- Transitions, with the lock held. ----

  /** The default network is now {@code next} (null: none). */
  private void defaultIs(Network next) {
    Network previous = current;
    current = next;
    if (next == null ? previous == null : next.equals(previous)) return;
    // Blocked and validation status are per network: the new one reports its own.
    blocked = false;
    unvalidated = false;
    if (next != null && previous != null && up) {
      reportedKey = keys.of(next, null);
      log("default network changed from " + previous + " to " + next + " (" + reportedKey + ")");
      signals.networkChanged(reportedKey);
      return;
    }
    update("default network " + (next == null ? "lost (was " + previous + ")" : next));
  }

  /** Tells the core when usability flipped. */
  private void update(String why) {
    // Only callbacks call this, and they set current first: on 21–22 the unknown initial
    // network (null while up) never reaches here.
    boolean usable = current != null && !blocked;
    if (usable == up) return;
    up = usable;
    if (usable) {
      reportedKey = keys.of(current, null);
      log("network available: " + why + " (" + reportedKey + ")");
      signals.networkAvailable(reportedKey);
    } else {
      log("network down: " + why);
      signals.networkLost();
    }
  }

  private void capabilities(Network network, NetworkCapabilities caps) {
    if (!network.equals(current)) return;
    if (Build.VERSION.SDK_INT < 23) { // No NET_CAPABILITY_VALIDATED before 23.
      rename(network, caps);
      return;
    }
    boolean validated = caps.hasCapability(NetworkCapabilities.NET_CAPABILITY_VALIDATED);
    boolean wasUnvalidated = unvalidated;
    unvalidated = !validated;
    // A network that gained internet (captive portal signed in, upstream repaired) is a good
    // moment to retry now rather than after the remaining backoff. The loss of validation is
    // deliberately not "network down": validation probes can fail on networks where our server
    // is reachable (blocked probe URL), and pausing there would never connect. The heartbeat
    // and ping watch catch a socket that really died.
    if (validated && wasUnvalidated && up) {
      reportedKey = keys.of(network, caps);
      log("default network " + network + " validated: retrying soon (" + reportedKey + ")");
      signals.networkAvailable(reportedKey);
      return;
    }
    rename(network, caps);
  }

  /**
   * Passes the key of {@code network}, the current one, when it differs from the one reported:
   * its capabilities or link properties (the Wi-Fi gateway) can arrive after {@code onAvailable}.
   * As {@code networkAvailable}: the socket is not on a different network, so nothing is dropped.
   */
  private void rename(Network network, NetworkCapabilities caps) {
    if (!up || current == null || !network.equals(current)) return;
    String key = keys.of(network, caps);
    // Capabilities without a transport say nothing new: keep the better name already given.
    if (key.equals(reportedKey) || key.equals(NetworkKeys.OTHER)) return;
    log("network " + network + " is " + key + " (was " + reportedKey + ")");
    reportedKey = key;
    signals.networkAvailable(key);
  }

  private void blockedStatus(Network network, boolean isBlocked) {
    if (!network.equals(current)) return;
    blocked = isBlocked;
    update(isBlocked ? "this app is blocked from " + network : "unblocked on " + network);
  }

  // ---- API 21–23: every network with internet. ----

  /** The default among {@link #available}; null when none. */
  @SuppressWarnings("deprecation")
  private Network legacyDefault() {
    if (available.isEmpty()) return null;
    if (Build.VERSION.SDK_INT >= 23) {
      Network active = activeNetwork();
      if (active != null && available.contains(active)) return active;
    } else {
      android.net.NetworkInfo active = connectivity.getActiveNetworkInfo();
      if (active != null) {
        for (Network n : available) {
          android.net.NetworkInfo info = connectivity.getNetworkInfo(n);
          if (info != null && info.getType() == active.getType()) return n;
        }
      }
    }
    // The platform has not caught up yet: keep the current one while it lasts, else the newest.
    if (current != null && available.contains(current)) return current;
    Network newest = null;
    for (Network n : available) newest = n;
    return newest;
  }

  private void log(String message) {
    try {
      logger.log(Logger.Level.INFO, message, null);
    } catch (Throwable ignored) {
      // A broken logger must not break signal delivery.
    }
  }

  /** API 24+: exactly the default network. */
  private final class DefaultCallback extends ConnectivityManager.NetworkCallback {
    @Override public void onAvailable(Network network) {
      synchronized (NetworkWatcher.this) {
        if (!stopped) defaultIs(network);
      }
    }

    @Override public void onLost(Network network) {
      synchronized (NetworkWatcher.this) {
        // After a switch the old network's loss may still arrive: only the current one counts.
        if (!stopped && network.equals(current)) defaultIs(null);
      }
    }

    @Override public void onCapabilitiesChanged(Network network, NetworkCapabilities caps) {
      synchronized (NetworkWatcher.this) {
        if (!stopped) capabilities(network, caps);
      }
    }

    @Override public void onLinkPropertiesChanged(Network network, LinkProperties link) {
      synchronized (NetworkWatcher.this) {
        if (!stopped) rename(network, null);
      }
    }

    @Override public void onBlockedStatusChanged(Network network, boolean isBlocked) {
      synchronized (NetworkWatcher.this) {
        if (!stopped) blockedStatus(network, isBlocked);
      }
    }
  }

  /** API 21–23: every network with internet; the default is derived. */
  private final class LegacyCallback extends ConnectivityManager.NetworkCallback {
    @Override public void onAvailable(Network network) {
      synchronized (NetworkWatcher.this) {
        if (stopped) return;
        available.add(network);
        defaultIs(legacyDefault());
      }
    }

    @Override public void onLost(Network network) {
      synchronized (NetworkWatcher.this) {
        if (stopped) return;
        available.remove(network);
        defaultIs(legacyDefault());
      }
    }

    @Override public void onCapabilitiesChanged(Network network, NetworkCapabilities caps) {
      synchronized (NetworkWatcher.this) {
        if (!stopped) capabilities(network, caps);
      }
    }

    @Override public void onLinkPropertiesChanged(Network network, LinkProperties link) {
      synchronized (NetworkWatcher.this) {
        if (!stopped) rename(network, null);
      }
    }
  }
}
