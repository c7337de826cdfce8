package dev.lifeline.internal;

import static java.util.Arrays.asList;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import dev.lifeline.AckMatcher;
import dev.lifeline.ConnectionOptions;
import dev.lifeline.ConnectionState.Kind;
import dev.lifeline.HeartbeatPolicy;
import dev.lifeline.Message;
import dev.lifeline.OutboxPolicy;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import okio.ByteString;
import org.junit.Test;

/**
 * Exact accounting of what the app sent (docs/behaviour.md, "Sending and delivery"): nothing is
 * sent twice in at-most-once mode, every accepted message that may not have reached the server
 * is reported, at-least-once resends after an ack timeout, and nothing that can never be sent
 * blocks the queue. Virtual time with a scripted transport, boundaries included.
 */
public final class DeliveryAccountingTest {
  private static final String RESET = "connection failed: IOException: connection reset";

  /** The reported failures, with the loss's timing ("after 0.0 s open (...)") left out. */
  private static List<String> reported(Harness h) {
    List<String> out = new ArrayList<String>();
    for (String r : h.sendFailures) {
      out.add(r.replaceAll("connection failed after [0-9.]+ s open \\([^)]*\\): ",
          "connection failed: "));
    }
    return out;
  }

  private final Harness h = new Harness();

  private RealConnection atMostOnce() {
    return h.connection(h.options().build());
  }

  private RealConnection atLeastOnce(long ackTimeoutMillis) {
    return h.connection(h.options().atLeastOnce(AtLeastOnceTest.ACKS)
        .ackTimeout(ackTimeoutMillis, TimeUnit.MILLISECONDS).build());
  }

  /** Lets the reconnect run and the new transport open; returns it. */
  private FakeTransport reconnect(RealConnection c) {
    h.time.advanceBy(c.state().delayMillis());
    FakeTransport t = h.transports.last();
    t.serverAccepts();
    h.time.runUntilIdle();
    return t;
  }

  // ---- A peer close never duplicates. ----

  @Test public void aPeerCloseWhileMessagesAreUnwrittenCancelsInsteadOfAnsweringSoNoneIsSentTwice() {
    RealConnection c = atMostOnce();
    FakeTransport t = h.connectAndOpen(c);
    t.holdWrites = true;
    c.send("a");
    c.send("b");
    h.time.runUntilIdle();
    t.serverCloses(1001, "going away");
    h.time.runUntilIdle();
    // Answering the close would make the transport write "a" and "b" before its close frame,
    // while they also went back to the outbox.
    assertTrue(t.cancelled);
    assertEquals(-1, t.closeCode);
    FakeTransport t2 = reconnect(c);
    assertEquals(asList("a", "b"), t2.sentTexts());
    assertEquals(Collections.emptyList(), reported(h));
  }

  @Test public void aPeerCloseWithNothingUnwrittenIsAnsweredWith1000() {
    RealConnection c = atMostOnce();
    FakeTransport t = h.connectAndOpen(c);
    c.send("a");
    h.time.runUntilIdle();
    t.serverSends("ok"); // Settles "a".
    t.serverCloses(1001, "going away");
    h.time.runUntilIdle();
    assertFalse(t.cancelled);
    assertEquals(1000, t.closeCode);
    assertEquals(Collections.emptyList(), reported(h));
  }

  // ---- "May not have been delivered." ----

  @Test public void writtenButUnsettledMessagesAreReportedOnceAndNeverResent() {
    RealConnection c = atMostOnce();
    FakeTransport t = h.connectAndOpen(c);
    c.send("a");
    c.send("b");
    h.time.runUntilIdle();
    t.serverSends("hello"); // Heard after "a" and "b" were written: both settled.
    c.send("c");
    h.time.runUntilIdle();
    t.serverPongs(); // A pong settles too.
    c.send("d");
    h.time.runUntilIdle();
    t.holdWrites = true;
    c.send("e"); // Never written: goes back to the outbox.
    h.time.runUntilIdle();
    t.fails(new IOException("connection reset"));
    h.time.runUntilIdle();
    assertEquals(asList("text \"d\": may not have been delivered: " + RESET), reported(h));
    FakeTransport t2 = reconnect(c);
    assertEquals(asList("e"), t2.sentTexts());
    t2.fails(new IOException("connection reset"));
    h.time.runUntilIdle();
    assertEquals(asList("text \"d\": may not have been delivered: " + RESET,
        "text \"e\": may not have been delivered: " + RESET), reported(h));
  }

  @Test public void aCloseFrameDoesNotSettleWhatWasWrittenBeforeIt() {
    RealConnection c = atMostOnce();
    FakeTransport t = h.connectAndOpen(c);
    c.send("last");
    h.time.runUntilIdle();
    t.serverCloses(1001, "going away"); // The server may have stopped reading before "last".
    h.time.runUntilIdle();
    assertEquals(1000, t.closeCode); // Nothing unwritten: answered.
    assertEquals(asList("text \"last\": may not have been delivered: server closed the"
        + " connection: 1001 going away"), reported(h));
    assertEquals(Collections.emptyList(), reconnect(c).sentTexts());
  }

