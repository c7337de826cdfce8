package dev.lifeline.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import dev.lifeline.ConnectionState.Kind;
import dev.lifeline.ConnectionState.PauseReason;
import dev.lifeline.EnvironmentPolicy;
import dev.lifeline.EnvironmentPolicy.BackgroundMode;
import dev.lifeline.HeartbeatPolicy;
import dev.lifeline.Subscription;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.Test;

/**
 * The background modes in virtual time (docs/behaviour.md, "Environment reactions"): a push wakes
 * a PUSH_TO_WAKE connection at once for an idle window, and a running foreground service keeps a
 * FOREGROUND_SERVICE one; the default mode is today's grace close.
 */
public final class BackgroundModesTest {
  private static final long GRACE = EnvironmentPolicy.DEFAULT_BACKGROUND_GRACE_MILLIS;
  private static final long WINDOW = EnvironmentPolicy.DEFAULT_PUSH_IDLE_WINDOW_MILLIS;
  private final Harness h = new Harness();

  private RealConnection pushConnection() {
    return h.connection(h.options().environment(EnvironmentPolicy.builder()
        .backgroundMode(BackgroundMode.PUSH_TO_WAKE).build()).build());
  }

  /** Connected, backgrounded, closed by the grace period: asleep, waiting for a push. */
  private RealConnection asleepInTheBackground() {
    RealConnection c = pushConnection();
    FakeTransport t = h.connectAndOpen(c);
    h.signals.background();
    h.time.advanceBy(GRACE);
    assertEquals(1000, t.closeCode);
    assertPaused(c, PauseReason.BACKGROUND);
    return c;
  }

  /** A push, and the server accepting the attempt it starts; no time passes. */
  private FakeTransport pushAndAccept() {
    int before = h.transports.count();
    h.signals.pushReceived();
    h.time.runUntilIdle();
    assertEquals("one attempt, at once", before + 1, h.transports.count());
    FakeTransport t = h.transports.last();
    t.serverAccepts();
    h.time.runUntilIdle();
    return t;
  }

  private static void assertPaused(RealConnection c, PauseReason why) {
    assertEquals(c.state().toString(), Kind.PAUSED, c.state().kind());
    assertEquals(c.state().toString(), why, c.state().pauseReason());
  }

  // ---- Push-to-wake. ----

  @Test public void aPushConnectsAtOnceAndSendsTheQueuedMessages() {
    RealConnection c = asleepInTheBackground();
    c.send("one");
    c.send("two");
    h.time.advanceBy(3_600_000);
    assertEquals("no attempt without a push", 1, h.transports.count());

    long before = h.time.elapsedMillis();
    FakeTransport t = pushAndAccept();
    assertEquals("no backoff, no jitter", before, h.time.elapsedMillis());
    assertEquals(Kind.CONNECTED, c.state().kind());
    assertEquals(Arrays.asList("one", "two"), t.sentTexts());
    assertTrue(h.states.toString(), h.states.stream().anyMatch(s ->
        s.kind() == Kind.WAITING_TO_RECONNECT && s.delayMillis() == 0
            && "push received".equals(s.reason())));
    assertTrue(h.events.contains("reconnectScheduled 0 0"));
  }

  @Test public void aWokenConnectionClosesAfterExactlyTheIdleWindow() {
    RealConnection c = asleepInTheBackground();
    FakeTransport t = pushAndAccept();
    t.serverSends("what the push announced");
    h.time.runUntilIdle();
    assertEquals(Arrays.asList("what the push announced"), h.received);

    h.time.advanceBy(WINDOW - 1);
    assertEquals(Kind.CONNECTED, c.state().kind());
    assertEquals(-1, t.closeCode);
    h.time.advanceBy(1);
    assertEquals(1000, t.closeCode);
    assertEquals("idle after a push wake", t.closeReason);
    assertPaused(c, PauseReason.BACKGROUND);
    assertTrue(h.events.toString(),
        h.events.contains("disconnected idle for 30 s after a push wake"));
    assertFalse(c.armedTimers().contains("push window"));
    h.time.advanceBy(3_600_000);
    assertEquals("asleep again until the next push", 2, h.transports.count());
  }

