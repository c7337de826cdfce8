package dev.lifeline.android;

import static dev.lifeline.android.AndroidFixture.MOBILE;
import static dev.lifeline.android.AndroidFixture.WIFI;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import android.net.ConnectivityManager;
import android.net.Network;
import dev.lifeline.ConnectionState.Kind;
import dev.lifeline.ConnectionState.PauseReason;
import dev.lifeline.ReconnectPolicy;
import dev.lifeline.internal.FakeTransport;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.robolectric.RobolectricTestRunner;
import org.robolectric.annotation.Config;

/**
 * Network reactions (docs/behaviour.md, "Environment reactions") through ConnectivityManager's
 * callbacks: the default callback on API 24+ (26, 30, 34 here), the
 * listen-to-every-internet-network callback on API 23.
 */
@RunWith(RobolectricTestRunner.class)
@Config(sdk = {23, 26, 30, 34})
public final class NetworkSignalsTest {
  private final AndroidFixture f = new AndroidFixture();

  @Test public void registersTheCallbackForTheApiLevel() {
    f.attach();
    assertEquals(1, f.callbacks().size());
  }

  @Test public void networkLostPausesWithNoAttemptsAndAvailableReconnectsWithinJitter() {
    FakeTransport t = f.openInForeground();
    Network mobile = f.activeNetwork();
    assertEquals(MOBILE, netId(mobile));

    f.lose(mobile, true);
    assertTrue("the socket on the lost network is released", t.cancelled);
    f.assertPaused(PauseReason.NETWORK_DOWN);
    f.assertNoAttemptsFor10Minutes();
    f.assertPaused(PauseReason.NETWORK_DOWN);

    f.defaultBecomes(WIFI);
    f.reconnectsWithinJitter();
  }

  @Test public void defaultNetworkSwitchReplacesTheOpenSocketAtOnce() {
    FakeTransport onMobile = f.openInForeground();
    Network mobile = f.activeNetwork();

    f.defaultBecomes(WIFI); // Wi-Fi comes up and becomes the default.
    assertTrue("the socket bound to mobile is dropped", onMobile.cancelled);
    assertEquals("a new attempt starts without waiting", 2, f.h.transports.count());
    assertEquals(Kind.CONNECTING, f.state().kind());
    f.h.transports.last().serverAccepts();
    f.h.time.runUntilIdle();
    assertEquals(Kind.CONNECTED, f.state().kind());

    // The old network's loss arrives after the switch: not a loss of the default.
    f.lose(mobile, false);
    assertEquals(Kind.CONNECTED, f.state().kind());
    assertFalse(f.h.transports.last().isClosedOrCancelled());
  }

  @Test public void availableAgainAfterLostIsNotAChange() {
    FakeTransport t = f.openInForeground();
    Network mobile = f.activeNetwork();
    f.lose(mobile, true);
    f.defaultBecomes(MOBILE); // The same network back: available, not changed.
    f.reconnectsWithinJitter();
    assertTrue(t.cancelled);
    assertEquals(2, f.h.transports.count());
  }

  @Test public void noNetworkAtAttachPausesTheFirstAttempt() {
    f.shadowCm.setActiveNetworkInfo(null);
    f.attach();
    f.startActivity();
    f.connection = f.h.connection(f.h.options().build());
    f.connection.connect();
    f.settle();
    f.assertPaused(PauseReason.NETWORK_DOWN);
    f.assertNoAttemptsFor10Minutes();

    f.defaultBecomes(WIFI);
    f.reconnectsWithinJitter();
  }

  @Test public void validatedNetworkCutsTheBackoffShort() {
    f.attach();
    f.startActivity();
    f.connection = f.h.connection(f.h.options()
        .reconnect(ReconnectPolicy.builder().baseDelay(30, TimeUnit.SECONDS).build())
        .build());
    f.connection.connect();
    f.settle();
    f.h.transports.last().fails(new IOException("captive portal: connection reset"));
    f.h.time.runUntilIdle();
    assertEquals(Kind.WAITING_TO_RECONNECT, f.state().kind());
    assertTrue(f.state().toString(), f.state().delayMillis() > 1_000);

    Network mobile = f.activeNetwork();
    f.capabilities(mobile, false);
    assertEquals("not validated is not 'down'", Kind.WAITING_TO_RECONNECT, f.state().kind());
    assertTrue(f.state().delayMillis() > 1_000);
    f.capabilities(mobile, true); // Signed in to the portal: internet works now.
    f.reconnectsWithinJitter();
  }

  @Config(sdk = {30, 34})
  @Test public void blockedForThisAppCountsAsDown() {
    FakeTransport t = f.openInForeground();
    Network mobile = f.activeNetwork();
    for (ConnectivityManager.NetworkCallback cb : f.callbacks()) cb.onBlockedStatusChanged(mobile, true);
    f.settle();
    assertTrue(t.cancelled);
    f.assertPaused(PauseReason.NETWORK_DOWN);
    f.assertNoAttemptsFor10Minutes();

    for (ConnectivityManager.NetworkCallback cb : f.callbacks()) cb.onBlockedStatusChanged(mobile, false);
    f.settle();
    f.reconnectsWithinJitter();
  }

  @Config(sdk = {30, 34})
  @Test public void blockedStatusBelongsToItsNetwork() {
    FakeTransport t = f.openInForeground();
    Network mobile = f.activeNetwork();
    for (ConnectivityManager.NetworkCallback cb : f.callbacks()) cb.onBlockedStatusChanged(mobile, true);
    f.settle();
    f.assertPaused(PauseReason.NETWORK_DOWN);
    f.lose(mobile, true);
    f.defaultBecomes(WIFI); // Not blocked on Wi-Fi (it would report so after onAvailable).
    f.reconnectsWithinJitter();
    assertTrue(t.cancelled);
  }

  private static int netId(Network network) {
    return Integer.parseInt(network.toString());
  }
}
