package dev.lifeline.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import dev.lifeline.Connection;
import dev.lifeline.ConnectionListener;
import dev.lifeline.ConnectionOptions;
import dev.lifeline.ConnectionState.Kind;
import dev.lifeline.HeartbeatPolicy;
import dev.lifeline.Message;
import dev.lifeline.OutboxStore;
import dev.lifeline.StoredMessage;
import dev.lifeline.StreamResume;
import dev.lifeline.testing.MemoryOutboxStore;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.Test;

/**
 * Inbound stream resume in virtual time: which position is kept and when, what is refused, gaps in
 * consecutive mode, and the resume hook on every attempt. Messages look like "7:text" (position
 * 7), or carry no position when they have no colon.
 */
public final class StreamResumeTest {
  /** Positions: the part before ':', or none. */
  static final StreamResume.PositionExtractor BEFORE_COLON = m -> {
    int colon = m.text().indexOf(':');
    return colon < 0 ? null : m.text().substring(0, colon);
  };

  private final Harness h = new Harness();
  /** Positions the store was asked to save, in order. */
  private final List<String> saved = Collections.synchronizedList(new ArrayList<>());
  /** What the hook was called with, per attempt. */
  private final List<String> hookCalls = Collections.synchronizedList(new ArrayList<>());

  /** True: {@link #store}'s saves fail, as on a full disk. */
  private volatile boolean storeFails;

  /** Records the positions it saves into {@link #saved}; the rest is not under test here. */
  private final OutboxStore store = new OutboxStore() {
    @Override public Contents open() {
      return Contents.empty();
    }

    @Override public void add(StoredMessage message) {}

    @Override public void markSending(long[] sequences) {}

    @Override public void remove(long[] sequences) {}

    @Override public void savePosition(String position) throws IOException {
      if (storeFails) throw new IOException("No space left on device");
      saved.add(position);
    }

    @Override public void close() {}
  };

  /** Records each call, then adds the position as {@code ?from=}. */
  private final StreamResume.ResumeHook recordingHook = (last, request) -> {
    hookCalls.add(String.valueOf(last));
    if (last != null) request.queryParameter("from", last);
  };

  private StreamResume.Builder resume() {
    return StreamResume.builder(BEFORE_COLON).hook(recordingHook);
  }

  private RealConnection connection(StreamResume resume, ConnectionListener listener) {
    return h.connection(h.options().resume(resume).outboxStore(store).build(), listener);
  }

  private RealConnection connection(StreamResume resume) {
    return connection(resume, h.recordingListener());
  }

  /** Loses the open transport and lets the next attempt open; returns its transport. */
  private FakeTransport reconnect(RealConnection c, FakeTransport t) {
    t.fails(new IOException("connection reset"));
    h.time.runUntilIdle();
    assertEquals(Kind.WAITING_TO_RECONNECT, c.state().kind());
    h.time.advanceBy(c.state().delayMillis());
    FakeTransport next = h.transports.last();
    next.serverAccepts();
    h.time.runUntilIdle();
    return next;
  }

  private void serverSends(FakeTransport t, String... texts) {
    for (String text : texts) t.serverSends(text);
    h.time.runUntilIdle();
  }

  @Test public void thePositionIsKeptOnlyOnceOnMessageReturned() {
    List<String> savedDuringOnMessage = new ArrayList<>();
    RealConnection c = connection(resume().build(), new ConnectionListener() {
      @Override public void onMessage(Connection connection, String text) {
        savedDuringOnMessage.add(text + " while " + saved);
      }
    });
    FakeTransport t = h.connectAndOpen(c);
    serverSends(t, "1:a", "2:b");
    assertEquals(Arrays.asList("1:a while []", "2:b while [1]"), savedDuringOnMessage);
    assertEquals(Arrays.asList("1", "2"), saved);

    FakeTransport t2 = reconnect(c, t);
    assertEquals(Arrays.asList("null", "2"), hookCalls);
    assertEquals("ws://127.0.0.1:1/socket?from=2", t2.request.url);
  }

