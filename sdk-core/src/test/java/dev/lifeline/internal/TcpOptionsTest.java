package dev.lifeline.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import dev.lifeline.Connection;
import dev.lifeline.ConnectionOptions;
import dev.lifeline.HeartbeatPolicy;
import dev.lifeline.Message;
import okio.ByteString;
import org.junit.Test;

/** tcp:// and tcp+tls:// URLs, the line limit option, and what may be sent on a line protocol. */
public final class TcpOptionsTest {
  private final Harness harness = new Harness();

  private static String rejection(String url) {
    try {
      ConnectionOptions.builder(url);
    } catch (IllegalArgumentException expected) {
      return expected.getMessage();
    }
    throw new AssertionError("accepted " + url);
  }

  @Test public void tcpUrlsAccepted() {
    assertEquals("tcp://example.com:7000", ConnectionOptions.builder("tcp://example.com:7000").build().url());
    assertEquals("tcp+tls://example.com:7001",
        ConnectionOptions.builder("TCP+TLS://example.com:7001/").build().url());
    assertEquals("tcp://[::1]:7000", ConnectionOptions.builder("tcp://[::1]:7000").build().url());
    assertEquals("tcp://127.0.0.1:1", ConnectionOptions.builder("tcp://127.0.0.1:1").build().url());
  }

  @Test public void badTcpUrlsRejectedClearly() {
    assertEquals("invalid URL 'tcp://example.com': expected tcp://host:port (the port is required;"
        + " there is no default port for a raw TCP protocol)", rejection("tcp://example.com"));
    assertEquals("invalid URL 'tcp://[::1]': expected tcp://host:port (the port is required;"
        + " there is no default port for a raw TCP protocol)", rejection("tcp://[::1]"));
    assertEquals("invalid URL 'tcp+tls://example.com:7000/chat': expected tcp+tls://host:port"
        + " (a tcp+tls URL has no user info, path, query or fragment)",
        rejection("tcp+tls://example.com:7000/chat"));
    assertEquals("invalid URL 'tcp://example.com:0': port '0' is not a number from 1 to 65535",
        rejection("tcp://example.com:0"));
    assertEquals("invalid URL 'tcp://example.com:70000': port '70000' is not a number from 1 to"
        + " 65535", rejection("tcp://example.com:70000"));
    assertEquals("invalid URL 'tcp://example.com:x': port 'x' is not a number from 1 to 65535",
        rejection("tcp://example.com:x"));
    assertEquals("invalid URL 'tcp://:7000': no valid host", rejection("tcp://:7000"));
    assertEquals("invalid URL 'tcp://': expected tcp://host:port (the port is required; there is"
        + " no default port for a raw TCP protocol)", rejection("tcp://"));
    assertEquals("unsupported scheme 'text' in 'text://example.com:7000': Lifeline connects to"
        + " ws://, wss://, tcp:// and tcp+tls:// URLs", rejection("text://example.com:7000"));
  }

  @Test public void maxLineLengthDefaultAndBounds() {
    assertEquals(1024 * 1024, ConnectionOptions.DEFAULT_MAX_LINE_LENGTH);
    assertEquals(ConnectionOptions.DEFAULT_MAX_LINE_LENGTH,
        ConnectionOptions.builder("tcp://h:1").build().maxLineLength());
    assertEquals(10, ConnectionOptions.builder("tcp://h:1").maxLineLength(10).build().maxLineLength());
    try {
      ConnectionOptions.builder("tcp://h:1").maxLineLength(0);
      fail();
    } catch (IllegalArgumentException expected) {
      assertEquals("max line length must be between 1 and 1073741824 bytes, was 0",
          expected.getMessage());
    }
    try {
      ConnectionOptions.builder("tcp://h:1").maxLineLength(ConnectionOptions.MAX_LINE_LENGTH_LIMIT + 1);
      fail();
    } catch (IllegalArgumentException expected) {
      assertTrue(expected.getMessage().startsWith("max line length must be between 1 and"));
    }
  }

