package dev.lifeline.internal;

import static java.util.Arrays.asList;
import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import dev.lifeline.HeartbeatPolicy;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.Test;

/**
 * {@link KeepAlive} alone, with a fake owner that records what it is asked, in virtual time:
 * heartbeat, silence watch and wake-up probe at their boundaries (docs/behaviour.md,
 * "Heartbeats", "Server-silence watch", "Wake-up probe").
 */
public final class KeepAliveTest {
  private static final long INTERVAL = 30_000;
  private static final long LIMIT = 70_000;
  private static final long PROBE_TIMEOUT = HeartbeatPolicy.DEFAULT_PROBE_TIMEOUT_MILLIS;
  private static final HeartbeatPolicy BEATS =
      HeartbeatPolicy.builder().interval(INTERVAL, MILLISECONDS).build();
  private static final HeartbeatPolicy WATCHED =
      BEATS.newBuilder().serverTimeout(LIMIT / 1000, SECONDS).build();

  private final VirtualLane v = new VirtualLane();
  private final FakeOwner owner = new FakeOwner(v.time);

  @Test public void firstHeartbeatIsDueExactlyOneIntervalAfterStart() {
    KeepAlive k = started(BEATS);
    v.time.advanceBy(INTERVAL - 1);
    assertEquals(Collections.emptyList(), owner.calls);
    v.time.advanceBy(1);
    assertEquals(asList("sendHeartbeat"), owner.calls);
    v.time.advanceBy(INTERVAL);
    assertEquals(asList("sendHeartbeat", "sendHeartbeat"), owner.calls);
    assertTrue(k.isRunning());
  }

  @Test public void aBusyConnectionSkipsTheBeatAndReArmsForTheRemainder() {
    KeepAlive k = started(BEATS);
    v.time.advanceBy(20_000);
    k.sent(); // App traffic 20 s in: the beat at 30 s is skipped, the next is due at 50 s.
    v.time.advanceBy(INTERVAL - 20_000);
    assertEquals(asList("heartbeatSkipped 10000"), owner.calls);
    v.time.advanceBy(20_000 - 1);
    assertEquals(asList("heartbeatSkipped 10000"), owner.calls);
    v.time.advanceBy(1);
    assertEquals(asList("heartbeatSkipped 10000", "sendHeartbeat"), owner.calls);
  }

  @Test public void withIdleOnlyOffABusyConnectionStillBeatsEveryInterval() {
    KeepAlive k = started(BEATS.newBuilder().idleOnly(false).build());
    v.time.advanceBy(INTERVAL - 1);
    k.sent();
    v.time.advanceBy(1);
    assertEquals(asList("sendHeartbeat"), owner.calls);
  }

  @Test public void silenceAtTheLimitMinusOneIsFineAtTheLimitTheConnectionIsDead() {
    started(WATCHED);
    v.time.advanceBy(LIMIT - 1);
    assertEquals(asList("sendHeartbeat", "sendHeartbeat"), owner.calls); // Outbound: no help.
    v.time.advanceBy(1);
    assertEquals(asList("sendHeartbeat", "sendHeartbeat", "serverSilence 70000/70000",
        "dead: no data from server for 70 s (limit 70 s)"), owner.calls);
  }

  @Test public void somethingReceivedPushesTheSilenceLimitBack() {
    KeepAlive k = started(WATCHED);
    v.time.advanceBy(60_000);
    k.received();
    v.time.advanceBy(LIMIT - 1); // 1 ms before 60 s + limit.
    assertFalse(owner.calls.toString(), owner.died());
    v.time.advanceBy(1);
    assertEquals("dead: no data from server for 70 s (limit 70 s)", owner.last());
  }

  @Test public void aPongSinceTheLastCheckCountsAsActivity() {
    started(WATCHED);
    v.time.advanceBy(60_000);
    owner.pongs++; // Seen by the check at 70 s, which counts it as activity then.
    v.time.advanceBy(10_000);
    assertFalse(owner.died());
    v.time.advanceBy(LIMIT - 1);
    assertFalse(owner.died());
    v.time.advanceBy(1);
    assertEquals("dead: no data from server for 70 s (limit 70 s)", owner.last());
  }

