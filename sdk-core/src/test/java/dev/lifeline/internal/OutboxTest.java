package dev.lifeline.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import dev.lifeline.ConnectionState.Kind;
import dev.lifeline.Message;
import dev.lifeline.OutboxPolicy;
import java.io.IOException;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.Test;

/**
 * The bounded outbox (docs/behaviour.md, "Sending and delivery"): ordering, visible rejection, and
 * nothing lost silently.
 */
public final class OutboxTest {
  private final Harness h = new Harness();

  @Test public void messagesSentWhileDisconnectedAreFlushedInOrderBeforeNewerOnes() {
    RealConnection c = h.connection(h.options().build());
    assertTrue(c.send("one"));
    assertTrue(c.send("two"));
    c.connect();
    h.time.runUntilIdle();
    assertTrue(c.send("three"));
    assertEquals(3, c.queuedMessages());
    FakeTransport t = h.transports.last();
    t.serverAccepts();
    c.send("four");
    h.time.runUntilIdle();
    assertEquals(Arrays.asList("one", "two", "three", "four"), t.sentTexts());
    assertEquals(0, c.queuedMessages());
  }

  @Test public void fullOutboxRejectsVisiblyByCountAndByBytes() {
    RealConnection c = h.connection(h.options()
        .outbox(OutboxPolicy.builder().maxMessages(2).maxBytes(10).build()).build());
    assertTrue(c.send("12345"));
    assertTrue(c.send("1234"));
    assertFalse(c.send("x"));
    assertEquals(Arrays.asList("text \"x\": outbox full: 2 messages queued (limit 2)"), h.sendFailures);

    Harness h2 = new Harness();
    RealConnection c2 = h2.connection(h2.options()
        .outbox(OutboxPolicy.builder().maxMessages(10).maxBytes(10).build()).build());
    assertTrue(c2.send("123456"));
    assertFalse(c2.send("12345"));
    assertEquals(Arrays.asList("text \"12345\": outbox full: 6 bytes queued + 5 would exceed the"
        + " limit of 10 bytes"), h2.sendFailures);
  }

  @Test public void expiredMessagesAreDroppedAndReported() {
    RealConnection c = h.connection(h.options()
        .outbox(OutboxPolicy.builder().ttl(30, TimeUnit.SECONDS).build()).build());
    c.send("old");
    h.time.advanceBy(20_000);
    c.send("new");
    h.time.advanceBy(10_000);
    FakeTransport t = h.connectAndOpen(c);
    assertEquals(Arrays.asList("new"), t.sentTexts());
    assertEquals(Arrays.asList("text \"old\": expired in the outbox after 30 s"), h.sendFailures);
  }

  @Test public void expiryIsReportedOnTimeEvenWhileStillDisconnected() {
    RealConnection c = h.connection(h.options()
        .outbox(OutboxPolicy.builder().ttl(30, TimeUnit.SECONDS).build()).build());
    h.signals.networkLost();
    c.connect();
    c.send("waiting");
    h.time.advanceBy(30_000 - 1);
    assertTrue(h.sendFailures.isEmpty());
    h.time.advanceBy(1);
    assertEquals(Arrays.asList("text \"waiting\": expired in the outbox after 30 s"), h.sendFailures);
    assertEquals(0, c.queuedMessages());
  }

  @Test public void messagesTheTransportNeverWroteAreResentAfterReconnect() {
    RealConnection c = h.connection(h.options().build());
    FakeTransport t = h.connectAndOpen(c);
    t.holdWrites = true;
    c.send("a");
    c.send("b");
    h.time.runUntilIdle();
    t.fails(new IOException("broken pipe"));
    h.time.runUntilIdle();
    assertEquals(2, c.queuedMessages());
    c.send("c");
    h.time.advanceBy(c.state().delayMillis());
    FakeTransport t2 = h.transports.last();
    t2.serverAccepts();
    h.time.runUntilIdle();
    assertEquals(Arrays.asList("a", "b", "c"), t2.sentTexts());
    assertTrue(h.sendFailures.isEmpty());
  }

  @Test public void closeReportsEveryMessageThatCouldNotBeSent() {
    RealConnection c = h.connection(h.options().build());
    c.connect();
    c.send("pending");
    c.close();
    h.time.runUntilIdle();
    assertEquals(Kind.CLOSED, c.state().kind());
    assertEquals(Arrays.asList("text \"pending\": connection closed before the message was"
        + " delivered: closed by the app"), h.sendFailures);
  }

  @Test public void closeWhileConnectedFlushesFirstThenClosesWith1000() {
    RealConnection c = h.connection(h.options().build());
    FakeTransport t = h.connectAndOpen(c);
    c.send("last words");
    c.close();
    h.time.runUntilIdle();
    assertEquals(Arrays.asList("last words"), t.sentTexts());
    assertEquals(1000, t.closeCode);
    assertTrue(h.sendFailures.isEmpty());
  }

  @Test public void sendAfterCloseIsAClearError() {
    RealConnection c = h.connection(h.options().build());
    c.close();
    try {
      c.send("late");
      fail();
    } catch (IllegalStateException expected) {
      assertTrue(expected.getMessage().startsWith("send() after the connection closed"));
    }
  }

  @Test public void transportBufferFullRetriesLaterWithoutLosingOrder() {
    RealConnection c = h.connection(h.options().build());
    FakeTransport t = h.connectAndOpen(c);
    t.refuseSends = true;
    c.send("1");
    c.send("2");
    h.time.advanceBy(1_000);
    assertEquals(2, c.queuedMessages());
    t.refuseSends = false;
    h.time.advanceBy(100);
    assertEquals(Arrays.asList("1", "2"), t.sentTexts());
  }

  @Test public void binaryMessagesGoThroughTheSameOutbox() {
    RealConnection c = h.connection(h.options().build());
    c.send(okio.ByteString.of((byte) 1, (byte) 2));
    FakeTransport t = h.connectAndOpen(c);
    assertEquals(Message.binary(new byte[] {1, 2}), t.sent.get(0));
  }
}
