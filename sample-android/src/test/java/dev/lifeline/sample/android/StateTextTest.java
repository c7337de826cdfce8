package dev.lifeline.sample.android;

import static org.junit.Assert.assertEquals;

import dev.lifeline.ConnectionState;
import dev.lifeline.ConnectionState.PauseReason;
import java.io.IOException;
import org.junit.Test;

/** The words for each state; plain JUnit, no Android needed. */
public final class StateTextTest {
  @Test public void eachStateInWords() {
    assertEquals("Not connected yet", StateText.describe(ConnectionState.idle()));
    assertEquals("Connecting…", StateText.describe(ConnectionState.connecting(0)));
    assertEquals("Connecting: attempt 3…", StateText.describe(ConnectionState.connecting(3)));
    assertEquals("Connected", StateText.describe(ConnectionState.connected()));
    assertEquals("Waiting to reconnect: attempt 2 in 1.4 s — server closed the connection: 1001",
        StateText.describe(ConnectionState.waitingToReconnect(2, 1_449,
            "server closed the connection: 1001", new IOException())));
    assertEquals("Paused: network down",
        StateText.describe(ConnectionState.paused(PauseReason.NETWORK_DOWN, "…")));
    assertEquals("Paused: app in background",
        StateText.describe(ConnectionState.paused(PauseReason.BACKGROUND, "…")));
    assertEquals("Paused: screen off",
        StateText.describe(ConnectionState.paused(PauseReason.SCREEN_OFF, "…")));
    assertEquals("Paused: device idle (Doze)",
        StateText.describe(ConnectionState.paused(PauseReason.SUSPENDED, "…")));
    assertEquals("Closed — closed by the app",
        StateText.describe(ConnectionState.closed("closed by the app", null)));
  }
}
