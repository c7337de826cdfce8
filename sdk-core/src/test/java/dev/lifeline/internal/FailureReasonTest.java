package dev.lifeline.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertSame;

import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.junit.Test;

/**
 * The reasons people read for network failures (docs/behaviour.md, "Failure classification"):
 * what happened, after how long, and for how long nothing had arrived, with the exception kept as
 * the cause. The exceptions are shaped as OkHttp 4.12 and the JDK throw them.
 */
public final class FailureReasonTest {
  /** Open 4.4 s, nothing arrived for 4.4 s. */
  private static final Failure.Timing OPEN = new Failure.Timing(true, 4_400, 4_400, false);
  /** Still handshaking after 0.3 s. */
  private static final Failure.Timing CONNECTING = new Failure.Timing(false, 300, -1, false);

  private static String reason(Throwable e, Failure.Timing timing) {
    Failure f = Failure.ofTransport(e, 0, -1, timing);
    assertSame(e, f.cause);
    return f.reason;
  }

  private static <T extends Throwable> T causedBy(T outer, Throwable cause) {
    outer.initCause(cause);
    return outer;
  }

  @Test public void eofOnAnOpenWebSocketIsAServerCloseWithoutACloseFrame() {
    assertEquals("server closed the connection without a close frame after 4.4 s open (no data"
        + " for 4.4 s)", reason(new EOFException(), OPEN));
  }

  @Test public void eofWhileHandshakingSaysWhenAndKeepsNoUrl() {
    assertEquals("connect failed: server closed the connection during the handshake after 0.3 s",
        reason(causedBy(new IOException("unexpected end of stream on http://127.0.0.1:1/..."),
            new EOFException("\\n not found: limit=0 content=…")), CONNECTING));
  }

  @Test public void eofOnTcpKeepsWhatWasCutOffAndAddsTheTiming() {
    assertEquals("server closed the connection (EOF) after 4.4 s open (no data for 4.4 s)",
        reason(new EOFException("server closed the connection (EOF)"), OPEN));
    assertEquals("server closed the connection (EOF) after 4.4 s open (no data for 4.4 s) in the"
        + " middle of a line: 12 bytes without a terminating '\\n' were discarded",
        reason(new EOFException("server closed the connection (EOF) in the middle of a line: 12"
            + " bytes without a terminating '\\n' were discarded"), OPEN));
  }

  @Test public void pongsAfterTheLastMessageAreSaidInsteadOfClaimingSilence() {
    assertEquals("server closed the connection without a close frame after 70.0 s open (no"
        + " message for 65.0 s, pongs arrived)",
        reason(new EOFException(), new Failure.Timing(true, 70_000, 65_000, true)));
  }

  @Test public void connectionResetAndBrokenPipe() {
    assertEquals("connection reset by the server or the network after 4.4 s open (no data for"
        + " 4.4 s)", reason(new SocketException("Connection reset"), OPEN));
    assertEquals("connection broken while writing (broken pipe: the server or the network"
        + " dropped it) after 4.4 s open (no data for 4.4 s)",
        reason(new SocketException("Broken pipe (Write failed)"), OPEN));
    assertEquals("connect failed: connection reset by the server or the network during the"
        + " handshake after 0.3 s",
        reason(new SocketException("Connection reset by peer"), CONNECTING));
  }

  @Test public void readTimeouts() {
    assertEquals("read timed out after 4.4 s open (no data for 4.4 s)",
        reason(new SocketTimeoutException("Read timed out"), OPEN));
    assertEquals("connect failed: timed out after 0.3 s (SocketTimeoutException: timeout)",
        reason(new SocketTimeoutException("timeout"), CONNECTING));
    assertEquals("connection failed after 4.4 s open (no data for 4.4 s): sent ping but didn't"
        + " receive pong within 55000ms (after 3 successful ping/pongs)",
        reason(new SocketTimeoutException("sent ping but didn't receive pong within 55000ms"
            + " (after 3 successful ping/pongs)"), OPEN));
  }

  @Test public void connectRefusedNamesTheAddress() {
    assertEquals("connect failed: connection refused by 127.0.0.1:9 (nothing listening)",
        reason(causedBy(new ConnectException("Failed to connect to /127.0.0.1:9"),
            new ConnectException("Connection refused")), CONNECTING));
    assertEquals("connect failed: connection refused by localhost/127.0.0.1:9 (nothing"
        + " listening)", reason(causedBy(new ConnectException(
            "Failed to connect to localhost/127.0.0.1:9"),
            new ConnectException("Connection refused (Connection refused)")), CONNECTING));
  }

  @Test public void unreachableNetworksAndHosts() {
    assertEquals("connect failed: network unreachable for 10.9.9.9:443",
        reason(causedBy(new ConnectException("Failed to connect to /10.9.9.9:443"),
            new ConnectException("Network is unreachable")), CONNECTING));
    assertEquals("connect failed: no route to host (unreachable)",
        reason(new NoRouteToHostException("No route to host"), CONNECTING));
  }

  @Test public void unknownHost() {
    assertEquals("connect failed: unknown host (DNS lookup found no address: nosuch.invalid:"
        + " Name or service not known)",
        reason(new UnknownHostException("nosuch.invalid: Name or service not known"), CONNECTING));
  }

  @Test public void tlsFailuresSayItWasTheTlsHandshake() {
    assertEquals("connect failed: TLS handshake failed: PKIX path building failed",
        reason(new SSLHandshakeException("PKIX path building failed"), CONNECTING));
    assertEquals("connect failed: TLS handshake failed (the server's certificate was not"
        + " accepted): Hostname example.com not verified",
        reason(new SSLPeerUnverifiedException("Hostname example.com not verified"), CONNECTING));
  }

  @Test public void aTimeoutLifelineExplainedIsShownAsItIs() {
    assertEquals("connect failed: TCP connect to 10.0.0.1:7001 timed out (OkHttpClient"
        + " connectTimeout 10 s)", reason(new SocketTimeoutException("TCP connect to"
            + " 10.0.0.1:7001 timed out (OkHttpClient connectTimeout 10 s)"), CONNECTING));
  }

  @Test public void anythingElseShowsItsExceptionAndTheTiming() {
    assertEquals("connection failed after 4.4 s open (no data for 4.4 s): ProtocolException:"
        + " Control frames must be final.",
        reason(new java.net.ProtocolException("Control frames must be final."), OPEN));
    assertEquals("connect failed: IOException: refused", reason(new IOException("refused"),
        CONNECTING));
  }
}
