package dev.lifeline.e2e;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import dev.lifeline.Connection;
import dev.lifeline.ConnectionListener;
import dev.lifeline.ConnectionOptions;
import dev.lifeline.ConnectionState;
import dev.lifeline.ConnectionState.Kind;
import dev.lifeline.EnvironmentSignals;
import dev.lifeline.EventListener;
import dev.lifeline.HeartbeatPolicy;
import dev.lifeline.Lifeline;
import dev.lifeline.Logger;
import dev.lifeline.Message;
import dev.lifeline.ReconnectPolicy;
import dev.lifeline.testing.Await;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * A URL with a token in its query and a password in its user info, and a header with an API key,
 * driven over real sockets
 * through a refused handshake, a connect, a server that drops the socket, a reconnect, a stuck
 * listener and a close (docs/behaviour.md, "Secrets"): no secret appears in any log line of
 * any level, any event argument, any state or reason, any exception (causes included), any
 * {@code toString()} or any thread name; the user info reaches the server as Basic auth and the
 * header as it was given.
 */
public final class SecretsEndToEndTest {
  private static final String TOKEN = "SECRET-t0ken";
  private static final String USER = "alice";
  private static final String PASSWORD = "pw-H1dden";
  /** A header value: never shown at all (an Authorization header would clash with user info). */
  private static final String API_KEY = "K3Y-in-a-header";
  private static final long WAIT = 10_000;

  private WebSocketServerFixture server;
  private Lifeline lifeline;
  /** Everything Lifeline said, as text. */
  private final List<String> said = new CopyOnWriteArrayList<>();
  private final Set<String> events = java.util.Collections.synchronizedSet(new TreeSet<>());
  private final Set<Logger.Level> levels = java.util.Collections.synchronizedSet(new TreeSet<>());
  private final List<ConnectionState> states = new CopyOnWriteArrayList<>();

  @Before public void setUp() throws Exception {
    server = new WebSocketServerFixture();
    lifeline = Lifeline.builder()
        .stuckHookThreshold(100, MILLISECONDS)
        .logger((level, message, error) -> {
          levels.add(level);
          said.add("log " + level + " " + message + " " + text(error));
        })
        .build();
  }

  @After public void tearDown() throws Exception {
    lifeline.shutdown(5, SECONDS);
    server.close();
  }

  @Test public void noSecretOfTheUrlOrHeadersAppearsAnywhereAndTheUserInfoIsSentAsBasicAuth()
      throws Exception {
    server.overrides.add(new MockResponse().setResponseCode(503));
    // The first upgraded socket says hello, then closes.
    server.onOpen = (index, ws) -> {
      if (index == 0) {
        ws.send("hello");
        server.timers.schedule(() -> ws.close(1001, "going away"), 300, MILLISECONDS);
      }
    };
    String url = "ws://" + USER + ":" + PASSWORD + "@127.0.0.1:" + server.server.getPort()
        + "/socket?access_token=" + TOKEN + "&x=1#" + TOKEN;
    ConnectionOptions options = ConnectionOptions.builder(url)
        .header("X-Api-Key", API_KEY)
        .eventListener(recordingEvents())
        .heartbeat(HeartbeatPolicy.builder().interval(100, MILLISECONDS).build())
        .reconnect(ReconnectPolicy.builder().baseDelay(50, MILLISECONDS)
            .maxDelay(100, MILLISECONDS).build())
        .build();
    Connection c = lifeline.newConnection(options, new ConnectionListener() {
      @Override public void onStateChanged(Connection connection, ConnectionState state) {
        states.add(state);
        said.add("state " + state + " " + state.reason() + " " + text(state.cause())
            + " " + connection);
      }

      @Override public void onMessage(Connection connection, String text) {
        long until = System.nanoTime() + MILLISECONDS.toNanos(300); // Stuck: reported at 100 ms.
        while (System.nanoTime() < until) Thread.yield();
      }
    });
    c.connect();
    try {
      Await.until("a failed handshake, a lost connection and a reconnect", WAIT,
          () -> events.contains("connectFailed") && events.contains("disconnected")
              && events.contains("hookStuck") && server.sockets.size() >= 2
              && states.get(states.size() - 1).kind() == Kind.CONNECTED);
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "; so far: " + said, e);
    }
    for (Thread t : Thread.getAllStackTraces().keySet()) said.add("thread " + t.getName());
    said.add("toString " + c);
    c.close();
    Await.until("CLOSED", WAIT, () -> c.state().isTerminal());
    Await.until("the last log line", WAIT, () -> said.stream().anyMatch(s -> s.contains("CLOSED")));

