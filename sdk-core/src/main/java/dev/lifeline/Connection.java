package dev.lifeline;

import java.util.List;
import okio.ByteString;

/**
 * One long-lived connection that keeps itself alive: heartbeats, server-silence watch, jittered
 * reconnection and a bounded outbox. Created by {@link Lifeline#newConnection}.
 *
 * <p>All methods are thread-safe, may be called from any thread (listener callbacks included) and
 * return at once: each request is queued to the connection's own serial lane on the client's
 * scheduler and takes effect there, in the order the requests were made. Only {@link #send} does
 * work on the calling thread: it checks the message, asks {@link AckMatcher#key} in at-least-once
 * mode, and queues the message in the outbox; when the connection is idle it also hands the
 * message to the transport right there, which saves a thread hand-off and never waits for the
 * network (docs/architecture.md, "Threads").
 *
 * <p>Closing is the contract: a connection reconnects by itself until {@link #close()}, so it
 * is {@link AutoCloseable}, and a connection used for one job can live in a try-with-resources
 * block:
 *
 * <pre>{@code
 * try (Connection connection = lifeline.newConnection(url, listener)) {
 *   connection.connect();
 *   connection.send("report");
 *   done.await(30, SECONDS);
 * } // close(): queued messages flushed, then a close 1000
 * }</pre>
 */
public interface Connection extends AutoCloseable {
  /**
   * Starts connecting. Reconnection is automatic from then on until {@link #close()} or a
   * terminal outcome.
   *
   * @throws IllegalStateException if called twice, or after close.
   */
  void connect();

  /**
   * Sends a text message now if connected, else queues it in the outbox to go out in order once
   * connected.
   *
   * @param text the message
   * @return false (and {@link ConnectionListener#onSendFailed}) when the outbox is full.
   * @throws IllegalStateException after {@link #close()} or a terminal state.
   * @throws IllegalArgumentException on a tcp:// or tcp+tls:// connection, when {@code text}
   *     contains {@code \n}: every message there is one line, and the server would read two.
   */
  boolean send(String text);

  /**
   * Sends a binary message; same contract as {@link #send(String)}.
   *
   * @param bytes the message
   * @return false (and {@link ConnectionListener#onSendFailed}) when the outbox is full
   * @throws IllegalArgumentException on a tcp:// or tcp+tls:// connection, which carries text
   *     lines only.
   */
  boolean send(ByteString bytes);

  /**
   * Sends {@code message}; same contract as {@link #send(String)}.
   *
   * @param message the message, text or binary
   * @return false (and {@link ConnectionListener#onSendFailed}) when the outbox is full
   */
  boolean send(Message message);

  /**
   * Sends {@code messages} in order, as {@link #send(Message)} would one by one, but accepted
   * together: with an outbox store ({@link ConnectionOptions.Builder#outboxStore}) they are
   * recorded with one store call, so a burst costs one write and, with {@link
   * OutboxJournal.Durability#POWER_LOSS}, one fsync instead of one per message. Each message is
   * accepted or rejected on its own (outbox limits, keys), a rejected one reported through {@link
   * ConnectionListener#onSendFailed}; when the store cannot record them, none is accepted and
   * each is reported. Messages other threads send meanwhile may fall between them.
   *
   * <pre>{@code
   * List<Message> burst = new ArrayList<>();
   * for (String reading : readings) burst.add(Message.text(reading));
   * int accepted = connection.sendAll(burst); // one fsync at POWER_LOSS
   * }</pre>
   *
   * @param messages the messages, none null
   * @return how many were accepted
   * @throws IllegalStateException after {@link #close()} or a terminal state.
   * @throws IllegalArgumentException on a tcp:// or tcp+tls:// connection when one of them
   *     cannot be a line (see {@link #send(String)}); then none is accepted.
   */
  int sendAll(List<Message> messages);

  /**
   * Closes gracefully and for good (close code 1000): queued messages are flushed first if
   * connected; any that cannot be sent are reported through {@link
   * ConnectionListener#onSendFailed}. Idempotent. Returns at once and throws nothing (unlike
   * {@link AutoCloseable#close()}, no checked exception); the close takes effect on the
   * connection's lane.
   */
  @Override void close();

  /** Cuts a pending reconnect delay short and tries at once (a user tapping "retry"). */
  void reconnectNow();

  /**
   * The state last decided on the connection's lane; a request just made (e.g. {@link #close()})
   * shows here once the lane has handled it.
   *
   * @return the state, never null
   */
  ConnectionState state();

  /**
   * Registers {@code observer}: it is told the current state, then every change in order, on
   * Lifeline's hook threads (see {@link StateObserver}), until the returned subscription is closed.
   * The first state it is told is never older than what {@link #state()} returned before this
   * call. Works before {@link #connect()} and after close (the observer is then told the final
   * state). Kotlin apps use {@code connection.stateFlow()} from {@code dev.lifeline:lifeline-kotlin},
   * built on this.
   *
   * @param observer told each state, in order
   * @return the subscription; closing it stops further calls
   * @throws NullPointerException if {@code observer} is null.
   */
  Subscription observeState(StateObserver observer);

  /**
   * Messages waiting in the outbox.
   *
   * @return the count
   */
  int queuedMessages();

  /**
   * The client heartbeat interval in use now, in ms: {@link HeartbeatPolicy#intervalMillis()}, or
   * the adaptive heartbeat's current choice (docs/behaviour.md, "Adaptive heartbeat").
   *
   * @return the interval in ms
   */
  long heartbeatIntervalMillis();

  /**
   * The options this connection was created with.
   *
   * @return the options
   */
  ConnectionOptions options();
}
