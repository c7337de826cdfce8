package dev.lifeline.internal;

import static java.util.Arrays.asList;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import dev.lifeline.ConnectionState.Kind;
import dev.lifeline.ConnectionState.PauseReason;
import dev.lifeline.EnvironmentPolicy;
import dev.lifeline.EnvironmentSignals;
import dev.lifeline.EnvironmentSignals.Signal;
import dev.lifeline.TestAccess;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.Test;

/**
 * {@link EnvironmentReactions} alone, with a fake owner, fed by a real {@link SignalHub} in
 * virtual time (the hub applies each signal on its own lane, then the reactions run): what each
 * signal makes the connection do, the background grace timer at its boundary, and the order of
 * pause reasons (docs/behaviour.md, "Environment reactions").
 */
public final class EnvironmentReactionsTest {
  private static final long GRACE = EnvironmentPolicy.DEFAULT_BACKGROUND_GRACE_MILLIS;
  private static final long RESUME_DELAY = 400;

  private final VirtualLane v = new VirtualLane();
  private final SignalHub hub = new SignalHub(v.time);
  private final EnvironmentSignals signals = TestAccess.signals(hub);
  private final FakeOwner owner = new FakeOwner();

  @Test public void networkLostDropsTheTransportAndPauses() {
    reactions(EnvironmentPolicy.defaults());
    signal(Signal.NETWORK_LOST);
    assertEquals(asList("drop network lost", "stopWaiting", "pause NETWORK_DOWN"), owner.calls);
    assertEquals(asList(Signal.NETWORK_LOST), owner.signals);
  }

  @Test public void networkChangedReplacesATransportAtOnce() {
    reactions(EnvironmentPolicy.defaults());
    signal(Signal.NETWORK_CHANGED);
    assertEquals(asList("drop default network changed", "attemptOrPause"), owner.calls);
  }

  @Test public void networkChangedWithoutATransportCutsALongWaitShort() {
    reactions(EnvironmentPolicy.defaults());
    owner.waiting(30_000);
    signal(Signal.NETWORK_CHANGED);
    assertEquals(asList("waitThenRetry 400 network changed"), owner.calls);
  }

  @Test public void theResumeJitterShortensAWaitOnlyWhenItIsSooner() {
    reactions(EnvironmentPolicy.defaults());
    owner.waiting(RESUME_DELAY); // Due as soon as the jitter would be: left alone.
    signal(Signal.NETWORK_AVAILABLE);
    assertEquals(Collections.emptyList(), owner.calls);

    owner.waiting(RESUME_DELAY + 1);
    signal(Signal.NETWORK_AVAILABLE);
    assertEquals(asList("waitThenRetry 400 network available"), owner.calls);
  }

  @Test public void aPausedConnectionRetriesAfterTheJitterWhenConditionsClear() {
    reactions(EnvironmentPolicy.defaults());
    owner.paused();
    signal(Signal.NETWORK_AVAILABLE);
    assertEquals(asList("waitThenRetry 400 network available"), owner.calls);
  }

  @Test public void theBackgroundGraceClosesExactlyAtTheGracePeriod() {
    EnvironmentReactions r = reactions(EnvironmentPolicy.defaults());
    signal(Signal.BACKGROUND);
    assertEquals(asList("background grace"), v.pendingTimers());
    v.time.advanceBy(GRACE - 1);
    assertEquals(Collections.emptyList(), owner.calls); // An open connection is kept meanwhile.
    v.time.advanceBy(1);
    assertEquals(asList(
        "closeGracefully app in background / closed after 60 s in the background",
        "stopWaiting", "pause BACKGROUND"), owner.calls);
    assertEquals(PauseReason.BACKGROUND, r.pauseReason());
  }

  @Test public void aSecondBackgroundSignalDoesNotPushTheGraceBack() {
    reactions(EnvironmentPolicy.defaults());
    signal(Signal.BACKGROUND);
    v.time.advanceBy(GRACE / 2);
    signal(Signal.BACKGROUND);
    v.time.advanceBy(GRACE / 2);
    assertEquals("pause BACKGROUND", owner.last());
  }

