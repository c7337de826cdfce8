package dev.lifeline;

import okio.ByteString;

/**
 * Receives a connection's state changes, messages and failures. Override what you need; every
 * method does nothing by default. Or, with lambdas, build one from handlers: {@link #builder()}.
 *
 * <pre>{@code
 * ConnectionListener listener = ConnectionListener.builder()
 *     .onStateChanged((c, state) -> status.set(state))
 *     .onMessage((c, text) -> inbox.add(text))
 *     .onSendFailed((c, message, reason) -> log.warn("not sent: " + reason))
 *     .build();
 *
 * // The same as a subclass:
 * ConnectionListener subclass = new ConnectionListener() {
 *   @Override public void onMessage(Connection c, String text) {
 *     inbox.add(text);
 *   }
 * };
 * }</pre>
 *
 * <p><b>Threads.</b> Called on the executor chosen with {@link Lifeline.Builder#callbackExecutor}
 * (Android: the main thread), never on the scheduler; per connection one call at a time, in order.
 * A method may call the connection's own methods ({@code send}, {@code close}). It may block, but
 * the connection's later listener calls wait behind it, received messages pile up until reading
 * pauses (docs/behaviour.md, "Inbound backpressure"), and it is reported as stuck ({@link
 * EventListener#hookStuck} and a WARN) after {@link Lifeline.Builder#stuckHookThreshold}. On a
 * single-thread executor such as the main thread it also holds up every other connection's calls.
 * An exception thrown here is logged and never breaks the connection.

 */
public abstract class ConnectionListener {
  /**
   * The connection moved to {@code state}.
   *
   * @param connection the connection
   * @param state the new state, with its reason
   */
  public void onStateChanged(Connection connection, ConnectionState state) {}

  /**
   * A text message arrived. Server heartbeats answered by the {@link ServerHeartbeatResponder}
   * and acknowledgements recognised by the {@link AckMatcher} are protocol traffic and do not
   * reach this method.
   *
   * @param connection the connection
   * @param text the message
   */
  public void onMessage(Connection connection, String text) {}

  /**
   * A binary message arrived.
   *
   * @param connection the connection
   * @param bytes the message
   */
  public void onMessage(Connection connection, ByteString bytes) {}

  /**
   * The server acknowledged {@code message} (at-least-once mode only, see {@link AckMatcher}).
   *
   * @param connection the connection
   * @param message the message as sent
   */
  public void onDelivered(Connection connection, Message message) {}

  /**
   * A message accepted or offered by {@link Connection#send} will not be sent: the outbox was
   * full, the message expired, or the connection closed for good before it could go out (or, in
   * at-least-once mode, before the server acknowledged it).
   *
   * @param connection the connection
   * @param message the message that will not be sent
   * @param reason why, for people, e.g. "outbox full: 1000 messages queued …"
   */
  public void onSendFailed(Connection connection, Message message, String reason) {}

  /**
   * A listener built from lambdas, one per method that matters; the others do nothing.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /** Handles {@link ConnectionListener#onStateChanged}. */
  public interface StateChangeHandler {
    /**
     * The connection moved to {@code state}.
     *
     * @param connection the connection
     * @param state the new state
     */
    void onStateChanged(Connection connection, ConnectionState state);
  }

  /** Handles {@link ConnectionListener#onMessage(Connection, String)}. */
  public interface TextMessageHandler {
    /**
     * A text message arrived.
     *
     * @param connection the connection
     * @param text the message
     */
    void onMessage(Connection connection, String text);
  }

  /** Handles {@link ConnectionListener#onMessage(Connection, ByteString)}. */
  public interface BinaryMessageHandler {
    /**
     * A binary message arrived.
     *
     * @param connection the connection
     * @param bytes the message
     */
    void onMessage(Connection connection, ByteString bytes);
  }

  /** Handles {@link ConnectionListener#onDelivered}. */
  public interface DeliveredHandler {
    /**
     * The server acknowledged {@code message}.
     *
     * @param connection the connection
     * @param message the message acknowledged
     */
    void onDelivered(Connection connection, Message message);
  }