  @Test public void aShorterWindowIsHonoured() {
    RealConnection c = h.connection(h.options().environment(EnvironmentPolicy.builder()
        .backgroundMode(BackgroundMode.PUSH_TO_WAKE).pushIdleWindow(5, TimeUnit.SECONDS).build())
        .build());
    h.connectAndOpen(c);
    h.signals.background();
    h.time.advanceBy(GRACE);
    FakeTransport t = pushAndAccept();
    h.time.advanceBy(4_999);
    assertEquals(-1, t.closeCode);
    h.time.advanceBy(1);
    assertEquals(1000, t.closeCode);
    assertTrue(h.events.contains("disconnected idle for 5 s after a push wake"));
  }

  @Test public void anotherPushExtendsTheWindow() {
    asleepInTheBackground();
    FakeTransport t = pushAndAccept();
    h.time.advanceBy(20_000);
    h.signals.pushReceived();
    h.time.advanceBy(WINDOW - 1);
    assertEquals(-1, t.closeCode);
    assertEquals("no second attempt", 2, h.transports.count());
    h.time.advanceBy(1);
    assertEquals(1000, t.closeCode);
  }

  @Test public void trafficEitherWayExtendsTheWindow() {
    RealConnection c = asleepInTheBackground();
    FakeTransport t = pushAndAccept();
    h.time.advanceBy(10_000);
    t.serverSends("incoming");
    h.time.advanceBy(15_000);
    c.send("reply"); // At +25 s: the window now ends at +55 s.
    h.time.runUntilIdle();
    h.time.advanceBy(WINDOW - 1);
    assertEquals(-1, t.closeCode);
    h.time.advanceBy(1);
    assertEquals(1000, t.closeCode);
  }

  @Test public void heartbeatsDoNotKeepAWokenConnectionAwake() {
    RealConnection c = h.connection(h.options().heartbeat(HeartbeatPolicy.builder()
        .interval(5, TimeUnit.SECONDS).build()).environment(EnvironmentPolicy.builder()
        .backgroundMode(BackgroundMode.PUSH_TO_WAKE).build()).build());
    h.connectAndOpen(c);
    h.signals.background();
    h.time.advanceBy(GRACE);
    FakeTransport t = pushAndAccept();
    h.time.advanceBy(WINDOW - 1);
    assertTrue("heartbeats went out: " + t.sentTexts(), t.sent.size() >= 5);
    assertEquals(-1, t.closeCode);
    h.time.advanceBy(1);
    assertEquals(1000, t.closeCode);
  }

  @Test public void foregroundEndsThePushWindow() {
    RealConnection c = asleepInTheBackground();
    FakeTransport t = pushAndAccept();
    h.signals.foreground();
    h.time.runUntilIdle();
    assertFalse(c.armedTimers().contains("push window"));
    h.time.advanceBy(10 * 60_000);
    assertEquals(Kind.CONNECTED, c.state().kind());
    assertEquals(-1, t.closeCode);
  }

  @Test public void withoutNetworkThePushWaitsAndConnectsWhenItReturnsWithinTheWindow() {
    RealConnection c = asleepInTheBackground();
    h.signals.networkLost();
    h.signals.pushReceived();
    h.time.advanceBy(WINDOW - 1);
    assertEquals(1, h.transports.count());
    assertPaused(c, PauseReason.NETWORK_DOWN);
    h.signals.networkAvailable();
    h.time.runUntilIdle();
    assertEquals("connects at once on the network's return", 2, h.transports.count());
    h.transports.last().serverAccepts();
    h.time.runUntilIdle();
    assertEquals(Kind.CONNECTED, c.state().kind());
    h.time.advanceBy(WINDOW - 1);
    assertEquals("the window counts from the open", Kind.CONNECTED, c.state().kind());
    h.time.advanceBy(1);
    assertPaused(c, PauseReason.BACKGROUND);
  }