  @Test public void foregroundCancelsTheGraceTimer() {
    reactions(EnvironmentPolicy.defaults());
    signal(Signal.BACKGROUND);
    v.time.advanceBy(GRACE - 1);
    signal(Signal.FOREGROUND);
    assertEquals(Collections.emptyList(), v.pendingTimers());
    v.time.advanceBy(10 * GRACE);
    assertEquals(asList("probe foreground"), owner.calls);
  }

  @Test public void afterTheGraceCloseTheBackgroundPausesEvenWithoutDeferInBackground() {
    EnvironmentReactions r = reactions(EnvironmentPolicy.builder().deferInBackground(false)
        .build());
    signal(Signal.BACKGROUND);
    assertNull(r.pauseReason()); // Deferring is off, and the connection is still open.
    v.time.advanceBy(GRACE);
    assertEquals(PauseReason.BACKGROUND, r.pauseReason());
    signal(Signal.FOREGROUND);
    assertNull(r.pauseReason());
    assertEquals("waitThenRetry 400 foreground", owner.last());
  }

  @Test public void keepConnectionInBackgroundArmsNoGraceTimer() {
    reactions(EnvironmentPolicy.builder().keepConnectionInBackground().build());
    signal(Signal.BACKGROUND);
    assertEquals(Collections.emptyList(), v.pendingTimers());
  }

  @Test public void screenOffAndSuspendKeepAnOpenConnectionButTurnAWaitIntoAPause() {
    reactions(EnvironmentPolicy.defaults());
    signal(Signal.SCREEN_OFF);
    signal(Signal.SUSPENDED);
    assertEquals(Collections.emptyList(), owner.calls);

    signal(Signal.RESUMED);
    owner.calls.clear();
    owner.waiting(30_000);
    signal(Signal.SUSPENDED);
    assertEquals(asList("stopWaiting", "pause SUSPENDED"), owner.calls);
  }

  @Test public void pauseReasonsGoMostFundamentalFirstAndClearOneAtATime() {
    EnvironmentReactions r = reactions(EnvironmentPolicy.defaults());
    owner.kind = Kind.IDLE; // The hub still records; the connection does not react yet.
    signal(Signal.SCREEN_OFF);
    signal(Signal.BACKGROUND);
    signal(Signal.SUSPENDED);
    signal(Signal.NETWORK_LOST);
    assertEquals(PauseReason.NETWORK_DOWN, r.pauseReason());
    assertEquals(Collections.emptyList(), owner.calls);

    owner.paused();
    signal(Signal.NETWORK_AVAILABLE);
    assertEquals(PauseReason.SUSPENDED, r.pauseReason());
    signal(Signal.RESUMED);
    assertEquals(PauseReason.BACKGROUND, r.pauseReason());
    signal(Signal.FOREGROUND);
    assertEquals(PauseReason.SCREEN_OFF, r.pauseReason());
    signal(Signal.SCREEN_ON);
    assertNull(r.pauseReason());
    assertEquals(asList("pause SUSPENDED", "pause BACKGROUND", "pause SCREEN_OFF",
        "waitThenRetry 400 screen on"), owner.calls);
  }

  @Test public void backgroundAndScreenOffAreNoReasonsWhenThePolicyDoesNotDefer() {
    EnvironmentReactions r = reactions(EnvironmentPolicy.builder().deferInBackground(false)
        .deferWhileScreenOff(false).build());
    signal(Signal.SCREEN_OFF);
    signal(Signal.BACKGROUND);
    assertNull(r.pauseReason());
  }

  @Test public void wakeUpSignalsProbeAnOpenConnectionOnly() {
    reactions(EnvironmentPolicy.defaults());
    signal(Signal.SCREEN_ON);
    signal(Signal.FOREGROUND);
    signal(Signal.RESUMED);
    assertEquals(asList("probe screen on", "probe foreground", "probe resume"), owner.calls);

    owner.calls.clear();
    owner.kind = Kind.CONNECTING;
    owner.open = false;
    signal(Signal.SCREEN_ON);
    assertEquals(Collections.emptyList(), owner.calls);
  }

  @Test public void aPushWakesAPausedPushToWakeConnectionWithoutJitterForItsWindow() {
    EnvironmentReactions r = reactions(EnvironmentPolicy.builder()
        .backgroundMode(EnvironmentPolicy.BackgroundMode.PUSH_TO_WAKE).build());
    signal(Signal.BACKGROUND);
    owner.paused();
    signal(Signal.SCREEN_OFF);
    owner.calls.clear();
    signal(Signal.PUSH_RECEIVED);
    assertEquals(asList("waitThenRetry 0 push received"), owner.calls);
    assertEquals(asList("push window"), v.pendingTimers()); // The grace timer is done.
    assertNull("the screen off defers nothing in the window", r.pauseReason());
  }

