package dev.lifeline.internal;

import static java.util.Arrays.asList;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.lifeline.ConnectionState;
import dev.lifeline.ConnectionState.Kind;
import dev.lifeline.Subscription;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.Test;

/**
 * {@link dev.lifeline.Connection#observeState}: the current state first, then every change in
 * order, on the state observers' lane and never on the engine lane, in virtual time.
 */
public final class StateObserversTest {
  private final Harness h = new Harness();
  private final List<Kind> seen = Collections.synchronizedList(new ArrayList<Kind>());

  @Test public void anObserverIsToldTheCurrentStateThenEveryChangeInOrder() {
    RealConnection c = h.connection(h.options().build());
    c.observeState(s -> seen.add(s.kind()));
    h.time.runUntilIdle();
    assertEquals(asList(Kind.IDLE), seen);
    c.connect();
    h.time.runUntilIdle();
    h.transports.last().fails(new IOException("connection refused"));
    h.time.runUntilIdle();
    h.time.advanceBy(c.state().delayMillis());
    h.transports.last().serverAccepts();
    h.time.runUntilIdle();
    assertEquals(asList(Kind.IDLE, Kind.CONNECTING, Kind.WAITING_TO_RECONNECT, Kind.CONNECTING,
        Kind.CONNECTED), seen);
    assertEquals("the listener saw the same changes", seen.subList(1, seen.size()), kinds(h.states));
  }

  @Test public void anObserverRegisteredLaterStartsAtTheStateThenCurrent() {
    RealConnection c = h.connection(h.options().build());
    h.connectAndOpen(c);
    h.time.runUntilIdle();
    c.observeState(s -> seen.add(s.kind()));
    h.time.runUntilIdle();
    assertEquals(asList(Kind.CONNECTED), seen);
    c.close();
    h.time.runUntilIdle();
    assertEquals(asList(Kind.CONNECTED, Kind.CLOSED), seen);
  }

  @Test public void anObserverRegisteredAfterCloseIsToldTheFinalState() {
    RealConnection c = h.connection(h.options().build());
    h.connectAndOpen(c);
    c.close();
    h.time.runUntilIdle();
    c.observeState(s -> seen.add(s.kind()));
    h.time.runUntilIdle();
    assertEquals(asList(Kind.CLOSED), seen);
  }

  @Test public void observersAreCalledOffTheEngineLane() {
    // Kotlin's stateFlow() sets its value in onState, and a collector on an unconfined dispatcher
    // resumes inside that call: it must not be the engine lane.
    ManualExecutor hookThread = new ManualExecutor();
    Harness x = new Harness(new Random(1), Runnable::run, Runnable::run, hookThread);
    RealConnection c = x.connection(x.options().build());
    c.observeState(s -> seen.add(s.kind()));
    c.connect();
    x.time.runUntilIdle();
    assertEquals(Kind.CONNECTING, c.state().kind());
    assertEquals("not called on the engine lane", asList(), seen);
    hookThread.runAll();
    assertEquals(asList(Kind.IDLE, Kind.CONNECTING), seen);
  }

  @Test public void aClosedSubscriptionIsToldNothingMore() {
    RealConnection c = h.connection(h.options().build());
    Subscription s = c.observeState(state -> seen.add(state.kind()));
    c.connect();
    h.time.runUntilIdle();
    s.close();
    s.close(); // idempotent
    h.transports.last().serverAccepts();
    h.time.runUntilIdle();
    assertEquals(asList(Kind.IDLE, Kind.CONNECTING), seen);
    assertEquals(Kind.CONNECTED, c.state().kind());
  }

  @Test public void anObserverMayCloseItsOwnSubscriptionFromInsideOnState() {
    RealConnection c = h.connection(h.options().build());
    Subscription[] self = new Subscription[1];
    self[0] = c.observeState(state -> {
      seen.add(state.kind());
      if (state.kind() == Kind.CONNECTING) self[0].close();
    });
    h.connectAndOpen(c);
    h.time.runUntilIdle();
    assertEquals(asList(Kind.IDLE, Kind.CONNECTING), seen);
  }

  @Test public void aThrowingObserverIsLoggedAndHoldsUpNoOtherObserver() {
    RealConnection c = h.connection(h.options().build());
    c.observeState(s -> {
      throw new IllegalStateException("observer bug");
    });
    c.observeState(s -> seen.add(s.kind()));
    h.connectAndOpen(c);
    h.time.runUntilIdle();
    assertEquals(asList(Kind.IDLE, Kind.CONNECTING, Kind.CONNECTED), seen);
    assertEquals(Kind.CONNECTED, c.state().kind());
    assertTrue(h.logs.toString(), h.logs.contains("WARN StateObserver.onState threw; ignored"));
  }

  @Test(expected = NullPointerException.class) public void aNullObserverIsRefused() {
    h.connection(h.options().build()).observeState(null);
  }

  private static List<Kind> kinds(List<ConnectionState> states) {
    List<Kind> kinds = new ArrayList<Kind>();
    for (ConnectionState s : states) kinds.add(s.kind());
    return kinds;
  }
}