  @Test public void aListenerThatThrowsDidNotHandleItsMessage() {
    RealConnection c = connection(resume().build(), new ConnectionListener() {
      @Override public void onMessage(Connection connection, String text) {
        if (text.startsWith("2:")) throw new IllegalStateException("app bug");
      }
    });
    FakeTransport t = h.connectAndOpen(c);
    serverSends(t, "1:a", "2:b");
    assertEquals(Collections.singletonList("1"), saved);
    reconnect(c, t);
    assertEquals("resumes after the last message handled", "1", hookCalls.get(1));
    serverSends(h.transports.last(), "2:b", "3:c");
    assertEquals(Arrays.asList("1", "3"), saved);
  }

  @Test public void messagesWithoutAPositionLeaveTheLastOneAsItIs() {
    RealConnection c = connection(resume().build());
    FakeTransport t = h.connectAndOpen(c);
    serverSends(t, "5:a", "no position", "6:b", "still none");
    assertEquals(Arrays.asList("5:a", "no position", "6:b", "still none"), h.received);
    assertEquals(Arrays.asList("5", "6"), saved);
  }

  @Test public void anExtractorThatThrowsIsLoggedOnceAndTheMessageStillArrives() {
    RealConnection c = connection(StreamResume.builder(m -> {
      if (m.text().startsWith("bad")) throw new IllegalArgumentException("not JSON");
      return BEFORE_COLON.position(m);
    }).hook(recordingHook).build());
    FakeTransport t = h.connectAndOpen(c);
    serverSends(t, "1:a", "bad 1", "bad 2", "2:b");
    assertEquals(Arrays.asList("1:a", "bad 1", "bad 2", "2:b"), h.received);
    assertEquals(Arrays.asList("1", "2"), saved);
    assertEquals(1, count(h.logs, "WARN StreamResume.PositionExtractor.position threw"));
  }

  @Test public void hostilePositionsAreNotKeptAndNeverReachTheHandshake() {
    RealConnection c = connection(resume().build());
    FakeTransport t = h.connectAndOpen(c);
    String longest = repeat('7', StreamResume.MAX_POSITION_LENGTH);
    serverSends(t, longest + ":at the limit");
    assertEquals(Collections.singletonList(longest), saved);
    serverSends(t, longest + "7:one past the limit", "1\r\nX-Injected: yes:header injection",
        ":empty", "caf\u00e9:not ASCII");
    assertEquals("none kept", Collections.singletonList(longest), saved);
    assertEquals(5, h.received.size());
    assertEquals(1,
        count(h.logs, "WARN stream position not kept: it has 257 characters (limit 256)"));
    assertFalse("the position is app data, never logged",
        String.join("\n", h.logs).contains("Injected"));
    FakeTransport t2 = reconnect(c, t);
    assertEquals("ws://127.0.0.1:1/socket?from=" + longest, t2.request.url);
  }

  @Test public void aRestoredPositionIsHandedToTheFirstAttempt() throws IOException {
    MemoryOutboxStore store = new MemoryOutboxStore();
    store.savePosition("41"); // As a process that handled message 41 left it.
    RealConnection c = new RealConnection(h.context, h.options().resume(resume().consecutive(true)
        .build()).outboxStore(store).build(), h.recordingListener());
    h.context.register(c);
    FakeTransport t = h.connectAndOpen(c);
    assertEquals(Collections.singletonList("41"), hookCalls);
    assertEquals("ws://127.0.0.1:1/socket?from=41", t.request.url);
    serverSends(t, "43:skipped one");
    assertEquals(Collections.singletonList("streamGap 42 43"), gaps());
  }