  @Test public void maxInboundMessageBytesDefaultAndBounds() {
    assertEquals(16 * 1024 * 1024, ConnectionOptions.DEFAULT_MAX_INBOUND_MESSAGE_BYTES);
    assertEquals(ConnectionOptions.DEFAULT_MAX_INBOUND_MESSAGE_BYTES,
        ConnectionOptions.builder("ws://h/").build().maxInboundMessageBytes());
    assertEquals(10, ConnectionOptions.builder("ws://h/").maxInboundMessageBytes(10).build()
        .maxInboundMessageBytes());
    try {
      ConnectionOptions.builder("ws://h/").maxInboundMessageBytes(0);
      fail();
    } catch (IllegalArgumentException expected) {
      assertEquals("max inbound message bytes must be between 1 and 1073741824 bytes, was 0",
          expected.getMessage());
    }
    try {
      ConnectionOptions.builder("ws://h/")
          .maxInboundMessageBytes(ConnectionOptions.MAX_INBOUND_MESSAGE_BYTES_LIMIT + 1);
      fail();
    } catch (IllegalArgumentException expected) {
      assertEquals("max inbound message bytes must be between 1 and 1073741824 bytes, was "
          + "1073741825", expected.getMessage());
    }
  }

  @Test public void maxInboundMessageBytesReachesTransport() {
    RealConnection c = harness.connection(harness.options().maxInboundMessageBytes(4096).build());
    assertEquals(4096, harness.connectAndOpen(c).request.maxInboundMessageBytes);
  }

  @Test public void maxLineLengthReachesTransport() {
    RealConnection c = harness.connection(harness.options().maxLineLength(4096).build());
    assertEquals(4096, harness.connectAndOpen(c).request.maxLineLength);
  }

  @Test public void fixedHeartbeatPayloadMustBeALine() {
    try {
      ConnectionOptions.builder("tcp://h:1")
          .heartbeat(HeartbeatPolicy.builder().textPayload("ping\n").build())
          .build();
      fail();
    } catch (IllegalArgumentException expected) {
      assertEquals("heartbeat payload: cannot send text \"ping\n\" on tcp://h:1: it contains '\\n'"
          + " at index 4, which would split it into two messages (every message on a tcp://"
          + " connection is one line); escape or remove line breaks before sending",
          expected.getMessage());
    }
    try {
      ConnectionOptions.builder("tcp+tls://h:1")
          .heartbeat(HeartbeatPolicy.builder().binaryPayload(ByteString.of((byte) 0)).build())
          .build();
      fail();
    } catch (IllegalArgumentException expected) {
      assertTrue(expected.getMessage(), expected.getMessage().startsWith(
          "heartbeat payload: cannot send binary (1 bytes) on tcp+tls://h:1: newline-framed TCP"
          + " carries UTF-8 text lines only"));
    }
    // WebSocket URLs take any payload.
    ConnectionOptions.builder("ws://h/")
        .heartbeat(HeartbeatPolicy.builder().textPayload("ping\n").build())
        .build();
  }

  @Test public void headersAndCredentialsRejectedWithoutAHandshake() {
    try {
      ConnectionOptions.builder("tcp://h:1").header("Authorization", "Bearer x").build();
      fail();
    } catch (IllegalArgumentException expected) {
      assertEquals("headers [Authorization] cannot be used with tcp://h:1: newline-framed TCP has"
          + " no handshake to carry them; send credentials as a message instead",
          expected.getMessage());
    }
    try {
      ConnectionOptions.builder("tcp+tls://h:1").credentials((attempt, rejected) -> null).build();
      fail();
    } catch (IllegalArgumentException expected) {
      assertTrue(expected.getMessage(), expected.getMessage().startsWith(
          "a credentials provider cannot be used with tcp+tls://h:1"));
    }
  }

  @Test public void sendRejectsWhatCannotBeOneLine() {
    Connection c = harness.connection(
        ConnectionOptions.builder("tcp://127.0.0.1:1").eventListener(harness.recordingEvents()).build());
    try {
      c.send("a\nb");
      fail();
    } catch (IllegalArgumentException expected) {
      assertTrue(expected.getMessage(), expected.getMessage().startsWith(
          "cannot send text \"a\nb\" on tcp://127.0.0.1:1: it contains '\\n' at index 1"));
    }
    try {
      c.send(ByteString.encodeUtf8("bytes"));
      fail();
    } catch (IllegalArgumentException expected) {
      assertTrue(expected.getMessage(), expected.getMessage().startsWith(
          "cannot send binary (5 bytes) on tcp://127.0.0.1:1"));
    }
    assertEquals("rejected messages never reach the outbox", 0, c.queuedMessages());
    assertTrue(c.send("fine\r"));
    assertEquals(1, c.queuedMessages());
    assertTrue(harness.sendFailures.isEmpty());
  }

  @Test public void webSocketSendsAnything() {
    Connection c = harness.connection(harness.options().build());
    assertTrue(c.send("a\nb"));
    assertTrue(c.send(Message.binary(new byte[] {1})));
  }
}
