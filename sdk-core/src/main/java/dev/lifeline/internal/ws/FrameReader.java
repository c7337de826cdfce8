package dev.lifeline.internal.ws;

import static dev.lifeline.internal.ws.WebSocketProtocol.B0_FLAG_FIN;
import static dev.lifeline.internal.ws.WebSocketProtocol.B0_FLAG_RSV1;
import static dev.lifeline.internal.ws.WebSocketProtocol.B0_FLAG_RSV2;
import static dev.lifeline.internal.ws.WebSocketProtocol.B0_FLAG_RSV3;
import static dev.lifeline.internal.ws.WebSocketProtocol.B0_MASK_OPCODE;
import static dev.lifeline.internal.ws.WebSocketProtocol.B1_FLAG_MASK;
import static dev.lifeline.internal.ws.WebSocketProtocol.B1_MASK_LENGTH;
import static dev.lifeline.internal.ws.WebSocketProtocol.CLOSE_INVALID_PAYLOAD;
import static dev.lifeline.internal.ws.WebSocketProtocol.CLOSE_NO_STATUS;
import static dev.lifeline.internal.ws.WebSocketProtocol.CLOSE_PROTOCOL_ERROR;
import static dev.lifeline.internal.ws.WebSocketProtocol.CLOSE_TOO_BIG;
import static dev.lifeline.internal.ws.WebSocketProtocol.MAX_CONTROL_PAYLOAD;
import static dev.lifeline.internal.ws.WebSocketProtocol.OPCODE_BINARY;
import static dev.lifeline.internal.ws.WebSocketProtocol.OPCODE_CLOSE;
import static dev.lifeline.internal.ws.WebSocketProtocol.OPCODE_CONTINUATION;
import static dev.lifeline.internal.ws.WebSocketProtocol.OPCODE_FLAG_CONTROL;
import static dev.lifeline.internal.ws.WebSocketProtocol.OPCODE_PING;
import static dev.lifeline.internal.ws.WebSocketProtocol.OPCODE_PONG;
import static dev.lifeline.internal.ws.WebSocketProtocol.OPCODE_TEXT;
import static dev.lifeline.internal.ws.WebSocketProtocol.PAYLOAD_LONG;
import static dev.lifeline.internal.ws.WebSocketProtocol.PAYLOAD_SHORT;
import static dev.lifeline.internal.ws.WebSocketProtocol.closeCodeProblem;
import static dev.lifeline.internal.ws.WebSocketProtocol.hexByte;
import static dev.lifeline.internal.ws.WebSocketProtocol.opcodeName;
import static dev.lifeline.internal.ws.WebSocketProtocol.size;

import dev.lifeline.Message;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import okio.Buffer;
import okio.BufferedSource;
import okio.ByteString;

/**
 * Reads server frames from a BufferedSource (the socket), one call per frame. Not thread-safe: the
 * reader thread only.
 *
 * <p>Server frames are unmasked and Lifeline negotiates no extension, so every frame is checked
 * against the plain RFC 6455 rules and the first violation ends the reader with a {@link
 * ProtocolViolation} naming the close code to fail the connection with. A data message's size is
 * checked at each frame header, before its payload is read, so a server can't make the client
 * buffer more than {@code maxMessageBytes}.
 */
final class FrameReader {
  /** What the frames complete. Calls run on the reader thread, inside {@link #readFrame}. */
  interface Callback {
    /**
     * A complete data message (fragments joined; text validated as UTF-8). Runs on the reader
     * thread.
     */
    void onMessage(Message message) throws IOException;

    /** A ping; its payload (at most 125 bytes) is for the pong. */
    void onPing(ByteString payload) throws IOException;

    /** A pong; its payload (at most 125 bytes) echoes a ping's, or is unsolicited. */
    void onPong(ByteString payload) throws IOException;

    /** The server's close frame: code (1005 when the frame had no payload) and reason. */
    void onClose(int code, String reason) throws IOException;
  }

  /** The socket's input. */
  private final BufferedSource source;
  /** The largest message accepted, fragments summed (maxInboundMessageBytes). */
  private final long maxMessageBytes;
  /** Told of each message and control frame. */
  private final Callback callback;

