package dev.lifeline.android;

import android.annotation.TargetApi;
import android.net.ConnectivityManager;
import android.net.LinkProperties;
import android.net.Network;
import android.net.NetworkCapabilities;
import android.net.RouteInfo;
import android.os.Build;
import android.telephony.SubscriptionManager;
import android.telephony.TelephonyManager;
import java.net.Inet4Address;
import java.net.InetAddress;

/**
 * Names a network for the adaptive heartbeat ({@link dev.lifeline.EnvironmentSignals#networkChanged(
 * String)}): what the core learns about a path's idle limit is kept per endpoint and per this key,
 * so a key must be the same every time the device is on the same network, differ between networks
 * whose middleboxes differ, and say nothing secret (it ends up in store keys and log lines).
 *
 * <ul>
 *   <li>{@code "cellular:<MCC><MNC>"}, e.g. {@code "cellular:26201"}: the operator of the network
 *       the device is registered on ({@code TelephonyManager.getNetworkOperator()}, no permission;
 *       the visited network when roaming, whose NAT is the one that matters; the data SIM's on API
 *       24+). Operators' carrier-grade NATs are what cut idle cellular connections, and each runs
 *       its own. Just {@code "cellular"} when the operator is unknown.
 *   <li>{@code "wifi:<gateway>"}, e.g. {@code "wifi:192.168.1.1"}: the default route's IPv4
 *       gateway when it is a private address. The SSID and BSSID would name the network better but
 *       need a location permission on API 26+, which a connection library has no business asking
 *       for; the gateway needs only ACCESS_NETWORK_STATE and is stable for a given router. Two
 *       homes whose routers both use 192.168.1.1 share a key: the learning then starts from the
 *       other home's value and corrects itself after a cut. IPv6 gateways are left out (link-local
 *       addresses can embed the router's MAC address), as are public IPv4 ones; then just {@code
 *       "wifi"}.
 *   <li>{@code "vpn"} (the tunnel's server decides about idle cuts, whatever carries it), {@code
 *       "ethernet"}, {@code "bluetooth"}, and {@code "other"} for anything else or unknown.
 * </ul>
 *
 * Thread-safe: stateless apart from the platform services, which are themselves thread-safe.
 */
final class NetworkKeys {
  static final String WIFI = "wifi";
  static final String CELLULAR = "cellular";
  static final String ETHERNET = "ethernet";
  static final String VPN = "vpn";
  static final String BLUETOOTH = "bluetooth";
  static final String OTHER = "other";

  /** Where capabilities and link properties come from. */
  private final ConnectivityManager connectivity;
  /** The operator code's source; null when the device has no telephony service. */
  private final TelephonyManager telephony;

  NetworkKeys(ConnectivityManager connectivity, TelephonyManager telephony) {
    this.connectivity = connectivity;
    this.telephony = telephony;
  }

  /**
   * The key of {@code network}; {@code caps} are its capabilities when the caller has them (a
   * callback just delivered them), else null to ask the platform.
   */
  String of(Network network, NetworkCapabilities caps) {
    try {
      if (caps == null) caps = connectivity.getNetworkCapabilities(network);
      if (caps == null) return OTHER; // Already gone, or not yet known to the platform.
      // VPN first: a VPN network also carries its underlying transport's flag.
      if (caps.hasTransport(NetworkCapabilities.TRANSPORT_VPN)) return VPN;
      if (caps.hasTransport(NetworkCapabilities.TRANSPORT_WIFI)) return wifi(network);
      if (caps.hasTransport(NetworkCapabilities.TRANSPORT_CELLULAR)) return cellular();
      if (caps.hasTransport(NetworkCapabilities.TRANSPORT_ETHERNET)) return ETHERNET;
      if (caps.hasTransport(NetworkCapabilities.TRANSPORT_BLUETOOTH)) return BLUETOOTH;
      return OTHER;
    } catch (RuntimeException e) {
      // SecurityException (permission stripped from the merged manifest) or a vendor's
      // ConnectivityManager failing: a coarse key beats no network signal at all.
      return OTHER;
    }
  }

  /** API 21–22, before the first callback names a {@link Network}: from the legacy type. */
  @SuppressWarnings("deprecation") // The legacy type is all API 21–22 offers at attach.
  String ofLegacyType(int type) {
    switch (type) {
      case ConnectivityManager.TYPE_WIFI:
        return WIFI;
      case ConnectivityManager.TYPE_MOBILE:
        return cellular();
      case ConnectivityManager.TYPE_ETHERNET:
        return ETHERNET;
      case ConnectivityManager.TYPE_VPN:
        return VPN;
      case ConnectivityManager.TYPE_BLUETOOTH:
        return BLUETOOTH;
      default:
        return OTHER;
    }
  }

  private String wifi(Network network) {
    LinkProperties link = connectivity.getLinkProperties(network);
    if (link == null) return WIFI;
    for (RouteInfo route : link.getRoutes()) {
      InetAddress gateway = route.getGateway();
      if (route.isDefaultRoute() && gateway instanceof Inet4Address
          && gateway.isSiteLocalAddress()) {
        return WIFI + ":" + gateway.getHostAddress();
      }
    }
    return WIFI;
  }

  private String cellular() {
    String operator = operatorCode();
    return isOperatorCode(operator) ? CELLULAR + ":" + operator : CELLULAR;
  }

  private String operatorCode() {
    if (telephony == null) return null;
    if (Build.VERSION.SDK_INT >= 24) {
      String dataSim = dataSubscriptionOperator();
      if (dataSim != null) return dataSim;
    }
    return telephony.getNetworkOperator();
  }

  /** Dual SIM: the operator of the SIM that carries mobile data, not of the default (voice) one. */
  @TargetApi(24)
  private String dataSubscriptionOperator() {
    int id = SubscriptionManager.getDefaultDataSubscriptionId();
    if (id == SubscriptionManager.INVALID_SUBSCRIPTION_ID) return null;
    TelephonyManager forData = telephony.createForSubscriptionId(id);
    return forData == null ? null : forData.getNetworkOperator();
  }

  /** MCC (3 digits) + MNC (2 or 3): anything else (empty when not registered) is not a name. */
  static boolean isOperatorCode(String s) {
    if (s == null || s.length() < 5 || s.length() > 6) return false;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') return false;
    }
    return true;
  }
}
