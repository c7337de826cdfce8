package dev.lifeline.internal;

import static java.util.Arrays.asList;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertTrue;

import dev.lifeline.Message;
import dev.lifeline.OutboxPolicy;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.Test;

/**
 * {@link Delivery} alone, with a fake owner and a scripted transport, in virtual time: order,
 * the flush retry after a full transport buffer, TTL expiry while disconnected, requeue after a
 * lost transport and the final report (docs/behaviour.md, "Sending and delivery").
 */
public final class DeliveryTest {
  private static final long TTL = 30_000;
  private static final long ACK_TIMEOUT = 15_000;

  private final VirtualLane v = new VirtualLane();
  private final FakeOwner owner = new FakeOwner();

  @Test public void queuedMessagesGoToTheOpenTransportInOrder() {
    Delivery d = delivery(OutboxPolicy.defaults());
    offer(d, "one", "two", "three");
    d.flush(); // Not connected: they wait.
    assertEquals(3, d.queued());
    FakeTransport t = owner.connect();
    d.flush();
    assertEquals(asList("one", "two", "three"), t.sentTexts());
    assertEquals(3, owner.sent);
    assertEquals(0, d.queued());
  }

  @Test public void aRefusingTransportIsRetriedExactlyAfterTheFlushRetryDelay() {
    Delivery d = delivery(OutboxPolicy.defaults());
    FakeTransport t = owner.connect();
    t.refuseSends = true;
    offer(d, "one", "two");
    d.flush();
    assertEquals(asList("flush retry"), v.timers.armed());
    d.flush(); // Another flush meanwhile does not push the retry back.
    t.refuseSends = false;
    v.time.advanceBy(Delivery.FLUSH_RETRY_MILLIS - 1);
    assertEquals(Collections.emptyList(), t.sentTexts());
    v.time.advanceBy(1);
    assertEquals(asList("one", "two"), t.sentTexts());
    assertEquals(Collections.emptyList(), v.timers.armed());
  }

  @Test public void expiryIsReportedOnTimeWhileDisconnected() {
    Delivery d = delivery(OutboxPolicy.builder().ttl(TTL, TimeUnit.MILLISECONDS).build());
    offer(d, "old");
    d.flush();
    v.time.advanceBy(20_000);
    offer(d, "new");
    d.flush();
    v.time.advanceBy(TTL - 20_000 - 1);
    assertEquals(Collections.emptyList(), owner.failures);
    v.time.advanceBy(1);
    assertEquals(asList("old: expired in the outbox after 30 s"), owner.failures);
    v.time.advanceBy(20_000 - 1);
    assertEquals(1, owner.failures.size());
    v.time.advanceBy(1);
    assertEquals(asList("old: expired in the outbox after 30 s",
        "new: expired in the outbox after 30 s"), owner.failures);
    assertEquals(0, d.queued());
    assertEquals(Collections.emptyList(), v.timers.armed());
  }

  @Test public void requeueRestoresUnackedThenUnwrittenInSendOrderEachOnce() {
    Delivery d = delivery(OutboxPolicy.defaults());
    FakeTransport lost = owner.connect();
    d.offer(Message.text("msg:1"), "1", v.time.elapsedMillis()); // Written, never acknowledged.
    d.offer(Message.text("msg:2"), "2", v.time.elapsedMillis()); // Written and acknowledged.
    d.flush();
    assertEquals("msg:2", d.acknowledge("2").text());
    lost.holdWrites = true;
    d.offer(Message.text("plain"), null, v.time.elapsedMillis()); // Never written.
    d.offer(Message.text("msg:3"), "3", v.time.elapsedMillis()); // Never written nor acked.
    d.flush();
    owner.disconnect();
    offer(d, "later"); // Sent by the app after the loss.

    d.lost(lost, "connection failed: IOException: reset");
    assertEquals(4, d.queued()); // msg:3 is both unwritten and unacked: counted once.
    FakeTransport fresh = owner.connect();
    d.flush();
    assertEquals(asList("msg:1", "plain", "msg:3", "later"), fresh.sentTexts());
    assertEquals("msg:3", d.acknowledge("3").text()); // Still held under its key.
    assertNull(d.acknowledge("2"));
  }

  @Test public void failQueuedReportsEveryMessageWithTheReasonAndCancelsBothTimers() {
    Delivery d = delivery(OutboxPolicy.builder().ttl(TTL, TimeUnit.MILLISECONDS).build());
    FakeTransport t = owner.connect();
    t.refuseSends = true;
    offer(d, "one", "two");
    d.flush();
    assertEquals(asList("flush retry", "outbox expiry"), v.timers.armed());

    d.failQueued("closed by the app");
    assertEquals(asList(
        "one: connection closed before the message was delivered: closed by the app",
        "two: connection closed before the message was delivered: closed by the app"),
        owner.failures);
    assertEquals(0, d.queued());
    assertEquals(Collections.emptyList(), v.timers.armed());
    assertEquals(Collections.emptyList(), v.pendingTimers());
  }

  @Test public void aFlushAfterTheEndReportsInsteadOfSending() {
    Delivery d = delivery(OutboxPolicy.defaults());
    FakeTransport t = owner.connect();
    owner.terminalReason = "gave up after 3 reconnect attempts; last: HTTP 503 at handshake";
    offer(d, "late");
    d.flush();
    assertTrue(t.sent.isEmpty());
    assertEquals(asList("late: connection closed before the message was delivered: gave up"
        + " after 3 reconnect attempts; last: HTTP 503 at handshake"), owner.failures);
  }

  @Test public void acknowledgingReleasesTheHeldMessageOnce() {
    Delivery d = delivery(OutboxPolicy.defaults());
    FakeTransport t = owner.connect();
    Message m = Message.text("msg:1");
    d.offer(m, "1", v.time.elapsedMillis());
    d.flush();
    assertSame(m, d.acknowledge("1"));
    assertNull(d.acknowledge("1"));
    d.lost(t, "connection failed: IOException: reset");
    assertEquals(0, d.queued());
    assertFalse(v.timers.armed().contains("flush retry"));
  }

  private Delivery delivery(OutboxPolicy policy) {
    return new Delivery(policy, ACK_TIMEOUT, v.timers, owner);
  }

  private void offer(Delivery d, String... texts) {
    for (String text : texts) {
      assertNull(d.offer(Message.text(text), null, v.time.elapsedMillis()));
    }
  }

  /** Connects and disconnects a scripted transport; records what delivery reports. */
  private static final class FakeOwner implements Delivery.Owner {
    final List<String> failures = new ArrayList<>();
    final List<String> replaced = new ArrayList<>();
    int sent;
    FakeTransport transport;
    String terminalReason;

    FakeTransport connect() {
      transport = new FakeTransport(null, null);
      return transport;
    }

    void disconnect() {
      transport.cancel();
      transport = null;
    }

    @Override public Transport openTransport() {
      return transport;
    }

    @Override public String terminalReason() {
      return terminalReason;
    }

    @Override public void sent() {
      sent++;
    }

    @Override public void sendFailed(Message message, String reason) {
      failures.add(message.text() + ": " + reason);
    }

    @Override public void noAcknowledgement(String reason) {
      replaced.add(reason);
    }
  }
}
