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