  @Test public void consecutivePositionsReportAJumpOnly() {
    RealConnection c = connection(resume().consecutive(true).build());
    FakeTransport t = h.connectAndOpen(c);
    serverSends(t, "7:first", "8:p+1");
    assertEquals("the first position and p+1: no gap", Collections.emptyList(), gaps());
    serverSends(t, "10:p+2");
    assertEquals(Collections.singletonList("streamGap 9 10"), gaps());
    assertEquals(1, count(h.logs, "WARN stream gap: expected position 9, received 10"));
    serverSends(t, "9:late", "10:duplicate", "11:next");
    assertEquals("at or below the highest: passed on, no gap", 1, gaps().size());
    serverSends(t, "x1:not a number", "x2:not a number", "12:next");
    assertEquals(1, gaps().size());
    assertEquals(1, count(h.logs, "WARN stream position of 2 characters is not a decimal integer"));
    serverSends(t, "9223372036854775807:max", "99999999999999999999:too large");
    assertEquals(Arrays.asList("streamGap 9 10", "streamGap 13 9223372036854775807"), gaps());
    assertEquals("every message reaches the listener", 11, h.received.size());
    assertEquals("the last handled, not the highest", "99999999999999999999",
        saved.get(saved.size() - 1));
  }

  @Test public void acknowledgementsAndHeartbeatsAreNotPositioned() {
    List<String> extracted = new ArrayList<>();
    RealConnection c = h.connection(h.options()
        .atLeastOnce(AtLeastOnceTest.ACKS)
        .heartbeat(HeartbeatPolicy.builder().serverHeartbeat(m -> m.text().equals("beat:0"))
            .build())
        .resume(StreamResume.builder(m -> {
          extracted.add(m.text());
          return BEFORE_COLON.position(m);
        }).build()).build());
    FakeTransport t = h.connectAndOpen(c);
    c.send("msg:1");
    h.time.runUntilIdle();
    serverSends(t, "ack:1", "beat:0", "3:data");
    assertEquals(Collections.singletonList("3:data"), extracted);
    assertEquals(Collections.singletonList("3:data"), h.received);
  }

  @Test public void theHookRunsOnEveryAttemptWithTheLatestPosition() {
    RealConnection c = connection(resume().build());
    c.connect();
    h.time.runUntilIdle();
    FakeTransport refused = h.transports.last();
    refused.fails(new IOException("connection refused"));
    h.time.runUntilIdle();
    h.time.advanceBy(c.state().delayMillis());
    FakeTransport t = h.transports.last();
    t.serverAccepts();
    h.time.runUntilIdle();
    serverSends(t, "3:a");
    FakeTransport t2 = reconnect(c, t);
    serverSends(t2, "4:b");
    reconnect(c, t2);
    assertEquals(Arrays.asList("null", "null", "3", "4"), hookCalls);
    assertEquals("ws://127.0.0.1:1/socket", refused.request.url);
  }

  @Test public void headersAndQueryGoToThatAttemptsHandshakeOnly() {
    RealConnection c = h.connection(h.options().header("X-App", "1")
        .resume(StreamResume.builder(BEFORE_COLON).hook((last, request) -> {
          if (last == null) return;
          request.header("Last-Event-ID", last);
          request.queryParameter("from", last + " & more/é");
        }).build()).build());
    FakeTransport t = h.connectAndOpen(c);
    assertEquals(Collections.singletonMap("X-App", "1"), t.request.headers);
    serverSends(t, "12:a");
    FakeTransport t2 = reconnect(c, t);
    assertEquals("12", t2.request.headers.get("Last-Event-ID"));
    assertEquals("1", t2.request.headers.get("X-App"));
    assertEquals("ws://127.0.0.1:1/socket?from=12%20%26%20more%2F%C3%A9", t2.request.url);
  }

  @Test public void theFirstMessageGoesOutBeforeTheOutboxAndIsNotAppData() {
    RealConnection c = h.connection(h.options().resume(StreamResume.builder(BEFORE_COLON)
        .hook((last, request) -> request.firstMessage(Message.text("RESUME " + last))).build())
        .build());
    c.send("queued before open");
    FakeTransport t = h.connectAndOpen(c);
    assertEquals(Arrays.asList("RESUME null", "queued before open"), t.sentTexts());
    serverSends(t, "5:x");

    t.holdWrites = true;
    c.send("unwritten");
    h.time.runUntilIdle();
    FakeTransport t2 = reconnect(c, t);
    assertEquals("the old first message is not requeued; the new one leads",
        Arrays.asList("RESUME 5", "unwritten"), t2.sentTexts());
    assertTrue(h.sendFailures.isEmpty());
  }