  @Test public void aNetworkReturningAfterTheWindowConnectsNothing() {
    RealConnection c = asleepInTheBackground();
    h.signals.networkLost();
    h.signals.pushReceived();
    h.time.advanceBy(WINDOW);
    assertPaused(c, PauseReason.NETWORK_DOWN); // The most fundamental reason still shows.
    h.signals.networkAvailable();
    h.time.advanceBy(3_600_000);
    assertEquals(1, h.transports.count());
    assertPaused(c, PauseReason.BACKGROUND);
  }

  @Test public void aPushConnectsWithTheScreenOffAndTheHostSuspended() {
    // A push reaching the app during Doze is a high-priority one, which comes with network
    // access: it is not deferred. Only a network reported down is.
    asleepInTheBackground();
    h.signals.screenOff();
    h.signals.suspended();
    h.time.runUntilIdle();
    pushAndAccept();
  }

  @Test public void aBurstOfPushesMakesOneAttempt() {
    RealConnection c = asleepInTheBackground();
    for (int i = 0; i < 100; i++) h.signals.pushReceived();
    h.time.runUntilIdle();
    assertEquals(2, h.transports.count());
    assertEquals(Kind.CONNECTING, c.state().kind());
    for (int i = 0; i < 100; i++) h.signals.pushReceived(); // While connecting.
    h.time.runUntilIdle();
    assertEquals(2, h.transports.count());
    assertEquals(1, h.events.stream().filter(e -> e.equals("reconnectScheduled 0 0")).count());
  }

  @Test public void aFailedAttemptInTheWindowBacksOffAndPushesDoNotCutTheBackoff() {
    RealConnection c = asleepInTheBackground();
    h.signals.pushReceived();
    h.time.runUntilIdle();
    h.transports.last().fails(new java.io.IOException("refused"));
    h.time.runUntilIdle();
    assertEquals(Kind.WAITING_TO_RECONNECT, c.state().kind());
    long wait = c.state().delayMillis();
    assertTrue(c.state().toString(), wait > 0);
    for (int i = 0; i < 100; i++) h.signals.pushReceived();
    h.time.advanceBy(wait - 1);
    assertEquals(2, h.transports.count());
    h.time.advanceBy(1);
    assertEquals(3, h.transports.count());
  }

  @Test public void thePushWindowEndsAnAttemptThatNeverConnected() {
    RealConnection c = asleepInTheBackground();
    h.signals.pushReceived();
    h.time.advanceBy(WINDOW - 1); // The server never answers the handshake.
    assertEquals(Kind.CONNECTING, c.state().kind());
    h.time.advanceBy(1);
    assertPaused(c, PauseReason.BACKGROUND);
    assertTrue(h.transports.last().cancelled);
    int attempts = h.transports.count();
    h.time.advanceBy(3_600_000);
    assertEquals(attempts, h.transports.count());
  }

  @Test public void aPushWhileStillWithinTheGracePeriodKeepsItForTheIdleWindow() {
    RealConnection c = pushConnection();
    FakeTransport t = h.connectAndOpen(c);
    h.signals.background();
    h.time.advanceBy(10_000);
    h.signals.pushReceived();
    h.time.advanceBy(WINDOW - 1);
    assertEquals(-1, t.closeCode);
    h.time.advanceBy(1);
    assertEquals(1000, t.closeCode);
    assertEquals(1, h.transports.count());
  }

  @Test public void aPushJustBeforeTheBackgroundStartsItsWindowNotTheGracePeriod() {
    // A process started by a push: Android reports the background only after its debounce, and
    // the push has already arrived by then.
    RealConnection c = pushConnection();
    FakeTransport t = h.connectAndOpen(c);
    h.signals.pushReceived();
    h.time.advanceBy(700);
    h.signals.background();
    h.time.advanceBy(WINDOW - 700 - 1);
    assertEquals(-1, t.closeCode);
    h.time.advanceBy(1);
    assertEquals("the push's window, not the 60 s grace", 1000, t.closeCode);
    assertTrue(h.events.contains("disconnected idle for 30 s after a push wake"));
  }

