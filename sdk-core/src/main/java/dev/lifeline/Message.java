package dev.lifeline;

import okio.ByteString;
import okio.Utf8;

/** One application message: text (UTF-8) or binary. Immutable. */
public final class Message {
  /** The text, or null for a binary message. */
  private final String text;
  /** The bytes, or null for a text message. */
  private final ByteString bytes;

  private Message(String text, ByteString bytes) {
    this.text = text;
    this.bytes = bytes;
  }

  /** A text message; {@code text} must not be null. */
  public static Message text(String text) {
    if (text == null) throw new NullPointerException("text == null");
    return new Message(text, null);
  }

  /** A binary message; {@code bytes} must not be null. */
  public static Message binary(ByteString bytes) {
    if (bytes == null) throw new NullPointerException("bytes == null");
    return new Message(null, bytes);
  }

  /** A binary message holding a copy of {@code bytes}. */
  public static Message binary(byte[] bytes) {
    if (bytes == null) throw new NullPointerException("bytes == null");
    return new Message(null, ByteString.of(bytes));
  }

  public boolean isText() {
    return text != null;
  }

  /** The text of a text message; throws for a binary one. */
  public String text() {
    if (text == null) throw new IllegalStateException("binary message has no text");
    return text;
  }

  /** The payload as bytes (UTF-8 for text messages). */
  public ByteString bytes() {
    return bytes != null ? bytes : ByteString.encodeUtf8(text);
  }

  /** Payload size in bytes, as counted against outbox limits. */
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
