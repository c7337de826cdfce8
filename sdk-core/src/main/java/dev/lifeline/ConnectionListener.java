package dev.lifeline;

import okio.ByteString;

/**
 * Receives a connection's state changes, messages and failures. Override what you need; every
 * method does nothing by default.
 *
 * <p><b>Threads.</b> Called on the executor chosen with {@link Lifeline.Builder#callbackExecutor}
 * (Android: the main thread), never on the scheduler; per connection one call at a time, in order.
 * A method may call the connection's own methods ({@code send}, {@code close}). It may block, but
 * the connection's later listener calls wait behind it, received messages pile up until reading
 * pauses (docs/behaviour.md, "Inbound backpressure"), and it is reported as stuck ({@link
 * EventListener#hookStuck} and a WARN) after {@link Lifeline.Builder#stuckHookThreshold}. On a
 * single-thread executor such as the main thread it also holds up every other connection's calls.
 * An exception thrown here is logged and never breaks the connection.
 *
 * <pre>{@code
 * ConnectionListener listener = new ConnectionListener() {
 *   @Override public void onMessage(Connection c, String text) {
 *     inbox.add(text);
 *   }
 *
 *   @Override public void onSendFailed(Connection c, Message message, String reason) {
 *     failures.add(message + ": " + reason); // e.g. "outbox full: 100 messages queued …"
 *   }
 * };
 * }</pre>
 */
public abstract class ConnectionListener {
  /** The connection moved to {@code state}. */
  public void onStateChanged(Connection connection, ConnectionState state) {}

  /**
   * A text message arrived. Server heartbeats answered by the {@link ServerHeartbeatResponder}
   * and acknowledgements recognised by the {@link AckMatcher} are protocol traffic and do not
   * reach this method.
   */
  public void onMessage(Connection connection, String text) {}

  /** A binary message arrived. */
  public void onMessage(Connection connection, ByteString bytes) {}

  /** The server acknowledged {@code message} (at-least-once mode only, see {@link AckMatcher}). */
  public void onDelivered(Connection connection, Message message) {}

  /**
   * A message accepted or offered by {@link Connection#send} will not be sent: the outbox was
   * full, the message expired, or the connection closed for good before it could go out (or, in
   * at-least-once mode, before the server acknowledged it).
   */
  public void onSendFailed(Connection connection, Message message, String reason) {}
}
