package dev.lifeline.internal;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import dev.lifeline.ConnectionState.Kind;
import dev.lifeline.HeartbeatPolicy;
import dev.lifeline.Message;
import java.util.concurrent.atomic.AtomicInteger;
import okio.ByteString;
import org.junit.Test;

/**
 * The data heartbeat at the interval, and idle-only (docs/behaviour.md, "Heartbeats"), in virtual
 * time.
 */
public final class HeartbeatTest {
  private static final long INTERVAL = HeartbeatPolicy.DEFAULT_INTERVAL_MILLIS;
  private final Harness h = new Harness();

  @Test public void firstHeartbeatIsADataMessageExactlyAtTheInterval() {
    RealConnection c = h.connection(h.options().build());
    FakeTransport t = h.connectAndOpen(c);
    assertEquals(Kind.CONNECTED, c.state().kind());

    h.time.advanceBy(INTERVAL - 1);
    assertEquals(0, t.sent.size());
    h.time.advanceBy(1);
    assertEquals(1, t.sent.size());
    assertEquals(Message.text(HeartbeatPolicy.DEFAULT_PAYLOAD), t.sent.get(0));
  }

  @Test public void idleConnectionBeatsEveryInterval() {
    RealConnection c = h.connection(h.options().build());
    FakeTransport t = h.connectAndOpen(c);
    h.time.advanceBy(10 * INTERVAL);
    assertEquals(10, t.sent.size());
    assertEquals(10, count("heartbeatSent"));
  }

  @Test public void busyConnectionSendsNoHeartbeatBytes() {
    RealConnection c = h.connection(h.options().build());
    FakeTransport t = h.connectAndOpen(c);
    for (int i = 0; i < 60; i++) { // 10 minutes of app traffic every 10 s.
      h.time.advanceBy(10_000);
      c.send("app " + i);
      h.time.runUntilIdle();
    }
    assertEquals(60, t.sent.size());
    for (Message m : t.sent) assertTrue(m.text().startsWith("app "));
    assertTrue(count("heartbeatSkipped") > 0);
  }

  @Test public void heartbeatIsDueOneIntervalAfterTheLastSend() {
    RealConnection c = h.connection(h.options().build());
    FakeTransport t = h.connectAndOpen(c);
    h.time.advanceBy(20_000);
    c.send("app");
    h.time.runUntilIdle();
    h.time.advanceBy(INTERVAL - 1); // 1 ms before last send + interval.
    assertEquals(1, t.sent.size());
    h.time.advanceBy(1);
    assertEquals(2, t.sent.size());
    assertEquals(HeartbeatPolicy.DEFAULT_PAYLOAD, t.sent.get(1).text());
  }

  @Test public void notIdleOnlyBeatsEvenWhenBusy() {
    HeartbeatPolicy hb = HeartbeatPolicy.builder().idleOnly(false).build();
    RealConnection c = h.connection(h.options().heartbeat(hb).build());
    FakeTransport t = h.connectAndOpen(c);
    h.time.advanceBy(INTERVAL - 1000);
    c.send("app");
    h.time.advanceBy(1000);
    assertEquals(2, t.sent.size());
    assertEquals(HeartbeatPolicy.DEFAULT_PAYLOAD, t.sent.get(1).text());
  }

  @Test public void customTextBinaryAndSuppliedPayloads() {
    HeartbeatPolicy text = HeartbeatPolicy.builder().interval(5, SECONDS).textPayload("hb").build();
    FakeTransport t1 = h.connectAndOpen(h.connection(h.options().heartbeat(text).build()));
    h.time.advanceBy(5_000);
    assertEquals(Message.text("hb"), t1.sent.get(0));

    Harness h2 = new Harness();
    HeartbeatPolicy bin = HeartbeatPolicy.builder().interval(5, SECONDS)
        .binaryPayload(ByteString.of((byte) 9)).build();
    FakeTransport t2 = h2.connectAndOpen(h2.connection(h2.options().heartbeat(bin).build()));
    h2.time.advanceBy(5_000);
    assertEquals(Message.binary(new byte[] {9}), t2.sent.get(0));

    Harness h3 = new Harness();
    AtomicInteger seq = new AtomicInteger();
    HeartbeatPolicy supplied = HeartbeatPolicy.builder().interval(5, SECONDS)
        .payload(() -> Message.text("beat " + seq.incrementAndGet())).build();
    FakeTransport t3 = h3.connectAndOpen(h3.connection(h3.options().heartbeat(supplied).build()));
    h3.time.advanceBy(15_000);
    assertEquals(java.util.Arrays.asList("beat 1", "beat 2", "beat 3"), t3.sentTexts());
  }

  @Test public void throwingPayloadSupplierFallsBackToDefaultAndKeepsConnection() {
    HeartbeatPolicy hb = HeartbeatPolicy.builder().interval(100, MILLISECONDS)
        .payload(() -> { throw new IllegalStateException("boom"); }).build();
    RealConnection c = h.connection(h.options().heartbeat(hb).build());
    FakeTransport t = h.connectAndOpen(c);
    h.time.advanceBy(100);
    assertEquals(HeartbeatPolicy.DEFAULT_PAYLOAD, t.sent.get(0).text());
    assertEquals(Kind.CONNECTED, c.state().kind());
  }

  @Test public void protocolPingIntervalDefaultsToHeartbeatIntervalAndCanBeOff() {
    HeartbeatPolicy hb = HeartbeatPolicy.builder().interval(25, SECONDS).build();
    assertEquals(25_000, hb.protocolPingIntervalMillis());
    FakeTransport t = h.connectAndOpen(h.connection(h.options().heartbeat(hb).build()));
    t.pingsSupported = true;
    h.time.advanceBy(25_000 - 1);
    assertEquals(0, t.pings);
    h.time.advanceBy(1); // Lifeline pings the transport itself, at the heartbeat's cadence.
    assertEquals(1, t.pings);
    assertEquals(0, HeartbeatPolicy.builder().noProtocolPing().build().protocolPingIntervalMillis());
  }

  @Test public void noHeartbeatAfterTheConnectionIsLost() {
    RealConnection c = h.connection(h.options().build());
    FakeTransport t = h.connectAndOpen(c);
    t.fails(new java.io.IOException("reset"));
    h.time.runUntilIdle();
    assertFalse(c.state().kind() == Kind.CONNECTED);
    h.time.advanceBy(INTERVAL);
    assertEquals(0, t.sent.size());
  }

  private int count(String prefix) {
    int n = 0;
    for (String e : h.events) if (e.startsWith(prefix)) n++;
    return n;
  }
}
