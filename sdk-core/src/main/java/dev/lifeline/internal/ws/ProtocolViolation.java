package dev.lifeline.internal.ws;

import java.net.ProtocolException;

/** A frame-level violation by the server: fail the connection with closeCode (RFC 6455 7.4.1). */
final class ProtocolViolation extends ProtocolException {
  private static final long serialVersionUID = 1L;

  /** The code to close with: 1002 protocol error, 1007 invalid UTF-8, 1009 too big, 1003 .... */
  final int closeCode;

  /** {@code reason} is the message: what the server did, with the numbers. */
  ProtocolViolation(int closeCode, String reason) {
    super(reason);
    this.closeCode = closeCode;
  }
}
