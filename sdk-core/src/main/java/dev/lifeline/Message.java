package dev.lifeline;

import dev.lifeline.internal.MessageIds;
import okio.ByteString;
import okio.Utf8;
import org.jspecify.annotations.Nullable;

/**
 * One application message: text (UTF-8) or binary, with an id. Immutable.
 *
 * <p><b>Ids.</b> Every message has an {@link #id()}: one Lifeline made up when the message was
 * created (unique: a random part drawn once per process and a counter), or the app's own, given
 * with {@link #withId}. A connection with a durable outbox ({@code
 * ConnectionOptions.Builder#journal}) records the id with the message, so the message keeps it
 * after a restart and in every resend: a server that sees an id twice can drop the duplicate of an
 * at-least-once resend. To let the server see it, put it in the payload:
 *
 * <pre>{@code
 * String id = Message.newId();
 * connection.send(Message.text("{\"id\":\"" + id + "\",\"body\":\"hello\"}").withId(id));
 * }</pre>
 *
 * and, for at-least-once delivery, acknowledge by id: an {@link AckMatcher} whose {@code key}
 * returns {@code outbound.id()}. The id is not part of {@link #equals}: two messages with the
 * same kind and payload are equal.
 */
public final class Message {
  /** Longest id, in UTF-16 chars. */
  public static final int MAX_ID_LENGTH = 128;

  /** The text, or null for a binary message. */
  private final @Nullable String text;
  /** The bytes, or null for a text message. */
  private final @Nullable ByteString bytes;
  /** The app's id, or null while the message has Lifeline's ({@link #serial}). */
  private final @Nullable String appId;
  /** Lifeline's number for the message in this process, when {@link #appId} is null. */
  private final long serial;

  private Message(@Nullable String text, @Nullable ByteString bytes) {
    this.text = text;
    this.bytes = bytes;
    this.appId = null;
    this.serial = MessageIds.next();
  }

  private Message(Message m, String appId) {
    this.text = m.text;
    this.bytes = m.bytes;
    this.appId = appId;
    this.serial = 0;
  }

  /**
   * A fresh id, unique like the ones Lifeline gives each message: to put in a payload before the
   * message is made, then given to it with {@link #withId}.
   *
   * @return a new id, 15 to 27 characters of {@code [0-9a-z-]}
   */
  public static String newId() {
    return MessageIds.format(MessageIds.next());
  }

  /**
   * The message's id: the app's ({@link #withId}) or the one Lifeline gave it when it was made.
   * Stays the same across resends and, with a durable outbox, across restarts.
   *
   * @return the id, never empty
   */
  public String id() {
    return appId != null ? appId : MessageIds.format(serial);
  }

  /**
   * This message with the app's {@code id} in place of its own.
   *
   * @param id 1 to {@value #MAX_ID_LENGTH} characters, e.g. from {@link #newId()} or the app's own
   *     database key
   * @return a copy with that id
   * @throws IllegalArgumentException when {@code id} is empty or too long
   */
  public Message withId(String id) {
    if (id == null) throw new NullPointerException("id == null");
    if (id.isEmpty() || id.length() > MAX_ID_LENGTH) {
      throw new IllegalArgumentException("a message id has 1 to " + MAX_ID_LENGTH
          + " characters, was " + id.length());
    }
    return new Message(this, id);
  }

  /**
   * A text message.
   *
   * @param text the text, not null
   * @return the message
   */
  public static Message text(String text) {
    if (text == null) throw new NullPointerException("text == null");
    return new Message(text, null);
  }

  /**
   * A binary message.
   *
   * @param bytes the payload, not null
   * @return the message
   */
  public static Message binary(ByteString bytes) {
    if (bytes == null) throw new NullPointerException("bytes == null");
    return new Message(null, bytes);
  }

  /**
   * A binary message holding a copy of {@code bytes}.
   *
   * @param bytes the payload, not null; later changes to the array do not affect the message
   * @return the message
   */
  public static Message binary(byte[] bytes) {
    if (bytes == null) throw new NullPointerException("bytes == null");
    return new Message(null, ByteString.of(bytes));
  }

  /**
   * Whether this is a text message.
   *
   * @return true for text, false for binary
   */
  public boolean isText() {
    return text != null;
  }

  /**
   * The text of a text message.
   *
   * @return the text
   * @throws IllegalStateException for a binary message
   */
  public String text() {
    if (text == null) throw new IllegalStateException("binary message has no text");
    return text;
  }

  /**
   * The payload as bytes.
   *
   * @return the bytes; UTF-8 for a text message
   */
  public ByteString bytes() {
    return bytes != null ? bytes : ByteString.encodeUtf8(text);
  }

  /**
   * Payload size in bytes, as counted against outbox limits.
   *
   * @return the size in bytes (UTF-8 for text)
   */
  public long byteCount() {
    return bytes != null ? bytes.size() : Utf8.size(text);
  }

  @Override public boolean equals(Object o) {
    if (!(o instanceof Message)) return false;
    Message m = (Message) o;
    return text != null ? text.equals(m.text) : m.text == null && bytes.equals(m.bytes);
  }

  @Override public int hashCode() {
    return text != null ? text.hashCode() : bytes.hashCode();
  }

  @Override public String toString() {
    if (text != null) {
      return text.length() <= 64 ? "text \"" + text + "\"" : "text (" + text.length() + " chars)";
    }
    return "binary (" + bytes.size() + " bytes)";
  }
}
