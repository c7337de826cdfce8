package dev.lifeline;

import org.jspecify.annotations.Nullable;

/**
 * Recognises acknowledgements for the at-least-once mode, enabled with {@link
 * ConnectionOptions.Builder#atLeastOnce}. A message with a key stays held after it is sent until an
 * inbound message acknowledges that key; if the connection is lost first, it is sent again, in
 * order, after the reconnect; so is every held message when the oldest one has waited {@link
 * ConnectionOptions.Builder#ackTimeout} without an acknowledgement (the connection is replaced).
 * The server must therefore tolerate duplicates: deduplicate by key, and acknowledge a duplicate
 * again, or the message stays held until the ack timeout sends it once more. Keys are compared
 * with {@code equals} and must be unique among the messages still queued or held: {@link
 * Connection#send} rejects a message whose key is already held (it returns false and {@link
 * ConnectionListener#onSendFailed} says so, quoting the key only when its {@code toString()} is
 * at most 40 characters). A message without a key is at-most-once. See docs/behaviour.md,
 * "Sending and delivery".
 *
 * <p><b>Threads.</b> {@link #key} runs on the thread that calls {@link Connection#send}, {@link
 * #acknowledgedKey} on Lifeline's hook threads (see each method). Both may be called concurrently
 * (from several sending threads, or for several connections sharing the options), so an
 * implementation must be thread-safe; a stateless one is.
 *
 * <pre>{@code
 * // Outbound "msg:42:hello" is acknowledged by inbound "ack:42"; other messages need no ack.
 * // The server must tolerate duplicates: after a reconnect, "msg:42:hello" may arrive again.
 * Pattern outbound = Pattern.compile("msg:([^:]+):.*", Pattern.DOTALL);
 * AckMatcher acks = new AckMatcher() {
 *   @Override public Object key(Message out) {
 *     Matcher m = outbound.matcher(out.isText() ? out.text() : "");
 *     return m.matches() ? m.group(1) : null;
 *   }
 *
 *   @Override public Object acknowledgedKey(Message in) {
 *     return in.isText() && in.text().startsWith("ack:") ? in.text().substring(4) : null;
 *   }
 * };
 * ConnectionOptions options = ConnectionOptions.builder("wss://chat.example.com/socket")
 *     .atLeastOnce(acks)
 *     .build();
 * }</pre>
 */
public interface AckMatcher {
  /**
   * The key the server's acknowledgement will carry, or null for a message that needs none.
   * Called once per message, at send time, on the thread that calls {@link Connection#send} and
   * before {@code send} returns: a slow implementation slows that call, and it is not watched for
   * {@link Lifeline.Builder#stuckHookThreshold}. If it throws, a WARN is logged and the message is
   * sent at most once, without waiting for an acknowledgement.
   *
   * @param outbound a message the app is sending
   * @return the key to wait for, or null
   */
  @Nullable Object key(Message outbound);

  /**
   * The key that {@code inbound} acknowledges, or null when it is not an acknowledgement.
   * Acknowledgements are consumed: the app hears {@link ConnectionListener#onDelivered}, not
   * {@link ConnectionListener#onMessage}; one for a key not held (a duplicate) is dropped.
   *
   * <p>Called for every inbound message, in order, before the {@link ServerHeartbeatResponder}
   * and the listener, on the connection's message-hook lane: Lifeline's own daemon threads, never
   * the scheduler, one call at a time, in line with the {@link ServerHeartbeatResponder} and the
   * {@link HeartbeatPayload} supplier (not with events or log lines). The connection's later
   * inbound messages wait for it, so keep it fast; a call
   * running longer than {@link Lifeline.Builder#stuckHookThreshold} is reported as stuck. If it
   * throws, a WARN is logged and the message is handled as not an acknowledgement.
   *
   * @param inbound a message from the server
   * @return the key it acknowledges, or null
   */
  @Nullable Object acknowledgedKey(Message inbound);
}
