package dev.lifeline.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import dev.lifeline.ConnectionState.Kind;
import dev.lifeline.HeartbeatPolicy;
import dev.lifeline.testing.Await;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.Test;

/** Received messages waiting for a slow listener are bounded: the reader waits, nothing is lost. */
public final class InboundBackpressureTest {
  /** Listener calls wait here until the test runs them: an app whose listener is slow. */
  private final ConcurrentLinkedQueue<Runnable> callbacks = new ConcurrentLinkedQueue<>();
  private final Harness h = new Harness(new Random(1), callbacks::add);

  @Test public void readerWaitsAtTheBoundAndResumesAsTheListenerCatchesUp() throws Exception {
    RealConnection c = h.connection(
        h.options().maxPendingInboundBytes(10 * InboundGate.cost(10)).build());
    c.connect();
    h.time.runUntilIdle();
    FakeTransport t = h.transports.last();
    t.serverAccepts();
    h.time.runUntilIdle();
    runCallbacks();

    AtomicInteger handedOn = new AtomicInteger();
    Thread reader = new Thread(() -> {
      for (int i = 0; i < 20; i++) {
        t.serverSends(String.format("message%03d", i)); // 10 bytes each.
        handedOn.incrementAndGet();
      }
    }, "fake transport reader");
    reader.start();

    // 10 messages fill the bound of 10 such messages; the 11th waits in the reader.
    Await.until("the reader to wait at the bound", 5_000, () -> {
      h.time.runUntilIdle();
      return handedOn.get() == 10 && reader.getState() == Thread.State.WAITING;
    });
    assertEquals(10, handedOn.get());
    assertTrue(h.received.isEmpty());

    Await.until("all 20 delivered", 5_000, () -> {
      h.time.runUntilIdle();
      runCallbacks();
      return h.received.size() == 20;
    });
    reader.join(5_000);
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 20; i++) expected.add(String.format("message%03d", i));
    assertEquals(expected, h.received);
  }

  @Test public void aFloodOfEmptyMessagesPausesTheReaderToo() throws Exception {
    // Empty messages carry no payload, but each costs memory while it waits: 10 fit the bound.
    long bound = 10 * InboundGate.MESSAGE_OVERHEAD_BYTES;
    RealConnection c = h.connection(h.options().maxPendingInboundBytes(bound).build());
    FakeTransport t = h.connectAndOpen(c);
    runCallbacks();

    AtomicInteger handedOn = new AtomicInteger();
    Thread reader = new Thread(() -> {
      for (int i = 0; i < 1000; i++) {
        t.serverSends("");
        handedOn.incrementAndGet();
      }
    }, "fake transport reader");
    reader.start();
    Await.until("the reader to wait at the bound", 5_000, () -> {
      h.time.runUntilIdle();
      return reader.getState() == Thread.State.WAITING;
    });
    assertEquals(10, handedOn.get());
    assertEquals(bound, c.pendingInboundBytes());

    Await.until("all 1000 delivered", 10_000, () -> {
      h.time.runUntilIdle();
      runCallbacks();
      return h.received.size() == 1000;
    });
    reader.join(5_000);
    assertEquals(0, c.pendingInboundBytes());
  }

  @Test public void aReaderWaitingOnAnAbandonedTransportIsReleased() throws Exception {
    RealConnection c = h.connection(h.options().maxPendingInboundBytes(10).build());
    c.connect();
    h.time.runUntilIdle();
    FakeTransport t = h.transports.last();
    t.serverAccepts();
    h.time.runUntilIdle();
    Thread reader = new Thread(() -> {
      t.serverSends("0123456789");
      t.serverSends("waits here");
    }, "fake transport reader");
    reader.start();
    Await.until("the reader to wait", 5_000, () -> reader.getState() == Thread.State.WAITING);
    c.close(); // The listener never ran; closing must not leave the reader stuck.
    h.time.runUntilIdle();
    reader.join(5_000);
    assertTrue(!reader.isAlive());
  }

  @Test public void messagesWaitingForASlowListenerCountAsServerActivity() {
    HeartbeatPolicy hb = HeartbeatPolicy.builder().serverTimeout(70, TimeUnit.SECONDS).build();
    RealConnection c = h.connection(h.options().heartbeat(hb).build());
    FakeTransport t = h.connectAndOpen(c);
    runCallbacks();
    t.serverSends("arrived, but the app is busy");
    h.time.advanceBy(3 * 70_000); // The listener has not run: the server is not the silent one.
    assertEquals(Kind.CONNECTED, c.state().kind());

    runCallbacks(); // The app catches up; from now on silence is the server's again.
    h.time.advanceBy(70_000);
    assertEquals(Kind.WAITING_TO_RECONNECT, c.state().kind());
  }

  @Test public void aListenerSlowerThanTheServerHoldsTheReaderForTenPingIntervalsWithoutAVerdict()
      throws Exception {
    long ping = 10_000;
    HeartbeatPolicy hb = HeartbeatPolicy.builder().interval(30, TimeUnit.SECONDS)
        .protocolPingInterval(ping, TimeUnit.MILLISECONDS).build();
    RealConnection c = h.connection(h.options().heartbeat(hb)
        .maxPendingInboundBytes(10 * InboundGate.cost(10)).build());
    c.connect();
    h.time.runUntilIdle();
    FakeTransport t = h.transports.last();
    t.pingsSupported = true;
    t.measuresReader();
    t.serverAccepts();
    h.time.runUntilIdle();
    runCallbacks();

    // The reader reads 20 messages (not waiting for the socket meanwhile), then the pong of the
    // first ping, which sat behind them; the 11th waits at the bound for the stuck listener.
    Thread reader = new Thread(() -> {
      t.readerBusy();
      for (int i = 0; i < 20; i++) t.serverSends(String.format("message%03d", i));
      t.serverPongs();
      t.readerWaits();
    }, "fake transport reader");
    reader.start();
    Await.until("the reader to wait at the bound", 5_000, () -> {
      h.time.runUntilIdle();
      return reader.getState() == Thread.State.WAITING;
    });

    h.time.advanceBy(ping); // Ping 1 goes out; its pong will sit behind the waiting messages.
    assertEquals(1, t.pings);
    h.time.advanceBy(10 * ping);
    assertEquals(Kind.CONNECTED, c.state().kind());
    assertEquals("no new ping while one is out", 1, t.pings);

    Await.until("all 20 delivered and the pong read", 5_000, () -> {
      h.time.runUntilIdle();
      runCallbacks();
      return h.received.size() == 20 && !reader.isAlive();
    });
    h.time.advanceBy(ping); // The pong answered ping 1: ping 2.
    assertEquals(Kind.CONNECTED, c.state().kind());
    assertEquals(2, t.pings);
    h.time.advanceBy(ping - 1); // No pong to ping 2, with the reader free all along.
    assertEquals(Kind.CONNECTED, c.state().kind());
    h.time.advanceBy(1);
    assertEquals(Kind.WAITING_TO_RECONNECT, c.state().kind());
    assertEquals("no pong within 10 s of a protocol ping (ping interval 10 s; the reader waited"
        + " 10 s for data)", c.state().reason());
  }

  @Test public void oneMessageLargerThanTheBoundStillGetsThrough() {
    RealConnection c = h.connection(h.options().maxPendingInboundBytes(4).build());
    FakeTransport t = h.connectAndOpen(c);
    t.serverSends("much longer than four bytes");
    h.time.runUntilIdle();
    runCallbacks();
    assertEquals(1, h.received.size());
  }

  @Test public void theBoundIsTheConnectionsSoReconnectingBehindAStuckListenerPilesNothingUp()
      throws Exception {
    long bound = 10 * InboundGate.cost(10);
    RealConnection c = h.connection(h.options().maxPendingInboundBytes(bound).build());
    FakeTransport first = h.connectAndOpen(c);
    runCallbacks(); // From here on the listener is stuck: nothing it is handed runs.
    for (int i = 0; i < 10; i++) first.serverSends(String.format("first%05d", i)); // Fills it.
    h.time.runUntilIdle();
    first.fails(new IOException("sent ping but didn't receive pong")); // The reader was blocked.
    h.time.runUntilIdle();
    h.time.advanceBy(c.state().delayMillis());
    FakeTransport second = h.transports.last();
    second.serverAccepts();
    h.time.runUntilIdle();
    assertEquals(Kind.CONNECTED, c.state().kind());

    Thread reader = new Thread(() -> second.serverSends("second0000"), "second reader");
    reader.start();
    Await.until("the second transport's reader to wait at the connection's bound", 5_000,
        () -> reader.getState() == Thread.State.WAITING);
    assertEquals("the first transport's messages still count", bound, c.pendingInboundBytes());

    second.fails(new IOException("sent ping but didn't receive pong"));
    h.time.runUntilIdle();
    reader.join(5_000);
    assertFalse("letting the transport go releases its reader", reader.isAlive());

    runCallbacks(); // The listener returns at last: what the first transport read arrives.
    assertEquals(10, h.received.size());
    assertEquals(0, c.pendingInboundBytes());
  }

  private void runCallbacks() {
    Runnable r;
    while ((r = callbacks.poll()) != null) r.run();
  }
}