  @Test public void messagesWaitingForTheAppCountAsActivity() {
    started(WATCHED);
    owner.inboundWaiting = true; // The app is behind, not the server.
    v.time.advanceBy(3 * LIMIT);
    assertFalse(owner.died());
    owner.inboundWaiting = false;
    v.time.advanceBy(LIMIT - 1);
    assertFalse(owner.died());
    v.time.advanceBy(1);
    assertTrue(owner.died());
  }

  @Test public void aProbeBeatsAtOnceAndWithTheWatchOnExpectsDataWithinTheProbeTimeout() {
    KeepAlive k = started(WATCHED);
    v.time.advanceBy(5_000);
    k.probe("screen on");
    assertEquals(asList("probeStarted screen on", "sendHeartbeat"), owner.calls);
    assertTrue(v.timers.armed().contains("probe"));
    v.time.advanceBy(PROBE_TIMEOUT - 1);
    assertFalse(owner.died());
    v.time.advanceBy(1);
    assertEquals("dead: wake-up probe after screen on: no data from server within 10 s"
        + " (probe timeout 10 s)", owner.last());
  }

  @Test public void withoutTheWatchAProbeOnlyBeats() {
    KeepAlive k = started(BEATS);
    k.probe("foreground");
    assertEquals(asList("probeStarted foreground", "sendHeartbeat"), owner.calls);
    assertFalse(v.timers.armed().contains("probe"));
    v.time.advanceBy(INTERVAL - 1); // Nothing waits for an answer.
    assertEquals(asList("probeStarted foreground", "sendHeartbeat"), owner.calls);
  }

  @Test public void withoutTheWatchAProbePingsAndWaitsForThePongWhereThereArePings() {
    owner.pingsSupported = true;
    KeepAlive k = started(BEATS.newBuilder().noProtocolPing().build());
    k.probe("screen on");
    assertEquals(asList("probeStarted screen on", "sendHeartbeat", "ping"), owner.calls);
    v.time.advanceBy(PROBE_TIMEOUT - 1);
    assertTrue(k.isRunning());
    v.time.advanceBy(1);
    assertEquals("dead: wake-up probe after screen on: no data from server within 10 s"
        + " (probe timeout 10 s)", owner.last());
  }

  @Test public void withoutTheWatchAProbesPongProvesTheConnection() {
    owner.pingsSupported = true;
    KeepAlive k = started(BEATS.newBuilder().noProtocolPing().build());
    k.probe("screen on");
    owner.pongs++;
    v.time.advanceBy(PROBE_TIMEOUT);
    assertEquals("probeSucceeded 10000", owner.last());
    assertTrue(k.isRunning());
  }

  @Test public void aPongThatCameBeforeTheProbeDoesNotProveIt() {
    owner.pingsSupported = true;
    KeepAlive k = started(BEATS); // Pings ride the heartbeat; no silence watch.
    v.time.advanceBy(INTERVAL);
    owner.pongs = 1; // Ping 1 answered, then the path dies.
    v.time.advanceBy(1_000);
    k.probe("screen on");
    v.time.advanceBy(PROBE_TIMEOUT - 1);
    assertTrue(k.isRunning());
    v.time.advanceBy(1);
    assertEquals("dead: wake-up probe after screen on: no data from server within 10 s"
        + " (probe timeout 10 s)", owner.last());
  }

  @Test public void dataDuringAProbeSucceedsAndCancelsTheProbeTimer() {
    KeepAlive k = started(WATCHED);
    k.probe("resume");
    v.time.advanceBy(300);
    k.received();
    assertEquals("probeSucceeded 300", owner.last());
    assertFalse(v.timers.armed().contains("probe"));
    assertFalse(v.pendingTimers().contains("probe"));
    v.time.advanceBy(PROBE_TIMEOUT);
    assertFalse(owner.died());
  }

  @Test public void aPongDuringAProbeProvesTheConnectionAtTheProbeTimeout() {
    KeepAlive k = started(WATCHED);
    k.probe("foreground");
    owner.pongs++;
    v.time.advanceBy(PROBE_TIMEOUT);
    assertEquals("probeSucceeded 10000", owner.last());
    assertFalse(owner.died());
  }

