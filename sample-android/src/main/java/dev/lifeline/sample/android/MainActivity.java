package dev.lifeline.sample.android;

import android.app.Activity;
import android.os.Bundle;
import android.util.TypedValue;
import android.view.View;
import android.widget.Button;
import android.widget.LinearLayout;
import android.widget.TextView;
import dev.lifeline.Connection;
import dev.lifeline.ConnectionState;
import java.util.Locale;

/**
 * Shows the app's connection: its state in words, the last message from the server, and
 * counters; "Reconnect now" skips a backoff or a pause. The views are built in code, so the
 * sample needs no resources (and no aapt to build).
 *
 * <p>The Activity only displays: the connection lives in {@link SampleApplication} and keeps
 * running (or pauses, as its policy says) whatever the Activity does.
 */
public final class MainActivity extends Activity implements ConnectionStatus.Observer {
  /** The application's status model; set in onCreate. */
  private ConnectionStatus status;
  /** The application's connection, for the button. */
  private Connection connection;
  /** "Connected", "Paused: network down", ... */
  private TextView stateView;
  /** "Last message: ..." */
  private TextView lastMessageView;
  /** "Heartbeats sent: 3 · Wake-up probes: 1 · Reconnects: 2 · Messages received: 4" */
  private TextView countersView;
  /** Reconnect now; enabled while waiting or paused, the only states where it does something. */
  private Button reconnectButton;

  @Override protected void onCreate(Bundle savedInstanceState) {
    super.onCreate(savedInstanceState);
    SampleApplication app = (SampleApplication) getApplication();
    status = app.status();
    connection = app.connection();

    LinearLayout layout = new LinearLayout(this);
    layout.setOrientation(LinearLayout.VERTICAL);
    int padding = dp(16);
    layout.setPadding(padding, padding, padding, padding);

    TextView serverView = new TextView(this);
    serverView.setText("Server: " + app.connectionUrl());
    stateView = new TextView(this);
    stateView.setTextSize(TypedValue.COMPLEX_UNIT_SP, 20);
    stateView.setPadding(0, dp(12), 0, dp(12));
    lastMessageView = new TextView(this);
    countersView = new TextView(this);
    reconnectButton = new Button(this);
    reconnectButton.setText("Reconnect now");
    reconnectButton.setOnClickListener(new View.OnClickListener() {
      @Override public void onClick(View v) {
        connection.reconnectNow();
      }
    });

    layout.addView(serverView);
    layout.addView(stateView);
    layout.addView(lastMessageView);
    layout.addView(countersView);
    layout.addView(reconnectButton);
    setContentView(layout);

    // Observed from create to destroy, not only while started: a stopped activity's views are
    // what the user sees on coming back, and "Paused: app in background" is worth seeing then.
    status.addObserver(this);
    onStatusChanged(status);
  }

  @Override protected void onDestroy() {
    status.removeObserver(this);
    super.onDestroy();
  }

  @Override public void onStatusChanged(ConnectionStatus s) {
    ConnectionState state = s.state();
    stateView.setText(StateText.describe(state));
    lastMessageView.setText("Last message: " + (s.lastMessage() != null ? s.lastMessage() : "none yet"));
    countersView.setText(String.format(Locale.ROOT,
        "Heartbeats sent: %d · Wake-up probes: %d · Reconnects: %d · Messages received: %d",
        s.heartbeatsSent(), s.probes(), s.reconnects(), s.messagesReceived()));
    ConnectionState.Kind kind = state.kind();
    reconnectButton.setEnabled(
        kind == ConnectionState.Kind.WAITING_TO_RECONNECT || kind == ConnectionState.Kind.PAUSED);
  }

  // What the test reads: the views as shown.
  TextView stateView() { return stateView; }
  TextView lastMessageView() { return lastMessageView; }
  TextView countersView() { return countersView; }
  Button reconnectButton() { return reconnectButton; }

  private int dp(int value) {
    return Math.round(value * getResources().getDisplayMetrics().density);
  }
}
