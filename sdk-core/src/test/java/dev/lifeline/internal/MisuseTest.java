package dev.lifeline.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import dev.lifeline.Connection;
import dev.lifeline.ConnectionListener;
import dev.lifeline.ConnectionState;
import dev.lifeline.ConnectionState.Kind;
import dev.lifeline.EventListener;
import dev.lifeline.Message;
import java.io.IOException;
import org.junit.Test;

/** Misuse gets a clear error; app callbacks that throw never break the connection. */
public final class MisuseTest {
  private final Harness h = new Harness();

  @Test public void connectTwiceIsAClearError() {
    RealConnection c = h.connection(h.options().build());
    c.connect();
    try {
      c.connect();
      fail();
    } catch (IllegalStateException e) {
      assertEquals("connect() called twice; the connection reconnects by itself", e.getMessage());
    }
  }

  @Test public void connectAfterCloseIsAClearError() {
    RealConnection c = h.connection(h.options().build());
    c.close();
    try {
      c.connect();
      fail();
    } catch (IllegalStateException e) {
      assertTrue(e.getMessage().startsWith("connect() after close()"));
    }
  }

  @Test public void nullMessagesAreRejected() {
    RealConnection c = h.connection(h.options().build());
    try {
      c.send((String) null);
      fail();
    } catch (NullPointerException e) {
      assertEquals("text == null", e.getMessage());
    }
  }

  @Test public void throwingListenerAndEventsNeverBreakTheConnection() {
    ConnectionListener bad = new ConnectionListener() {
      @Override public void onStateChanged(Connection c, ConnectionState s) {
        throw new RuntimeException("listener bug");
      }

      @Override public void onMessage(Connection c, String text) {
        throw new RuntimeException("listener bug");
      }
    };
    EventListener badEvents = new EventListener() {
      @Override public void heartbeatSent(Connection c, Message m) {
        throw new RuntimeException("events bug");
      }

      @Override public void connectStart(Connection c, int attempt, String url) {
        throw new RuntimeException("events bug");
      }
    };
    RealConnection c = h.connection(h.options().eventListener(badEvents).build(), bad);
    FakeTransport t = h.connectAndOpen(c);
    t.serverSends("hi");
    h.time.advanceBy(3 * 55_000);
    assertEquals(Kind.CONNECTED, c.state().kind());
    assertEquals(3, t.sent.size());
    t.fails(new IOException("reset"));
    h.time.advanceBy(1_414); // The default first wait is at most base × √2.
    assertEquals(2, h.transports.count());
    assertTrue(h.logs.toString(), h.logs.toString().contains("ConnectionListener.onStateChanged threw"));
    assertTrue(h.logs.toString().contains("EventListener.connectStart threw"));
  }

  @Test public void transportFactoryThrowingCountsAsAFailedAttempt() {
    h.transports.failNextOpen = new IllegalArgumentException("bad proxy");
    RealConnection c = h.connection(h.options().build());
    c.connect();
    h.time.runUntilIdle();
    assertEquals(Kind.WAITING_TO_RECONNECT, c.state().kind());
    assertTrue(c.state().reason().contains("bad proxy"));
    h.time.advanceBy(c.state().delayMillis());
    assertEquals(1, h.transports.count());
  }

  @Test public void reconnectNowWhileConnectedDoesNothing() {
    RealConnection c = h.connection(h.options().build());
    h.connectAndOpen(c);
    c.reconnectNow();
    h.time.runUntilIdle();
    assertEquals(1, h.transports.count());
    assertEquals(Kind.CONNECTED, c.state().kind());
  }
}
