package dev.lifeline.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import dev.lifeline.AckMatcher;
import dev.lifeline.Message;
import dev.lifeline.OutboxPolicy;
import java.io.IOException;
import java.util.Arrays;
import org.junit.Test;

/**
 * At-least-once delivery (docs/behaviour.md, "Sending and delivery"): unacknowledged messages come
 * back after a reconnect, in order; nothing vanishes untold.
 */
public final class AtLeastOnceTest {
  /** "msg:<id>" is acknowledged by "ack:<id>"; other messages need no ack. */
  static final AckMatcher ACKS = new AckMatcher() {
    @Override public Object key(Message out) {
      return out.isText() && out.text().startsWith("msg:") ? out.text().substring(4) : null;
    }

    @Override public Object acknowledgedKey(Message in) {
      return in.isText() && in.text().startsWith("ack:") ? in.text().substring(4) : null;
    }
  };

  private final Harness h = new Harness();

  private RealConnection connection() {
    return h.connection(h.options().atLeastOnce(ACKS).build());
  }

  @Test public void unacknowledgedMessagesAreResentInOrderAfterReconnect() {
    RealConnection c = connection();
    FakeTransport t = h.connectAndOpen(c);
    c.send("msg:1");
    c.send("msg:2");
    c.send("plain");
    c.send("msg:3");
    h.time.runUntilIdle();
    t.serverSends("ack:2");
    h.time.runUntilIdle();
    assertEquals(Arrays.asList("msg:2"), h.delivered);
    assertTrue("acks are not app messages", h.received.isEmpty());

    t.fails(new IOException("connection reset"));
    h.time.runUntilIdle();
    h.time.advanceBy(c.state().delayMillis());
    FakeTransport t2 = h.transports.last();
    t2.serverAccepts();
    h.time.runUntilIdle();
    // msg:2 was acknowledged; "plain" needs no ack and was written: neither comes back.
    assertEquals(Arrays.asList("msg:1", "msg:3"), t2.sentTexts());
    t2.serverSends("ack:1");
    t2.serverSends("ack:3");
    h.time.runUntilIdle();
    assertEquals(Arrays.asList("msg:2", "msg:1", "msg:3"), h.delivered);
    assertTrue(h.sendFailures.isEmpty());
  }

  @Test public void unwrittenAndUnackedMessagesComeBackOnceEachInSendOrder() {
    RealConnection c = connection();
    FakeTransport t = h.connectAndOpen(c);
    c.send("msg:1"); // Written, not acked.
    h.time.runUntilIdle();
    t.holdWrites = true;
    c.send("plain-unwritten");
    c.send("msg:2"); // Unwritten and unacked: must come back once.
    h.time.runUntilIdle();
    t.fails(new IOException("broken pipe"));
    h.time.runUntilIdle();
    assertEquals(3, c.queuedMessages());
    h.time.advanceBy(c.state().delayMillis());
    FakeTransport t2 = h.transports.last();
    t2.serverAccepts();
    h.time.runUntilIdle();
    assertEquals(Arrays.asList("msg:1", "plain-unwritten", "msg:2"), t2.sentTexts());
  }

  @Test public void closingReportsMessagesNeverAcknowledged() {
    RealConnection c = connection();
    FakeTransport t = h.connectAndOpen(c);
    c.send("msg:1");
    c.send("msg:2");
    h.time.runUntilIdle();
    t.serverSends("ack:1");
    h.time.runUntilIdle(); // The acknowledgement is in before the app closes.
    c.close();
    h.time.runUntilIdle();
    assertEquals(Arrays.asList("msg:1"), h.delivered);
    assertEquals(Arrays.asList("text \"msg:2\": connection closed before the message was"
        + " delivered: closed by the app"), h.sendFailures);
  }

  @Test public void heldMessagesCountAgainstTheOutboxLimit() {
    RealConnection c = h.connection(h.options().atLeastOnce(ACKS)
        .outbox(OutboxPolicy.builder().maxMessages(2).build()).build());
    FakeTransport t = h.connectAndOpen(c);
    assertTrue(c.send("msg:1"));
    assertTrue(c.send("msg:2"));
    h.time.runUntilIdle();
    assertFalse(c.send("msg:3"));
    assertEquals(Arrays.asList("text \"msg:3\": outbox full: 2 messages queued or awaiting"
        + " acknowledgement (limit 2)"), h.sendFailures);
    t.serverSends("ack:1");
    h.time.runUntilIdle();
    assertTrue(c.send("msg:3"));
  }

  @Test public void duplicateOrUnknownAcksAreHarmless() {
    RealConnection c = connection();
    FakeTransport t = h.connectAndOpen(c);
    c.send("msg:1");
    h.time.runUntilIdle();
    t.serverSends("ack:1");
    t.serverSends("ack:1");
    t.serverSends("ack:999");
    h.time.runUntilIdle();
    assertEquals(Arrays.asList("msg:1"), h.delivered);
    assertTrue(h.received.isEmpty());
  }

  @Test public void throwingMatcherFallsBackToAtMostOnceForThatMessage() {
    AckMatcher broken = new AckMatcher() {
      @Override public Object key(Message out) {
        throw new IllegalStateException("bad json");
      }

      @Override public Object acknowledgedKey(Message in) {
        throw new IllegalStateException("bad json");
      }
    };
    RealConnection c = h.connection(h.options().atLeastOnce(broken).build());
    FakeTransport t = h.connectAndOpen(c);
    c.send("x");
    h.time.runUntilIdle();
    t.serverSends("hello");
    h.time.runUntilIdle();
    assertEquals(Arrays.asList("x"), t.sentTexts());
    assertEquals(Arrays.asList("hello"), h.received);
  }
}