  @Test public void aPushHandledBeforeTheConnectionStartedStillStartsItsWindow() {
    // A cold start: the push service forwards the push before the app's connect() reached the
    // connection's lane, so the signal found no connection to tell.
    h.signals.pushReceived();
    h.time.advanceBy(300);
    RealConnection c = pushConnection();
    FakeTransport t = h.connectAndOpen(c);
    h.time.advanceBy(400);
    h.signals.background();
    h.time.advanceBy(WINDOW - 700 - 1);
    assertEquals(-1, t.closeCode);
    h.time.advanceBy(1);
    assertEquals("the push's window, not the 60 s grace", 1000, t.closeCode);
  }

  @Test public void aPushLongBeforeTheConnectionStartedLeavesTheGracePeriod() {
    h.signals.pushReceived();
    h.time.advanceBy(WINDOW);
    RealConnection c = pushConnection();
    FakeTransport t = h.connectAndOpen(c);
    h.signals.background();
    h.time.advanceBy(GRACE - 1);
    assertEquals(-1, t.closeCode);
    h.time.advanceBy(1);
    assertEquals(1000, t.closeCode);
  }

  @Test public void aPushLongBeforeTheBackgroundLeavesTheGracePeriod() {
    RealConnection c = pushConnection();
    FakeTransport t = h.connectAndOpen(c);
    h.signals.pushReceived();
    h.time.advanceBy(WINDOW);
    h.signals.background();
    h.time.advanceBy(GRACE - 1);
    assertEquals(-1, t.closeCode);
    h.time.advanceBy(1);
    assertEquals(1000, t.closeCode);
    assertTrue(h.events.contains("disconnected closed after 60 s in the background"));
  }

  @Test public void aPushToAForegroundConnectionOnlyProbesIt() {
    RealConnection c = pushConnection();
    FakeTransport t = h.connectAndOpen(c);
    h.time.advanceBy(5_000);
    for (int i = 0; i < 100; i++) h.signals.pushReceived();
    h.time.runUntilIdle();
    assertEquals("a burst probes once: " + t.sentTexts(), 1, t.sent.size());
    assertTrue(h.events.contains("probeStarted push received"));
    h.time.advanceBy(EnvironmentReactions.PUSH_PROBE_SPACING_MILLIS - 1);
    h.signals.pushReceived();
    h.time.runUntilIdle();
    assertEquals(1, t.sent.size());
    h.time.advanceBy(1);
    h.signals.pushReceived();
    h.time.runUntilIdle();
    assertEquals(2, t.sent.size());
    assertFalse(c.armedTimers().contains("push window"));
    assertEquals(1, h.transports.count());
    assertEquals(-1, t.closeCode);
  }

  @Test public void aPushDoesNotWakeACloseAfterGraceConnection() {
    RealConnection c = h.connection(h.options().build());
    h.connectAndOpen(c);
    h.signals.background();
    h.time.advanceBy(GRACE);
    h.signals.pushReceived();
    h.time.advanceBy(3_600_000);
    assertEquals(1, h.transports.count());
    assertPaused(c, PauseReason.BACKGROUND);
  }

  @Test public void closingTheConnectionDuringTheWindowLeavesNoTimer() {
    RealConnection c = asleepInTheBackground();
    pushAndAccept();
    c.close();
    h.time.runUntilIdle();
    assertEquals(Kind.CLOSED, c.state().kind());
    assertEquals(new ArrayList<String>(), c.armedTimers());
  }

  // ---- Foreground service. ----

  private RealConnection serviceConnection() {
    return h.connection(h.options().environment(EnvironmentPolicy.builder()
        .backgroundMode(BackgroundMode.FOREGROUND_SERVICE).build()).build());
  }

