package dev.lifeline.internal;

import static java.util.Arrays.asList;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.lifeline.AckMatcher;
import dev.lifeline.Connection;
import dev.lifeline.ConnectionState.Kind;
import dev.lifeline.EventListener;
import dev.lifeline.HeartbeatPolicy;
import dev.lifeline.Message;
import dev.lifeline.ServerHeartbeatResponder;
import dev.lifeline.testing.Await;
import java.io.IOException;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.After;
import org.junit.Test;

/**
 * App code that is stuck or throws keeps to itself (docs/behaviour.md, "App code isolation"): an
 * event listener stuck on a real hook thread holds up neither received messages on their way
 * through the responder nor a supplied heartbeat; per-message hooks that throw or answer
 * nonsense never break the connection, and each failure is logged as a WARN. Complements the
 * throwing-hook tests in {@link HeartbeatTest}, {@link ServerSilenceTest} and {@link
 * AtLeastOnceTest}.
 */
public final class AppCodeIsolationTest {
  private static final long PROMPTLY_MILLIS = 5_000;

  private final Harness h = new Harness();
  /** Released after each test, so no hook thread stays blocked. */
  private final CountDownLatch release = new CountDownLatch(1);
  private ExecutorService hookThreads;

  @After public void releaseHooks() {
    release.countDown();
    if (hookThreads != null) hookThreads.shutdownNow();
  }

  @Test public void aStuckEventListenerDoesNotHoldUpInboundMessagesOnTheirWayThroughTheResponder()
      throws Exception {
    Harness x = withHookThreads();
    HeartbeatPolicy hb = HeartbeatPolicy.builder().responder(pingPong()).build();
    RealConnection c = x.connection(x.options().heartbeat(hb).eventListener(stuckAtConnectEnd())
        .build());
    FakeTransport t = connectWhileEventsAreStuck(x, c);
    t.serverSends("ping");
    t.serverSends("hello");
    Await.until("the message to reach the listener", PROMPTLY_MILLIS, () -> {
      x.time.runUntilIdle();
      return x.received.contains("hello");
    });
    assertEquals(asList("pong"), t.sentTexts());
  }

  @Test public void aStuckEventListenerDoesNotHoldUpASuppliedHeartbeat() throws Exception {
    Harness x = withHookThreads();
    HeartbeatPolicy hb = HeartbeatPolicy.builder().interval(5, SECONDS)
        .payload(() -> Message.text("beat")).build();
    RealConnection c = x.connection(x.options().heartbeat(hb).eventListener(stuckAtConnectEnd())
        .build());
    FakeTransport t = connectWhileEventsAreStuck(x, c);
    x.time.advanceBy(5_000);
    Await.until("the heartbeat to be sent", PROMPTLY_MILLIS, () -> {
      x.time.runUntilIdle();
      return t.sentTexts().contains("beat");
    });
  }

  @Test public void aPayloadSupplierReturningNullSendsTheDefaultPayloadAndLogsAWarning() {
    HeartbeatPolicy hb = HeartbeatPolicy.builder().interval(5, SECONDS).payload(() -> null).build();
    RealConnection c = h.connection(h.options().heartbeat(hb).build());
    FakeTransport t = h.connectAndOpen(c);
    h.time.advanceBy(10_000);
    assertEquals(asList(HeartbeatPolicy.DEFAULT_PAYLOAD, HeartbeatPolicy.DEFAULT_PAYLOAD),
        t.sentTexts());
    assertEquals(Kind.CONNECTED, c.state().kind());
    assertLogged("WARN heartbeat payload supplier failed; sending the default payload");
  }

  @Test public void aThrowingAckKeySendsTheMessageWithoutHoldingIt() {
    AckMatcher keyThrows = new AckMatcher() {
      @Override public Object key(Message out) {
        throw new IllegalStateException("bad json");
      }

      @Override public Object acknowledgedKey(Message in) {
        return null;
      }
    };
    RealConnection c = h.connection(h.options().atLeastOnce(keyThrows).build());
    FakeTransport t = h.connectAndOpen(c);
    c.send("msg:1");
    h.time.runUntilIdle();
    assertEquals(asList("msg:1"), t.sentTexts());
    assertLogged("WARN AckMatcher.key threw; message sent without waiting for an ack");

    t.fails(new IOException("connection reset"));
    h.time.runUntilIdle();
    assertEquals(0, c.queuedMessages()); // Not held, so not resent: at most once for it.
    h.time.advanceBy(c.state().delayMillis());
    FakeTransport again = h.transports.last();
    again.serverAccepts();
    h.time.runUntilIdle();
    assertTrue(again.sentTexts().isEmpty());
    assertEquals(Kind.CONNECTED, c.state().kind());
  }

