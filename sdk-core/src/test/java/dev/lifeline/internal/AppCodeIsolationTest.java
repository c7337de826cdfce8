package dev.lifeline.internal;

import static java.util.Arrays.asList;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.lifeline.AckMatcher;
import dev.lifeline.ConnectionState.Kind;
import dev.lifeline.HeartbeatPolicy;
import dev.lifeline.Message;
import dev.lifeline.ServerHeartbeatResponder;
import java.io.IOException;
import org.junit.Test;

/**
 * Per-message app hooks that throw or answer nonsense never break the connection; each failure
 * is logged as a WARN (docs/behaviour.md, "App code isolation"). Complements the throwing-hook
 * tests in {@link HeartbeatTest}, {@link ServerSilenceTest} and {@link AtLeastOnceTest}.
 */
public final class AppCodeIsolationTest {
  private final Harness h = new Harness();

  @Test public void aPayloadSupplierReturningNullSendsTheDefaultPayloadAndLogsAWarning() {
    HeartbeatPolicy hb = HeartbeatPolicy.builder().interval(5, SECONDS).payload(() -> null).build();
    RealConnection c = h.connection(h.options().heartbeat(hb).build());
    FakeTransport t = h.connectAndOpen(c);
    h.time.advanceBy(10_000);
    assertEquals(asList(HeartbeatPolicy.DEFAULT_PAYLOAD, HeartbeatPolicy.DEFAULT_PAYLOAD),
        t.sentTexts());
    assertEquals(Kind.CONNECTED, c.state().kind());
    assertLogged("WARN heartbeat payload supplier failed; sending the default payload");
  }

  @Test public void aThrowingAckKeySendsTheMessageWithoutHoldingIt() {
    AckMatcher keyThrows = new AckMatcher() {
      @Override public Object key(Message out) {
        throw new IllegalStateException("bad json");
      }

      @Override public Object acknowledgedKey(Message in) {
        return null;
      }
    };
    RealConnection c = h.connection(h.options().atLeastOnce(keyThrows).build());
    FakeTransport t = h.connectAndOpen(c);
    c.send("msg:1");
    h.time.runUntilIdle();
    assertEquals(asList("msg:1"), t.sentTexts());
    assertLogged("WARN AckMatcher.key threw; message sent without waiting for an ack");

    t.fails(new IOException("connection reset"));
    h.time.runUntilIdle();
    assertEquals(0, c.queuedMessages()); // Not held, so not resent: at most once for it.
    h.time.advanceBy(c.state().delayMillis());
    FakeTransport again = h.transports.last();
    again.serverAccepts();
    h.time.runUntilIdle();
    assertTrue(again.sentTexts().isEmpty());
    assertEquals(Kind.CONNECTED, c.state().kind());
  }

  @Test public void aThrowingAcknowledgedKeyStillLetsTheResponderAnswer() {
    AckMatcher inboundThrows = new AckMatcher() {
      @Override public Object key(Message out) {
        return null;
      }

      @Override public Object acknowledgedKey(Message in) {
        throw new IllegalStateException("bad json");
      }
    };
    HeartbeatPolicy hb = HeartbeatPolicy.builder().responder(pingPong()).build();
    RealConnection c = h.connection(h.options().atLeastOnce(inboundThrows).heartbeat(hb).build());
    FakeTransport t = h.connectAndOpen(c);
    t.serverSends("ping");
    t.serverSends("hello");
    h.time.runUntilIdle();
    assertEquals(asList("pong"), t.sentTexts());
    assertEquals(asList("hello"), h.received);
    assertLogged("WARN AckMatcher.acknowledgedKey threw; message delivered as usual");
    assertEquals(Kind.CONNECTED, c.state().kind());
  }

  @Test public void aResponderThatThrowsOnceStillAnswersTheNextHeartbeat() {
    ServerHeartbeatResponder responder = in -> {
      if (in.text().equals("boom")) throw new IllegalStateException("unexpected message");
      return pingPong().replyTo(in);
    };
    HeartbeatPolicy hb = HeartbeatPolicy.builder().responder(responder).build();
    RealConnection c = h.connection(h.options().heartbeat(hb).build());
    FakeTransport t = h.connectAndOpen(c);
    t.serverSends("boom");
    t.serverSends("ping");
    h.time.runUntilIdle();
    assertEquals(asList("boom"), h.received);
    assertEquals(asList("pong"), t.sentTexts());
    assertLogged("WARN server heartbeat responder threw; message delivered as usual");
    assertEquals(Kind.CONNECTED, c.state().kind());
  }

  private static ServerHeartbeatResponder pingPong() {
    return in -> in.isText() && in.text().equals("ping") ? Message.text("pong") : null;
  }

  private void assertLogged(String line) {
    assertTrue(h.logs.toString(), h.logs.contains(line));
  }
}
