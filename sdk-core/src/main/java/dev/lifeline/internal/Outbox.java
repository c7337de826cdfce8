package dev.lifeline.internal;

import dev.lifeline.Message;
import dev.lifeline.OutboxPolicy;
import dev.lifeline.StoredMessage;
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
 *
 * <p>With an outbox store, {@code send()} calls {@link #reserve} instead: the entry takes its place
 * and its sequence number under the lock, is recorded in the store outside it (so that senders
 * can share one sync), and only then ({@link #finishRecording}) may it be sent; until then it
 * holds back the entries behind it, as order is kept. {@link #releaseStore} and {@link
 * #doneRecording} decide who closes the store once the connection closed: the lane, or the last
 * sender still recording.
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
     * Its number in the connection's outbox store, > 0; 0 without a store. Set once, under the
     * outbox's lock, when the entry is reserved ({@link #reserve}) or restored.
     */
    long sequence;
    /**
     * False while {@code send()} is recording it in the store: it holds its place (and counts
     * against the limits) but is not handed to a transport yet. Guarded by the outbox.
     */
    boolean recorded;
    /** True once the store recorded that it is being sent (at-most-once only). Lane-confined. */
    boolean markedSending;
    /**
     * While awaiting acknowledgement: when it was handed to the current transport, for the ack
     * timeout. Guarded by the outbox.
     */
    long sentAtMillis;

    Entry(Message message, Object key, long acceptedAtMillis) {
      this(message, key, acceptedAtMillis, false);
      this.recorded = true;
    }

    private Entry(Message message, Object key, long acceptedAtMillis, boolean written) {
      this.message = message;
      this.key = key;
      this.acceptedAtMillis = acceptedAtMillis;
      this.bytes = message.byteCount();
      this.written = written;
    }

    /** A message of the store, accepted {@code acceptedAtMillis} on this process's clock. */
    static Entry restored(StoredMessage stored, Object key, long acceptedAtMillis) {
      Entry e = new Entry(stored.message(), key, acceptedAtMillis, false);
      e.sequence = stored.sequence();
      e.recorded = true;
      e.markedSending = stored.sending();
      return e;
    }

    /** A message being recorded by {@code send()}: see {@link #recorded}. */
    static Entry unrecorded(Message message, Object key, long acceptedAtMillis) {
      return new Entry(message, key, acceptedAtMillis, false);
    }

    /** This entry queued again at {@code nowMillis}; {@code written} as above. */
    Entry again(boolean written, long nowMillis) {
      Entry e = new Entry(message, key, nowMillis, written);
      e.sequence = sequence;
      e.recorded = true;
      e.markedSending = markedSending;
      return e;
    }
  }

  /** What became of an entry {@code send()} was recording ({@link #finishRecording}). */
  enum Recording {
    /** Recorded and queued: it goes out in its turn. */
    QUEUED,
    /** The store failed: it left the outbox, {@code send()} reports it. */
    WITHDRAWN,
    /** The connection closed meanwhile and reported it with the rest. */
    TAKEN_BY_CLOSE
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
  /** The sequence number the next recorded message gets (with a store); guarded by this. */
  private long nextSequence = 1;
  /**
   * {@code send()} calls between {@link #reserve} and {@link #finishRecording} (or, when the close
   * took their entry, {@link #doneRecording}); guarded by this.
   */
  private int recording;
  /** True once {@link #releaseStore} said the store may close; guarded by this. */
  private boolean storeReleased;

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
    return admit(new Entry(message, key, nowMillis), false);
  }

  /**
   * With a store: appends {@code e} (from {@link Entry#unrecorded}) and gives it its sequence
   * number; returns null when it holds its place, else why it was rejected. The caller records it
   * outside this lock, then calls {@link #finishRecording} and {@link #doneRecording}.
   */
  String reserve(Entry e) {
    return admit(e, true);
  }

  /**
   * Before anything is sent: appends {@code e}, restored from the store, under the usual limits;
   * returns null when accepted, else why not.
   */
  String restore(Entry e) {
    return admit(e, false);
  }

  /** After a restore: new messages are numbered after {@code sequence}, the highest in the store. */
  synchronized void continueAfter(long sequence) {
    nextSequence = Math.max(nextSequence, sequence + 1);
  }

  private String admit(Entry e, boolean reserve) {
    String rejected = accept(e, reserve);
    if (rejected != DUPLICATE_KEY) return rejected;
    // Two messages under one key could not be told apart by their acknowledgement: one would be
    // released by the other's ack, or never. The key's toString() is app code, so it is asked
    // here, outside the lock.
    return "another message with ack key " + describeKey(e.key) + " is queued or awaiting"
        + " acknowledgement; keys must be unique among held messages";
  }

  /**
   * {@code send()} recorded {@code e} ({@code recorded}) or failed to. Marks it ready to be sent,
   * or withdraws it; says what became of it. Unless the close took it, the sender is done with
   * the store (one lock for the usual case); after {@link Recording#TAKEN_BY_CLOSE} it still owes
   * {@link #doneRecording}.
   */
  synchronized Recording finishRecording(Entry e, boolean recorded) {
    // An entry being recorded leaves the outbox only here or in close(): nothing sends, expires
    // or drops it meanwhile.
    if (closedBecause != null) return Recording.TAKEN_BY_CLOSE;
    recording--; // Not closed: the store cannot close before the outbox does.
    if (recorded) {
      e.recorded = true;
      return Recording.QUEUED;
    }
    remove(e);
    return Recording.WITHDRAWN;
  }

  /**
   * The sending thread is done with the store, after its own remove of a message the close took
   * ({@link Recording#TAKEN_BY_CLOSE}). True when the store may close now: the caller closes it.
   */
  synchronized boolean doneRecording() {
    recording--;
    return releaseStore();
  }

  /**
   * True once, when the connection closed and no {@code send()} is recording: the store may
   * close. Otherwise the last sender's {@link #doneRecording} says so.
   */
  synchronized boolean releaseStore() {
    if (closedBecause == null || recording > 0 || storeReleased) return false;
    storeReleased = true;
    return true;
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

  private synchronized String accept(Entry e, boolean reserve) {
    if (closedBecause != null) {
      // Under the same lock as close(): a send() racing the end is either reported by close()
      // or refused here, never accepted after the last report.
      throw new IllegalStateException("send() after the connection closed: " + closedBecause);
    }
    if (e.bytes > policy.maxBytes()) {
      return "message of " + e.bytes + " bytes exceeds the outbox limit of " + policy.maxBytes()
          + " bytes (OutboxPolicy maxBytes); it can never be queued";
    }
    Object key = e.key;
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
    if (reserve) {
      e.sequence = nextSequence++;
      recording++;
    }
    entries.addLast(e);
    bytes += e.bytes;
    if (key != null) keys.add(key);
    return null;
  }

  /**
   * The oldest entry, or null when there is none or it is still being recorded: order is kept,
   * so nothing overtakes it.
   */
  synchronized Entry peek() {
    Entry e = entries.peekFirst();
    return e != null && e.recorded ? e : null;
  }

  /**
   * The at-most-once entries that may go out next and are not marked as being sent in the store:
   * those without a key among the recorded ones at the front.
   */
  synchronized List<Entry> unmarkedAtMostOnce() {
    List<Entry> unmarked = new ArrayList<Entry>();
    for (Entry e : entries) {
      if (!e.recorded) break;
      if (e.key == null && !e.markedSending) unmarked.add(e);
    }
    return unmarked;
  }

  /** Removes {@code e}, wherever it is queued, for good (it is reported). */
  synchronized void withdraw(Entry e) {
    remove(e);
  }

  private void remove(Entry e) {
    for (Iterator<Entry> i = entries.iterator(); i.hasNext(); ) {
      if (i.next() == e) {
        i.remove();
        bytes -= e.bytes;
        if (e.key != null) keys.remove(e.key);
        return;
      }
    }
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

  /**
   * Removes and returns the entries older than the TTL (none when there is no TTL). One still
   * being recorded was accepted just now and is left to its sender.
   */
  synchronized List<Entry> expire(long nowMillis) {
    List<Entry> expired = new ArrayList<Entry>();
    if (policy.ttlMillis() == 0) return expired;
    for (Iterator<Entry> i = entries.iterator(); i.hasNext(); ) {
      Entry e = i.next();
      if (e.recorded && nowMillis - e.acceptedAtMillis >= policy.ttlMillis()) {
        i.remove();
        bytes -= e.bytes;
        if (e.key != null) keys.remove(e.key);
        expired.add(e);
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
  public Message acknowledge(Object key) {
    Entry e = acknowledged(key);
    return e != null ? e.message : null;
  }

  /** Releases the entry held under {@code key}; returns it, or null if none is held. */
  synchronized Entry acknowledged(Object key) {
    Entry e = unacked.remove(key);
    if (e == null) e = removeWritten(key); // The ack came after its transport was lost.
    if (e == null) return null;
    bytes -= e.bytes;
    keys.remove(e.key);
    return e;
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
   * still queued, to be reported, including entries still being recorded (their {@link
   * Entry#recorded} is final from here on: their senders see {@link Recording#TAKEN_BY_CLOSE}).
   */
  synchronized List<Entry> close(String reason) {
    closedBecause = reason;
    List<Entry> all = new ArrayList<Entry>(entries);
    for (Entry e : entries) bytes -= e.bytes;
    entries.clear();
    keys.clear();
    return all;
  }

  /**
   * When the oldest recorded queued message was accepted, or {@link Long#MAX_VALUE} when none is
   * (restored messages may predate this process's clock: negative times are valid).
   */
  public synchronized long oldestAcceptedAtMillis() {
    long oldest = Long.MAX_VALUE;
    for (Entry e : entries) {
      if (e.recorded && e.acceptedAtMillis < oldest) oldest = e.acceptedAtMillis;
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