  @Test public void aDroppedConnectionReportsWithItsReason() {
    RealConnection c = atMostOnce();
    FakeTransport t = h.connectAndOpen(c);
    c.send("x");
    h.time.runUntilIdle();
    h.signals.networkLost();
    h.time.runUntilIdle();
    assertTrue(t.cancelled);
    assertEquals(asList("text \"x\": may not have been delivered: network lost"), reported(h));
  }

  @Test public void heartbeatsTheTransportNeverWroteAreNotResentAsAppMessages() {
    RealConnection c = h.connection(h.options()
        .heartbeat(HeartbeatPolicy.builder().interval(10, TimeUnit.SECONDS).build()).build());
    FakeTransport t = h.connectAndOpen(c);
    t.holdWrites = true;
    h.time.advanceBy(10_000);
    assertEquals(asList(HeartbeatPolicy.DEFAULT_PAYLOAD), t.sentTexts());
    c.send("app");
    h.time.runUntilIdle();
    t.fails(new IOException("connection reset"));
    h.time.runUntilIdle();
    assertEquals(1, c.queuedMessages());
    assertEquals(asList("app"), reconnect(c).sentTexts());
    assertEquals(Collections.emptyList(), reported(h));
  }

  @Test public void unsettledMessagesBeyondTheOutboxLimitCountAsSettled() {
    RealConnection c = h.connection(h.options()
        .outbox(OutboxPolicy.builder().maxMessages(3).build()).build());
    FakeTransport t = h.connectAndOpen(c);
    for (int i = 1; i <= 5; i++) {
      c.send("m" + i);
      h.time.runUntilIdle();
    }
    t.fails(new IOException("connection reset"));
    h.time.runUntilIdle();
    assertEquals(asList("text \"m3\": may not have been delivered: " + RESET,
        "text \"m4\": may not have been delivered: " + RESET,
        "text \"m5\": may not have been delivered: " + RESET), reported(h));
  }

  @Test public void messagesWithAnAckKeyAreResentNotReported() {
    RealConnection c = atLeastOnce(ConnectionOptions.DEFAULT_ACK_TIMEOUT_MILLIS);
    FakeTransport t = h.connectAndOpen(c);
    c.send("msg:1");
    c.send("note"); // No key: at most once.
    h.time.runUntilIdle();
    t.fails(new IOException("connection reset"));
    h.time.runUntilIdle();
    assertEquals(asList("text \"note\": may not have been delivered: " + RESET), reported(h));
    assertEquals(asList("msg:1"), reconnect(c).sentTexts());
  }

  // ---- What can never be sent is rejected at send() and never blocks. ----

  @Test public void aMessageLargerThanTheWebSocketQueueIsRejectedAtSendAndNamesTheLimit() {
    RealConnection c = h.connection(h.options()
        .outbox(OutboxPolicy.builder().maxBytes(64L * 1024 * 1024).build()).build());
    FakeTransport t = h.connectAndOpen(c);
    ByteString huge = ByteString.of(new byte[16 * 1024 * 1024 + 1]);
    assertFalse(c.send(huge));
    assertTrue(c.send("next"));
    h.time.runUntilIdle();
    assertEquals(asList("next"), t.sentTexts());
    assertEquals(1, h.sendFailures.size());
    assertTrue(h.sendFailures.get(0), h.sendFailures.get(0).endsWith(": message of 16777217"
        + " bytes exceeds 16777216 bytes, the most a WebSocket connection can queue for"
        + " writing; it can never be sent"));
  }

  @Test public void aMessageLargerThanTheOutboxIsRejectedAsSuchNotAsAFullOutbox() {
    RealConnection c = h.connection(h.options()
        .outbox(OutboxPolicy.builder().maxBytes(4).build()).build());
    assertFalse(c.send("12345"));
    assertEquals(asList("text \"12345\": message of 5 bytes exceeds the outbox limit of 4 bytes"
        + " (OutboxPolicy maxBytes); it can never be queued"), reported(h));
  }

  @Test public void tcpKnowsItsLargestMessageToo() {
    String url = "tcp://127.0.0.1:1";
    assertEquals(null, Transports.whyTooLarge(url, Message.binary(new byte[16 * 1024 * 1024])));
    assertEquals("message of 16777217 bytes exceeds 16777216 bytes, the most a tcp:// connection"
        + " can queue for writing; it can never be sent",
        Transports.whyTooLarge(url, Message.binary(new byte[16 * 1024 * 1024 + 1])));
  }

  @Test public void aMessageTheTransportRefusesForGoodIsReportedAfterTheLimitAndStopsBlocking() {
    RealConnection c = atMostOnce();
    FakeTransport t = h.connectAndOpen(c);
    t.refuseLargerThan = 5; // A limit the engine does not know.
    c.send("too long");
    c.send("ok");
    h.time.advanceBy(Delivery.REFUSED_HEAD_LIMIT_MILLIS - 1);
    assertEquals(Collections.emptyList(), t.sentTexts());
    assertEquals(Collections.emptyList(), reported(h));
    h.time.advanceBy(1);
    assertEquals(asList("ok"), t.sentTexts());
    assertEquals(asList("text \"too long\": the transport refused it for 5 s while holding"
        + " nothing else to write: it cannot carry this message (8 bytes)"), reported(h));
  }

