package dev.lifeline.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.lifeline.ConnectionState.Kind;
import dev.lifeline.HeartbeatPolicy;
import dev.lifeline.Message;
import java.io.IOException;
import java.util.Arrays;
import java.util.Collections;
import java.util.Random;
import org.junit.Test;

/**
 * The path of a received message when the app configured per-message hooks: the message detours
 * through the message-hook lane while the transport's end goes straight to the engine, so the end
 * can overtake it. What was read before the end still counts.
 */
public final class InboundTest {
  /** Runs the per-message hooks (and events) only when the test says: a slow hook thread. */
  private final ManualExecutor hookThread = new ManualExecutor();
  private final Harness h = new Harness(new Random(1), Runnable::run, Runnable::run, hookThread);

  @Test public void lastWordsBeforeAServerCloseReachTheListener() {
    RealConnection c = h.connection(h.options().heartbeat(HeartbeatPolicy.builder()
        .responder(in -> null).build()).build()); // Every message goes through the responder.
    FakeTransport t = open(c);

    t.serverSends("kicked: you were idle too long");
    t.serverCloses(1001, "going away");
    h.time.runUntilIdle(); // The close is handled first: the hook thread is slow.
    assertEquals(Kind.WAITING_TO_RECONNECT, c.state().kind());
    settle();

    assertEquals(Collections.singletonList("kicked: you were idle too long"), h.received);
  }

  @Test public void anAckReadBeforeTheTransportFailedStillCountsAndIsNotResent() {
    RealConnection c = h.connection(h.options().atLeastOnce(AtLeastOnceTest.ACKS).build());
    FakeTransport t = open(c);
    c.send("msg:1");
    settle();
    assertEquals(Arrays.asList("msg:1"), t.sentTexts());

    t.serverSends("ack:1");
    t.fails(new IOException("connection reset"));
    h.time.runUntilIdle(); // The failure is handled first: msg:1 goes back to the outbox.
    assertEquals(1, c.queuedMessages());
    settle(); // Then the ack arrives: it still releases msg:1.

    assertEquals(Arrays.asList("msg:1"), h.delivered);
    assertEquals(0, c.queuedMessages());
    h.time.advanceBy(c.state().delayMillis());
    FakeTransport t2 = h.transports.last();
    t2.serverAccepts();
    settle();
    assertEquals("acknowledged: not sent again", Collections.emptyList(), t2.sentTexts());
    assertTrue(h.sendFailures.isEmpty());
  }

  @Test public void aServerHeartbeatOfATransportThatIsGoneIsNotAnswered() {
    RealConnection c = h.connection(h.options().heartbeat(HeartbeatPolicy.builder()
        .responder(in -> in.text().equals("ping") ? Message.text("pong") : null).build()).build());
    FakeTransport t = open(c);
    t.serverSends("ping");
    t.fails(new IOException("connection reset"));
    h.time.runUntilIdle();
    settle();
    assertEquals(Collections.emptyList(), t.sentTexts());
    assertTrue("a heartbeat, not an app message", h.received.isEmpty());
  }

  @Test public void messagesReadBeforeTheAppClosedAreNotDeliveredAfterIt() {
    RealConnection c = h.connection(h.options().heartbeat(HeartbeatPolicy.builder()
        .responder(in -> null).build()).build());
    FakeTransport t = open(c);
    t.serverSends("too late");
    c.close();
    h.time.runUntilIdle();
    settle();
    assertTrue(h.received.isEmpty());
  }

  private FakeTransport open(RealConnection c) {
    c.connect();
    settle();
    FakeTransport t = h.transports.last();
    t.serverAccepts();
    settle();
    return t;
  }

  /** Lets the engine and the slow hook thread finish everything they were handed. */
  private void settle() {
    h.time.runUntilIdle();
    while (hookThread.waiting() > 0) {
      hookThread.runAll();
      h.time.runUntilIdle();
    }
  }
}
