package dev.lifeline.internal;

import dev.lifeline.Message;
import dev.lifeline.OutboxPolicy;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * What the app asked to send, until it is gone for good: the outbox until a transport takes a
 * message, the messages awaiting acknowledgement in at-least-once mode, expiry by TTL, and what
 * goes back into the outbox when a transport is lost (docs/behaviour.md, "Sending and delivery").
 * {@link #offer} is called on app threads; everything else on the connection's lane.
 *
 * <p>Timers: {@code flush retry} (a transport's full buffer refused a message: try again
 * shortly) and {@code outbox expiry} (the oldest queued message reaches its TTL while nothing
 * flushes).
 */
final class Delivery {
  /** How soon a flush refused by a full transport buffer is retried. */
  static final long FLUSH_RETRY_MILLIS = 100;

  /** What delivery needs from its connection. */
  interface Owner {
    /** The open transport, or null while not connected. */
    Transport openTransport();

    /** Why the connection ended, or null while it lives. */
    String terminalReason();

    /** App data was handed to the transport. */
    void sent();

    /** {@code message} will not be delivered, for {@code reason}. */
    void sendFailed(Message message, String reason);
  }

  private final OutboxPolicy policy;
  private final Owner owner;
  private final Timers timers;
  /** Queued and unacknowledged messages; thread-safe. */
  private final Outbox outbox;
  private final Timers.Timer flushRetryTimer;
  private final Timers.Timer expiryTimer;

  Delivery(OutboxPolicy policy, Timers timers, Owner owner) {
    this.policy = policy;
    this.owner = owner;
    this.timers = timers;
    this.outbox = new Outbox(policy);
    this.flushRetryTimer = timers.timer("flush retry", this::flush);
    this.expiryTimer = timers.timer("outbox expiry", this::flush);
  }

  /**
   * On an app thread: queues {@code message}, to be acknowledged under {@code key} (or null).
   * Returns null when accepted, else why it was rejected.
   */
  String offer(Message message, Object key, long nowMillis) {
    return outbox.offer(message, key, nowMillis);
  }

  /**
   * Hands queued messages to the open transport, oldest first, and reports expired ones; after the
   * connection ended, reports whatever is still queued.
   */
  void flush() {
    long now = timers.now();
    for (Message m : outbox.expire(now)) {
      owner.sendFailed(m, "expired in the outbox after " + Durations.seconds(policy.ttlMillis()));
    }
    String ended = owner.terminalReason();
    if (ended != null) {
      failQueued(ended);
      return;
    }
    Transport transport = owner.openTransport();
    if (transport != null) {
      Outbox.Entry e;
      while ((e = outbox.peek()) != null) {
        if (!transport.send(e.message)) {
          // The transport's own buffer is full (or it is closing): try again shortly.
          if (!flushRetryTimer.isArmed()) flushRetryTimer.arm(FLUSH_RETRY_MILLIS);
          break;
        }
        outbox.sent(e);
        owner.sent();
      }
    }
    scheduleExpiry(now);
  }

  /** With a TTL, wakes up when the oldest queued message expires, so the app hears in time. */
  private void scheduleExpiry(long now) {
    long ttl = policy.ttlMillis();
    long oldest = outbox.oldestAcceptedAtMillis();
    if (ttl == 0 || oldest < 0 || expiryTimer.isArmed()) return;
    expiryTimer.arm(Math.max(0, oldest + ttl - now));
  }

  /** Releases the message held under {@code key}; returns it, or null if none is held. */
  Message acknowledge(Object key) {
    return outbox.acknowledge(key);
  }

  /**
   * A transport is gone: puts back in the outbox what must go out again, in send order — the
   * messages written but never acknowledged (at-least-once), then those it never wrote ({@code
   * unwritten}, from {@link Transport#unsent()}). A message in both is counted once.
   */
  void requeue(List<Message> unwritten) {
    long now = timers.now();
    Set<Message> unsent = Collections.newSetFromMap(new IdentityHashMap<Message, Boolean>());
    unsent.addAll(unwritten);
    List<Outbox.Entry> again = new ArrayList<Outbox.Entry>();
    List<Outbox.Entry> unacked = outbox.takeUnacked();
    IdentityHashMap<Message, Outbox.Entry> keyed = new IdentityHashMap<Message, Outbox.Entry>();
    for (Outbox.Entry e : unacked) {
      if (unsent.contains(e.message)) {
        keyed.put(e.message, e); // Goes back in its place among the unwritten ones.
      } else {
        again.add(e.again(true, now));
      }
    }
    // Written ones all precede unwritten ones, so this is send order.
    for (Message m : unwritten) {
      Outbox.Entry e = keyed.get(m);
      again.add(e != null ? e.again(false, now) : new Outbox.Entry(m, null, now));
    }
    if (!again.isEmpty()) outbox.requeueFront(again);
  }

  /** The connection ended: reports every message that can no longer be delivered. */
  void failQueued(String reason) {
    flushRetryTimer.cancel();
    expiryTimer.cancel();
    for (Message m : outbox.close(reason)) {
      owner.sendFailed(m, "connection closed before the message was delivered: " + reason);
    }
  }

  int queued() {
    return outbox.size();
  }
}
