package dev.lifeline.android;

import static dev.lifeline.android.AndroidFixture.MOBILE;
import static dev.lifeline.android.AndroidFixture.WIFI;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.robolectric.Shadows.shadowOf;

import android.content.Context;
import android.net.ConnectivityManager;
import android.net.IpPrefix;
import android.net.LinkProperties;
import android.net.Network;
import android.net.NetworkCapabilities;
import android.net.RouteInfo;
import android.telephony.TelephonyManager;
import dev.lifeline.ConnectionState.Kind;
import dev.lifeline.internal.FakeTransport;
import java.net.InetAddress;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.robolectric.RobolectricTestRunner;
import org.robolectric.annotation.Config;
import org.robolectric.shadows.ShadowNetwork;
import org.robolectric.shadows.ShadowNetworkCapabilities;

/**
 * The network key passed with {@code networkAvailable(key)} / {@code networkChanged(key)}, under
 * which an adaptive heartbeat keeps what it learned (docs/behaviour.md, "Adaptive heartbeat"):
 * read here from the core's signal snapshot, as the core itself reads it.
 */
@RunWith(RobolectricTestRunner.class)
@Config(sdk = {23, 26, 30, 34})
public final class NetworkKeyTest {
  private final AndroidFixture f = new AndroidFixture();
  private final TelephonyManager phone =
      (TelephonyManager) f.app.getSystemService(Context.TELEPHONY_SERVICE);

  @Test public void cellularAtAttachIsNamedByItsOperatorCode() {
    shadowOf(phone).setNetworkOperator("26201");
    transports(f.activeNetwork(), NetworkCapabilities.TRANSPORT_CELLULAR);
    f.attach();
    assertEquals("cellular:26201", key());
  }

  @Test public void cellularWithoutAnOperatorCodeIsJustCellular() {
    shadowOf(phone).setNetworkOperator(""); // Not registered.
    transports(f.activeNetwork(), NetworkCapabilities.TRANSPORT_CELLULAR);
    f.attach();
    assertEquals("cellular", key());
  }

  @Test public void wifiIsNamedByItsPrivateGatewayAndTheSwitchDropsTheSocket() throws Exception {
    FakeTransport onMobile = f.openInForeground();
    Network wifi = ShadowNetwork.newInstance(WIFI);
    transports(wifi, NetworkCapabilities.TRANSPORT_WIFI);
    gateway(wifi, "192.168.1.1");
    f.defaultBecomes(WIFI);
    assertEquals("wifi:192.168.1.1", key());
    assertTrue("networkChanged(key) still replaces the socket", onMobile.cancelled);
  }

  @Test public void wifiWithAPublicGatewayIsJustWifi() throws Exception {
    Network wifi = ShadowNetwork.newInstance(WIFI);
    transports(wifi, NetworkCapabilities.TRANSPORT_WIFI);
    gateway(wifi, "8.8.4.1");
    f.openInForeground();
    f.defaultBecomes(WIFI);
    assertEquals("wifi", key());
  }

  @Test public void vpnWinsOverTheTransportUnderIt() {
    transports(f.activeNetwork(), NetworkCapabilities.TRANSPORT_CELLULAR,
        NetworkCapabilities.TRANSPORT_VPN);
    f.attach();
    assertEquals("vpn", key());
  }

  @Test public void backOnTheSameNetworkAfterALossKeepsItsKey() {
    shadowOf(phone).setNetworkOperator("310260");
    transports(f.activeNetwork(), NetworkCapabilities.TRANSPORT_CELLULAR);
    f.openInForeground();
    Network mobile = f.activeNetwork();
    f.lose(mobile, true);
    transports(mobile, NetworkCapabilities.TRANSPORT_CELLULAR);
    f.defaultBecomes(MOBILE);
    assertEquals("cellular:310260", key());
    f.reconnectsWithinJitter();
  }

  @Config(sdk = {26, 30, 34}) // API 24+: the default-network callback with onLinkPropertiesChanged.
  @Test public void aKeyLearnedAfterOnAvailableIsPassedWithoutDroppingTheSocket() throws Exception {
    FakeTransport t = f.openInForeground();
    Network wifi = ShadowNetwork.newInstance(WIFI);
    transports(wifi, NetworkCapabilities.TRANSPORT_WIFI); // No link properties yet.
    f.defaultBecomes(WIFI);
    assertEquals("wifi", key());
    FakeTransport onWifi = f.h.transports.last();
    onWifi.serverAccepts();
    f.settle();
    assertTrue(t.cancelled);

    LinkProperties link = gateway(wifi, "10.0.0.1");
    for (ConnectivityManager.NetworkCallback cb : f.callbacks()) cb.onLinkPropertiesChanged(wifi, link);
    f.settle();
    assertEquals("wifi:10.0.0.1", key());
    assertEquals(Kind.CONNECTED, f.state().kind());
    assertFalse("same network, better name: the socket stays", onWifi.isClosedOrCancelled());
  }

  @Test public void capabilitiesWithoutATransportDoNotRenameTheNetwork() {
    shadowOf(phone).setNetworkOperator("26201");
    transports(f.activeNetwork(), NetworkCapabilities.TRANSPORT_CELLULAR);
    f.attach();
    f.capabilities(f.activeNetwork(), true); // INTERNET and VALIDATED only.
    assertEquals("cellular:26201", key());
  }

  @Test public void operatorCodesAreFiveOrSixDigits() {
    assertTrue(NetworkKeys.isOperatorCode("26201"));
    assertTrue(NetworkKeys.isOperatorCode("310260"));
    assertFalse(NetworkKeys.isOperatorCode(""));
    assertFalse(NetworkKeys.isOperatorCode(null));
    assertFalse(NetworkKeys.isOperatorCode("2620"));
    assertFalse(NetworkKeys.isOperatorCode("26201a"));
    assertFalse(NetworkKeys.isOperatorCode("2620112"));
  }

  /** What the core holds as the current network key. */
  private String key() {
    f.settle();
    return f.h.context.signals.networkKey();
  }

  private void transports(Network network, int... transports) {
    NetworkCapabilities caps = ShadowNetworkCapabilities.newInstance();
    shadowOf(caps).addCapability(NetworkCapabilities.NET_CAPABILITY_INTERNET);
    for (int t : transports) shadowOf(caps).addTransportType(t);
    f.shadowCm.setNetworkCapabilities(network, caps);
  }

  /** Link properties whose default route goes through {@code address}; hidden APIs, test only. */
  private LinkProperties gateway(Network network, String address) throws Exception {
    LinkProperties link = new LinkProperties();
    // 0.0.0.0/0 spelled out: a null destination reaches for libcore's Inet4Address.ANY.
    IpPrefix anywhere = new IpPrefix(InetAddress.getByName("0.0.0.0"), 0);
    link.addRoute(new RouteInfo(anywhere, InetAddress.getByName(address), null));
    f.shadowCm.setLinkProperties(network, link);
    return link;
  }
}
