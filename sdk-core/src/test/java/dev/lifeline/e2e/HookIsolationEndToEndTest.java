package dev.lifeline.e2e;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import dev.lifeline.AckMatcher;
import dev.lifeline.Connection;
import dev.lifeline.ConnectionOptions;
import dev.lifeline.ConnectionState.Kind;
import dev.lifeline.HeartbeatPolicy;
import dev.lifeline.Lifeline;
import dev.lifeline.Message;
import dev.lifeline.ReconnectPolicy;
import dev.lifeline.testing.Await;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.Parameterized;
import org.junit.runners.Parameterized.Parameter;
import org.junit.runners.Parameterized.Parameters;

/**
 * docs/behaviour.md, "App code isolation", with real threads against 127.0.0.1: one piece of app
 * code of connection A is stuck, once for every kind of app code, and meanwhile connection B of
 * the same {@link Lifeline} (default scheduler and pools) connects, exchanges messages, reconnects
 * after the server closes it, and closes, each step on time. A's own {@code close()} reaches
 * CLOSED promptly, and the stuck call is reported by name.
 *
 * <p>B has the same kind of app code as A, so B's lane of that kind must keep moving. A and B
 * share the client's logger and one event listener: the logger is stuck only on lines about A,
 * the event listener only in A's {@code connectStart}. Both servers say "ping" as soon as a
 * connection opens, which reaches the ack matcher, the responder or the listener.
 */
@RunWith(Parameterized.class)
public final class HookIsolationEndToEndTest {
  /** Bound of each awaited step; they take milliseconds. */
  private static final long STEP_MILLIS = 3_000;
  /** The stuck-hook threshold here; the default (5 s) would make the suite slow. */
  private static final long THRESHOLD_MILLIS = 300;

  /** The kinds of app code, each with the name it is reported under when stuck. */
  enum Hook {
    EVENT_LISTENER("EventListener.connectStart"),
    ACK_MATCHER("AckMatcher.acknowledgedKey"),
    LOGGER("Logger.log"),
    HEARTBEAT_PAYLOAD("HeartbeatPayload.next"),
    SERVER_HEARTBEAT_RESPONDER("ServerHeartbeatResponder.replyTo"),
    CREDENTIALS_PROVIDER("CredentialsProvider.headers"),
    CONNECTION_LISTENER("ConnectionListener.onMessage");

    final String call;

    Hook(String call) {
      this.call = call;
    }
  }

  @Parameters(name = "{0}")
  public static List<Object[]> hooks() {
    List<Object[]> hooks = new ArrayList<>();
    for (Hook h : Hook.values()) hooks.add(new Object[] {h});
    return hooks;
  }

  @Parameter public Hook hook;

  private final AppCode.Gate gate = new AppCode.Gate();
  private final AppCode.Log log = new AppCode.Log();
  private final AppCode.Events events = new AppCode.Events();
  private WebSocketServerFixture serverA;
  private WebSocketServerFixture serverB;
  private Lifeline lifeline;

  @Before public void setUp() throws Exception {
    serverA = new WebSocketServerFixture();
    serverA.onOpen = (index, ws) -> ws.send("ping");
    serverB = new WebSocketServerFixture();
    serverB.onOpen = (index, ws) -> ws.send("ping");
    lifeline = Lifeline.builder()
        .logger(log)
        .stuckHookThreshold(THRESHOLD_MILLIS, MILLISECONDS)
        .build();
  }

  @After public void tearDown() throws Exception {
    gate.release(); // First: the stuck thread returns, and shutdown finds nothing stuck.
    try {
      lifeline.shutdown(2, SECONDS);
    } finally {
      serverA.close();
      serverB.close();
    }
  }

  @Test public void stuckHookOfOneConnectionStallsNeitherAnotherConnectionNorItsOwnClose()
      throws Exception {
    AppCode.Listener a = hook == Hook.CONNECTION_LISTENER ? new AppCode.Listener() {
      @Override public void onMessage(Connection c, String text) {
        super.onMessage(c, text);
        gate.block("ConnectionListener.onMessage");
      }
    } : new AppCode.Listener();
    Connection connectionA = lifeline.newConnection(optionsFor(serverA, true), a);
    AppCode.Listener b = new AppCode.Listener();
    Connection connectionB = lifeline.newConnection(optionsFor(serverB, false), b);

    connectionA.connect();
    gate.awaitStuck(hook.call, STEP_MILLIS);

    connectionB.connect();
    step("B connected", () -> b.isIn(Kind.CONNECTED));
    exchange(connectionB, b, "one");
    serverB.sockets.get(0).close(1001, "going away");
    step("B reconnected", () -> serverB.sockets.size() == 2 && b.isIn(Kind.CONNECTED));
    assertEquals(Arrays.asList(Kind.CONNECTING, Kind.CONNECTED, Kind.WAITING_TO_RECONNECT,
        Kind.CONNECTING, Kind.CONNECTED), b.kinds());
    assertEquals("server closed the connection: 1001 going away", b.states.get(2).reason());
    exchange(connectionB, b, "two");
    awaitBsHookWorked();
    connectionB.close();
    step("B closed", () -> b.isIn(Kind.CLOSED));
    step("B's close frame at the server", () -> serverB.closes.contains("1:1000:client closed"));
    // B's own hooks ran on time too: its events and its log lines (the same objects as A's).
    step("B's events", () -> events.of(serverB.url(), "connectEnd").size() == 2);
    step("B's log lines", () -> log.has(serverB.url() + " → CLOSED: closed by the app"));

    long closing = System.nanoTime();
    connectionA.close();
    step("A closed", () -> connectionA.state().kind() == Kind.CLOSED);
    long closeMillis = (System.nanoTime() - closing) / 1_000_000;
    assertEquals("closed by the app", connectionA.state().reason());

    awaitStuckReport();
    assertTrue(hook.call + " was still stuck throughout (A closed in " + closeMillis + " ms)",
        gate.stillStuck());
    assertEquals("nothing reported on B: " + events.events, 0,
        events.of(serverB.url(), "hookStuck").size());
  }