  @Test public void theServiceIsNeededOnlyInTheBackgroundWhileAServiceConnectionLives() {
    List<Boolean> needs = new ArrayList<>();
    Subscription s = h.signals.observeForegroundServiceNeed(needs::add);
    h.time.runUntilIdle();
    RealConnection plain = h.connection(h.options().build());
    h.connectAndOpen(plain);
    h.signals.background();
    h.signals.foreground();
    h.time.runUntilIdle();
    assertEquals("a default connection never needs it", Arrays.asList(false), needs);

    RealConnection c = serviceConnection();
    h.connectAndOpen(c);
    h.time.runUntilIdle();
    assertEquals(Arrays.asList(false), needs);
    h.signals.background();
    h.time.runUntilIdle();
    assertEquals(Arrays.asList(false, true), needs);
    h.signals.foreground();
    h.time.runUntilIdle();
    assertEquals(Arrays.asList(false, true, false), needs);
    h.signals.background();
    c.close();
    h.time.runUntilIdle();
    assertEquals(Arrays.asList(false, true, false, true, false), needs);
    s.close();
    RealConnection again = serviceConnection();
    h.connectAndOpen(again);
    h.time.runUntilIdle();
    assertEquals("closed: told nothing more", 5, needs.size());
  }

  @Test public void aThrowingNeedObserverIsLoggedAndTheOthersAreStillTold() {
    List<Boolean> needs = new ArrayList<>();
    h.signals.observeForegroundServiceNeed(needed -> {
      throw new IllegalStateException("app bug");
    });
    h.signals.observeForegroundServiceNeed(needs::add);
    h.connectAndOpen(serviceConnection());
    h.signals.background();
    h.time.runUntilIdle();
    assertEquals(Arrays.asList(false, true), needs);
    assertTrue(h.logs.toString(), h.logs.contains(
        "WARN ForegroundServiceNeed.changed(true) threw; ignored"));
  }

