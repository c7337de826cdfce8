package dev.lifeline;

/**
 * Recognises acknowledgements for the at-least-once mode
 * (docs/behaviour.md, "Sending and delivery"), enabled with {@link
 * ConnectionOptions.Builder#atLeastOnce}. A message with a key stays held after it is sent until an
 * inbound message acknowledges that key; if the connection is lost first, it is sent again, in
 * order, after the reconnect. The server must therefore tolerate duplicates (deduplicate by key).
 * Called on the scheduler thread: keep it fast.
 *
 * <pre>{@code
 * // Outbound {"id":"42",...} is acknowledged by inbound {"ack":"42"}.
 * AckMatcher acks = new AckMatcher() {
 *   public Object key(Message out) { return json(out).optString("id", null); }
 *   public Object acknowledgedKey(Message in) { return json(in).optString("ack", null); }
 * };
 * }</pre>
 */
public interface AckMatcher {
  /** The key the server's acknowledgement will carry, or null for a message that needs none. */
  Object key(Message outbound);

  /**
   * The key that {@code inbound} acknowledges, or null when it is not an acknowledgement.
   * Acknowledgements are consumed: the app hears {@link ConnectionListener#onDelivered}, not
   * {@link ConnectionListener#onMessage}.
   */
  Object acknowledgedKey(Message inbound);
}
