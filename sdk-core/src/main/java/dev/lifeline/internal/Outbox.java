package dev.lifeline.internal;

import dev.lifeline.Message;
import dev.lifeline.OutboxPolicy;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * Messages accepted by {@code send()} and not yet handed to a transport, oldest first, and, in
 * at-least-once mode, messages sent but not yet acknowledged (docs/behaviour.md, "Sending and
 * delivery"). Both count against the limits. {@code send()} calls {@link #offer} from app threads,
 * the connection's lane does the rest; all hold {@code this}.
 */
public final class Outbox {
  /** One queued message, its acknowledgement key and when it was accepted. */
  static final class Entry {
    final Message message;
    /** The key its acknowledgement will carry (at-least-once mode), or null. */
    final Object key;
    final long acceptedAtMillis;
    /** The message's payload size, counted against the byte limit. */
    final long bytes;
    /**
     * True when it was written to a transport that was then lost before the acknowledgement came:
     * it waits to go out again, and a late acknowledgement still releases it.
     */
    final boolean written;
    /**
     * While awaiting acknowledgement: when it was handed to the current transport, for the ack
     * timeout. Guarded by the outbox.
     */
    long sentAtMillis;

    Entry(Message message, Object key, long acceptedAtMillis) {
      this(message, key, acceptedAtMillis, false);
    }

    private Entry(Message message, Object key, long acceptedAtMillis, boolean written) {
      this.message = message;
      this.key = key;
      this.acceptedAtMillis = acceptedAtMillis;
      this.bytes = message.byteCount();
      this.written = written;
    }

    /** This entry queued again at {@code nowMillis}; {@code written} as above. */
    Entry again(boolean written, long nowMillis) {
      return new Entry(message, key, nowMillis, written);
    }
  }

  /** Limits. */
  private final OutboxPolicy policy;
  /** Guarded by this. */
  private final ArrayDeque<Entry> entries = new ArrayDeque<Entry>();
  /** Sent messages awaiting acknowledgement, by key, in send order; guarded by this. */
  private final LinkedHashMap<Object, Entry> unacked = new LinkedHashMap<Object, Entry>();
  /**
   * The keys of every queued or unacknowledged entry: a key is held by one message at a time.
   * Guarded by this.
   */
  private final HashSet<Object> keys = new HashSet<Object>();
  /** Sum of the bytes of entries and unacked; guarded by this. */
  private long bytes;
  /** Why the connection ended, once {@link #close} ran; then nothing is accepted. Guarded by this. */
  private String closedBecause;

  public Outbox(OutboxPolicy policy) {
    this.policy = policy;
  }

  /** Longest {@code toString()} of an ack key that a rejection quotes. */
  static final int MAX_QUOTED_KEY_LENGTH = 40;

  /** Returned by {@link #accept} for a duplicate key; described outside the lock. */
  private static final String DUPLICATE_KEY = "duplicate key";

  /**
   * Appends {@code message}, to be acknowledged under {@code key} (null: no acknowledgement);
   * returns null when accepted, else why it was rejected.
   */
  public String offer(Message message, Object key, long nowMillis) {
    String rejected = accept(message, key, nowMillis);
    if (rejected != DUPLICATE_KEY) return rejected;
    // Two messages under one key could not be told apart by their acknowledgement: one would be
    // released by the other's ack, or never. The key's toString() is app code, so it is asked
    // here, outside the lock.
    return "another message with ack key " + describeKey(key) + " is queued or awaiting"
        + " acknowledgement; keys must be unique among held messages";
  }

  /**
   * The key as a rejection shows it: quoted when short; a long one (often the payload itself) is
   * left out, since the reason may end up in the app's logs.
   */
  static String describeKey(Object key) {
    String text;
    try {
      text = String.valueOf(key);
    } catch (RuntimeException e) {
      return "(whose toString() threw " + e.getClass().getSimpleName() + ")";
    }
    return text.length() <= MAX_QUOTED_KEY_LENGTH
        ? "\"" + text + "\""
        : "(" + text.length() + " characters, not shown)";
  }

  private synchronized String accept(Message message, Object key, long nowMillis) {
    if (closedBecause != null) {
      // Under the same lock as close(): a send() racing the end is either reported by close()
      // or refused here, never accepted after the last report.
      throw new IllegalStateException("send() after the connection closed: " + closedBecause);
    }
    Entry e = new Entry(message, key, nowMillis);
    if (e.bytes > policy.maxBytes()) {
      return "message of " + e.bytes + " bytes exceeds the outbox limit of " + policy.maxBytes()
          + " bytes (OutboxPolicy maxBytes); it can never be queued";
    }
    if (key != null && keys.contains(key)) return DUPLICATE_KEY;
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
    if (key != null) keys.add(key);
    return null;
  }

  /** The oldest entry, or null. */
  synchronized Entry peek() {
    return entries.peekFirst();
  }

  /**
   * Puts entries that must go out again (never written, or never acknowledged) back at the front,
   * in order. They were accepted once, so they go back even past the limits.
   */
  synchronized void requeueFront(List<Entry> again) {
    for (int i = again.size() - 1; i >= 0; i--) {
      Entry e = again.get(i);
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
        if (e.key != null) keys.remove(e.key);
        expired.add(e.message);
      }
    }
    return expired;
  }

  /**
   * Removes the oldest entry, handed to a transport at {@code nowMillis}, and holds it until
   * {@link #acknowledge} with its key when it has one (at-least-once mode).
   */
  synchronized void sent(Entry e, long nowMillis) {
    Entry first = entries.removeFirst();
    if (first != e) throw new IllegalStateException("sent out of order");
    if (e.key == null) {
      bytes -= e.bytes;
      return;
    }
    e.sentAtMillis = nowMillis;
    unacked.put(e.key, e); // Keys are unique among held entries (offer), so nothing is replaced.
  }

  /** Removes the oldest entry, which can never be sent (it is reported). */
  synchronized void drop(Entry e) {
    Entry first = entries.removeFirst();
    if (first != e) throw new IllegalStateException("dropped out of order");
    bytes -= e.bytes;
    if (e.key != null) keys.remove(e.key);
  }

  /** Whether {@code e} still awaits its acknowledgement. */
  synchronized boolean isUnacked(Entry e) {
    return e.key != null && unacked.get(e.key) == e;
  }

  /** When the oldest unacknowledged message was handed to its transport, or -1 if none. */
  synchronized long oldestUnackedSentAtMillis() {
    Iterator<Entry> i = unacked.values().iterator();
    return i.hasNext() ? i.next().sentAtMillis : -1;
  }

  synchronized int unackedCount() {
    return unacked.size();
  }

  /** Releases the message held under {@code key}; returns it, or null if none is held. */
  public synchronized Message acknowledge(Object key) {
    Entry e = unacked.remove(key);
    if (e == null) e = removeWritten(key); // The ack came after its transport was lost.
    if (e == null) return null;
    bytes -= e.bytes;
    keys.remove(e.key);
    return e.message;
  }

  /** Removes the queued entry that was written under {@code key}, or returns null. */
  private Entry removeWritten(Object key) {
    for (Iterator<Entry> i = entries.iterator(); i.hasNext(); ) {
      Entry e = i.next();
      if (e.written && key.equals(e.key)) {
        i.remove();
        return e;
      }
    }
    return null;
  }

  /** Removes and returns every unacknowledged entry, in send order. */
  synchronized List<Entry> takeUnacked() {
    List<Entry> all = new ArrayList<Entry>(unacked.values());
    for (Entry e : all) bytes -= e.bytes;
    unacked.clear();
    return all;
  }

  /**
   * The connection ended for {@code reason}: from now on {@link #offer} throws. Returns what was
   * still queued, to be reported.
   */
  synchronized List<Message> close(String reason) {
    closedBecause = reason;
    List<Message> all = new ArrayList<Message>(entries.size());
    for (Entry e : entries) {
      all.add(e.message);
      bytes -= e.bytes;
    }
    entries.clear();
    keys.clear();
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