  /** The opcode of the message being assembled (text or binary); CONTINUATION between messages. */
  private int messageOpcode = OPCODE_CONTINUATION;
  /** The payload of the message being assembled: frames are read straight into it. */
  private final Buffer messageBuffer = new Buffer();
  /** Walks the segments of messageBuffer to check text as it arrives, without copying it. */
  private final Buffer.UnsafeCursor cursor = new Buffer.UnsafeCursor();
  /** Checks the text of the message being assembled, across fragment boundaries. */
  private final Utf8Validator messageUtf8 = new Utf8Validator();
  /** The payload of one control frame, at most 125 bytes. */
  private final Buffer controlBuffer = new Buffer();

  FrameReader(BufferedSource source, long maxMessageBytes, Callback callback) {
    if (maxMessageBytes < 0) {
      throw new IllegalArgumentException("maxMessageBytes < 0: " + maxMessageBytes);
    }
    this.source = source;
    this.maxMessageBytes = maxMessageBytes;
    this.callback = callback;
  }

  /**
   * Reads one frame and reports what it completes; throws ProtocolViolation, EOFException,
   * IOException.
   */
  void readFrame() throws IOException {
    int b0 = source.readByte() & 0xFF;
    int b1 = source.readByte() & 0xFF;
    boolean fin = (b0 & B0_FLAG_FIN) != 0;
    int opcode = b0 & B0_MASK_OPCODE;
    boolean control = (opcode & OPCODE_FLAG_CONTROL) != 0;

    if ((b0 & B0_FLAG_RSV1) != 0) {
      throw protocolError("server sent a " + opcodeName(opcode) + " frame with RSV1 set"
          + " (compression was not negotiated) (RFC 6455 5.2)");
    }
    if ((b0 & (B0_FLAG_RSV2 | B0_FLAG_RSV3)) != 0) {
      String bits = (b0 & B0_FLAG_RSV2) != 0 && (b0 & B0_FLAG_RSV3) != 0 ? "RSV2 and RSV3"
          : (b0 & B0_FLAG_RSV2) != 0 ? "RSV2" : "RSV3";
      throw protocolError("server sent a " + opcodeName(opcode) + " frame with " + bits + " set"
          + " (no extension was negotiated) (RFC 6455 5.2)");
    }
    if (opcode > OPCODE_BINARY && opcode != OPCODE_CLOSE && opcode != OPCODE_PING
        && opcode != OPCODE_PONG) {
      throw protocolError("server sent a frame with reserved opcode " + hexByte(opcode)
          + " (RFC 6455 5.2)");
    }
    if ((b1 & B1_FLAG_MASK) != 0) {
      throw protocolError("server sent a masked " + opcodeName(opcode) + " frame; servers must"
          + " not mask (RFC 6455 5.1)");
    }
    if (control && !fin) {
      throw protocolError("server sent a fragmented " + opcodeName(opcode) + " frame (FIN clear);"
          + " control frames must not be fragmented (RFC 6455 5.5)");
    }

    long length = b1 & B1_MASK_LENGTH;
    if (length == PAYLOAD_SHORT) {
      length = source.readShort() & 0xFFFFL;
    } else if (length == PAYLOAD_LONG) {
      length = source.readLong();
      if (length < 0) {
        throw protocolError("server sent a frame length with the most significant bit set (0x"
            + Long.toHexString(length).toUpperCase(Locale.ROOT) + ") (RFC 6455 5.2)");
      }
    }

    if (control) {
      readControlFrame(opcode, length);
    } else {
      readDataFrame(opcode, fin, length);
    }
  }

  private void readControlFrame(int opcode, long length) throws IOException {
    if (length > MAX_CONTROL_PAYLOAD) {
      throw protocolError("server sent a " + opcodeName(opcode) + " frame of " + length
          + " bytes, above the control frame limit of " + MAX_CONTROL_PAYLOAD
          + " bytes (RFC 6455 5.5)");
    }
    source.readFully(controlBuffer, length);
    switch (opcode) {
      case OPCODE_PING:
        callback.onPing(controlBuffer.readByteString());
        break;
      case OPCODE_PONG:
        callback.onPong(controlBuffer.readByteString());
        break;
      case OPCODE_CLOSE:
        readClose(length);
        break;
      default:
        throw new AssertionError(opcode);
    }
  }