  @Test public void oneProbeAtATimeAndNoneWhenStoppedOrTurnedOff() {
    KeepAlive k = started(WATCHED);
    k.probe("screen on");
    k.probe("foreground");
    assertEquals(asList("probeStarted screen on", "sendHeartbeat"), owner.calls);

    k.stop();
    k.probe("resume");
    assertEquals(2, owner.calls.size());

    VirtualLane other = new VirtualLane();
    FakeOwner quiet = new FakeOwner(other.time);
    KeepAlive off = new KeepAlive(WATCHED, false, other.timers, quiet);
    quiet.keepAlive = off;
    off.start();
    off.probe("screen on");
    assertEquals(Collections.emptyList(), quiet.calls);
  }

  @Test public void stopCancelsEveryKeepAliveTimer() {
    KeepAlive k = started(WATCHED);
    k.probe("screen on");
    // The protocol ping rides the heartbeat's timer (same cadence): no timer of its own.
    assertEquals(asList("heartbeat", "probe", "silence check"), sorted(v.pendingTimers()));
    k.stop();
    assertEquals(Collections.emptyList(), v.pendingTimers());
    assertEquals(Collections.emptyList(), v.timers.armed());
    assertFalse(k.isRunning());
    v.time.advanceBy(10 * LIMIT);
    assertEquals(asList("probeStarted screen on", "sendHeartbeat"), owner.calls);
  }

  @Test public void aHeartbeatTimerThatSleptPastItsTimeReArmsWithoutSending() {
    started(BEATS);
    long due = v.time.elapsedMillis() + INTERVAL;
    owner.slept = true;
    v.time.advanceBy(INTERVAL);
    assertEquals(asList("sleptPast " + due), owner.calls);
    owner.slept = false;
    v.time.advanceBy(INTERVAL - 1);
    assertEquals(1, owner.calls.size());
    v.time.advanceBy(1);
    assertEquals("sendHeartbeat", owner.last());
  }

  @Test public void aSilenceCheckThatSleptPastItsTimeDoesNotDeclareTheConnectionDead() {
    started(WATCHED);
    owner.slept = true;
    v.time.advanceBy(LIMIT);
    assertFalse(owner.died()); // Data may sit unread after a sleep: the probe decides.
    assertTrue(v.timers.armed().contains("silence check"));
  }

  private KeepAlive started(HeartbeatPolicy policy) {
    KeepAlive k = new KeepAlive(policy, true, v.timers, owner);
    owner.keepAlive = k;
    k.start();
    return k;
  }

  private static List<String> sorted(List<String> names) {
    List<String> copy = new ArrayList<>(names);
    Collections.sort(copy);
    return copy;
  }

  // ---- Protocol pings (docs/behaviour.md, "Protocol pings"). ----

  private static final long PING = 20_000;
  private static final HeartbeatPolicy PINGED = HeartbeatPolicy.builder()
      .interval(10, SECONDS).idleOnly(false).protocolPingInterval(PING, MILLISECONDS).build();

  private List<String> pingCalls() {
    List<String> out = new ArrayList<>();
    for (String c : owner.calls) if (!c.equals("sendHeartbeat")) out.add(c);
    return out;
  }

  @Test public void aPingAfterASleepStartsOverInsteadOfJudging() {
    owner.pingsSupported = true;
    KeepAlive k = started(PINGED);
    v.time.advanceBy(PING);
    owner.slept = true;
    v.time.advanceBy(PING); // No pong, but the device slept: the probe decides, not the ping.
    owner.slept = false;
    assertTrue(k.isRunning());
    v.time.advanceBy(PING);
    assertFalse(owner.died());
    List<String> pings = pingCalls();
    pings.removeIf(c -> c.startsWith("sleptPast"));
    assertEquals(asList("ping", "ping"), pings); // Pinging started over after the sleep.
  }