  @Test public void shuttingTheClientDownEndsTheNeed() throws Exception {
    dev.lifeline.Lifeline lifeline = dev.lifeline.Lifeline.builder().build();
    List<Boolean> needs = new java.util.concurrent.CopyOnWriteArrayList<>();
    lifeline.signals().observeForegroundServiceNeed(needs::add);
    dev.lifeline.Connection c = lifeline.newConnection(serviceOptions(),
        new dev.lifeline.ConnectionListener() {});
    c.connect();
    lifeline.signals().background();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!needs.contains(true)) {
      if (System.nanoTime() > deadline) fail("not needed within 10 s: " + needs);
      Thread.sleep(5);
    }
    assertTrue(lifeline.shutdown(5, TimeUnit.SECONDS));
    assertEquals(Arrays.asList(false, true, false), needs);
  }

  /** Options of a FOREGROUND_SERVICE connection to a port nothing listens on. */
  private static dev.lifeline.ConnectionOptions serviceOptions() {
    return dev.lifeline.ConnectionOptions.builder("ws://127.0.0.1:1/socket")
        .environment(EnvironmentPolicy.builder()
            .backgroundMode(BackgroundMode.FOREGROUND_SERVICE).build()).build();
  }

  @Test public void aRunningServiceKeepsTheConnectionAndItsReconnects() {
    RealConnection c = serviceConnection();
    FakeTransport t = h.connectAndOpen(c);
    h.signals.background();
    h.signals.foregroundServiceStarted();
    h.signals.screenOff();
    h.time.advanceBy(GRACE * 10);
    assertEquals(Kind.CONNECTED, c.state().kind());
    assertEquals(-1, t.closeCode);
    t.fails(new java.io.IOException("reset"));
    h.time.runUntilIdle();
    assertEquals("not deferred under the service", Kind.WAITING_TO_RECONNECT, c.state().kind());
  }

  @Test public void whenTheServiceStopsTheGraceCloseIsBack() {
    RealConnection c = serviceConnection();
    FakeTransport t = h.connectAndOpen(c);
    h.signals.background();
    h.signals.foregroundServiceStarted();
    h.time.advanceBy(GRACE * 2);
    h.signals.foregroundServiceStopped();
    h.time.advanceBy(GRACE - 1);
    assertEquals(-1, t.closeCode);
    h.time.advanceBy(1);
    assertEquals(1000, t.closeCode);
    assertPaused(c, PauseReason.BACKGROUND);
  }

  @Test public void aRefusalIsForgottenOnceTheNeedEnds() {
    RealConnection c = serviceConnection();
    FakeTransport t = h.connectAndOpen(c);
    h.signals.background();
    h.signals.foregroundServiceRefused("SecurityException: missing permission");
    h.time.advanceBy(1_000);
    h.signals.foreground(); // The need ends; the app, say, closes its service setup.
    h.time.runUntilIdle();
    h.signals.background(); // Nobody starts or refuses a service this time.
    h.time.advanceBy(GRACE);
    assertEquals(1000, t.closeCode);
    assertTrue(h.events.toString(), h.events.contains(
        "disconnected closed after 60 s in the background"));
  }

  @Test public void aRefusedServiceFallsBackToTheGraceCloseAndSaysWhy() {
    RealConnection c = serviceConnection();
    FakeTransport t = h.connectAndOpen(c);
    h.signals.background();
    h.signals.foregroundServiceRefused("ForegroundServiceStartNotAllowedException: not allowed");
    h.time.advanceBy(GRACE);
    assertEquals(1000, t.closeCode);
    assertPaused(c, PauseReason.BACKGROUND);
    assertTrue(h.events.toString(), h.events.contains("disconnected closed after 60 s in the"
        + " background (the foreground service was refused: ForegroundServiceStartNotAllowedException:"
        + " not allowed)"));
  }

  @Test public void aServiceStartingAfterTheGraceCloseReconnects() {
    RealConnection c = serviceConnection();
    h.connectAndOpen(c);
    h.signals.background();
    h.time.advanceBy(GRACE);
    assertPaused(c, PauseReason.BACKGROUND);
    h.signals.foregroundServiceStarted();
    h.time.advanceBy(1_000);
    assertEquals(2, h.transports.count());
  }

  // ---- The policy. ----

  @Test public void contradictoryPoliciesFailAtBuild() {
    expectIllegalState(EnvironmentPolicy.builder().backgroundMode(BackgroundMode.PUSH_TO_WAKE)
        .keepConnectionInBackground(), "keepConnectionInBackground() contradicts"
        + " backgroundMode(PUSH_TO_WAKE): it closes in the background between pushes");
    expectIllegalState(EnvironmentPolicy.builder()
        .backgroundMode(BackgroundMode.FOREGROUND_SERVICE).keepConnectionInBackground(),
        "keepConnectionInBackground() contradicts backgroundMode(FOREGROUND_SERVICE): it closes"
            + " after the grace period when no foreground service runs");
    expectIllegalState(EnvironmentPolicy.builder().backgroundMode(BackgroundMode.PUSH_TO_WAKE)
        .deferInBackground(false), "deferInBackground(false) contradicts"
        + " backgroundMode(PUSH_TO_WAKE): it makes attempts in the background only after a push");
    expectIllegalState(EnvironmentPolicy.builder().pushIdleWindow(10, TimeUnit.SECONDS),
        "pushIdleWindow(10000 ms) is set, but backgroundMode is CLOSE_AFTER_GRACE, not"
            + " PUSH_TO_WAKE");
    assertEquals(BackgroundMode.CLOSE_AFTER_GRACE,
        EnvironmentPolicy.defaults().backgroundMode());
    assertEquals(30_000, EnvironmentPolicy.defaults().pushIdleWindowMillis());
    // The existing switch keeps its meaning in the default mode.
    assertFalse(EnvironmentPolicy.builder().keepConnectionInBackground().build()
        .closeInBackground());
  }

  private static void expectIllegalState(EnvironmentPolicy.Builder b, String message) {
    try {
      b.build();
      fail("built " + b);
    } catch (IllegalStateException e) {
      assertEquals(message, e.getMessage());
    }
  }
}