  // ---- Ack keys are unique. ----

  @Test public void aDuplicateAckKeyIsRejectedAtSendWhileTheFirstIsQueuedOrAwaitingItsAck() {
    RealConnection c = atLeastOnce(ConnectionOptions.DEFAULT_ACK_TIMEOUT_MILLIS);
    assertTrue(c.send("msg:1"));
    assertFalse("queued", c.send("msg:1"));
    FakeTransport t = h.connectAndOpen(c);
    assertFalse("awaiting acknowledgement", c.send("msg:1"));
    String reason = ": another message with ack key \"1\" is queued or awaiting acknowledgement;"
        + " keys must be unique among held messages";
    assertEquals(asList("text \"msg:1\"" + reason, "text \"msg:1\"" + reason), reported(h));
    assertEquals(asList("msg:1"), t.sentTexts());
    t.serverSends("ack:1");
    h.time.runUntilIdle();
    assertTrue("free again once acknowledged", c.send("msg:1"));
  }

  @Test public void aLongAckKeyIsNotShown() {
    RealConnection c = atLeastOnce(ConnectionOptions.DEFAULT_ACK_TIMEOUT_MILLIS);
    String key = "k-0123456789012345678901234567890123456789";
    assertTrue(c.send("msg:" + key));
    assertFalse(c.send("msg:" + key));
    assertTrue(h.sendFailures.get(0), h.sendFailures.get(0).endsWith(": another message with"
        + " ack key (42 characters, not shown) is queued or awaiting acknowledgement; keys must be"
        + " unique among held messages"));
  }

  // ---- The ack timeout. ----

  @Test public void noAcknowledgementWithinTheAckTimeoutReplacesTheConnectionAndResends() {
    RealConnection c = atLeastOnce(2_000);
    FakeTransport t = h.connectAndOpen(c);
    c.send("msg:1");
    c.send("msg:2");
    h.time.runUntilIdle();
    h.time.advanceBy(2_000 - 1);
    assertEquals(Kind.CONNECTED, c.state().kind());
    assertFalse(t.isClosedOrCancelled());
    h.time.advanceBy(1);
    assertTrue(t.cancelled);
    String reason = "no acknowledgement for 2.0 s (ackTimeout 2 s); 2 messages awaiting"
        + " acknowledgement; replacing the connection";
    assertTrue(h.events.toString(), h.events.contains("disconnected " + reason));
    assertEquals(Kind.WAITING_TO_RECONNECT, c.state().kind());
    assertEquals(reason, c.state().reason());
    FakeTransport t2 = reconnect(c);
    assertEquals(asList("msg:1", "msg:2"), t2.sentTexts());
    t2.serverSends("ack:1");
    t2.serverSends("ack:2");
    h.time.runUntilIdle();
    assertEquals(asList("msg:1", "msg:2"), h.delivered);
    assertEquals(Collections.emptyList(), reported(h));
  }

  @Test public void theAckTimeoutRunsFromTheOldestUnacknowledgedMessage() {
    RealConnection c = atLeastOnce(2_000);
    FakeTransport t = h.connectAndOpen(c);
    c.send("msg:1");
    h.time.advanceBy(1_500);
    c.send("msg:2"); // Written at 1.5 s.
    h.time.advanceBy(400);
    t.serverSends("ack:1"); // At 1.9 s: msg:2 is now the oldest, due at 3.5 s.
    h.time.advanceBy(3_500 - 1_900 - 1);
    assertFalse(t.isClosedOrCancelled());
    assertTrue(c.armedTimers().contains("ack timeout"));
    h.time.advanceBy(1);
    assertTrue(t.cancelled);
    assertEquals(asList("msg:2"), reconnect(c).sentTexts());
  }

  @Test public void theAckTimerIsNotLeftArmedOnceEverythingIsAcknowledgedOrClosed() {
    RealConnection c = atLeastOnce(2_000);
    FakeTransport t = h.connectAndOpen(c);
    c.send("msg:1");
    h.time.runUntilIdle();
    t.serverSends("ack:1");
    h.time.advanceBy(2_000);
    assertFalse(c.armedTimers().contains("ack timeout"));
    assertFalse(t.isClosedOrCancelled());
    c.send("msg:2");
    h.time.runUntilIdle();
    assertTrue(c.armedTimers().contains("ack timeout"));
    c.close();
    h.time.runUntilIdle();
    assertEquals(Collections.emptyList(), c.armedTimers());
  }

  @Test public void theAckTimeoutIsValidated() {
    try {
      ConnectionOptions.builder("ws://example.com").ackTimeout(0, TimeUnit.SECONDS);
      fail();
    } catch (IllegalArgumentException expected) {
      assertEquals("ack timeout must be positive, was 0 SECONDS", expected.getMessage());
    }
    assertEquals(15_000, ConnectionOptions.builder("ws://example.com").build().ackTimeoutMillis());
  }
}