  @Test public void atTheHeartbeatsCadenceThePingRidesItsWakeUpOncePerInterval() {
    owner.pingsSupported = true;
    KeepAlive k = started(BEATS); // Protocol ping left at "same as heartbeat".
    assertEquals(asList("heartbeat"), v.pendingTimers());
    v.time.advanceBy(INTERVAL);
    assertEquals(asList("sendHeartbeat", "ping"), owner.calls);
    assertEquals(asList("heartbeat"), v.pendingTimers());
    owner.pongs++;
    v.time.advanceBy(INTERVAL);
    assertEquals(asList("sendHeartbeat", "ping", "sendHeartbeat", "ping"), owner.calls);
    v.time.advanceBy(INTERVAL - 1); // No pong for the second ping: judged at the next wake-up.
    assertTrue(k.isRunning());
    v.time.advanceBy(1);
    assertEquals("dead: no pong within 30 s of a protocol ping (ping interval 30 s)",
        owner.last());
  }

  @Test public void aPongStillMissingWhenTheNextPingIsDueMeansDead() {
    owner.pingsSupported = true;
    KeepAlive k = started(PINGED);
    v.time.advanceBy(PING);
    assertEquals(asList("ping"), pingCalls());
    v.time.advanceBy(PING - 1);
    assertEquals(asList("ping"), pingCalls());
    assertTrue(k.isRunning());
    v.time.advanceBy(1);
    assertEquals(asList("ping",
        "dead: no pong within 20 s of a protocol ping (ping interval 20 s)"), pingCalls());
  }

  @Test public void aPongInTimeKeepsThePingsGoing() {
    owner.pingsSupported = true;
    KeepAlive k = started(PINGED);
    for (int i = 0; i < 5; i++) {
      v.time.advanceBy(PING);
      owner.pongs++;
    }
    assertEquals(asList("ping", "ping", "ping", "ping", "ping"), pingCalls());
    assertTrue(k.isRunning());
  }

  // ---- Verdicts count only time the reader was free to read (ReadWaits). ----

  @Test public void aHoldSpanningOnePingIntervalIsNoVerdictWhichComesATimeoutAfterItEnds() {
    holdOverPingIntervalsThenNoPong(1);
  }

  @Test public void aHoldSpanningTwoPingIntervalsIsNoVerdictWhichComesATimeoutAfterItEnds() {
    holdOverPingIntervalsThenNoPong(2);
  }

  @Test public void aHoldSpanningTenPingIntervalsIsNoVerdictWhichComesATimeoutAfterItEnds() {
    holdOverPingIntervalsThenNoPong(10);
  }

  /** The reader is held from the ping for {@code intervals} ping intervals; the pong never comes. */
  private void holdOverPingIntervalsThenNoPong(int intervals) {
    owner.pingsSupported = true;
    owner.measuring();
    KeepAlive k = started(PINGED);
    v.time.advanceBy(PING);
    owner.holdReader(); // The app is behind: the pong may sit unread behind its messages.
    v.time.advanceBy(intervals * PING);
    assertTrue(k.isRunning());
    assertEquals("no verdict, and no new ping while one is out", asList("ping"), pingCalls());
    owner.releaseReader();
    v.time.advanceBy(PING - 1);
    assertTrue(k.isRunning());
    v.time.advanceBy(1);
    assertEquals(asList("ping", "dead: no pong within " + (intervals + 1) * PING / 1000
        + " s of a protocol ping (ping interval 20 s; the reader waited 20 s for data)"),
        pingCalls());
  }

  @Test public void aHoldEndingOneMillisecondBeforeTheDeadlineMovesTheVerdictOutByTheHeldTime() {
    owner.pingsSupported = true;
    owner.measuring();
    KeepAlive k = started(PINGED);
    v.time.advanceBy(PING);
    v.time.advanceBy(5_000); // Free for 5 s,
    owner.holdReader();
    long held = PING - 5_000 - 1; // then held until 1 ms before the pong timeout.
    v.time.advanceBy(held);
    owner.releaseReader();
    v.time.advanceBy(1); // The timeout: the reader was free for 5.001 s of it.
    assertTrue(k.isRunning());
    v.time.advanceBy(held - 1);
    assertTrue(k.isRunning());
    v.time.advanceBy(1);
    assertEquals("dead: no pong within 35.0 s of a protocol ping (ping interval 20 s; the reader"
        + " waited 20 s for data)", owner.last());
    assertEquals(asList("ping"), pingCalls().subList(0, 1));
  }