  @Test public void aHookThatThrowsLetsTheAttemptGoOnWithoutResume() {
    RealConnection c = h.connection(h.options().resume(StreamResume.builder(BEFORE_COLON)
        .hook((last, request) -> {
          request.queryParameter("from", "1");
          throw new IOException("offset service down");
        }).build()).build());
    FakeTransport t = h.connectAndOpen(c);
    assertEquals(Kind.CONNECTED, c.state().kind());
    assertEquals("nothing the hook added is used", "ws://127.0.0.1:1/socket", t.request.url);
    assertEquals(1, count(h.logs, "WARN StreamResume.ResumeHook.resume failed; attempt 0 goes on"
        + " without resume"));
  }

  @Test public void anInvalidHeaderIsRefusedToTheHookWithoutQuotingIt() {
    List<String> errors = new ArrayList<>();
    RealConnection c = h.connection(h.options().resume(StreamResume.builder(BEFORE_COLON)
        .hook((last, request) -> {
          try {
            request.header("X-Offset", "secret\r\nEvil: 1");
          } catch (IllegalArgumentException e) {
            errors.add(e.getMessage());
            throw e;
          }
        }).build()).build());
    FakeTransport t = h.connectAndOpen(c);
    assertEquals(Kind.CONNECTED, c.state().kind());
    assertEquals(Collections.emptyMap(), t.request.headers);
    assertEquals(1, errors.size());
    assertTrue(errors.get(0), errors.get(0).contains("header 'X-Offset' has an invalid value"));
    assertFalse(errors.get(0).contains("secret"));
  }

  @Test public void onTcpTheHandshakeAdditionsThrowAndTheFirstMessageWorks() {
    List<String> errors = new ArrayList<>();
    RealConnection c = h.connection(ConnectionOptions.builder("tcp://127.0.0.1:1")
        .eventListener(h.recordingEvents())
        .resume(StreamResume.builder(BEFORE_COLON).hook((last, request) -> {
          try {
            request.header("X-Offset", "1");
          } catch (IllegalStateException e) {
            errors.add(e.getMessage());
          }
          try {
            request.queryParameter("from", "1");
          } catch (IllegalStateException e) {
            errors.add(e.getMessage());
          }
          try {
            request.firstMessage(Message.text("two\nlines"));
          } catch (IllegalArgumentException e) {
            errors.add("first: " + e.getMessage());
          }
          request.firstMessage(Message.text("RESUME " + last));
        }).build()).build());
    FakeTransport t = h.connectAndOpen(c);
    assertEquals(Arrays.asList("RESUME null"), t.sentTexts());
    assertEquals(errors.toString(), 3, errors.size());
    assertTrue(errors.get(0), errors.get(0).startsWith("header() on a tcp:// or tcp+tls://"
        + " connection: newline-framed TCP has no handshake"));
    assertTrue(errors.get(2), errors.get(2).contains("it contains '\\n' at index 3"));
  }

  @Test public void aReadyMadeHandshakeHookIsRefusedForTcpAtBuild() {
    try {
      ConnectionOptions.builder("tcp://127.0.0.1:1").resume(StreamResume.builder(BEFORE_COLON)
          .hook(StreamResume.header("Last-Event-ID")).build()).build();
      fail();
    } catch (IllegalArgumentException e) {
      assertEquals("resume hook 'header Last-Event-ID' cannot be used with tcp://127.0.0.1:1:"
          + " newline-framed TCP has no handshake to carry it; send the position with"
          + " ResumeRequest.firstMessage() instead", e.getMessage());
    }
  }

  @Test public void theOptionsDescribeResumeWithoutAppDetails() {
    String described = h.options().resume(resume().consecutive(true).build()).build().toString();
    assertTrue(described, described.contains(", resume=StreamResume{extractor=lambda in"
        + " StreamResumeTest, consecutive=true, hook=lambda in StreamResumeTest}"));
    assertTrue(StreamResume.builder(BEFORE_COLON).hook(StreamResume.queryParameter("from")).build()
        .toString().endsWith("hook=query parameter from}"));
  }

