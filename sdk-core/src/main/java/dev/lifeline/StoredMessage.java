package dev.lifeline;

/**
 * A message as an {@link OutboxStore} records it: the message (with its {@link Message#id()}),
 * Lifeline's sequence number for it, when it was accepted, and whether it was marked as being
 * sent. Immutable.
 */
public final class StoredMessage {
  /** Lifeline's number for the message in this store, increasing, > 0. */
  private final long sequence;
  /** The message, with its id. */
  private final Message message;
  /** When {@code send()} accepted it, in ms since the epoch (wall clock: it outlives the process). */
  private final long acceptedAtEpochMillis;
  /** True once {@link OutboxStore#markSending} recorded it. */
  private final boolean sending;

  /**
   * A recorded message.
   *
   * @param sequence the sequence number, > 0
   * @param message the message, with its id
   * @param acceptedAtEpochMillis when it was accepted, in ms since the epoch
   * @param sending whether it was marked as being sent
   */
  public StoredMessage(long sequence, Message message, long acceptedAtEpochMillis,
      boolean sending) {
    if (sequence <= 0) throw new IllegalArgumentException("sequence must be positive: " + sequence);
    if (message == null) throw new NullPointerException("message == null");
    this.sequence = sequence;
    this.message = message;
    this.acceptedAtEpochMillis = acceptedAtEpochMillis;
    this.sending = sending;
  }

  /**
   * Lifeline's sequence number for this message, unique and increasing within a store.
   *
   * @return the number, > 0
   */
  public long sequence() { return sequence; }

  /**
   * The message, with the id it had when it was sent.
   *
   * @return the message
   */
  public Message message() { return message; }

  /**
   * When {@link Connection#send} accepted it.
   *
   * @return ms since the epoch
   */
  public long acceptedAtEpochMillis() { return acceptedAtEpochMillis; }

  /**
   * Whether {@link OutboxStore#markSending} recorded it.
   *
   * @return true when it may have reached the network
   */
  public boolean sending() { return sending; }

  @Override public String toString() {
    return "StoredMessage{" + sequence + ", id=" + message.id() + ", " + message
        + (sending ? ", sending" : "") + "}";
  }
}
