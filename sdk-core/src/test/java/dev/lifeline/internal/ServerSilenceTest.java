package dev.lifeline.internal;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.lifeline.ConnectionState;
import dev.lifeline.ConnectionState.Kind;
import dev.lifeline.HeartbeatPolicy;
import dev.lifeline.Message;
import org.junit.Test;

/**
 * The server-silence watch (docs/behaviour.md, "Server-silence watch") and the responder
 * (docs/behaviour.md, "Server heartbeat responder"), in virtual time.
 */
public final class ServerSilenceTest {
  private final Harness h = new Harness();
  private final HeartbeatPolicy watch = HeartbeatPolicy.builder()
      .interval(30, SECONDS).serverTimeout(70, SECONDS).build();

  @Test public void silenceAtLimitMinusOneKeepsTheConnectionAtTheLimitReplacesIt() {
    RealConnection c = h.connection(h.options().heartbeat(watch).build());
    FakeTransport t = h.connectAndOpen(c);
    h.time.advanceBy(70_000 - 1);
    assertEquals(Kind.CONNECTED, c.state().kind());
    assertTrue(!t.cancelled);

    h.time.advanceBy(1);
    assertTrue(t.cancelled);
    ConnectionState s = c.state();
    assertEquals(Kind.WAITING_TO_RECONNECT, s.kind());
    assertEquals("no data from server for 70 s (limit 70 s)", s.reason());
    assertTrue(h.events.contains("serverSilence 70000/70000"));
    assertTrue(h.events.contains("disconnected no data from server for 70 s (limit 70 s)"));

    h.time.advanceBy(s.delayMillis());
    assertEquals(2, h.transports.count());
  }

  @Test public void everyInboundMessageResetsTheWatch() {
    RealConnection c = h.connection(h.options().heartbeat(watch).build());
    FakeTransport t = h.connectAndOpen(c);
    for (int i = 0; i < 10; i++) {
      h.time.advanceBy(69_000);
      t.serverSends("server heartbeat");
      h.time.runUntilIdle();
    }
    assertEquals(Kind.CONNECTED, c.state().kind());
    h.time.advanceBy(69_999);
    assertEquals(Kind.CONNECTED, c.state().kind());
    h.time.advanceBy(1);
    assertEquals(Kind.WAITING_TO_RECONNECT, c.state().kind());
  }

  @Test public void pongsCountAsInboundActivity() {
    RealConnection c = h.connection(h.options().heartbeat(watch).build());
    FakeTransport t = h.connectAndOpen(c);
    h.time.advanceBy(60_000);
    t.serverPongs();
    h.time.advanceBy(10_000); // Check at 70 s sees the new pong: alive.
    assertEquals(Kind.CONNECTED, c.state().kind());
    h.time.advanceBy(70_000); // No pong since: dead.
    assertEquals(Kind.WAITING_TO_RECONNECT, c.state().kind());
  }

  @Test public void aReaderThatCouldNotReadForSeveralLimitsIsNotSilenceTheLimitRunsWhenItCan() {
    RealConnection c = h.connection(h.options().heartbeat(watch).build());
    c.connect();
    h.time.runUntilIdle();
    FakeTransport t = h.transports.last();
    t.measuresReader(); // As tcp:// does.
    t.serverAccepts();
    h.time.runUntilIdle();
    t.readerBusy(); // Handing a message on, or not scheduled on a busy machine.
    h.time.advanceBy(3 * 70_000);
    assertEquals(Kind.CONNECTED, c.state().kind());
    t.readerWaits();
    h.time.advanceBy(70_000 - 1);
    assertEquals(Kind.CONNECTED, c.state().kind());
    h.time.advanceBy(1);
    assertEquals(Kind.WAITING_TO_RECONNECT, c.state().kind());
    assertEquals("no data from server for 280 s (limit 70 s; the reader waited 70 s for data)",
        c.state().reason());
    assertTrue(h.events.contains("serverSilence 280000/70000"));
  }

  @Test public void offByDefaultAQuietServerIsNeverDisconnected() {
    RealConnection c = h.connection(h.options().build());
    FakeTransport t = h.connectAndOpen(c);
    h.time.advanceBy(60 * 60_000);
    assertEquals(Kind.CONNECTED, c.state().kind());
    assertTrue(!t.cancelled);
    assertEquals(1, h.transports.count());
  }

  @Test public void expectServerHeartbeatsSetsTheLimitToTwiceTheirInterval() {
    HeartbeatPolicy p = HeartbeatPolicy.builder().expectServerHeartbeats(60, SECONDS).build();
    assertEquals(120_000, p.serverTimeoutMillis());
  }

  @Test public void responderAnswersServerHeartbeatsWhichTheAppDoesNotSee() {
    HeartbeatPolicy hb = watch.newBuilder()
        .responder(in -> in.isText() && in.text().equals("ping") ? Message.text("pong") : null)
        .build();
    RealConnection c = h.connection(h.options().heartbeat(hb).build());
    FakeTransport t = h.connectAndOpen(c);
    t.serverSends("ping");
    t.serverSends("hello");
    h.time.runUntilIdle();
    assertEquals(java.util.Arrays.asList("pong"), t.sentTexts());
    assertEquals(java.util.Arrays.asList("hello"), h.received);
    assertTrue(h.events.contains("answered text \"pong\""));
  }

  @Test public void throwingResponderDeliversTheMessageAndKeepsTheConnection() {
    HeartbeatPolicy hb = watch.newBuilder().responder(in -> { throw new RuntimeException("x"); }).build();
    RealConnection c = h.connection(h.options().heartbeat(hb).build());
    FakeTransport t = h.connectAndOpen(c);
    t.serverSends("ping");
    h.time.runUntilIdle();
    assertEquals(java.util.Arrays.asList("ping"), h.received);
    assertEquals(Kind.CONNECTED, c.state().kind());
  }
}