  @Test public void readyMadeHooksAddNothingBeforeTheFirstPosition() {
    RealConnection c = h.connection(h.options().resume(StreamResume.builder(BEFORE_COLON)
        .hook(StreamResume.header("Last-Event-ID")).build()).build());
    FakeTransport t = h.connectAndOpen(c);
    assertNull(t.request.headers.get("Last-Event-ID"));
    serverSends(t, "abc-17:x");
    assertEquals("abc-17", reconnect(c, t).request.headers.get("Last-Event-ID"));
  }

  @Test public void aStuckHookIsNamedAtTheDeadlineAndNeverAskedTwice() {
    ManualExecutor blocking = new ManualExecutor();
    Harness slow = new Harness(new Random(1), Runnable::run, blocking);
    RealConnection c = slow.connection(slow.options().resume(resume().build()).build());
    c.connect();
    slow.time.runUntilIdle();
    assertEquals(1, blocking.waiting());
    slow.time.advanceBy(ConnectionOptions.DEFAULT_ATTEMPT_TIMEOUT_MILLIS);
    assertTrue(slow.events.toString(), slow.events.contains("connectFailed 0 handshake not"
        + " finished after 30.0 s (limit 30 s): StreamResume.ResumeHook.resume() still running"));
    slow.time.advanceBy(c.state().delayMillis());
    assertEquals(Kind.CONNECTING, c.state().kind());
    assertEquals("the next attempt waits for the same call", 1, blocking.waiting());
    blocking.runAll();
    slow.time.runUntilIdle();
    assertEquals(1, slow.transports.count());
    assertEquals(Collections.singletonList("null"), hookCalls);
  }

  @Test public void aBurstCostsOneSaveOfItsNewestPosition() {
    ManualExecutor blocking = new ManualExecutor();
    Harness slowStore = new Harness(new Random(1), Runnable::run, blocking);
    RealConnection c = slowStore.connection(slowStore.options().outboxStore(store)
        .resume(StreamResume.builder(BEFORE_COLON).build()).build());
    c.connect();
    slowStore.time.runUntilIdle();
    FakeTransport t = slowStore.transports.last();
    t.serverAccepts();
    slowStore.time.runUntilIdle();
    for (int i = 1; i <= 1_000; i++) t.serverSends(i + ":burst");
    slowStore.time.runUntilIdle();
    assertEquals(1_000, slowStore.received.size());
    assertEquals("one save queued for the whole burst", 1, blocking.waiting());
    blocking.runAll();
    assertEquals(Collections.singletonList("1000"), saved);
    t.serverSends("1001:after");
    slowStore.time.runUntilIdle();
    blocking.runAll();
    assertEquals(Arrays.asList("1000", "1001"), saved);
  }

  @Test public void aStoreThatFailsIsLoggedOnceAndTheNextSaveCarriesTheNewestPosition() {
    storeFails = true;
    RealConnection c = connection(StreamResume.builder(BEFORE_COLON).build());
    FakeTransport t = h.connectAndOpen(c);
    serverSends(t, "1:a", "2:b");
    storeFails = false;
    serverSends(t, "3:c");
    assertEquals(Collections.singletonList("3"), saved);
    assertEquals(1, count(h.logs, "WARN OutboxStore.savePosition failed"));
    assertEquals(1, count(h.logs, "INFO OutboxStore.savePosition works again"));
  }

  private List<String> gaps() {
    List<String> gaps = new ArrayList<>();
    for (String e : h.events) {
      if (e.startsWith("streamGap")) gaps.add(e);
    }
    return gaps;
  }

  private static int count(List<String> lines, String prefix) {
    int n = 0;
    synchronized (lines) {
      for (String line : lines) {
        if (line.startsWith(prefix)) n++;
      }
    }
    return n;
  }

  private static String repeat(char c, int n) {
    char[] chars = new char[n];
    Arrays.fill(chars, c);
    return new String(chars);
  }
}
