package dev.lifeline.internal;

import static java.util.Arrays.asList;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.lifeline.Connection;
import dev.lifeline.ConnectionListener;
import dev.lifeline.ConnectionState;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.Test;

/**
 * Where a message's engine work runs (docs/architecture.md, "Threads"): on the sending thread,
 * or on the reader thread, when the connection's lane is idle, so a message costs no hand-off to
 * the scheduler; behind the lane's queued work otherwise, so nothing overtakes a state change.
 * In virtual time: work handed to the lane stays pending until the test runs it.
 */
public final class LaneHandOffTest {
  private final Harness h = new Harness();

  @Test public void aSendToAnIdleTransportIsHandedOverBeforeSendReturns() {
    RealConnection c = h.connection(h.options().build());
    FakeTransport t = h.connectAndOpen(c);
    int timers = h.time.pendingTasks(); // Armed timers (heartbeat, stable period…).
    c.send("one");
    assertEquals(asList("one"), t.sentTexts());
    assertEquals(timers, h.time.pendingTasks()); // Nothing handed to the lane.
  }

  @Test public void aBurstBehindUnwrittenMessagesIsCarriedByOneFlushOnTheLane() {
    RealConnection c = h.connection(h.options().build());
    FakeTransport t = h.connectAndOpen(c);
    t.holdWrites = true; // The transport's writer falls behind.
    int timers = h.time.pendingTasks();
    c.send("one"); // The transport was idle: handed over at once.
    c.send("two");
    c.send("three");
    assertEquals(asList("one"), t.sentTexts());
    assertEquals(2, c.queuedMessages());
    assertEquals(timers + 1, h.time.pendingTasks()); // One flush for both.
    h.time.runUntilIdle();
    assertEquals(asList("one", "two", "three"), t.sentTexts());
  }

  @Test public void aReceivedMessageIsDecidedOnTheReaderThreadAndReachesTheListener() {
    RealConnection c = h.connection(h.options().build());
    FakeTransport t = h.connectAndOpen(c);
    int timers = h.time.pendingTasks();
    t.serverSends("hello"); // Listener calls run synchronously in the harness.
    assertEquals(asList("hello"), h.received);
    assertEquals(timers, h.time.pendingTasks());
  }

  @Test public void aMessageReadWhileTheLaneIsBusyWaitsBehindTheQueuedStateChange() {
    List<String> seen = Collections.synchronizedList(new ArrayList<>());
    RealConnection c = h.connection(h.options().build(), new ConnectionListener() {
      @Override public void onStateChanged(Connection connection, ConnectionState state) {
        seen.add(state.kind().toString());
      }

      @Override public void onMessage(Connection connection, String text) {
        seen.add("message " + text);
      }
    });
    FakeTransport t = h.connectAndOpen(c);
    t.serverCloses(1001, "going away"); // Queued on the lane.
    t.serverSends("last words"); // Read after the close frame: must not overtake it.
    assertEquals(asList("CONNECTING", "CONNECTED"), seen);
    h.time.runUntilIdle();
    assertTrue(seen.toString(), seen.size() == 4);
    assertEquals("message last words", seen.get(3));
  }
}
