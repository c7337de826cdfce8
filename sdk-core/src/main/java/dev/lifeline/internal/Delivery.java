package dev.lifeline.internal;

import dev.lifeline.Message;
import dev.lifeline.OutboxPolicy;
import dev.lifeline.StoredMessage;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * What the app asked to send, until it is gone for good: the outbox until a transport takes a
 * message, the messages a transport took until they are settled or acknowledged, expiry by TTL,
 * the ack timeout, and what goes back into the outbox or is reported when a transport is lost
 * (docs/behaviour.md, "Sending and delivery"). {@link #offer} is called on app threads;
 * everything else on the connection's lane.
 *
 * <p>The transport numbers what it accepts ({@link Transport#acceptedCount()}); delivery keeps the
 * number of each app message it handed over. When the transport is lost, those numbers tell each
 * app message's fate exactly: not written (back to the outbox), written and settled (delivered as
 * far as anyone can tell), or written and unsettled (reported as "may not have been delivered"
 * unless an acknowledgement key brings it back). Heartbeats and responder replies have numbers
 * too but are not delivery's: they are never requeued as app data nor reported to the app.
 *
 * <p>With an outbox store ({@link OutboxRecords}): {@link #offer} records each message before it
 * is accepted, an at-most-once message is marked as being sent before it is handed over, and
 * every message is removed once settled (delivered, reported or expired), one store call per
 * lane turn; {@link #restore} puts back what an earlier process left (docs/behaviour.md, "Durable
 * outbox").
 *
 * <p>Timers: {@code flush retry} (a transport's full buffer refused a message: try again
 * shortly), {@code outbox expiry} (the oldest queued message reaches its TTL while nothing
 * flushes) and {@code ack timeout} (the oldest message awaiting acknowledgement has waited too
 * long: the connection is replaced).
 */
final class Delivery {
  /** How soon a flush refused by a full transport buffer is retried. */
  static final long FLUSH_RETRY_MILLIS = 100;
  /**
   * How long a transport may refuse the oldest message while holding nothing else to write
   * before that message counts as one it can never carry. With nothing queued, "buffer full"
   * cannot be the cause; a closing or failed transport is let go well within this time.
   */
  static final long REFUSED_HEAD_LIMIT_MILLIS = 5_000;
  /** The start of the reason of a written message whose transport was lost before it settled. */
  static final String MAY_NOT_HAVE_BEEN_DELIVERED = "may not have been delivered: ";
  /** Why a restored at-most-once message marked as being sent is reported, not sent again. */
  static final String ENDED_WHILE_SENDING = MAY_NOT_HAVE_BEEN_DELIVERED
      + "the process ended while it was being sent (restored from the outbox store)";

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

    /** No acknowledgement came in time ({@code reason}): replace the connection. */
    void noAcknowledgement(String reason);
  }

  /** The acknowledgement key of a restored message (the app's {@code AckMatcher}), or null. */
  interface Keys {
    Object key(Message message);
  }

  /** What {@link #restore} did. */
  static final class Restored {
    /** Messages put back in the outbox. */
    final int restored;
    /** Messages reported through {@code onSendFailed} and removed instead. */
    final int reported;
    /** Entries the store returned that break its contract (null, a sequence number twice). */
    final int broken;

    Restored(int restored, int reported, int broken) {
      this.restored = restored;
      this.reported = reported;
      this.broken = broken;
    }
  }

  /** An app message handed to the current transport, with the number the transport gave it. */
  private static final class InFlight {
    final Outbox.Entry entry;
    /** Its place among everything the transport accepted, from 0. */
    final long number;

    InFlight(Outbox.Entry entry, long number) {
      this.entry = entry;
      this.number = number;
    }
  }

  private final OutboxPolicy policy;
  /** How long a written message may wait for its acknowledgement. */
  private final long ackTimeoutMillis;
  private final Owner owner;
  private final Timers timers;
  /** Queued and unacknowledged messages; thread-safe. */
  private final Outbox outbox;
  /** The connection's outbox store, or null: memory only. */
  private final OutboxRecords records;
  private final Timers.Timer flushRetryTimer;
  private final Timers.Timer expiryTimer;
  private final Timers.Timer ackTimer;
  /**
   * App messages handed to {@link #inFlightTransport} that are not known to be settled, oldest
   * first. Bounded: what the transport has not written (its own queue limit) plus written ones
   * up to the outbox limits; beyond those, the oldest written count as settled.
   */
  private final ArrayDeque<InFlight> inFlight = new ArrayDeque<InFlight>();
  /** Payload bytes of {@link #inFlight}. */
  private long inFlightBytes;
  /**
   * The transport {@link #inFlight} was handed to, or null. Volatile for {@link
   * #transportIdle()} only; everything else reads it on the lane.
   */
  private volatile Transport inFlightTransport;
  /** The oldest entry, refused by {@link #refusedBy} with nothing else to write, or null. */
  private Outbox.Entry refusedHead;
  private Transport refusedBy;
  /** When {@link #refusedHead} was first refused. */
  private long refusedSinceMillis;

  Delivery(OutboxPolicy policy, long ackTimeoutMillis, Timers timers, Owner owner) {
    this(policy, ackTimeoutMillis, timers, owner, null);
  }

  /** As above, keeping the outbox in {@code records} too (null: memory only). */
  Delivery(OutboxPolicy policy, long ackTimeoutMillis, Timers timers, Owner owner,
      OutboxRecords records) {
    this.policy = policy;
    this.records = records;
    this.ackTimeoutMillis = ackTimeoutMillis;
    this.owner = owner;
    this.timers = timers;
    this.outbox = new Outbox(policy);
    this.flushRetryTimer = timers.timer("flush retry", this::flush);
    this.expiryTimer = timers.timer("outbox expiry", this::flush);
    this.ackTimer = timers.timer("ack timeout", this::ackTimeoutDue);
  }

  /**
   * On an app thread: queues {@code message}, to be acknowledged under {@code key} (or null).
   * Returns null when accepted, else why it was rejected.
   */
  String offer(Message message, Object key, long nowMillis) {
    if (records == null) return outbox.offer(message, key, nowMillis);
    // Reserved under the outbox's lock (limits, key, order), recorded outside it so that
    // concurrent senders can share one sync of the store (group commit).
    Outbox.Entry e = Outbox.Entry.unrecorded(message, key, nowMillis);
    String rejected = outbox.reserve(e);
    if (rejected != null) return rejected;
    return finishRecording(e, records.add(e.sequence, message));
  }

  /**
   * On an app thread: queues {@code messages} (with their {@code keys}, null: none) as {@link
   * #offer} would one by one, recording all of them with one store call. Returns, per message,
   * null when accepted, else why it was rejected.
   */
  String[] offerAll(List<Message> messages, List<Object> keys, long nowMillis) {
    String[] rejected = new String[messages.size()];
    if (records == null) {
      for (int i = 0; i < rejected.length; i++) {
        try {
          rejected[i] = outbox.offer(messages.get(i), keys.get(i), nowMillis);
        } catch (IllegalStateException closed) {
          if (i == 0) throw closed; // As send() after the close.
          rejected[i] = closedMidBurst(closed);
        }
      }
      return rejected;
    }
    List<Outbox.Entry> reserved = new ArrayList<Outbox.Entry>(messages.size());
    int[] index = new int[messages.size()];
    for (int i = 0; i < rejected.length; i++) {
      Outbox.Entry e = Outbox.Entry.unrecorded(messages.get(i), keys.get(i), nowMillis);
      try {
        rejected[i] = outbox.reserve(e);
      } catch (IllegalStateException closed) {
        if (i == 0) throw closed; // As send() after the close.
        rejected[i] = closedMidBurst(closed);
        continue;
      }
      if (rejected[i] == null) {
        index[reserved.size()] = i;
        reserved.add(e);
      }
    }
    if (reserved.isEmpty()) return rejected;
    String failed = records.addAll(reserved);
    for (int j = 0; j < reserved.size(); j++) {
      rejected[index[j]] = finishRecording(reserved.get(j), failed);
    }
    return rejected;
  }

  private static String closedMidBurst(IllegalStateException closed) {
    return "the connection closed while sendAll() was accepting the burst (" + closed.getMessage()
        + ")";
  }

  /**
   * App thread: {@code e} was recorded, or the store failed ({@code failed}, its reason); null
   * when it is queued, else why {@code send()} refuses it.
   */
  private String finishRecording(Outbox.Entry e, String failed) {
    Outbox.Recording fate = outbox.finishRecording(e, failed == null);
    if (fate == Outbox.Recording.TAKEN_BY_CLOSE) {
      // Closed meanwhile: close() reported the message; a record of it must not outlive that.
      if (failed == null) records.removeNow(e.sequence);
      if (outbox.doneRecording()) records.close(); // The close waited for this sender.
    }
    return fate == Outbox.Recording.WITHDRAWN
        ? "could not record it in the outbox store: " + failed : null;
  }

  /**
   * Before the connection is handed to the app (nothing else runs yet): puts back the messages an
   * earlier process left in the store, in sequence order, under the outbox limits and the TTL
   * (its age on the wall clock, never negative). What cannot go back is reported and removed.
   */
  Restored restore(List<StoredMessage> stored, Keys keys) {
    long now = timers.now();
    long wallNow = records.epochMillis();
    List<StoredMessage> inOrder = new ArrayList<StoredMessage>(stored.size());
    int broken = 0;
    for (StoredMessage s : stored) {
      if (s != null) inOrder.add(s); else broken++;
    }
    Collections.sort(inOrder, BY_SEQUENCE); // The contract's order; a broken store's, repaired.
    int restored = 0;
    int reported = 0;
    long last = 0;
    for (StoredMessage s : inOrder) {
      if (s.sequence() == last) {
        broken++; // A second message under one number: its remove would take the first too.
        continue;
      }
      last = s.sequence();
      Object key = keys.key(s.message());
      long age = ageMillis(s.acceptedAtEpochMillis(), wallNow);
      String failed;
      if (s.sending() && key == null) {
        failed = ENDED_WHILE_SENDING;
      } else if (policy.ttlMillis() > 0 && age >= policy.ttlMillis()) {
        failed = expiredReason();
      } else {
        // Without a TTL the age plays no part; with one, it is below the TTL here.
        failed = outbox.restore(Outbox.Entry.restored(s, key,
            policy.ttlMillis() > 0 ? now - age : now));
        if (failed != null) failed = "could not be restored from the outbox store: " + failed;
      }
      if (failed == null) {
        restored++;
      } else {
        reported++;
        owner.sendFailed(s.message(), failed);
        records.reported(s.sequence());
      }
    }
    outbox.continueAfter(last); // New messages never reuse a number, even a reported one's.
    records.commit();
    return new Restored(restored, reported, broken);
  }

  /**
   * How long ago, on the wall clock, a message accepted at {@code acceptedAt} was accepted: never
   * negative (a clock set back since counts as 0, so the message gets a full TTL from now rather
   * than living for ever), and {@link Long#MAX_VALUE} for a time so old the difference overflows.
   */
  static long ageMillis(long acceptedAt, long wallNow) {
    if (acceptedAt >= wallNow) return 0;
    long age = wallNow - acceptedAt;
    return age < 0 ? Long.MAX_VALUE : age;
  }

  private static final Comparator<StoredMessage> BY_SEQUENCE = new Comparator<StoredMessage>() {
    @Override public int compare(StoredMessage a, StoredMessage b) {
      return a.sequence() < b.sequence() ? -1 : a.sequence() == b.sequence() ? 0 : 1;
    }
  };

  /** Lane: {@code e} is settled; its record goes at the turn's {@link OutboxRecords#commit}. */
  private void settle(Outbox.Entry e) {
    if (records != null) records.settled(e.sequence);
  }

  /**
   * Lane: {@code e} will not be delivered, for {@code reason}: the app hears it, and its record
   * goes only after the listener's {@code onSendFailed} returned (see {@link
   * OutboxRecords#reported}), so a process dying in between reports it again rather than never.
   */
  private void report(Outbox.Entry e, String reason) {
    owner.sendFailed(e.message, reason);
    if (records != null) records.reported(e.sequence);
  }

  /** Lane: removes what this turn settled, with one store call. */
  private void commit() {
    if (records != null) records.commit();
  }

  private String expiredReason() {
    return "expired in the outbox after " + Durations.seconds(policy.ttlMillis());
  }

  /**
   * Any thread: whether the transport last flushed to has nothing waiting to be written, so a
   * flush now would send at once rather than queue behind earlier messages. A hint for where to
   * flush (docs/architecture.md, "Threads"); a stale answer costs time, never correctness.
   */
  boolean transportIdle() {
    Transport t = inFlightTransport;
    return t != null && !t.hasUnwritten();
  }

  /**
   * Hands queued messages to the open transport, oldest first, and reports expired ones; after the
   * connection ended, reports whatever is still queued.
   */
  void flush() {
    long now = timers.now();
    for (Outbox.Entry e : outbox.expire(now)) {
      report(e, expiredReason());
    }
    String ended = owner.terminalReason();
    if (ended != null) {
      failQueued(ended);
      return;
    }
    Transport transport = owner.openTransport();
    if (transport != null) {
      if (transport != inFlightTransport) {
        forgetInFlight(); // Every loss already accounted for the previous one.
        inFlightTransport = transport;
      }
      if (records != null) markAtMostOnce();
      Outbox.Entry e;
      while ((e = outbox.peek()) != null) {
        if (records != null && e.key == null && !e.markedSending) {
          // Its sender finished recording it after the marks above: marked before it goes too.
          markAtMostOnce();
          continue;
        }
        long number = transport.acceptedCount();
        if (!transport.send(e.message)) {
          if (refusedForever(transport, e, now)) {
            outbox.drop(e);
            refusedHead = null;
            report(e, "the transport refused it for "
                + Durations.seconds(REFUSED_HEAD_LIMIT_MILLIS) + " while holding nothing else to"
                + " write: it cannot carry this message (" + e.bytes + " bytes)");
            continue;
          }
          // The transport's own buffer is full (or it is closing): try again shortly.
          if (!flushRetryTimer.isArmed()) flushRetryTimer.arm(FLUSH_RETRY_MILLIS);
          break;
        }
        refusedHead = null;
        outbox.sent(e, now);
        inFlight.addLast(new InFlight(e, number));
        inFlightBytes += e.bytes;
        owner.sent();
      }
      forgetSettled(transport);
      armAckTimeout(now);
    }
    scheduleExpiry(now);
    commit();
  }

  /**
   * Marks the at-most-once messages about to be handed over as being sent, in one store call, so
   * that after a restart they are reported rather than sent twice. When the store cannot, they are
   * reported now and not sent.
   */
  private void markAtMostOnce() {
    List<Outbox.Entry> unmarked = outbox.unmarkedAtMostOnce();
    if (unmarked.isEmpty()) return;
    long[] sequences = new long[unmarked.size()];
    for (int i = 0; i < sequences.length; i++) sequences[i] = unmarked.get(i).sequence;
    String failed = records.markSending(sequences);
    for (Outbox.Entry e : unmarked) {
      if (failed == null) {
        e.markedSending = true;
        continue;
      }
      outbox.withdraw(e);
      report(e, "not sent: could not record in the outbox store that it is being sent: "
          + failed);
    }
  }

  /**
   * Whether {@code transport} refuses {@code head} for good: it holds nothing unwritten (so its
   * buffer is not full) and has refused this same message for {@link #REFUSED_HEAD_LIMIT_MILLIS}.
   * Such a message must not block every later one.
   */
  private boolean refusedForever(Transport transport, Outbox.Entry head, long now) {
    if (!transport.unsent().isEmpty()) {
      refusedHead = null; // A full buffer: it will drain.
      return false;
    }
    if (refusedHead != head || refusedBy != transport) {
      refusedHead = head;
      refusedBy = transport;
      refusedSinceMillis = now;
      return false;
    }
    return now - refusedSinceMillis >= REFUSED_HEAD_LIMIT_MILLIS;
  }

  /**
   * Stops tracking what is settled and, beyond the outbox limits, the oldest written messages
   * (they count as settled), so a server that never answers cannot make this grow.
   */
  private void forgetSettled(Transport transport) {
    long settled = transport.settledCount();
    while (!inFlight.isEmpty() && inFlight.peekFirst().number < settled) removeFirstInFlight();
    if (inFlight.size() <= policy.maxMessages() && inFlightBytes <= policy.maxBytes()) return;
    long written = transport.acceptedCount() - transport.unsent().size();
    while (!inFlight.isEmpty() && inFlight.peekFirst().number < written
        && (inFlight.size() > policy.maxMessages() || inFlightBytes > policy.maxBytes())) {
      removeFirstInFlight();
    }
  }

  /** Forgets the oldest in-flight message: settled (one with a key still awaits its ack). */
  private void removeFirstInFlight() {
    Outbox.Entry e = inFlight.removeFirst().entry;
    inFlightBytes -= e.bytes;
    if (e.key == null) settle(e);
  }

  private void forgetInFlight() {
    inFlight.clear();
    inFlightBytes = 0;
    inFlightTransport = null;
  }

  /** With a TTL, wakes up when the oldest queued message expires, so the app hears in time. */
  private void scheduleExpiry(long now) {
    long ttl = policy.ttlMillis();
    long oldest = outbox.oldestAcceptedAtMillis();
    if (ttl == 0 || oldest == Long.MAX_VALUE || expiryTimer.isArmed()) return;
    expiryTimer.arm(Math.max(0, oldest + ttl - now));
  }

  /**
   * Arms the ack timeout for the oldest message awaiting acknowledgement. An acknowledgement does
   * not re-arm it: when it fires early for a message acknowledged meanwhile, it re-arms itself
   * for the next one's remainder (cheaper than re-arming on every acknowledgement).
   */
  private void armAckTimeout(long now) {
    if (ackTimer.isArmed()) return;
    long oldest = outbox.oldestUnackedSentAtMillis();
    if (oldest < 0) return;
    ackTimer.arm(Math.max(0, oldest + ackTimeoutMillis - now));
  }

  private void ackTimeoutDue() {
    if (owner.openTransport() == null) return;
    long now = timers.now();
    long oldest = outbox.oldestUnackedSentAtMillis();
    if (oldest < 0) return; // All acknowledged; the next keyed message arms it again.
    long waited = now - oldest;
    if (waited < ackTimeoutMillis) {
      ackTimer.arm(ackTimeoutMillis - waited);
      return;
    }
    int held = outbox.unackedCount();
    owner.noAcknowledgement("no acknowledgement for " + Durations.seconds1(waited) + " (ackTimeout "
        + Durations.seconds(ackTimeoutMillis) + "); " + held
        + (held == 1 ? " message" : " messages") + " awaiting acknowledgement; replacing the"
        + " connection");
  }

  /** Releases the message held under {@code key}; returns it, or null if none is held. */
  Message acknowledge(Object key) {
    Outbox.Entry e = outbox.acknowledged(key);
    if (e == null) return null;
    settle(e);
    commit();
    return e.message;
  }

  /**
   * Transport {@code t} is gone because of {@code why}, or by our own graceful close when {@code
   * why} is null (it writes what it holds and closes; nothing is unwritten or unsettled then).
   * Puts back in the outbox what must go out again, in send order — the messages written but
   * never acknowledged (at-least-once), then those it never wrote — and reports each message
   * written without an ack key and not settled, once, as "may not have been delivered".
   * Call after {@link Transport#cancel()} when cancelling, so what it had not written is final.
   */
  void lost(Transport t, String why) {
    ackTimer.cancel();
    long now = timers.now();
    long written = Long.MAX_VALUE;
    long settled = Long.MAX_VALUE;
    if (why != null) {
      written = t.acceptedCount() - t.unsent().size();
      settled = t.settledCount();
    }
    List<Outbox.Entry> unacked = outbox.takeUnacked();
    Set<Outbox.Entry> awaiting = identitySet();
    awaiting.addAll(unacked);
    List<Outbox.Entry> unwritten = new ArrayList<Outbox.Entry>();
    List<Outbox.Entry> uncertain = new ArrayList<Outbox.Entry>();
    if (t == inFlightTransport) {
      for (InFlight f : inFlight) {
        Outbox.Entry e = f.entry;
        if (f.number >= written) {
          // Never written; one with a key goes back only if not acknowledged meanwhile.
          if (e.key == null || awaiting.contains(e)) unwritten.add(e);
        } else if (e.key == null) {
          if (f.number >= settled) uncertain.add(e); else settle(e); // Else: delivered.
        }
      }
    }
    forgetInFlight();
    Set<Outbox.Entry> goesBackUnwritten = identitySet();
    goesBackUnwritten.addAll(unwritten);
    List<Outbox.Entry> again = new ArrayList<Outbox.Entry>();
    // Written ones all precede unwritten ones, so this is send order.
    for (Outbox.Entry e : unacked) {
      if (!goesBackUnwritten.contains(e)) again.add(e.again(true, now));
    }
    for (Outbox.Entry e : unwritten) again.add(e.again(false, now));
    if (!again.isEmpty()) outbox.requeueFront(again);
    for (Outbox.Entry e : uncertain) {
      report(e, MAY_NOT_HAVE_BEEN_DELIVERED + why);
    }
    commit();
  }

  private static Set<Outbox.Entry> identitySet() {
    return Collections.newSetFromMap(new IdentityHashMap<Outbox.Entry, Boolean>());
  }

  /** The connection ended: reports every message that can no longer be delivered. */
  void failQueued(String reason) {
    flushRetryTimer.cancel();
    expiryTimer.cancel();
    ackTimer.cancel();
    forgetInFlight();
    for (Outbox.Entry e : outbox.close(reason)) {
      owner.sendFailed(e.message, "connection closed before the message was delivered: " + reason);
      // Removed now, not after the listener heard of it (report): the store closes with the
      // connection, so that CLOSED means it is free for the next one. One still being recorded
      // is removed by its sender, once the store has it.
      if (e.recorded) settle(e);
    }
    commit();
    if (records != null && outbox.releaseStore()) records.close();
  }

  int queued() {
    return outbox.size();
  }
}
