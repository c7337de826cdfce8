package dev.lifeline.internal;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import dev.lifeline.ConnectionState.Kind;
import dev.lifeline.HeartbeatMatcher;
import dev.lifeline.HeartbeatPolicy;
import dev.lifeline.Message;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.Test;

/**
 * Server heartbeats and echoes of ours, recognised and consumed (docs/behaviour.md, "Server
 * heartbeats and echoes"), in virtual time: they count as server activity and never reach
 * {@code onMessage}.
 */
public final class ServerHeartbeatTest {
  private static final String BEAT = "{\"type\":\"heartbeat\"}";
  private static final HeartbeatMatcher SERVER_BEATS = in -> in.isText() && in.text().equals(BEAT);

  private final Harness h = new Harness();

  @Test public void echoesOfTheDefaultPayloadAreConsumedAndCounted() {
    RealConnection c = h.connection(h.options()
        .heartbeat(HeartbeatPolicy.builder().consumeEchoes(true).build()).build());
    FakeTransport t = h.connectAndOpen(c);
    h.time.advanceBy(HeartbeatPolicy.DEFAULT_INTERVAL_MILLIS);
    assertEquals(Arrays.asList(HeartbeatPolicy.DEFAULT_PAYLOAD), t.sentTexts());

    t.serverSends(HeartbeatPolicy.DEFAULT_PAYLOAD); // The echo.
    t.serverSends("hello");
    h.time.runUntilIdle();

    assertEquals(Collections.singletonList("hello"), h.received);
    assertTrue(h.events.toString(),
        h.events.contains("serverHeartbeatReceived " + HeartbeatPolicy.DEFAULT_PAYLOAD));
  }

  @Test public void withoutConsumeEchoesAnEchoIsAnAppMessageAsBefore() {
    RealConnection c = h.connection(h.options().build());
    FakeTransport t = h.connectAndOpen(c);
    t.serverSends(HeartbeatPolicy.DEFAULT_PAYLOAD);
    h.time.runUntilIdle();
    assertEquals(Collections.singletonList(HeartbeatPolicy.DEFAULT_PAYLOAD), h.received);
  }

  @Test public void echoesOfACustomBinaryPayloadAreConsumed() {
    okio.ByteString beat = okio.ByteString.of((byte) 9);
    RealConnection c = h.connection(h.options().heartbeat(HeartbeatPolicy.builder()
        .binaryPayload(beat).consumeEchoes(true).build()).build());
    FakeTransport t = h.connectAndOpen(c);
    t.serverSends(Message.binary(beat));
    t.serverSends(HeartbeatPolicy.DEFAULT_PAYLOAD); // Not our payload: an app message.
    h.time.runUntilIdle();
    assertEquals(Collections.singletonList(HeartbeatPolicy.DEFAULT_PAYLOAD), h.received);
    assertTrue(h.events.toString(), h.events.contains("serverHeartbeatReceived 09"));
  }

  /**
   * A server beating every 25 s with the default 55 s client heartbeat (refused before: the
   * cadences were tied). Its beats keep the connection for as long as they come, none reaches the
   * listener, and 50 s after the last one the connection is replaced, not a millisecond before.
   */
  @Test public void consumedServerHeartbeatsFeedTheSilenceWatch() {
    RealConnection c = h.connection(h.options().heartbeat(HeartbeatPolicy.builder()
        .serverHeartbeat(SERVER_BEATS).expectServerHeartbeats(25, SECONDS).build()).build());
    FakeTransport t = h.connectAndOpen(c);
    for (int i = 0; i < 8; i++) {
      h.time.advanceBy(25_000);
      t.serverSends(BEAT);
      h.time.runUntilIdle();
    }
    assertEquals(Kind.CONNECTED, c.state().kind());
    assertEquals(Collections.emptyList(), h.received);
    assertEquals(8, count("serverHeartbeatReceived " + BEAT));

    h.time.advanceBy(50_000 - 1);
    assertEquals(Kind.CONNECTED, c.state().kind());
    h.time.advanceBy(1);
    assertEquals(Kind.WAITING_TO_RECONNECT, c.state().kind());
    assertEquals("no data from server for 50 s (limit 50 s)", c.state().reason());
    assertTrue(t.cancelled);
  }