    assertTrue("log levels seen: " + levels,
        levels.containsAll(Arrays.asList(Logger.Level.DEBUG, Logger.Level.INFO, Logger.Level.WARN)));
    assertTrue("events seen: " + events, events.containsAll(Arrays.asList("connectStart",
        "connectEnd", "connectFailed", "disconnected", "reconnectScheduled", "hookStuck",
        "heartbeatSent")));
    for (String s : said) {
      assertFalse("token shown: " + s, s.contains(TOKEN));
      assertFalse("password shown: " + s, s.contains(PASSWORD));
      assertFalse("header value shown: " + s, s.contains(API_KEY));
      assertFalse("user shown: " + s, s.contains(USER));
    }
    assertTrue(said.toString(), said.stream().anyMatch(
        s -> s.contains("/socket?access_token=██&x=██#██")));
    RecordedRequest first = server.server.takeRequest(1, SECONDS);
    assertEquals("Basic YWxpY2U6cHctSDFkZGVu", first.getHeader("Authorization"));
    assertEquals(API_KEY, first.getHeader("X-Api-Key"));
    assertFalse(first.getRequestUrl().toString().contains(PASSWORD));
  }

  /** Records every callback with all its arguments; fails if EventListener gained one. */
  private EventListener recordingEvents() {
    EventListener recorder = new EventListener() {
      void record(String name, Object... args) {
        events.add(name);
        StringBuilder b = new StringBuilder("event " + name);
        for (Object a : args) b.append(' ').append(a instanceof Throwable ? text((Throwable) a) : a);
        said.add(b.toString());
      }

      @Override public void connectStart(Connection c, int attempt, String url) {
        record("connectStart", c, attempt, url);
      }

      @Override public void connectEnd(Connection c, int attempt, long handshakeMillis) {
        record("connectEnd", c, attempt, handshakeMillis);
      }

      @Override public void connectFailed(Connection c, int attempt, int httpCode, String reason,
          Throwable error) {
        record("connectFailed", c, attempt, httpCode, reason, error);
      }

      @Override public void disconnected(Connection c, String reason, Throwable error) {
        record("disconnected", c, reason, error);
      }

      @Override public void heartbeatSent(Connection c, Message heartbeat) {
        record("heartbeatSent", c, heartbeat);
      }

      @Override public void heartbeatIntervalChanged(Connection c, long from, long to, String why) {
        record("heartbeatIntervalChanged", c, from, to, why);
      }

      @Override public void heartbeatSkipped(Connection c, long since) {
        record("heartbeatSkipped", c, since);
      }

      @Override public void serverHeartbeatAnswered(Connection c, Message in, Message reply) {
        record("serverHeartbeatAnswered", c, in, reply);
      }

      @Override public void serverHeartbeatReceived(Connection c, Message heartbeat) {
        record("serverHeartbeatReceived", c, heartbeat);
      }

      @Override public void serverSilence(Connection c, long silent, long limit) {
        record("serverSilence", c, silent, limit);
      }

      @Override public void probeStarted(Connection c, String trigger) {
        record("probeStarted", c, trigger);
      }

      @Override public void probeSucceeded(Connection c, long afterMillis) {
        record("probeSucceeded", c, afterMillis);
      }

      @Override public void sleepDetected(Connection c, long lateByMillis) {
        record("sleepDetected", c, lateByMillis);
      }

      @Override public void reconnectScheduled(Connection c, int attempt, long delay, String cause) {
        record("reconnectScheduled", c, attempt, delay, cause);
      }

      @Override public void signalReceived(Connection c, EnvironmentSignals.Signal signal) {
        record("signalReceived", c, signal);
      }

      @Override public void streamGap(Connection c, long expected, long received) {
        record("streamGap", c, expected, received);
      }

      @Override public void hookStuck(Connection c, String hook, long runningMillis) {
        record("hookStuck", c, hook, runningMillis);
      }

      @Override public void outboxRestored(Connection c, int restored, int reported,
          String damage) {
        record("outboxRestored", c, restored, reported, damage);
      }
    };
    List<String> missing = new ArrayList<>();
    for (Method m : EventListener.class.getDeclaredMethods()) {
      if (!Modifier.isPublic(m.getModifiers()) || Modifier.isStatic(m.getModifiers())) continue;
      try {
        recorder.getClass().getDeclaredMethod(m.getName(), m.getParameterTypes());
      } catch (NoSuchMethodException e) {
        missing.add(m.getName());
      }
    }
    assertEquals("EventListener methods the recorder does not cover", new ArrayList<>(), missing);
    return recorder;
  }

  /** An exception with every message and cause, as a person reading a crash report sees it. */
  private static String text(Throwable t) {
    StringBuilder b = new StringBuilder();
    for (Throwable e = t; e != null; e = e.getCause()) b.append(e).append(" / ");
    return b.toString();
  }
}
