package dev.lifeline;

import okio.ByteString;
import okio.Utf8;
import org.jspecify.annotations.Nullable;

/** One application message: text (UTF-8) or binary. Immutable. */
public final class Message {
  /** The text, or null for a binary message. */
  private final @Nullable String text;
  /** The bytes, or null for a text message. */
  private final @Nullable ByteString bytes;

  private Message(@Nullable String text, @Nullable ByteString bytes) {
    this.text = text;
    this.bytes = bytes;
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