  @Test public void aForegroundServiceStopsTheGraceTimerAndItsEndStartsItAgain() {
    reactions(EnvironmentPolicy.builder()
        .backgroundMode(EnvironmentPolicy.BackgroundMode.FOREGROUND_SERVICE).build());
    signal(Signal.BACKGROUND);
    assertEquals(asList("background grace"), v.pendingTimers());
    signal(Signal.FOREGROUND_SERVICE_STARTED);
    assertEquals(Collections.emptyList(), v.pendingTimers());
    signal(Signal.FOREGROUND_SERVICE_STOPPED);
    assertEquals(asList("background grace"), v.pendingTimers());
  }

  @Test public void signalsBeforeTheStartOrAfterTheEndAreIgnored() {
    reactions(EnvironmentPolicy.defaults());
    for (Kind kind : new Kind[] {Kind.IDLE, Kind.CLOSED}) {
      owner.kind = kind;
      for (Signal s : Signal.values()) signal(s);
    }
    assertEquals(Collections.emptyList(), owner.calls);
    assertEquals(Collections.emptyList(), owner.signals);
    assertEquals(Collections.emptyList(), v.pendingTimers());
  }

  private EnvironmentReactions reactions(EnvironmentPolicy policy) {
    EnvironmentReactions r = new EnvironmentReactions(policy, hub, v.timers, owner);
    hub.add(r::react);
    return r;
  }

  /** Posts {@code s} to the hub and lets it and the reactions run. */
  private void signal(Signal s) {
    signals.signal(s);
    v.time.runUntilIdle();
  }

  /**
   * A connection that is open until told otherwise; records what the reactions ask of it and
   * moves to the state asked for.
   */
  private static final class FakeOwner implements EnvironmentReactions.Owner {
    final List<String> calls = new ArrayList<>();
    final List<Signal> signals = new ArrayList<>();
    Kind kind = Kind.CONNECTED;
    boolean transport = true;
    boolean open = true;
    long waitRemainingMillis;

    /** PAUSED, with no transport. */
    void paused() {
      kind = Kind.PAUSED;
      transport = false;
      open = false;
    }

    /** WAITING_TO_RECONNECT with no transport, the reconnect due in {@code remainingMillis}. */
    void waiting(long remainingMillis) {
      kind = Kind.WAITING_TO_RECONNECT;
      transport = false;
      open = false;
      waitRemainingMillis = remainingMillis;
    }

    @Override public Kind kind() {
      return kind;
    }

    @Override public boolean hasTransport() {
      return transport;
    }

    @Override public boolean isOpen() {
      return open;
    }

    @Override public void drop(String why) {
      calls.add("drop " + why);
      transport = false;
      open = false;
    }

    @Override public boolean closeGracefully(String reason, String disconnectedBecause) {
      calls.add("closeGracefully " + reason + " / " + disconnectedBecause);
      boolean wasOpen = open;
      transport = false;
      open = false;
      return wasOpen;
    }

    @Override public void attemptOrPause() {
      calls.add("attemptOrPause");
      kind = Kind.CONNECTING;
      transport = true;
    }

    @Override public void stopWaiting() {
      calls.add("stopWaiting");
    }

    @Override public long waitRemainingMillis() {
      return waitRemainingMillis;
    }

    @Override public long resumeDelayMillis() {
      return RESUME_DELAY;
    }

    @Override public void waitThenRetry(long delayMillis, String trigger) {
      calls.add("waitThenRetry " + delayMillis + " " + trigger);
      kind = Kind.WAITING_TO_RECONNECT;
      waitRemainingMillis = delayMillis;
    }

    @Override public void pause(PauseReason why) {
      calls.add("pause " + why);
      kind = Kind.PAUSED;
    }

    @Override public void probe(String trigger) {
      calls.add("probe " + trigger);
    }

    @Override public void signalReceived(Signal signal) {
      signals.add(signal);
    }

    String last() {
      assertTrue("no calls", !calls.isEmpty());
      return calls.get(calls.size() - 1);
    }
  }
}