  private void readClose(long length) throws IOException {
    if (length == 0) {
      callback.onClose(CLOSE_NO_STATUS, "");
      return;
    }
    if (length == 1) {
      throw protocolError("server sent a close frame with a 1-byte payload; a close payload is"
          + " empty or starts with a 2-byte code (RFC 6455 5.5.1)");
    }
    int code = controlBuffer.readShort() & 0xFFFF;
    String problem = closeCodeProblem(code);
    if (problem != null) {
      throw protocolError("server sent a close frame with an invalid code: " + problem);
    }
    byte[] reason = controlBuffer.readByteArray();
    Utf8Validator utf8 = new Utf8Validator(); // Rare, and at most once per connection.
    problem = utf8.update(reason, 0, reason.length, 0);
    if (problem == null) problem = utf8.finish();
    if (problem != null) {
      throw new ProtocolViolation(CLOSE_INVALID_PAYLOAD, "server sent a close frame (code " + code
          + ") whose reason is not valid UTF-8: " + problem + " (RFC 6455 5.5.1, 8.1)");
    }
    callback.onClose(code, new String(reason, StandardCharsets.UTF_8));
  }

  private void readDataFrame(int opcode, boolean fin, long length) throws IOException {
    if (opcode == OPCODE_CONTINUATION) {
      if (messageOpcode == OPCODE_CONTINUATION) {
        throw protocolError("server sent a continuation frame with no message started"
            + " (RFC 6455 5.4)");
      }
    } else {
      if (messageOpcode != OPCODE_CONTINUATION) {
        throw protocolError("server sent a new " + opcodeName(opcode) + " frame while a"
            + " fragmented " + opcodeName(messageOpcode) + " message was unfinished ("
            + messageBuffer.size() + " bytes received) (RFC 6455 5.4)");
      }
      messageOpcode = opcode;
      messageUtf8.reset();
    }

    long received = messageBuffer.size(); // At most maxMessageBytes: checked below, frame by frame.
    if (length > maxMessageBytes - received) {
      long atLeast = length > Long.MAX_VALUE - received ? Long.MAX_VALUE : received + length;
      throw new ProtocolViolation(CLOSE_TOO_BIG, "server sent a message of at least "
          + size(atLeast) + ", above the limit of " + size(maxMessageBytes)
          + " (maxInboundMessageBytes)");
    }

    source.readFully(messageBuffer, length);
    if (messageOpcode == OPCODE_TEXT) {
      checkUtf8(received);
    }
    if (!fin) return;

    int completed = messageOpcode;
    messageOpcode = OPCODE_CONTINUATION; // Before calling out: a new message may start.
    Message message;
    if (completed == OPCODE_TEXT) {
      String problem = messageUtf8.finish();
      if (problem != null) throw invalidText(problem);
      message = Message.text(messageBuffer.readUtf8());
    } else {
      message = Message.binary(messageBuffer.readByteString());
    }
    callback.onMessage(message);
  }

  /** Checks the text bytes from {@code from} to the end of messageBuffer. */
  private void checkUtf8(long from) throws ProtocolViolation {
    long end = messageBuffer.size();
    if (from == end) return;
    String problem = null;
    messageBuffer.readUnsafe(cursor);
    try {
      // seek() puts byte `from` at data[start]; next() moves on a segment at a time.
      for (int n = cursor.seek(from); n != -1 && problem == null; n = cursor.next()) {
        problem = messageUtf8.update(cursor.data, cursor.start, cursor.end, cursor.offset);
      }
    } finally {
      cursor.close();
    }
    if (problem != null) throw invalidText(problem);
  }

  private static ProtocolViolation invalidText(String problem) {
    return new ProtocolViolation(CLOSE_INVALID_PAYLOAD, "server sent a text message that is not"
        + " valid UTF-8: " + problem + " (RFC 6455 8.1)");
  }

  private static ProtocolViolation protocolError(String reason) {
    return new ProtocolViolation(CLOSE_PROTOCOL_ERROR, reason);
  }
}