  /**
   * The options of the connection to {@code server}: both connections have the app code under
   * test, so B's lane of that kind must keep moving; on A ({@code stuck}) it gets stuck.
   */
  private ConnectionOptions optionsFor(WebSocketServerFixture server, boolean stuck) {
    ConnectionOptions.Builder options = ConnectionOptions.builder(server.url())
        .eventListener(events)
        .reconnect(ReconnectPolicy.builder().baseDelay(100, MILLISECONDS)
            .maxDelay(400, MILLISECONDS).build());
    switch (hook) {
      case EVENT_LISTENER:
        if (stuck) events.stuckInConnectStartOf(server.url(), gate);
        break;
      case ACK_MATCHER:
        options.atLeastOnce(new AckMatcher() {
          @Override public Object key(Message outbound) {
            return null;
          }

          @Override public Object acknowledgedKey(Message inbound) {
            if (stuck) gate.block(hook.call);
            return null;
          }
        });
        break;
      case LOGGER:
        if (stuck) log.stuckOnLinesMentioning(server.url(), gate);
        break;
      case HEARTBEAT_PAYLOAD:
        options.heartbeat(HeartbeatPolicy.builder()
            .interval(200, MILLISECONDS)
            .protocolPingInterval(10, SECONDS) // Pings are not under test.
            .payload(() -> {
              if (stuck) gate.block(hook.call);
              return Message.text("beat");
            })
            .build());
        break;
      case SERVER_HEARTBEAT_RESPONDER:
        options.heartbeat(HeartbeatPolicy.builder().responder(in -> {
          if (!in.text().equals("ping")) return null;
          if (stuck) gate.block(hook.call);
          return Message.text("pong");
        }).build());
        break;
      case CREDENTIALS_PROVIDER:
        options.credentials((attempt, rejected) -> {
          if (stuck) gate.block(hook.call);
          return Collections.singletonMap("Authorization", "Bearer t" + attempt);
        });
        break;
      case CONNECTION_LISTENER:
        break; // The listener itself, in the test.
    }
    return options.build();
  }

  /** What B's own app code of the kind under test did, beyond connecting. */
  private void awaitBsHookWorked() throws Exception {
    switch (hook) {
      case HEARTBEAT_PAYLOAD:
        step("B's heartbeat at the server", () -> serverB.receivedOn(1).contains("beat"));
        break;
      case SERVER_HEARTBEAT_RESPONDER:
        step("B's pong at the server", () -> serverB.receivedOn(1).contains("pong"));
        break;
      case CREDENTIALS_PROVIDER:
        for (String expected : new String[] {"Bearer t0", "Bearer t1"}) {
          RecordedRequest handshake = serverB.server.takeRequest(STEP_MILLIS, MILLISECONDS);
          assertNotNull("B's handshake with " + expected, handshake);
          assertEquals(expected, handshake.getHeader("Authorization"));
        }
        break;
      default:
        break; // The echo exchanges went through the ack matcher, listener, logger, events.
    }
  }

  /** {@code connection} sends "echo:{@code text}"; the server's echo reaches its listener. */
  private void exchange(Connection connection, AppCode.Listener listener, String text)
      throws Exception {
    assertTrue(connection.send("echo:" + text));
    step("B's echo of '" + text + "'", () -> listener.messages.contains(text));
  }

  /**
   * The stuck call is reported once the threshold passed: as an event and a WARN, except to the
   * app code that is itself stuck (the report would queue behind it).
   */
  private void awaitStuckReport() throws Exception {
    String url = serverA.url();
    if (hook != Hook.EVENT_LISTENER) {
      step("hookStuck(" + hook.call + ") on A", () -> !events.of(url, "hookStuck").isEmpty());
      String event = events.of(url, "hookStuck").get(0);
      String prefix = url + " hookStuck " + hook.call + " ";
      assertTrue(event, event.startsWith(prefix));
      long runningMillis = Long.parseLong(event.substring(prefix.length()));
      assertTrue(event, runningMillis >= THRESHOLD_MILLIS);
    }
    if (hook != Hook.LOGGER) {
      step("the WARN naming " + hook.call, () -> log.has("WARN " + hook.call + " on " + url));
      String warn = log.lineWith("WARN " + hook.call + " on " + url);
      assertNotNull(warn);
      assertTrue(warn, warn.contains(" has been running for "));
    }
    for (String e : events.events) {
      assertTrue("a stuck event listener is not told: " + e, !e.contains("hookStuck EventListener."));
    }
    assertTrue("a stuck logger is not told", !log.has("Logger.log on"));
  }

  private static void step(String what, Await.Condition condition) throws Exception {
    Await.until(what, STEP_MILLIS, condition);
  }
}