  /** Handles {@link ConnectionListener#onSendFailed}. */
  public interface SendFailedHandler {
    /**
     * {@code message} will not be sent.
     *
     * @param connection the connection
     * @param message the message
     * @param reason why, for people
     */
    void onSendFailed(Connection connection, Message message, String reason);
  }

  /**
   * Builds a {@link ConnectionListener} from handlers. Each setter replaces the handler set before
   * for the same method; a method without a handler does nothing. The built listener is called
   * exactly as a subclass would be (same threads, same order).
   */
  public static final class Builder {
    private StateChangeHandler stateChanged;
    private TextMessageHandler textMessage;
    private BinaryMessageHandler binaryMessage;
    private DeliveredHandler delivered;
    private SendFailedHandler sendFailed;

    Builder() {}

    /**
     * Handles {@link ConnectionListener#onStateChanged}.
     *
     * @param handler called for every state change
     * @return this builder
     */
    public Builder onStateChanged(StateChangeHandler handler) {
      stateChanged = Checks.notNull("onStateChanged handler", handler);
      return this;
    }

    /**
     * Handles text messages, {@link ConnectionListener#onMessage(Connection, String)}. Binary
     * messages have their own setter, {@link #onBinaryMessage}: one overloaded name would make
     * {@code (c, m) -> …} ambiguous to the compiler.
     *
     * @param handler called for every text message
     * @return this builder
     */
    public Builder onMessage(TextMessageHandler handler) {
      textMessage = Checks.notNull("onMessage handler", handler);
      return this;
    }

    /**
     * Handles binary messages, {@link ConnectionListener#onMessage(Connection, ByteString)}.
     *
     * @param handler called for every binary message
     * @return this builder
     */
    public Builder onBinaryMessage(BinaryMessageHandler handler) {
      binaryMessage = Checks.notNull("onBinaryMessage handler", handler);
      return this;
    }

    /**
     * Handles {@link ConnectionListener#onDelivered}.
     *
     * @param handler called for every acknowledged message
     * @return this builder
     */
    public Builder onDelivered(DeliveredHandler handler) {
      delivered = Checks.notNull("onDelivered handler", handler);
      return this;
    }

    /**
     * Handles {@link ConnectionListener#onSendFailed}.
     *
     * @param handler called for every message that will not be sent
     * @return this builder
     */
    public Builder onSendFailed(SendFailedHandler handler) {
      sendFailed = Checks.notNull("onSendFailed handler", handler);
      return this;
    }

    /**
     * Builds the listener.
     *
     * @return a listener calling the handlers set so far
     */
    public ConnectionListener build() {
      return new HandlerListener(this);
    }
  }

  /** The listener a {@link Builder} makes: each method calls its handler, if one was set. */
  private static final class HandlerListener extends ConnectionListener {
    private final StateChangeHandler stateChanged;
    private final TextMessageHandler textMessage;
    private final BinaryMessageHandler binaryMessage;
    private final DeliveredHandler delivered;
    private final SendFailedHandler sendFailed;

    HandlerListener(Builder b) {
      stateChanged = b.stateChanged;
      textMessage = b.textMessage;
      binaryMessage = b.binaryMessage;
      delivered = b.delivered;
      sendFailed = b.sendFailed;
    }

    @Override public void onStateChanged(Connection connection, ConnectionState state) {
      if (stateChanged != null) stateChanged.onStateChanged(connection, state);
    }

    @Override public void onMessage(Connection connection, String text) {
      if (textMessage != null) textMessage.onMessage(connection, text);
    }

    @Override public void onMessage(Connection connection, ByteString bytes) {
      if (binaryMessage != null) binaryMessage.onMessage(connection, bytes);
    }

    @Override public void onDelivered(Connection connection, Message message) {
      if (delivered != null) delivered.onDelivered(connection, message);
    }

    @Override public void onSendFailed(Connection connection, Message message, String reason) {
      if (sendFailed != null) sendFailed.onSendFailed(connection, message, reason);
    }

    @Override public String toString() {
      return "ConnectionListener{handles" + (stateChanged != null ? " onStateChanged" : "")
          + (textMessage != null ? " onMessage" : "")
          + (binaryMessage != null ? " onBinaryMessage" : "")
          + (delivered != null ? " onDelivered" : "")
          + (sendFailed != null ? " onSendFailed" : "") + "}";
    }
  }
}
