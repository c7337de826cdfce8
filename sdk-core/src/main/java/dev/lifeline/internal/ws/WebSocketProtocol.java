package dev.lifeline.internal.ws;

import java.util.Locale;
import okio.ByteString;
import org.jspecify.annotations.Nullable;

/** Constants and rules of RFC 6455. */
final class WebSocketProtocol {
  static final int OPCODE_CONTINUATION = 0x0, OPCODE_TEXT = 0x1, OPCODE_BINARY = 0x2,
      OPCODE_CLOSE = 0x8, OPCODE_PING = 0x9, OPCODE_PONG = 0xA;
  static final int CLOSE_NORMAL = 1000, CLOSE_GOING_AWAY = 1001, CLOSE_PROTOCOL_ERROR = 1002,
      CLOSE_UNSUPPORTED_DATA = 1003, CLOSE_NO_STATUS = 1005, CLOSE_ABNORMAL = 1006,
      CLOSE_INVALID_PAYLOAD = 1007, CLOSE_POLICY = 1008, CLOSE_TOO_BIG = 1009,
      CLOSE_INTERNAL = 1011;
  /** Control frames carry at most 125 bytes (RFC 6455 5.5): they fit a 7-bit length. */
  static final long MAX_CONTROL_PAYLOAD = 125;
  /** A close payload is a 2-byte code and then the reason, so 125 − 2 bytes of reason. */
  static final int MAX_CLOSE_REASON_BYTES = 123;

  /** Byte 0: the final fragment of a message. */
  static final int B0_FLAG_FIN = 0x80;
  /** Byte 0: extension bits, set only under a negotiated extension: Lifeline negotiates none. */
  static final int B0_FLAG_RSV1 = 0x40, B0_FLAG_RSV2 = 0x20, B0_FLAG_RSV3 = 0x10;
  /** Byte 0: the opcode. */
  static final int B0_MASK_OPCODE = 0x0F;
  /** Byte 1: the payload is masked (client to server always, server to client never). */
  static final int B1_FLAG_MASK = 0x80;
  /** Byte 1: the 7-bit length, or one of the two markers below. */
  static final int B1_MASK_LENGTH = 0x7F;
  /** A 7-bit length of 126: the length follows as 16 bits. */
  static final int PAYLOAD_SHORT = 126;
  /** A 7-bit length of 127: the length follows as 64 bits. */
  static final int PAYLOAD_LONG = 127;
  /** The largest length written as 16 bits; longer ones take 64. */
  static final long PAYLOAD_SHORT_MAX = 0xFFFFL;
  /** Opcodes from 0x8 up are control frames (RFC 6455 5.5). */
  static final int OPCODE_FLAG_CONTROL = 0x8;

  /** Appended to the key before hashing (RFC 6455 1.3). */
  private static final String ACCEPT_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

  private WebSocketProtocol() {}

  /**
   * Why a close code must not be sent or received on the wire (RFC 6455 7.4), or null when valid.
   */
  static @Nullable String closeCodeProblem(int code) {
    if (code < 1000 || code >= 5000) {
      return "close code " + code + " is outside 1000-4999 (RFC 6455 7.4.2)";
    }
    switch (code) {
      case 1004:
        return "close code 1004 is reserved (RFC 6455 7.4.1)";
      case CLOSE_NO_STATUS:
        return "close code 1005 (no status) is reserved for reporting a close frame without a"
            + " code and must not be sent (RFC 6455 7.4.1)";
      case CLOSE_ABNORMAL:
        return "close code 1006 (abnormal closure) is reserved for reporting a connection lost"
            + " without a close frame and must not be sent (RFC 6455 7.4.1)";
      case 1015:
        return "close code 1015 (TLS handshake failure) is reserved for reporting and must not"
            + " be sent (RFC 6455 7.4.1)";
      default:
        break;
    }
    // 1012-1014 are registered with IANA since (service restart, try again later, bad gateway).
    if (code >= 1016 && code <= 2999) {
      return "close code " + code + " is unassigned in 1016-2999, which only RFCs may define"
          + " (RFC 6455 7.4.2)";
    }
    return null;
  }

  /** Sec-WebSocket-Accept for a key: base64(SHA-1(key + GUID)). */
  static String acceptHeader(String key) {
    return ByteString.encodeUtf8(key + ACCEPT_GUID).sha1().base64();
  }

  /** "Text", "binary", "close", "reserved 0x3": an opcode in a reason. */
  static String opcodeName(int opcode) {
    switch (opcode) {
      case OPCODE_CONTINUATION: return "continuation";
      case OPCODE_TEXT: return "text";
      case OPCODE_BINARY: return "binary";
      case OPCODE_CLOSE: return "close";
      case OPCODE_PING: return "ping";
      case OPCODE_PONG: return "pong";
      default: return "reserved opcode " + hexByte(opcode);
    }
  }

  /** "0x3", "0xC0": a byte or opcode in a reason. */
  static String hexByte(int b) {
    return "0x" + Integer.toHexString(b & 0xFF).toUpperCase(Locale.ROOT);
  }

  /**
   * "20.0 MiB", "64.0 KiB", "12 bytes": sizes in reasons, for people (the 1009 reason that
   * docs/behaviour.md, "Inbound limits on the wire", quotes).
   */
  static String size(long bytes) {
    if (bytes >= 1024L * 1024) {
      return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024));
    }
    if (bytes >= 1024) return String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0);
    return bytes + (bytes == 1 ? " byte" : " bytes");
  }
}
