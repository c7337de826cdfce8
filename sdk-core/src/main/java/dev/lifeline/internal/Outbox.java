package dev.lifeline.internal;

import dev.lifeline.Message;
import dev.lifeline.OutboxPolicy;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * Messages accepted by {@code send()} and not yet handed to a transport, oldest first (SPEC S1),
 * and, in at-least-once mode (S2), messages sent but not yet acknowledged. Both count against the
 * limits. {@code send()} calls {@link #offer} from app threads, the scheduler does the rest; all
 * hold {@code this}.
 */
public final class Outbox {
  /** One queued message and when it was accepted. */
  static final class Entry {
    final Message message;
    final long acceptedAtMillis;
    final long bytes;

    Entry(Message message, long acceptedAtMillis) {
      this.message = message;
      this.acceptedAtMillis = acceptedAtMillis;
      this.bytes = message.byteCount();
    }
  }

  /** Limits. */
  private final OutboxPolicy policy;
  /** Guarded by this. */
  private final ArrayDeque<Entry> entries = new ArrayDeque<Entry>();
  /** Sent messages awaiting acknowledgement, by key, in send order; guarded by this. */
  private final LinkedHashMap<Object, Entry> unacked = new LinkedHashMap<Object, Entry>();
  /** Sum of the bytes of entries and unacked; guarded by this. */
  private long bytes;

  public Outbox(OutboxPolicy policy) {
    this.policy = policy;
  }

  /** Appends {@code message}; returns null when accepted, else why it was rejected. */
  public synchronized String offer(Message message, long nowMillis) {
    Entry e = new Entry(message, nowMillis);
    int held = entries.size() + unacked.size();
    if (held >= policy.maxMessages()) {
      return "outbox full: " + held + " messages queued"
          + (unacked.isEmpty() ? "" : " or awaiting acknowledgement")
          + " (limit " + policy.maxMessages() + ")";
    }
    if (bytes + e.bytes > policy.maxBytes()) {
      return "outbox full: " + bytes + " bytes queued + " + e.bytes + " would exceed the limit of "
          + policy.maxBytes() + " bytes";
    }
    entries.addLast(e);
    bytes += e.bytes;
    return null;
  }

  /** The oldest message, or null. */
  public synchronized Message peek() {
    Entry e = entries.peekFirst();
    return e == null ? null : e.message;
  }

  /** Removes the oldest message (after a successful hand-off). */
  public synchronized void removeFirst() {
    Entry e = entries.removeFirst();
    bytes -= e.bytes;
  }

  /**
   * Puts messages that a failed transport never wrote back at the front, in order. They were
   * accepted once, so they go back even past the limits.
   */
  public synchronized void requeueFront(List<Message> messages, long nowMillis) {
    for (int i = messages.size() - 1; i >= 0; i--) {
      Entry e = new Entry(messages.get(i), nowMillis);
      entries.addFirst(e);
      bytes += e.bytes;
    }
  }

  /** Removes and returns the messages older than the TTL (none when there is no TTL). */
  public synchronized List<Message> expire(long nowMillis) {
    List<Message> expired = new ArrayList<Message>();
    if (policy.ttlMillis() == 0) return expired;
    for (Iterator<Entry> i = entries.iterator(); i.hasNext(); ) {
      Entry e = i.next();
      if (nowMillis - e.acceptedAtMillis >= policy.ttlMillis()) {
        i.remove();
        bytes -= e.bytes;
        expired.add(e.message);
      }
    }
    return expired;
  }

  /** Holds a sent message until {@link #acknowledge} with its key (at-least-once mode). */
  public synchronized void awaitAck(Object key, Message message, long nowMillis) {
    Entry previous = unacked.remove(key);
    if (previous != null) bytes -= previous.bytes;
    Entry e = new Entry(message, nowMillis);
    unacked.put(key, e);
    bytes += e.bytes;
  }

  /** Releases the message held under {@code key}; returns it, or null if none is held. */
  public synchronized Message acknowledge(Object key) {
    Entry e = unacked.remove(key);
    if (e == null) return null;
    bytes -= e.bytes;
    return e.message;
  }

  /** Removes and returns every unacknowledged message, in send order. */
  public synchronized List<Message> takeUnacked() {
    List<Message> all = new ArrayList<Message>(unacked.size());
    for (Entry e : unacked.values()) {
      all.add(e.message);
      bytes -= e.bytes;
    }
    unacked.clear();
    return all;
  }

  /** Removes and returns every queued (unsent) message. */
  public synchronized List<Message> drain() {
    List<Message> all = new ArrayList<Message>(entries.size());
    for (Entry e : entries) all.add(e.message);
    for (Entry e : entries) bytes -= e.bytes;
    entries.clear();
    return all;
  }

  /** When the oldest queued message was accepted, or -1 when empty. */
  public synchronized long oldestAcceptedAtMillis() {
    long oldest = -1;
    for (Entry e : entries) {
      if (oldest < 0 || e.acceptedAtMillis < oldest) oldest = e.acceptedAtMillis;
    }
    return oldest;
  }

  public synchronized int size() {
    return entries.size();
  }

  public synchronized long byteCount() {
    return bytes;
  }
}
