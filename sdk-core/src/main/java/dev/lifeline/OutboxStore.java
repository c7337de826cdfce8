package dev.lifeline;

import java.io.IOException;
import java.util.Collections;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Where a connection keeps the messages its outbox holds, so that they survive the process
 * (docs/behaviour.md, "Durable outbox"). Opt-in per connection with {@code
 * ConnectionOptions.Builder#journal} (Lifeline's own append-only file, {@code OutboxJournal}) or
 * {@code ConnectionOptions.Builder#outboxStore} (an app's own, e.g. SQLite or Room).
 *
 * <p>The contract, in the order Lifeline calls it:
 * <ol>
 *   <li>{@link #open()} once, when the connection is created: what is recorded and not removed,
 *       in {@link StoredMessage#sequence()} order, and the last inbound stream position. A store
 *       open by another connection or process must refuse ({@link IllegalStateException} or
 *       {@link IOException} with a message saying so).
 *   <li>{@link #add} for each message {@link Connection#send} accepts, before {@code send}
 *       returns true: on return the record must be as durable as the store promises (for
 *       {@code OutboxJournal}, its {@code OutboxJournal.Durability}). It may be called from
 *       several app threads at once; a store that syncs to the device should let concurrent
 *       calls share one sync (group commit). When it throws, {@code send} returns false and the
 *       app hears {@link ConnectionListener#onSendFailed} with the store's message.
 *   <li>{@link #markSending} before an at-most-once message (one without an acknowledgement key)
 *       is handed to the network, durable as {@link #add}: after a restart such a message may
 *       have reached the server, so it is reported "may not have been delivered", never sent
 *       twice.
 *   <li>{@link #remove} once a message is settled: delivered (acknowledged in at-least-once mode,
 *       written in at-most-once mode), reported through {@code onSendFailed}, or expired. A
 *       remove that is lost (the process died first) only means the message comes back after a
 *       restart: at-least-once messages are sent again (the server drops the duplicate by {@link
 *       Message#id()}), at-most-once ones marked sending are reported.
 *   <li>{@link #savePosition} after the app's listener handled an inbound message that carries a
 *       stream position ({@code ConnectionOptions.Builder#resume}).
 *   <li>{@link #close()} when the connection ends for good; the store may be opened again then.
 * </ol>
 *
 * <p><b>Threads.</b> {@link #add} runs on the app threads that call {@code send()}, the other
 * methods on Lifeline's threads for the connection; calls may overlap, so a store must be
 * thread-safe. {@link #open()} returns before any other call, and {@link #close()} is the last.
 * An exception from {@link #markSending}, {@link #remove} or {@link #savePosition} is logged, and
 * the message concerned is treated as the contract above says for a lost record.
 */
public interface OutboxStore {
  /**
   * Takes this store for one connection and reads what it holds.
   *
   * @return the recorded messages, oldest first, and the last stream position
   * @throws IOException when the store cannot be read or is in use elsewhere; the connection is
   *     then not created, and {@link Lifeline#newConnection} throws with this message.
   */
  Contents open() throws IOException;

  /**
   * Records {@code message}, accepted by {@code send()}.
   *
   * @param message the message with its sequence number, greater than any recorded before
   * @throws IOException when it cannot be recorded (disk full, I/O error); the send is refused.
   */
  void add(StoredMessage message) throws IOException;

  /**
   * Records {@code messages}, accepted together by {@link Connection#sendAll}, as {@link #add}
   * would one by one, before {@code sendAll} returns. A store that syncs should sync once for all
   * of them: that is what makes a burst cheap. By default, {@link #add} for each in turn.
   *
   * @param messages the messages, in increasing sequence order, at least one
   * @throws IOException when they cannot all be recorded; then none of them is accepted, and a
   *     store should leave none of them recorded (one left behind only comes back after a
   *     restart, to be sent or reported again)
   */
  default void addAll(List<StoredMessage> messages) throws IOException {
    for (StoredMessage m : messages) add(m);
  }

  /**
   * Records that the messages with these sequence numbers are about to be written to the network.
   *
   * @param sequences one or more sequence numbers of recorded messages
   * @throws IOException when it cannot be recorded; those messages are then reported as not
   *     delivered instead of being sent.
   */
  void markSending(long[] sequences) throws IOException;

  /**
   * Forgets the messages with these sequence numbers: they are settled.
   *
   * @param sequences one or more sequence numbers of recorded messages
   * @throws IOException when it cannot be recorded (logged; see the contract above)
   */
  void remove(long[] sequences) throws IOException;

  /**
   * Keeps {@code position}, replacing the last one.
   *
   * @param position the position of the last inbound message the app handled, as the
   *     connection's stream-position extractor gave it
   * @throws IOException when it cannot be recorded (logged; the older position stays)
   */
  void savePosition(String position) throws IOException;

  /**
   * Releases the store: it may be opened again.
   *
   * @throws IOException when closing fails (logged)
   */
  void close() throws IOException;

  /** What {@link #open()} found. */
  final class Contents {
    /** The messages, in sequence order. */
    private final List<StoredMessage> messages;
    /** The last stream position, or null. */
    private final @Nullable String position;
    /** What the store found damaged and skipped, for people, or null when nothing was. */
    private final @Nullable String damage;

    /**
     * What a store holds.
     *
     * @param messages the recorded messages, in increasing sequence order
     * @param position the last saved stream position, or null
     * @param damage what was found damaged and skipped (e.g. "12 bytes at offset 4096 failed
     *     their checksum"), or null when the store read cleanly; Lifeline reports it
     */
    public Contents(List<StoredMessage> messages, @Nullable String position,
        @Nullable String damage) {
      if (messages == null) throw new NullPointerException("messages == null");
      this.messages = Collections.unmodifiableList(messages);
      this.position = position;
      this.damage = damage;
    }

    /**
     * An empty store.
     *
     * @return contents with no message, no position and no damage
     */
    public static Contents empty() {
      return new Contents(Collections.<StoredMessage>emptyList(), null, null);
    }

    /**
     * The recorded messages.
     *
     * @return the messages, oldest first
     */
    public List<StoredMessage> messages() { return messages; }

    /**
     * The last saved stream position.
     *
     * @return the position, or null
     */
    public @Nullable String position() { return position; }

    /**
     * What was damaged and skipped.
     *
     * @return a description for people, or null
     */
    public @Nullable String damage() { return damage; }
  }
}