  @Test public void aThrowingAcknowledgedKeyStillLetsTheResponderAnswer() {
    AckMatcher inboundThrows = new AckMatcher() {
      @Override public Object key(Message out) {
        return null;
      }

      @Override public Object acknowledgedKey(Message in) {
        throw new IllegalStateException("bad json");
      }
    };
    HeartbeatPolicy hb = HeartbeatPolicy.builder().responder(pingPong()).build();
    RealConnection c = h.connection(h.options().atLeastOnce(inboundThrows).heartbeat(hb).build());
    FakeTransport t = h.connectAndOpen(c);
    t.serverSends("ping");
    t.serverSends("hello");
    h.time.runUntilIdle();
    assertEquals(asList("pong"), t.sentTexts());
    assertEquals(asList("hello"), h.received);
    assertLogged("WARN AckMatcher.acknowledgedKey threw; message delivered as usual");
    assertEquals(Kind.CONNECTED, c.state().kind());
  }

  @Test public void aResponderThatThrowsOnceStillAnswersTheNextHeartbeat() {
    ServerHeartbeatResponder responder = in -> {
      if (in.text().equals("boom")) throw new IllegalStateException("unexpected message");
      return pingPong().replyTo(in);
    };
    HeartbeatPolicy hb = HeartbeatPolicy.builder().responder(responder).build();
    RealConnection c = h.connection(h.options().heartbeat(hb).build());
    FakeTransport t = h.connectAndOpen(c);
    t.serverSends("boom");
    t.serverSends("ping");
    h.time.runUntilIdle();
    assertEquals(asList("boom"), h.received);
    assertEquals(asList("pong"), t.sentTexts());
    assertLogged("WARN server heartbeat responder threw; message delivered as usual");
    assertEquals(Kind.CONNECTED, c.state().kind());
  }

  /** A harness whose event listener, logger and per-message hooks run on real threads. */
  private Harness withHookThreads() {
    hookThreads = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "hooks");
      t.setDaemon(true);
      return t;
    });
    return new Harness(new Random(42), Runnable::run, Runnable::run, hookThreads);
  }

  /** An event listener whose connectEnd does not return until {@link #release}. */
  private EventListener stuckAtConnectEnd() {
    return new EventListener() {
      @Override public void connectEnd(Connection c, int attempt, long handshakeMillis) {
        try {
          release.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    };
  }

  /** Connects {@code c}; returns its open transport once the event listener is stuck. */
  private static FakeTransport connectWhileEventsAreStuck(Harness x, RealConnection c)
      throws Exception {
    FakeTransport t = x.connectAndOpen(c);
    assertEquals(Kind.CONNECTED, c.state().kind());
    AtomicBoolean stuck = new AtomicBoolean();
    Await.until("connectEnd to be stuck", PROMPTLY_MILLIS, () -> {
      for (String call : x.context.runningAppCalls()) {
        if (call.startsWith("EventListener.connectEnd")) stuck.set(true);
      }
      return stuck.get();
    });
    return t;
  }

  private static ServerHeartbeatResponder pingPong() {
    return in -> in.isText() && in.text().equals("ping") ? Message.text("pong") : null;
  }

  private void assertLogged(String line) {
    assertTrue(h.logs.toString(), h.logs.contains(line));
  }

  @Test public void eventsBehindAStuckEventListenerAreCappedAndTheDropIsReported() {
    ManualExecutor hookThread = new ManualExecutor(); // Runs nothing until told: a stuck listener.
    Harness x = new Harness(new Random(1), Runnable::run, Runnable::run, hookThread);
    RealConnection c = x.connection(x.options()
        .heartbeat(HeartbeatPolicy.builder().interval(1, SECONDS).build()).build());
    FakeTransport t = x.connectAndOpen(c);
    int beats = 2 * AppCalls.MAX_QUEUED_DIAGNOSTICS;
    x.time.advanceBy(beats * 1_000L);
    assertEquals("the data path does not wait for diagnostics", beats, t.sent.size());

    hookThread.runAll(); // The event listener returns at last.
    int heard = 0;
    for (String e : x.events) if (e.equals("heartbeatSent")) heard++;
    assertTrue("heard " + heard, heard > 0 && heard <= AppCalls.MAX_QUEUED_DIAGNOSTICS);
    x.time.advanceBy(1_000); // The next event brings the report of what was dropped.
    hookThread.runAll();
    String dropped = null;
    for (String line : x.logs) if (line.contains("were dropped")) dropped = line;
    assertTrue(x.logs.toString(), dropped != null && dropped.startsWith("WARN "));
    assertTrue(dropped, dropped.contains(AppCalls.MAX_QUEUED_DIAGNOSTICS
        + " were already waiting behind a slow EventListener or Logger"));
  }
}
