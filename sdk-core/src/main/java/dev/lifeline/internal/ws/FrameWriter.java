package dev.lifeline.internal.ws;

import static dev.lifeline.internal.ws.WebSocketProtocol.B0_FLAG_FIN;
import static dev.lifeline.internal.ws.WebSocketProtocol.B1_FLAG_MASK;
import static dev.lifeline.internal.ws.WebSocketProtocol.MAX_CLOSE_REASON_BYTES;
import static dev.lifeline.internal.ws.WebSocketProtocol.MAX_CONTROL_PAYLOAD;
import static dev.lifeline.internal.ws.WebSocketProtocol.OPCODE_BINARY;
import static dev.lifeline.internal.ws.WebSocketProtocol.OPCODE_CLOSE;
import static dev.lifeline.internal.ws.WebSocketProtocol.OPCODE_PING;
import static dev.lifeline.internal.ws.WebSocketProtocol.OPCODE_PONG;
import static dev.lifeline.internal.ws.WebSocketProtocol.OPCODE_TEXT;
import static dev.lifeline.internal.ws.WebSocketProtocol.PAYLOAD_LONG;
import static dev.lifeline.internal.ws.WebSocketProtocol.PAYLOAD_SHORT;
import static dev.lifeline.internal.ws.WebSocketProtocol.PAYLOAD_SHORT_MAX;
import static dev.lifeline.internal.ws.WebSocketProtocol.closeCodeProblem;
import static dev.lifeline.internal.ws.WebSocketProtocol.opcodeName;

import dev.lifeline.Message;
import java.io.IOException;
import java.util.Random;
import okio.Buffer;
import okio.BufferedSink;
import okio.ByteString;

/**
 * Writes client frames (always masked, FIN set, one frame per message) to a BufferedSink. Not
 * thread-safe: one writer at a time. Writes do not flush.
 *
 * <p>Each payload is copied once, into {@link #payload}'s segments (text is encoded to UTF-8
 * there, with no intermediate array), masked in place, and then those segments move to the sink
 * without another copy. Nothing is allocated per frame beyond Okio's pooled segments.
 */
final class FrameWriter {
  /** Longest frame header: 2 bytes, a 64-bit length, a 4-byte mask key. */
  private static final int MAX_HEADER_BYTES = 2 + 8 + 4;

  /** The socket's output. */
  private final BufferedSink sink;
  /** Makes the mask keys: a SecureRandom in production, a seeded Random in tests. */
  private final Random random;
  /** The payload of the frame being written, masked in place before it moves to the sink. */
  private final Buffer payload = new Buffer();
  /** Walks payload's segments to mask them. */
  private final Buffer.UnsafeCursor cursor = new Buffer.UnsafeCursor();
  /** The frame being written's mask key, fresh from random for each frame (RFC 6455 5.3). */
  private final byte[] maskKey = new byte[4];
  /** The frame being written's header, built here and written to the sink in one call. */
  private final byte[] header = new byte[MAX_HEADER_BYTES];

  /** {@code random} makes the mask keys; tests pass a seeded one, production a SecureRandom. */
  FrameWriter(BufferedSink sink, Random random) {
    this.sink = sink;
    this.random = random;
  }

  /** Writes a text or binary message as one frame. */
  void writeMessage(Message message) throws IOException {
    if (message.isText()) {
      payload.writeUtf8(message.text());
      writeFrame(OPCODE_TEXT);
    } else {
      payload.write(message.bytes());
      writeFrame(OPCODE_BINARY);
    }
  }

  /** Writes a ping; {@code payload} is at most 125 bytes. */
  void writePing(ByteString payload) throws IOException {
    writeControl(OPCODE_PING, payload);
  }

  /** Writes a pong; {@code payload} is at most 125 bytes, the ping's it answers. */
  void writePong(ByteString payload) throws IOException {
    writeControl(OPCODE_PONG, payload);
  }