  @Test public void readerFreeForTheTimeoutMinusOneMillisecondIsAliveForTheTimeoutDead() {
    owner.pingsSupported = true;
    owner.measuring();
    KeepAlive k = started(PINGED);
    v.time.advanceBy(PING);
    owner.holdReader();
    v.time.advanceBy(1);
    owner.releaseReader();
    v.time.advanceBy(PING - 1); // The timeout; the reader was free for all of it but 1 ms.
    assertTrue(k.isRunning());
    assertEquals(asList("heartbeat", "protocol ping"), sorted(v.pendingTimers()));
    // The reader was held, and may still be: the check looks again a tenth of the timeout on.
    v.time.advanceBy(PING / KeepAlive.LOOK_AGAIN_FRACTION - 1);
    assertTrue(k.isRunning());
    v.time.advanceBy(1);
    assertEquals("dead: no pong within 22 s of a protocol ping (ping interval 20 s; the reader"
        + " waited 22.0 s for data)", owner.last());

    VirtualLane other = new VirtualLane();
    FakeOwner free = new FakeOwner(other.time);
    free.pingsSupported = true;
    free.measuring();
    KeepAlive k2 = new KeepAlive(PINGED, true, other.timers, free);
    free.keepAlive = k2;
    k2.start();
    other.time.advanceBy(2 * PING - 1);
    assertTrue(k2.isRunning());
    other.time.advanceBy(1); // Free for the whole timeout: dead at it, to the millisecond.
    assertEquals("dead: no pong within 20 s of a protocol ping (ping interval 20 s; the reader"
        + " waited 20 s for data)", free.last());
  }

  @Test public void thePongOfAnOlderPingDoesNotAnswerANewerOne() {
    owner.pingsSupported = true;
    owner.measuring();
    KeepAlive k = started(PINGED);
    v.time.advanceBy(PING);
    owner.pongs = 1; // Ping 1 answered.
    v.time.advanceBy(PING);
    assertEquals(asList("ping", "ping"), pingCalls());
    v.time.advanceBy(PING - 1); // Ping 2 is not answered by ping 1's pong.
    assertTrue(k.isRunning());
    v.time.advanceBy(1);
    assertEquals("dead: no pong within 20 s of a protocol ping (ping interval 20 s; the reader"
        + " waited 20 s for data)", owner.last());
  }

  @Test public void aPongReadAfterAHoldResumesPinging() {
    owner.pingsSupported = true;
    owner.measuring();
    KeepAlive k = started(PINGED);
    v.time.advanceBy(PING);
    owner.holdReader();
    v.time.advanceBy(3 * PING);
    owner.releaseReader();
    owner.pongs = 1; // The app caught up, and the reader read the pong.
    v.time.advanceBy(PING);
    assertEquals(asList("ping", "ping"), pingCalls());
    owner.pongs = 2;
    v.time.advanceBy(PING);
    assertEquals(asList("ping", "ping", "ping"), pingCalls());
    assertTrue(k.isRunning());
  }

  @Test public void withoutMeasurementElapsedTimeJudgesThePongEvenBehindASlowApp() {
    owner.pingsSupported = true; // readerFree stays -1: the transport does not measure.
    owner.inboundWaiting = true;
    KeepAlive k = started(PINGED);
    v.time.advanceBy(2 * PING - 1);
    assertTrue(k.isRunning());
    v.time.advanceBy(1);
    assertEquals("dead: no pong within 20 s of a protocol ping (ping interval 20 s)",
        owner.last());
  }

