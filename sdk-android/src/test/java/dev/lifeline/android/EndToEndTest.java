package dev.lifeline.android;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;
import static org.robolectric.Shadows.shadowOf;

import android.app.Activity;
import android.app.Application;
import android.content.Context;
import android.content.Intent;
import android.os.Looper;
import android.os.PowerManager;
import dev.lifeline.Connection;
import dev.lifeline.ConnectionListener;
import dev.lifeline.ConnectionState;
import dev.lifeline.HeartbeatPolicy;
import dev.lifeline.Lifeline;
import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import okhttp3.Response;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import org.junit.After;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.robolectric.Robolectric;
import org.robolectric.RobolectricTestRunner;
import org.robolectric.RuntimeEnvironment;
import org.robolectric.annotation.Config;
import org.robolectric.shadows.ShadowPausedLooper;

/**
 * The README's integration, for real: a {@link Lifeline} built with Android defaults and attached
 * to the application, talking WebSocket to a MockWebServer on 127.0.0.1. Listener calls arrive on
 * the main thread; a screen-on broadcast makes a heartbeat reach the server at once (the wake-up
 * probe).
 */
@RunWith(RobolectricTestRunner.class)
@Config(sdk = 34)
public final class EndToEndTest {
  private final MockWebServer server = new MockWebServer();
  /** What the server received. */
  private final List<String> serverReceived = new CopyOnWriteArrayList<>();
  /** "thread-is-main message" as the app's listener saw it. */
  private final List<String> appReceived = new CopyOnWriteArrayList<>();
  private final List<ConnectionState.Kind> states = new CopyOnWriteArrayList<>();
  /** State callbacks that did not run on the main thread. */
  private final List<String> offMain = new CopyOnWriteArrayList<>();
  private Lifeline lifeline;

  @After public void tearDown() throws Exception {
    if (lifeline != null) lifeline.shutdown(5, TimeUnit.SECONDS);
    server.shutdown();
  }

  // Robolectric's only way to set isInteractive; turnScreenOn would also send the broadcast
  // that these tests send themselves, in a chosen order.
  @SuppressWarnings("deprecation")
  @Test public void mainThreadCallbacksAndScreenOnProbeOverARealSocket() throws Exception {
    server.enqueue(new MockResponse().withWebSocketUpgrade(new WebSocketListener() {
      @Override public void onOpen(WebSocket webSocket, Response response) {
        webSocket.send("welcome");
      }

      @Override public void onMessage(WebSocket webSocket, String text) {
        serverReceived.add(text);
      }

      @Override public void onClosing(WebSocket webSocket, int code, String reason) {
        webSocket.close(1000, null); // Completes the closing handshake the client started.
      }
    }));
    server.start(InetAddress.getByName("127.0.0.1"), 0);

    Application app = RuntimeEnvironment.getApplication();
    lifeline = LifelineAndroid.lifelineBuilder().build();
    AndroidEnvironment env = LifelineAndroid.attach(app, lifeline);
    Robolectric.buildActivity(Activity.class).create().start().resume();
    Connection chat = lifeline.newConnection(
        "ws://127.0.0.1:" + server.getPort() + "/socket", new ConnectionListener() {
          @Override public void onMessage(Connection c, String text) {
            appReceived.add((Looper.myLooper() == Looper.getMainLooper()) + " " + text);
          }

          @Override public void onStateChanged(Connection c, ConnectionState state) {
            if (Looper.myLooper() != Looper.getMainLooper()) offMain.add(state.toString());
            states.add(state.kind());
          }
        });
    chat.connect();
    awaitOnMainLooper(() -> !appReceived.isEmpty());
    assertEquals("[true welcome]", appReceived.toString());
    assertTrue(states.toString(), states.contains(ConnectionState.Kind.CONNECTED));

    PowerManager pm = (PowerManager) app.getSystemService(Context.POWER_SERVICE);
    shadowOf(pm).setIsInteractive(false);
    app.sendBroadcast(new Intent(Intent.ACTION_SCREEN_OFF));
    shadowOf(pm).setIsInteractive(true);
    app.sendBroadcast(new Intent(Intent.ACTION_SCREEN_ON));
    awaitOnMainLooper(() -> !serverReceived.isEmpty());
    assertEquals("the wake-up probe, long before the 55 s heartbeat",
        HeartbeatPolicy.DEFAULT_PAYLOAD, serverReceived.get(0));

    env.detach();
    chat.close();
    awaitOnMainLooper(() -> states.contains(ConnectionState.Kind.CLOSED));
    assertEquals("[]", offMain.toString());
  }

  /** Runs the main looper until {@code condition} holds, failing after 10 s. */
  private static void awaitOnMainLooper(BooleanSupplier condition) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      shadowOf(Looper.getMainLooper()).idle();
      if (condition.getAsBoolean()) return;
      if (System.nanoTime() > deadline) fail("condition not met within 10 s");
      ((ShadowPausedLooper) shadowOf(Looper.getMainLooper())).poll(50); // Wakes on a post.
    }
  }
}
