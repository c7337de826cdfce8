package dev.lifeline.internal;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.Assert.assertEquals;

import dev.lifeline.ConnectionState.Kind;
import dev.lifeline.HeartbeatPolicy;
import org.junit.Test;

public final class HeartbeatTest {
  private final Harness h = new Harness();

  @Test public void firstHeartbeatIsADataMessageAtTheInterval() {
    RealConnection c = h.connection(h.options().build());
    FakeTransport t = h.connectAndOpen(c);
    assertEquals(Kind.CONNECTED, c.state().kind());

    h.time.advanceBy(HeartbeatPolicy.DEFAULT_INTERVAL_MILLIS - 1);
    assertEquals(0, t.sent.size());
    h.time.advanceBy(1);
    assertEquals(1, t.sent.size());
    assertEquals(HeartbeatPolicy.DEFAULT_PAYLOAD, t.sent.get(0).text());
  }
}