  /**
   * Writes a close frame. The reason is cut to its longest prefix of whole code points that fits
   * 123 UTF-8 bytes; the code must be valid on the wire ({@link
   * WebSocketProtocol#closeCodeProblem}).
   *
   * @throws IllegalArgumentException for an invalid code
   */
  void writeClose(int code, String reason) throws IOException {
    String problem = closeCodeProblem(code);
    if (problem != null) throw new IllegalArgumentException("can't send " + problem);
    payload.writeShort(code);
    payload.writeUtf8(reason, 0, closeReasonEnd(reason));
    writeFrame(OPCODE_CLOSE);
  }

  /** Flushes what was written to the socket. */
  void flush() throws IOException {
    sink.flush();
  }

  /**
   * The end index of the longest prefix of {@code reason} that encodes to at most 123 UTF-8 bytes
   * and does not split a surrogate pair. A lone surrogate counts 1 byte: Okio writes it as '?'.
   */
  static int closeReasonEnd(String reason) {
    int bytes = 0;
    int i = 0;
    int length = reason.length();
    while (i < length) {
      char c = reason.charAt(i);
      int chars = 1;
      int size;
      if (c < 0x80) {
        size = 1;
      } else if (c < 0x800) {
        size = 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < length
          && Character.isLowSurrogate(reason.charAt(i + 1))) {
        size = 4;
        chars = 2;
      } else if (Character.isSurrogate(c)) {
        size = 1;
      } else {
        size = 3;
      }
      if (bytes + size > MAX_CLOSE_REASON_BYTES) break;
      bytes += size;
      i += chars;
    }
    return i;
  }

  private void writeControl(int opcode, ByteString data) throws IOException {
    if (data.size() > MAX_CONTROL_PAYLOAD) {
      throw new IllegalArgumentException("can't send a " + opcodeName(opcode) + " of "
          + data.size() + " bytes: control frames carry at most " + MAX_CONTROL_PAYLOAD
          + " bytes (RFC 6455 5.5)");
    }
    payload.write(data);
    writeFrame(opcode);
  }

  /** Writes a frame with FIN set whose payload is all of {@link #payload}, and empties it. */
  private void writeFrame(int opcode) throws IOException {
    long length = payload.size();
    int h = 0;
    header[h++] = (byte) (B0_FLAG_FIN | opcode);
    if (length <= 125) {
      header[h++] = (byte) (B1_FLAG_MASK | length);
    } else if (length <= PAYLOAD_SHORT_MAX) {
      header[h++] = (byte) (B1_FLAG_MASK | PAYLOAD_SHORT);
      header[h++] = (byte) (length >>> 8);
      header[h++] = (byte) length;
    } else {
      header[h++] = (byte) (B1_FLAG_MASK | PAYLOAD_LONG);
      for (int shift = 56; shift >= 0; shift -= 8) {
        header[h++] = (byte) (length >>> shift);
      }
    }
    random.nextBytes(maskKey);
    System.arraycopy(maskKey, 0, header, h, 4);
    h += 4;
    try {
      sink.write(header, 0, h);
      if (length > 0) {
        mask();
        sink.write(payload, length);
      }
    } finally {
      payload.clear(); // Empty already, unless the sink failed: no leftovers in the next frame.
    }
  }

  /** XORs payload's bytes in place with the mask key, byte i with key byte i mod 4. */
  private void mask() {
    byte k0 = maskKey[0];
    byte k1 = maskKey[1];
    byte k2 = maskKey[2];
    byte k3 = maskKey[3];
    payload.readAndWriteUnsafe(cursor);
    try {
      for (int n = cursor.seek(0); n != -1; n = cursor.next()) {
        byte[] data = cursor.data;
        int i = cursor.start;
        int end = cursor.end;
        // Segments need not start at a multiple of 4 in the payload: rotate the key to match.
        int phase = (int) (cursor.offset & 3);
        for (; phase != 0 && i < end; i++, phase = (phase + 1) & 3) {
          data[i] ^= maskKey[phase];
        }
        for (int last4 = end - 4; i <= last4; i += 4) {
          data[i] ^= k0;
          data[i + 1] ^= k1;
          data[i + 2] ^= k2;
          data[i + 3] ^= k3;
        }
        for (int k = 0; i < end; i++, k++) {
          data[i] ^= maskKey[k];
        }
      }
    } finally {
      cursor.close();
    }
  }
}