  @Test public void aPingRidingTheHeartbeatIsCheckedOnItsOwnTimerOnlyWhileTheReaderIsHeld() {
    owner.pingsSupported = true;
    owner.measuring();
    KeepAlive k = started(BEATS); // The ping rides the heartbeat's wake-up.
    v.time.advanceBy(INTERVAL);
    owner.holdReader();
    v.time.advanceBy(INTERVAL); // Ping 1 unanswered, the reader held: no verdict, no ping.
    assertEquals(asList("sendHeartbeat", "ping", "sendHeartbeat"), owner.calls);
    assertEquals(asList("heartbeat", "protocol ping"), sorted(v.pendingTimers()));
    owner.releaseReader();
    owner.pongs = 1;
    v.time.advanceBy(INTERVAL); // The deferred check finds the pong and pings again.
    assertEquals(asList("sendHeartbeat", "ping", "sendHeartbeat", "sendHeartbeat", "ping"),
        owner.calls);
    assertEquals("one wake-up per interval again", asList("heartbeat"), v.pendingTimers());
    owner.pongs = 2;
    v.time.advanceBy(INTERVAL);
    assertEquals("ping", owner.last());
    assertTrue(k.isRunning());
  }

  @Test public void aHoldSpanningOneTwoOrTenSilenceLimitsIsNoVerdictWhichComesALimitAfterItEnds() {
    for (int limits : new int[] {1, 2, 10}) {
      VirtualLane lane = new VirtualLane();
      FakeOwner o = new FakeOwner(lane.time);
      o.measuring();
      KeepAlive k = new KeepAlive(WATCHED, true, lane.timers, o);
      o.keepAlive = k;
      k.start();
      o.holdReader(); // Nothing read from the open on: busy, held, or not scheduled.
      lane.time.advanceBy(limits * LIMIT);
      assertFalse(limits + " limits: " + o.calls, o.died());
      o.releaseReader();
      lane.time.advanceBy(LIMIT - 1);
      assertFalse(limits + " limits: " + o.calls, o.died());
      lane.time.advanceBy(1);
      long silent = (limits + 1) * LIMIT;
      assertEquals(asList("serverSilence " + silent + "/" + LIMIT, "dead: no data from server for "
          + silent / 1000 + " s (limit 70 s; the reader waited 70 s for data)"),
          o.calls.subList(o.calls.size() - 2, o.calls.size()));
    }
  }

  @Test public void aSilenceHoldEndingOneMillisecondBeforeTheLimitMovesTheVerdictOutByIt() {
    owner.measuring();
    started(WATCHED);
    v.time.advanceBy(10_000);
    owner.holdReader();
    long held = LIMIT - 10_000 - 1;
    v.time.advanceBy(held);
    owner.releaseReader();
    v.time.advanceBy(1); // The limit: the reader was free for 10.001 s of it.
    assertFalse(owner.died());
    v.time.advanceBy(held - 1);
    assertFalse(owner.died());
    v.time.advanceBy(1);
    assertEquals("dead: no data from server for 130.0 s (limit 70 s; the reader waited 70 s for"
        + " data)", owner.last());
  }

  @Test public void silenceWithTheReaderFreeForTheLimitMinusOneIsAliveForTheLimitDead() {
    owner.measuring();
    started(WATCHED);
    owner.holdReader();
    v.time.advanceBy(1);
    owner.releaseReader();
    v.time.advanceBy(LIMIT - 1);
    assertFalse(owner.died());
    v.time.advanceBy(LIMIT / KeepAlive.LOOK_AGAIN_FRACTION - 1);
    assertFalse(owner.died());
    v.time.advanceBy(1);
    assertEquals("dead: no data from server for 77 s (limit 70 s; the reader waited 77.0 s for"
        + " data)", owner.last());

    VirtualLane other = new VirtualLane();
    FakeOwner free = new FakeOwner(other.time);
    free.measuring();
    KeepAlive k2 = new KeepAlive(WATCHED, true, other.timers, free);
    free.keepAlive = k2;
    k2.start();
    other.time.advanceBy(LIMIT - 1);
    assertFalse(free.died());
    other.time.advanceBy(1);
    assertEquals("dead: no data from server for 70 s (limit 70 s; the reader waited 70 s for"
        + " data)", free.last());
  }

  @Test public void somethingReceivedDuringAHoldStillPushesTheSilenceLimitBack() {
    owner.measuring();
    KeepAlive k = started(WATCHED);
    v.time.advanceBy(30_000);
    k.received();
    owner.holdReader();
    v.time.advanceBy(2 * LIMIT);
    owner.releaseReader();
    v.time.advanceBy(LIMIT - 1);
    assertFalse(owner.died());
    v.time.advanceBy(1);
    assertEquals("dead: no data from server for 210 s (limit 70 s; the reader waited 70 s for"
        + " data)", owner.last());
  }

