package dev.lifeline.internal;

import static java.util.Arrays.asList;
import static java.util.concurrent.TimeUnit.HOURS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import dev.lifeline.ConnectionOptions;
import dev.lifeline.ConnectionState;
import dev.lifeline.ConnectionState.Kind;
import dev.lifeline.HeartbeatPolicy;
import dev.lifeline.Message;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.Test;

/**
 * Failures that retrying cannot fix, in virtual time (docs/behaviour.md, "Failure
 * classification"): invalid headers refused at the setter without showing their value, and at
 * run time a credentials provider's invalid header, rejected credentials offered again, and a
 * heartbeat or responder reply that tcp:// cannot carry, each ending the connection at once and
 * for good. A 401 answered with new credentials is retried.
 */
public final class FailureClassificationTest {
  /** Looks like a token; must never appear in a message. */
  private static final String SECRET = "s3cr3t-t0ken";
  private static final String TCP = "tcp://127.0.0.1:1";

  private final Harness h = new Harness();

  // ---- Invalid headers, refused by ConnectionOptions.Builder.header(). ----

  @Test public void aHeaderValueWithCarriageReturnIsRefusedWithoutShowingTheValue() {
    assertHeaderRefused("Authorization", "Bearer " + SECRET + "\r\nX-Admin: 1",
        "header 'Authorization' has an invalid value: character U+000D (carriage return) at index"
            + " 19 is not allowed in a header value (printable ASCII and tab; a CR or LF would end"
            + " the header early); the value is not shown");
  }

  @Test public void aHeaderValueWithLineFeedIsRefusedWithoutShowingTheValue() {
    assertHeaderRefused("Authorization", "Bearer " + SECRET + "\nX-Admin: 1",
        "header 'Authorization' has an invalid value: character U+000A (line feed) at index 19"
            + " is not allowed in a header value (printable ASCII and tab; a CR or LF would end"
            + " the header early); the value is not shown");
  }

  @Test public void aNonAsciiHeaderValueIsRefusedWithoutShowingTheValue() {
    assertHeaderRefused("Authorization", "Bearer " + SECRET + "\u00e9",
        "header 'Authorization' has an invalid value: character U+00E9 at index 19 is not"
            + " allowed in a header value (printable ASCII and tab; a CR or LF would end the"
            + " header early); the value is not shown");
  }

  @Test public void aHeaderNameWithASpaceIsRefused() {
    assertHeaderRefused("X Token", SECRET,
        "invalid header name 'X Token': character U+0020 (space) at index 1 is not allowed in a"
            + " header name (printable ASCII without spaces)");
  }

  @Test public void aHeaderNameWithAControlCharacterIsRefusedAndShownEscaped() {
    assertHeaderRefused("X-\u0007Token", SECRET,
        "invalid header name 'X-\\u0007Token': character U+0007 at index 2 is not allowed in a"
            + " header name (printable ASCII without spaces)");
  }

  @Test public void aNonAsciiHeaderNameIsRefusedAndShownEscaped() {
    assertHeaderRefused("T\u00f6ken", SECRET,
        "invalid header name 'T\\u00f6ken': character U+00F6 at index 1 is not allowed in a"
            + " header name (printable ASCII without spaces)");
  }

  // ---- Credentials. ----

  @Test public void anInvalidHeaderFromTheCredentialsProviderEndsTheConnectionAtOnceForGood() {
    RealConnection c = h.connection(h.options().credentials((attempt, rejected) ->
        Collections.singletonMap("Authorization", "Bearer " + SECRET + "\n")).build());
    c.connect();
    h.time.runUntilIdle();
    ConnectionState s = c.state();
    assertEquals(Kind.CLOSED, s.kind());
    assertEquals("the credentials provider returned an invalid header: header 'Authorization' has"
        + " an invalid value: character U+000A (line feed) at index 19 is not allowed in a header"
        + " value (printable ASCII and tab; a CR or LF would end the header early); the value is"
        + " not shown", s.reason());
    assertFalse(s.reason().contains(SECRET));
    assertEquals(asList(Kind.CONNECTING, Kind.CLOSED), kinds());
    assertNeverRetried(0);
  }

  @Test public void rejectedCredentialsOfferedAgainEndTheConnection() {
    List<Boolean> asked = new ArrayList<>();
    RealConnection c = h.connection(h.options().credentials((attempt, rejected) -> {
      asked.add(rejected);
      return Collections.singletonMap("Authorization", "Bearer " + SECRET);
    }).build());
    c.connect();
    h.time.runUntilIdle();
    h.transports.last().rejectsHandshake(401, -1);
    h.time.runUntilIdle();
    assertEquals(Kind.WAITING_TO_RECONNECT, c.state().kind());
    h.time.advanceBy(c.state().delayMillis());
    assertEquals(asList(false, true), asked);
    assertEquals(Kind.CLOSED, c.state().kind());
    assertTrue(c.state().reason(), c.state().reason().startsWith("HTTP 401 at handshake and the"
        + " credentials provider returned the same credentials that were just rejected"));
    assertFalse(c.state().reason().contains(SECRET));
    assertNeverRetried(1);
  }

