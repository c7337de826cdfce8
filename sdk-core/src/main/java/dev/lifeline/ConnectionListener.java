package dev.lifeline;

import okio.ByteString;

/**
 * Receives a connection's state changes, messages and failures, on the executor chosen
 * with {@link Lifeline.Builder#callbackExecutor} (Android: the main thread). Calls for one
 * connection arrive in order. An exception thrown here is logged and never breaks the connection.
 * Override what you need; every method does nothing by default.
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