  @Test public void aProbeIsJudgedOnlyOnceTheReaderWasFreeForTheProbeTimeout() {
    owner.measuring();
    KeepAlive k = started(WATCHED);
    k.probe("screen on");
    owner.holdReader();
    v.time.advanceBy(PROBE_TIMEOUT);
    assertFalse(owner.died());
    owner.releaseReader();
    v.time.advanceBy(PROBE_TIMEOUT - 1);
    assertFalse(owner.died());
    v.time.advanceBy(1);
    assertEquals("dead: wake-up probe after screen on: no data from server within 20 s (probe"
        + " timeout 10 s; the reader waited 10 s for data)", owner.last());
  }

  @Test public void aTransportWithoutPingsIsNotPingedAgain() {
    KeepAlive k = started(PINGED);
    v.time.advanceBy(PING);
    assertFalse(v.time.pendingTaskNames().toString().contains("protocol ping"));
    v.time.advanceBy(10 * PING);
    assertEquals(Collections.emptyList(), pingCalls());
    assertTrue(k.isRunning());
  }

  /**
   * Records the keep-alive's requests and answers its questions as the test sets them. Like the
   * real owner, a heartbeat handed over counts as sent, and a dead connection stops its
   * keep-alive.
   */
  private static final class FakeOwner implements KeepAlive.Owner {
    final List<String> calls = new ArrayList<>();
    KeepAlive keepAlive;
    long pongs;
    boolean inboundWaiting;
    boolean slept;
    boolean pingsSupported;
    long pingsSent;
    /**
     * The reader's free time as of {@link #readerFreeAt}, growing with virtual time from then
     * unless {@link #readerHeld}; -1: the transport does not measure.
     */
    long readerFree = -1;
    long readerFreeAt;
    boolean readerHeld;
    private final VirtualTime time;

    FakeOwner(VirtualTime time) {
      this.time = time;
    }

    /** From now on the transport measures its reader, which waits for data (free). */
    void measuring() {
      readerFree = 0;
      readerFreeAt = time.elapsedMillis();
      readerHeld = false;
    }

    /** The reader stops waiting for data (held by the inbound bound, busy, not scheduled). */
    void holdReader() {
      readerFree = readerFreeMillis();
      readerHeld = true;
    }

    /** The reader waits for data again. */
    void releaseReader() {
      readerHeld = false;
      readerFreeAt = time.elapsedMillis();
    }

    @Override public long sendProtocolPing() {
      if (!pingsSupported) return -1;
      calls.add("ping");
      return ++pingsSent;
    }

    @Override public long readerFreeMillis() {
      if (readerFree < 0 || readerHeld) return readerFree;
      return readerFree + time.elapsedMillis() - readerFreeAt;
    }

    @Override public void sendHeartbeat() {
      calls.add("sendHeartbeat");
      keepAlive.sent();
    }

    @Override public long answeredPing() {
      return pongs;
    }

    @Override public boolean inboundWaiting() {
      return inboundWaiting;
    }

    @Override public boolean sleptPast(long dueAtMillis) {
      if (slept) calls.add("sleptPast " + dueAtMillis);
      return slept;
    }

    @Override public void dead(String reason) {
      calls.add("dead: " + reason);
      keepAlive.stop();
    }

    @Override public void heartbeatSkipped(long sinceLastSendMillis) {
      calls.add("heartbeatSkipped " + sinceLastSendMillis);
    }

    @Override public void serverSilence(long silentMillis, long limitMillis) {
      calls.add("serverSilence " + silentMillis + "/" + limitMillis);
    }

    @Override public void probeStarted(String trigger) {
      calls.add("probeStarted " + trigger);
    }

    @Override public void probeSucceeded(long afterMillis) {
      calls.add("probeSucceeded " + afterMillis);
    }

    boolean died() {
      for (String c : calls) if (c.startsWith("dead: ")) return true;
      return false;
    }

    String last() {
      return calls.get(calls.size() - 1);
    }
  }
}