  @Test public void newCredentialsAfterA401AreTried() {
    RealConnection c = h.connection(h.options().credentials((attempt, rejected) ->
        Collections.singletonMap("Authorization", rejected ? "Bearer fresh" : "Bearer stale"))
        .build());
    c.connect();
    h.time.runUntilIdle();
    h.transports.last().rejectsHandshake(401, -1);
    h.time.runUntilIdle();
    h.time.advanceBy(c.state().delayMillis());
    assertEquals(Kind.CONNECTING, c.state().kind());
    assertEquals(2, h.transports.count());
    Map<String, String> sent = h.transports.last().request.headers;
    assertEquals("Bearer fresh", sent.get("Authorization"));
    h.transports.last().serverAccepts();
    h.time.runUntilIdle();
    assertEquals(Kind.CONNECTED, c.state().kind());
  }

  // ---- Heartbeats and replies that tcp:// cannot carry. ----

  @Test public void aSuppliedHeartbeatOfTwoLinesOnTcpEndsTheConnectionAtOnceForGood() {
    HeartbeatPolicy hb = HeartbeatPolicy.builder().interval(5, SECONDS)
        .payload(() -> Message.text("beat\n2")).build();
    RealConnection c = h.connection(tcp().heartbeat(hb).build());
    FakeTransport t = h.connectAndOpen(c);
    h.time.advanceBy(5_000);
    assertEquals(Kind.CLOSED, c.state().kind());
    assertEquals("heartbeat payload cannot be sent: cannot send text \"beat\n2\" on " + TCP
        + ": it contains '\\n' at index 4, which would split it into two messages (every message"
        + " on a tcp:// connection is one line); escape or remove line breaks before sending",
        c.state().reason());
    assertTrue(t.sent.isEmpty());
    assertTrue(t.cancelled);
    assertNeverRetried(1);
  }

  @Test public void aBinaryResponderReplyOnTcpEndsTheConnectionAtOnceForGood() {
    HeartbeatPolicy hb = HeartbeatPolicy.builder()
        .responder(in -> Message.binary(new byte[] {1, 2})).build();
    RealConnection c = h.connection(tcp().heartbeat(hb).build());
    FakeTransport t = h.connectAndOpen(c);
    t.serverSends("PING");
    h.time.runUntilIdle();
    assertEquals(Kind.CLOSED, c.state().kind());
    assertEquals("server heartbeat responder reply cannot be sent: cannot send binary (2 bytes) on "
        + TCP + ": newline-framed TCP carries UTF-8 text lines only; encode binary data as text"
        + " (e.g. Base64) or use a ws:// or wss:// URL", c.state().reason());
    assertTrue(t.sent.isEmpty());
    assertTrue(h.received.isEmpty());
    assertNeverRetried(1);
  }

  private ConnectionOptions.Builder tcp() {
    return ConnectionOptions.builder(TCP).eventListener(h.recordingEvents());
  }

  private static void assertHeaderRefused(String name, String value, String message) {
    try {
      ConnectionOptions.builder("wss://example.com/socket").header(name, value);
      fail("header accepted: " + name);
    } catch (IllegalArgumentException expected) {
      assertEquals(message, expected.getMessage());
      assertFalse(expected.getMessage().contains(SECRET));
    }
  }

  /** The connection stays CLOSED with {@code transports} opened, even an hour later. */
  private void assertNeverRetried(int transports) {
    assertEquals(transports, h.transports.count());
    ConnectionState closed = h.lastState();
    h.time.advanceBy(HOURS.toMillis(1));
    assertEquals(transports, h.transports.count());
    assertEquals(closed, h.lastState());
    assertEquals(Kind.CLOSED, closed.kind());
  }

  private List<Kind> kinds() {
    List<Kind> kinds = new ArrayList<>();
    for (ConnectionState s : h.states) kinds.add(s.kind());
    return kinds;
  }

  @Test public void aClientThatRefusesToConnectItselfIsAConfigurationErrorNotRetried() {
    Harness x = new Harness();
    RealConnection c = x.connection(x.options().build());
    c.connect();
    x.time.runUntilIdle();
    x.transports.last().fails(new java.net.UnknownServiceException(
        "CLEARTEXT communication to example.com not permitted by network security policy"));
    x.time.runUntilIdle();
    assertEquals(Kind.CLOSED, c.state().kind());
    assertEquals("connect failed: UnknownServiceException: CLEARTEXT communication to"
        + " example.com not permitted by network security policy", c.state().reason());
    x.time.advanceBy(HOURS.toMillis(1));
    assertEquals("never retried", 1, x.transports.count());
  }
}
