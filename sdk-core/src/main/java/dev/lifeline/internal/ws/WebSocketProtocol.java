package dev.lifeline.internal.ws;

import org.jspecify.annotations.Nullable;

/** Constants and rules of RFC 6455. */
final class WebSocketProtocol {
  static final int OPCODE_CONTINUATION = 0x0, OPCODE_TEXT = 0x1, OPCODE_BINARY = 0x2,
      OPCODE_CLOSE = 0x8, OPCODE_PING = 0x9, OPCODE_PONG = 0xA;
  static final int CLOSE_NORMAL = 1000, CLOSE_GOING_AWAY = 1001, CLOSE_PROTOCOL_ERROR = 1002,
      CLOSE_UNSUPPORTED_DATA = 1003, CLOSE_NO_STATUS = 1005, CLOSE_ABNORMAL = 1006,
      CLOSE_INVALID_PAYLOAD = 1007, CLOSE_POLICY = 1008, CLOSE_TOO_BIG = 1009, CLOSE_INTERNAL = 1011;
  static final long MAX_CONTROL_PAYLOAD = 125;
  static final int MAX_CLOSE_REASON_BYTES = 123;

  private WebSocketProtocol() {}

  /** Why a close code must not be sent or received on the wire (RFC 6455 7.4), or null when valid. */
  static @Nullable String closeCodeProblem(int code) {
    throw new UnsupportedOperationException("TODO");
  }

  /** Sec-WebSocket-Accept for a key: base64(SHA-1(key + GUID)). */
  static String acceptHeader(String key) {
    throw new UnsupportedOperationException("TODO");
  }
}
