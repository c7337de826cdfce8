package dev.lifeline.internal.ws;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import org.junit.Test;

/** RFC 6455's accept hash and close code rules, boundaries included. */
public final class WebSocketProtocolTest {
  @Test public void acceptHeaderMatchesRfc6455Example() {
    // RFC 6455 1.3.
    assertEquals("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=",
        WebSocketProtocol.acceptHeader("dGhlIHNhbXBsZSBub25jZQ=="));
  }

  /** RFC 6455 7.4 and the IANA registry: what may be sent and received. */
  private static boolean validOnWire(int code) {
    return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014)
        || (code >= 3000 && code <= 4999);
  }

  @Test public void closeCodeProblemAgreesWithTheRfcForEveryCodeFromMinus1To70000() {
    for (int code = -1; code <= 70000; code++) {
      String problem = WebSocketProtocol.closeCodeProblem(code);
      if (validOnWire(code)) {
        assertNull("code " + code, problem);
      } else {
        assertNotNull("code " + code, problem);
        assertTrue(problem, problem.startsWith("close code " + code + " "));
        assertTrue(problem, problem.contains("RFC 6455 7.4"));
      }
    }
    assertNotNull(WebSocketProtocol.closeCodeProblem(Integer.MIN_VALUE));
    assertNotNull(WebSocketProtocol.closeCodeProblem(Integer.MAX_VALUE));
  }

  @Test public void closeCodeBoundaries() {
    int[] valid = {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000,
        4999};
    for (int code : valid) assertNull("code " + code, WebSocketProtocol.closeCodeProblem(code));
    assertEquals("close code 0 is outside 1000-4999 (RFC 6455 7.4.2)",
        WebSocketProtocol.closeCodeProblem(0));
    assertEquals("close code 999 is outside 1000-4999 (RFC 6455 7.4.2)",
        WebSocketProtocol.closeCodeProblem(999));
    assertEquals("close code 5000 is outside 1000-4999 (RFC 6455 7.4.2)",
        WebSocketProtocol.closeCodeProblem(5000));
    assertEquals("close code 1004 is reserved (RFC 6455 7.4.1)",
        WebSocketProtocol.closeCodeProblem(1004));
    assertTrue(WebSocketProtocol.closeCodeProblem(1005).contains("(no status)"));
    assertTrue(WebSocketProtocol.closeCodeProblem(1006).contains("(abnormal closure)"));
    assertTrue(WebSocketProtocol.closeCodeProblem(1015).contains("(TLS handshake failure)"));
    assertEquals("close code 1016 is unassigned in 1016-2999, which only RFCs may define"
        + " (RFC 6455 7.4.2)", WebSocketProtocol.closeCodeProblem(1016));
    assertNotNull(WebSocketProtocol.closeCodeProblem(2999));
  }

  @Test public void sizesReadAsWireTapWritesThem() {
    assertEquals("0 bytes", WebSocketProtocol.size(0));
    assertEquals("1 byte", WebSocketProtocol.size(1));
    assertEquals("1023 bytes", WebSocketProtocol.size(1023));
    assertEquals("1.0 KiB", WebSocketProtocol.size(1024));
    assertEquals("1024.0 KiB", WebSocketProtocol.size(1024 * 1024 - 1));
    assertEquals("16.0 MiB", WebSocketProtocol.size(16L * 1024 * 1024));
    assertEquals("256.0 MiB", WebSocketProtocol.size(256L * 1024 * 1024));
  }

  @Test public void opcodeNames() {
    assertEquals("continuation", WebSocketProtocol.opcodeName(0x0));
    assertEquals("text", WebSocketProtocol.opcodeName(0x1));
    assertEquals("binary", WebSocketProtocol.opcodeName(0x2));
    assertEquals("reserved opcode 0x3", WebSocketProtocol.opcodeName(0x3));
    assertEquals("close", WebSocketProtocol.opcodeName(0x8));
    assertEquals("ping", WebSocketProtocol.opcodeName(0x9));
    assertEquals("pong", WebSocketProtocol.opcodeName(0xA));
    assertEquals("reserved opcode 0xF", WebSocketProtocol.opcodeName(0xF));
  }
}
