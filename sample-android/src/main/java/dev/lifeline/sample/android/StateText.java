package dev.lifeline.sample.android;

import dev.lifeline.ConnectionState;
import java.util.Locale;

/** A {@link ConnectionState} in the words the screen shows. */
final class StateText {
  private StateText() {}

  /**
   * E.g. "Connected", "Waiting to reconnect: attempt 2 in 1.4 s — server closed the connection:
   * 1001 going away", "Paused: network down".
   */
  static String describe(ConnectionState state) {
    switch (state.kind()) {
      case IDLE:
        return "Not connected yet";
      case CONNECTING:
        return state.attempt() == 0 ? "Connecting…" : "Connecting: attempt " + state.attempt() + "…";
      case CONNECTED:
        return "Connected";
      case WAITING_TO_RECONNECT:
        return "Waiting to reconnect: attempt " + state.attempt() + " in "
            + String.format(Locale.ROOT, "%.1f s", state.delayMillis() / 1000.0)
            + because(state.reason());
      case PAUSED:
        return "Paused: " + pauseReason(state.pauseReason());
      case CLOSED:
        return "Closed" + because(state.reason());
      default:
        return state.toString();
    }
  }

  private static String pauseReason(ConnectionState.PauseReason why) {
    switch (why) {
      case NETWORK_DOWN: return "network down";
      case BACKGROUND: return "app in background";
      case SCREEN_OFF: return "screen off";
      case SUSPENDED: return "device idle (Doze)";
      default: return why.toString();
    }
  }

  private static String because(String reason) {
    return reason == null || reason.isEmpty() ? "" : " — " + reason;
  }
}