  @Test public void aConsumedHeartbeatCompletesAWakeUpProbe() {
    RealConnection c = h.connection(h.options().heartbeat(HeartbeatPolicy.builder()
        .serverHeartbeat(SERVER_BEATS).expectServerHeartbeats(25, SECONDS).build()).build());
    FakeTransport t = h.connectAndOpen(c);
    h.signals.foreground();
    h.time.advanceBy(300);
    t.serverSends(BEAT);
    h.time.runUntilIdle();
    assertTrue(h.events.toString(), h.events.contains("probeSucceeded 300"));
    h.time.advanceBy(HeartbeatPolicy.DEFAULT_PROBE_TIMEOUT_MILLIS);
    assertEquals(Kind.CONNECTED, c.state().kind());
    assertEquals(Collections.emptyList(), h.received);
  }

  /**
   * The matcher is app code: it runs on the message-hook lane (here a hook thread the test drains
   * by hand), never on the engine lane, and messages keep their order around it.
   */
  @Test public void theMatcherRunsOnTheMessageHookLaneAndOrderHolds() {
    ManualExecutor hookThread = new ManualExecutor();
    Harness x = new Harness(new Random(1), Runnable::run, Runnable::run, hookThread);
    List<String> asked = Collections.synchronizedList(new ArrayList<>());
    RealConnection c = x.connection(x.options().heartbeat(HeartbeatPolicy.builder()
        .serverHeartbeat(in -> {
          asked.add(in.text());
          return in.text().equals(BEAT);
        }).build()).build());
    c.connect();
    settle(x, hookThread);
    FakeTransport t = x.transports.last();
    t.serverAccepts();
    settle(x, hookThread);

    t.serverSends("one");
    t.serverSends(BEAT);
    t.serverSends("two");
    x.time.runUntilIdle();
    assertEquals("not asked on the engine lane", Collections.emptyList(), asked);
    assertEquals(Collections.emptyList(), x.received);

    settle(x, hookThread);
    assertEquals(Arrays.asList("one", BEAT, "two"), asked);
    assertEquals(Arrays.asList("one", "two"), x.received);
  }

  @Test public void aThrowingMatcherMeansNotAHeartbeatAndIsLoggedOnce() {
    RealConnection c = h.connection(h.options().heartbeat(HeartbeatPolicy.builder()
        .serverHeartbeat(in -> {
          throw new IllegalStateException("matcher bug");
        }).build()).build());
    FakeTransport t = h.connectAndOpen(c);
    t.serverSends("one");
    t.serverSends("two");
    h.time.runUntilIdle();
    assertEquals(Arrays.asList("one", "two"), h.received);
    List<String> warnings = new ArrayList<>();
    for (String line : h.logs) if (line.contains("HeartbeatMatcher")) warnings.add(line);
    assertEquals(Collections.singletonList("WARN HeartbeatMatcher.isHeartbeat threw; message"
        + " delivered as usual (later exceptions of this matcher on this connection are not"
        + " logged)"), warnings);
    assertFalse(h.events.toString().contains("serverHeartbeatReceived"));
  }

  @Test public void acknowledgementsAndResponderRepliesAreNotAskedAbout() {
    List<String> asked = new ArrayList<>();
    RealConnection c = h.connection(h.options().atLeastOnce(AtLeastOnceTest.ACKS)
        .heartbeat(HeartbeatPolicy.builder()
            .responder(in -> in.text().equals("ping") ? Message.text("pong") : null)
            .serverHeartbeat(in -> {
              asked.add(in.text());
              return false;
            }).build()).build());
    FakeTransport t = h.connectAndOpen(c);
    c.send("msg:1");
    h.time.runUntilIdle();
    t.serverSends("ack:1");
    t.serverSends("ping");
    t.serverSends("news");
    h.time.runUntilIdle();
    assertEquals(Collections.singletonList("news"), asked);
    assertEquals(Collections.singletonList("news"), h.received);
    assertEquals(Collections.singletonList("msg:1"), h.delivered);
  }

  private int count(String event) {
    int n = 0;
    for (String e : h.events) if (e.equals(event)) n++;
    return n;
  }

  private static void settle(Harness x, ManualExecutor hookThread) {
    x.time.runUntilIdle();
    while (hookThread.waiting() > 0) {
      hookThread.runAll();
      x.time.runUntilIdle();
    }
  }
}
