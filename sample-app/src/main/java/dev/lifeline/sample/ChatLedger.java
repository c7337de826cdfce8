package dev.lifeline.sample;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Delivery accounting for chat messages. The demo server echoes every chat message, so a message
 * counts as delivered when its echo comes back. A message is lost when it was accepted by {@code
 * send()}, never echoed, and never reported through {@code onSendFailed}: the one outcome Lifeline
 * promises never happens silently. Thread-safe.
 */
final class ChatLedger {
  static final long NOT_OURS = -1;
  static final long DUPLICATE = -2;

  /** Accepted and not yet echoed or failed: text → when it was sent (timeline ms). */
  private final Map<String, Long> pending = new LinkedHashMap<>();
  /** Delivered, to recognise duplicates. */
  private final Set<String> done = new HashSet<>();
  private long sent;
  private long delivered;
  private long failed;
  private long duplicates;

  /**
   * Call just before {@code send()}: the echo can arrive before {@code send()} even returns.
   */
  synchronized void sending(String text, long atMillis) {
    sent++;
    pending.put(text, atMillis);
  }

  /** {@code send()} returned false: the outbox refused it, visibly, so it counts as failed. */
  synchronized void rejected(String text) {
    if (pending.remove(text) != null) failed++;
  }

  /**
   * Returns the round-trip time; {@link #NOT_OURS} when {@code text} is not one of our chat
   * messages; {@link #DUPLICATE} when it was already echoed (a resend delivered it twice).
   */
  synchronized long echoed(String text, long atMillis) {
    Long at = pending.remove(text);
    if (at == null) {
      if (!done.contains(text)) return NOT_OURS;
      duplicates++;
      return DUPLICATE;
    }
    done.add(text);
    delivered++;
    return atMillis - at;
  }

  /** Reported through onSendFailed. Returns true when it was one of ours, pending. */
  synchronized boolean failed(String text) {
    if (pending.remove(text) == null) return false;
    failed++;
    return true;
  }

  synchronized int pendingCount() {
    return pending.size();
  }

  synchronized long sent() { return sent; }
  synchronized long delivered() { return delivered; }
  synchronized long failed() { return failed; }
  synchronized long duplicates() { return duplicates; }

  /** Accepted, never echoed, never reported: must be 0. Meaningful once the run has drained. */
  synchronized long lost() {
    return pending.size();
  }
}
