package dev.lifeline.internal;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import dev.lifeline.Connection;
import dev.lifeline.ConnectionOptions;
import dev.lifeline.ConnectionState.Kind;
import dev.lifeline.EventListener;
import dev.lifeline.HeartbeatPolicy;
import dev.lifeline.Message;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.junit.Test;

/**
 * One wake-up for all connections of a client (docs/behaviour.md, "Heartbeats"), in virtual
 * time: a beat whose window [due − slack, due] holds another keep-alive timer's firing goes then,
 * early but never late; its own timer fires at {@code due} when nobody woke before.
 */
public final class HeartbeatAlignmentTest {
  private static final String[] KEEP_ALIVE_TIMERS =
      {" heartbeat", " silence check", " probe", " protocol ping"};

  private final Harness h = new Harness();

  /** One connection under test: its transport and the moments of its heartbeats. */
  private final class Conn {
    final String name;
    final RealConnection c;
    final FakeTransport t;
    final List<Long> beats = Collections.synchronizedList(new ArrayList<>());
    final List<String> events = Collections.synchronizedList(new ArrayList<>());
    final long openedAt;

    Conn(String name, HeartbeatPolicy heartbeat) {
      this.name = name;
      EventListener listener = new EventListener() {
        @Override public void heartbeatSent(Connection c, Message heartbeat) {
          beats.add(h.time.elapsedMillis());
        }

        @Override public void serverSilence(Connection c, long silent, long limit) {
          events.add(h.time.elapsedMillis() + " serverSilence " + silent + "/" + limit);
        }

        @Override public void probeStarted(Connection c, String trigger) {
          events.add(h.time.elapsedMillis() + " probeStarted " + trigger);
        }
      };
      c = h.connection(ConnectionOptions.builder("ws://127.0.0.1:1/" + name).heartbeat(heartbeat)
          .eventListener(listener).build());
      t = h.connectAndOpen(c);
      openedAt = h.time.elapsedMillis();
    }

    /** The beats' moments relative to the open. */
    List<Long> beatsSinceOpen() {
      List<Long> out = new ArrayList<>();
      synchronized (beats) {
        for (long b : beats) out.add(b - openedAt);
      }
      return out;
    }
  }

  private static HeartbeatPolicy every(long millis) {
    return HeartbeatPolicy.builder().interval(millis, MILLISECONDS).build();
  }

  private static HeartbeatPolicy every(long millis, double slack) {
    return every(millis).newBuilder().alignmentSlack(slack).build();
  }

  /**
   * Distinct moments after {@code from} (counted from it) at which a keep-alive timer of the
   * client fired.
   */
  private TreeSet<Long> keepAliveWakeUps(long from) {
    TreeSet<Long> moments = new TreeSet<>();
    synchronized (h.time.timersRun) {
      for (String run : h.time.timersRun) {
        for (String name : KEEP_ALIVE_TIMERS) {
          if (run.endsWith(name)) {
            long at = Long.parseLong(run.substring(0, run.indexOf(' ')));
            if (at > from) moments.add(at - from);
          }
        }
      }
    }
    return moments;
  }

  private int firings(String connection, String timer) {
    int n = 0;
    synchronized (h.time.timersRun) {
      for (String run : h.time.timersRun) if (run.endsWith("/" + connection + " " + timer)) n++;
    }
    return n;
  }

  private static List<Long> multiples(long step, long upTo) {
    List<Long> out = new ArrayList<>();
    for (long t = step; t <= upTo; t += step) out.add(t);
    return out;
  }

  // ---- The three connections. ----

  @Test public void idleConnectionsAt25s45sAnd55sWakeOncePer25sWithTheDefaultSlack() {
    long t0 = h.time.elapsedMillis();
    Conn a = new Conn("a", every(25_000));
    Conn b = new Conn("b", every(45_000));
    Conn c = new Conn("c", every(55_000));
    long hour = 3_600_000;
    h.time.advanceBy(hour);

    // By hand (slack 0.5): b's window [22.5 s, 45 s] holds a's 25 s wake-up, and from then on
    // every one of a's; c's [27.5 s, 55 s] holds a's 50 s one, then every other one.
    assertEquals(multiples(25_000, hour), new ArrayList<>(keepAliveWakeUps(t0)));
    assertEquals(144, keepAliveWakeUps(t0).size());
    assertEquals(multiples(25_000, hour), a.beatsSinceOpen());
    assertEquals(multiples(25_000, hour), b.beatsSinceOpen());
    assertEquals(multiples(50_000, hour), c.beatsSinceOpen());
  }

  @Test public void withSlackZeroEachConnectionWakesOnItsOwnAsBefore() {
    long t0 = h.time.elapsedMillis();
    Conn a = new Conn("a", every(25_000, 0));
    Conn b = new Conn("b", every(45_000, 0));
    Conn c = new Conn("c", every(55_000, 0));
    long hour = 3_600_000;
    h.time.advanceBy(hour);

    assertEquals(multiples(25_000, hour), a.beatsSinceOpen());
    assertEquals(multiples(45_000, hour), b.beatsSinceOpen());
    assertEquals(multiples(55_000, hour), c.beatsSinceOpen());
    TreeSet<Long> expected = new TreeSet<>();
    for (long step : new long[] {25_000, 45_000, 55_000}) expected.addAll(multiples(step, hour));
    assertEquals(expected, keepAliveWakeUps(t0));
    assertEquals(254, expected.size()); // 144 + 80 + 65 = 289 beats; 35 share a moment by chance.
  }

  @Test public void theSlackIsAFractionAtLeastZeroAndBelowOne() {
    assertEquals(0.5, HeartbeatPolicy.DEFAULT_ALIGNMENT_SLACK, 0);
    assertEquals(0.5, HeartbeatPolicy.defaults().alignmentSlack(), 0);
    assertEquals(0, every(1_000, 0).alignmentSlack(), 0);
    assertEquals(0.99, every(1_000, 0.99).alignmentSlack(), 0);
    assertEquals(0.25, every(1_000, 0.25).newBuilder().build().alignmentSlack(), 0);
    for (double bad : new double[] {1, -0.01, 1.5, Double.NaN, Double.POSITIVE_INFINITY}) {
      try {
        HeartbeatPolicy.builder().alignmentSlack(bad);
        throw new AssertionError("accepted " + bad);
      } catch (IllegalArgumentException expected) {
        assertEquals("heartbeat alignment slack (" + bad + ") must be at least 0 and below 1: it"
            + " is the fraction of the interval by which a beat may go early (0 = never early)",
            expected.getMessage());
      }
    }
  }

  // ---- The window's boundaries. ----

  @Test public void aWakeUpOneMillisecondBeforeTheWindowIsNotRidden() {
    Conn waker = new Conn("waker", every(10_000, 0)); // Wakes at +10 s.
    h.time.advanceBy(1);
    Conn b = new Conn("b", every(20_000)); // Due at 20 s, window from 10 s: the wake-up is 1 ms early.
    h.time.advanceBy(10_000 - 1);
    assertEquals(1, waker.beats.size());
    assertEquals(Collections.emptyList(), b.beats);
    h.time.advanceBy(10_000); // The waker's next, 1 ms before b's due, is inside: b rides it.
    assertEquals(Collections.singletonList(20_000L - 1), b.beatsSinceOpen());
  }

  @Test public void aWakeUpAtTheWindowsFirstMomentIsRidden() {
    Conn waker = new Conn("waker", every(10_000, 0));
    Conn b = new Conn("b", every(20_000)); // Window [10 s, 20 s].
    h.time.advanceBy(10_000 - 1);
    assertEquals(Collections.emptyList(), b.beats);
    h.time.advanceBy(1);
    assertEquals(Collections.singletonList(10_000L), waker.beatsSinceOpen());
    assertEquals(Collections.singletonList(10_000L), b.beatsSinceOpen());
    // Its own timer was re-armed from that beat: one interval later, riding the waker again.
    h.time.advanceBy(20_000);
    assertEquals(java.util.Arrays.asList(10_000L, 20_000L, 30_000L), b.beatsSinceOpen());
  }

  @Test public void withNobodyWakingInItsWindowABeatGoesExactlyWhenDueNeverLater() {
    Conn far = new Conn("far", every(60_000, 0));
    Conn b = new Conn("b", every(20_000));
    h.time.advanceBy(20_000 - 1);
    assertEquals(Collections.emptyList(), b.beats);
    h.time.advanceBy(1);
    assertEquals(Collections.singletonList(20_000L), b.beatsSinceOpen());
    assertEquals(Collections.emptyList(), far.beats);
  }

  @Test public void aBusyConnectionIsNotPulledAndSendsNoHeartbeatBytes() {
    Conn waker = new Conn("waker", every(10_000, 0));
    Conn busy = new Conn("busy", every(20_000));
    for (int i = 0; i < 24; i++) { // 2 minutes of app traffic every 5 s.
      h.time.advanceBy(5_000);
      busy.c.send("app " + i);
      h.time.runUntilIdle();
    }
    assertEquals(12, waker.beats.size());
    assertEquals(Collections.emptyList(), busy.beats);
    for (Message m : busy.t.sent) assertTrue(m.text(), m.text().startsWith("app "));
  }

  @Test public void aConnectionBusyUntilJustBeforeTheWindowRidesFromWhereItsIdleTimeAllows() {
    Conn waker = new Conn("waker", every(10_000, 0));
    Conn b = new Conn("b", every(20_000));
    h.time.advanceBy(5_000);
    b.c.send("app"); // Due now 25 s, window [15 s, 25 s]: the waker's 10 s and 20 s...
    h.time.advanceBy(10_000);
    assertEquals(Collections.emptyList(), b.beats); // ...10 s is not in it...
    h.time.advanceBy(10_000);
    assertEquals(Collections.singletonList(20_000L), b.beatsSinceOpen()); // ...20 s is.
    assertEquals(2, waker.beats.size());
  }

  // ---- Adaptive heartbeats learn from whole idle gaps. ----

  @Test public void anAdaptiveConnectionNeverGoesEarlyButOthersRideItsWakeUps() {
    Conn waker = new Conn("waker", every(10_000, 0));
    Conn adaptive = new Conn("adaptive", HeartbeatPolicy.builder().interval(20, SECONDS)
        .adaptive(5, 60, SECONDS).build());
    Conn rider = new Conn("rider", every(13_000));
    h.time.advanceBy(60_000);
    assertEquals(multiples(20_000, 60_000), adaptive.beatsSinceOpen());
    assertEquals(6, waker.beats.size());
    // The rider's window [6.5 s, 13 s] holds the waker's 10 s, then [13.5 s, 23 s] its 20 s ...
    assertEquals(multiples(10_000, 60_000), rider.beatsSinceOpen());
  }

  // ---- The other keep-alive timers. ----

  @Test public void theSilenceVerdictComesExactlyAtTheLimitAmongAlignedConnections() {
    Conn waker = new Conn("waker", every(7_000, 0));
    Conn watched = new Conn("watched", every(30_000).newBuilder()
        .serverTimeout(70, SECONDS).build());
    h.time.advanceBy(70_000 - 1);
    assertEquals(Kind.CONNECTED, watched.c.state().kind());
    assertTrue(watched.beats.size() >= 2); // It beat (early, riding the waker); outbound is no help.
    h.time.advanceBy(1);
    assertEquals(Collections.singletonList((watched.openedAt + 70_000) + " serverSilence"
        + " 70000/70000"), watched.events);
    assertEquals(Kind.CONNECTED, waker.c.state().kind());
  }

  @Test public void aServerAnsweringEachBeatNeverHasTheSilenceCheckWakeTheConnection() {
    Conn waker = new Conn("waker", every(25_000, 0));
    Conn watched = new Conn("watched", every(45_000).newBuilder()
        .serverTimeout(60, SECONDS).build()); // Limit between one and two intervals.
    long lastEcho = watched.openedAt;
    int answered = 0;
    for (int s = 0; s < 3_600; s++) { // An hour; the server echoes each beat within a second.
      h.time.advanceBy(1_000);
      if (watched.beats.size() > answered) {
        answered = watched.beats.size();
        watched.t.serverSends("echo");
        h.time.runUntilIdle();
        lastEcho = h.time.elapsedMillis();
      }
    }
    assertTrue(answered >= 80);
    assertEquals(144, firings("waker", "heartbeat")); // The count sees the client's timers...
    assertEquals(0, firings("watched", "silence check")); // ...and this one never fired.
    assertEquals(Collections.emptyList(), watched.events);
    // The server falls silent: the verdict still comes exactly a limit after the last echo.
    h.time.advanceTo(lastEcho + 60_000 - 1);
    assertEquals(Collections.emptyList(), watched.events);
    h.time.advanceBy(1);
    assertEquals(Collections.singletonList((lastEcho + 60_000) + " serverSilence 60000/60000"),
        watched.events);
    assertEquals(Kind.CONNECTED, waker.c.state().kind());
  }

  @Test public void theProbeStillJudgesExactlyAtItsTimeoutAmongAlignedConnections() {
    Conn waker = new Conn("waker", every(3_000, 0));
    Conn watched = new Conn("watched", every(30_000).newBuilder()
        .serverTimeout(120, SECONDS).build());
    h.time.advanceBy(40_000);
    long beatsBefore = watched.beats.size();
    h.signals.screenOn();
    h.time.runUntilIdle();
    long probeAt = h.time.elapsedMillis();
    assertTrue(watched.events.toString(),
        watched.events.contains(probeAt + " probeStarted screen on"));
    assertEquals(beatsBefore + 1, watched.beats.size()); // The probe's heartbeat, at once.
    h.time.advanceBy(HeartbeatPolicy.DEFAULT_PROBE_TIMEOUT_MILLIS - 1);
    assertEquals(Kind.CONNECTED, watched.c.state().kind());
    h.time.advanceBy(1);
    assertFalse(watched.c.state().kind() == Kind.CONNECTED);
    assertTrue(String.valueOf(watched.c.state().reason()), watched.c.state().reason()
        .startsWith("wake-up probe after screen on: no data from server within 10 s"));
    assertEquals(Kind.CONNECTED, waker.c.state().kind());
  }

  @Test public void aPingOnItsOwnCadenceRidesTooAndAMissingPongIsJudgedNoSoonerNorLater() {
    Conn waker = new Conn("waker", every(10_000, 0));
    Conn pinged = new Conn("pinged", every(55_000).newBuilder()
        .protocolPingInterval(20, SECONDS).build()); // Ping window [10 s, 20 s], then [20 s, 30 s].
    pinged.t.pingsSupported = true;
    h.time.advanceBy(10_000 - 1);
    assertEquals(0, pinged.t.pings);
    h.time.advanceBy(1);
    assertEquals(1, pinged.t.pings); // Rode the waker's 10 s wake-up.
    pinged.t.serverPongs();
    h.time.advanceBy(10_000);
    assertEquals(2, pinged.t.pings); // Ping 1 answered: ping 2 rides the 20 s one.
    assertEquals(0, firings("pinged", "protocol ping"));
    // No pong for ping 2: at 30 s (its next window) only 10 s of the 20 s timeout have passed,
    // so the verdict waits for exactly 40 s, when that turn was due.
    h.time.advanceBy(20_000 - 1);
    assertEquals(Kind.CONNECTED, pinged.c.state().kind());
    h.time.advanceBy(1);
    assertFalse(pinged.c.state().kind() == Kind.CONNECTED);
    assertTrue(String.valueOf(pinged.c.state().reason()), pinged.c.state().reason()
        .startsWith("no pong within 20 s of a protocol ping (ping interval 20 s"));
    assertEquals(2, pinged.t.pings);
    assertEquals(Kind.CONNECTED, waker.c.state().kind());
  }

  @Test public void aPingSentAfterAPongLateBeyondAnEarlyRideIsStillJudgedOneIntervalAfterIt() {
    Conn waker = new Conn("waker", every(17_000, 0)); // Wakes at 17 s and 34 s.
    Conn pinged = new Conn("pinged", every(10_000)); // Its ping rides its heartbeat.
    pinged.t.pingsSupported = true;
    long t0 = pinged.openedAt;
    assertEquals(t0, waker.openedAt);
    h.time.advanceBy(10_000);
    assertEquals(1, pinged.t.pings); // At its own 10 s beat; window [15 s, 20 s] next.
    h.time.advanceBy(7_000); // The beat rides the 17 s wake-up: ping 1's pong is still out.
    assertEquals(Kind.CONNECTED, pinged.c.state().kind());
    h.time.advanceBy(1_000);
    pinged.t.serverPongs(); // Late, but before ping 1's timeout (20 s).
    long pingAt = -1;
    for (int i = 0; i < 30 && pingAt < 0; i++) {
      h.time.advanceBy(1_000);
      if (pinged.t.pings == 2) pingAt = h.time.elapsedMillis();
    }
    assertTrue("ping 2 went out", pingAt > 0);
    // "Protocol pings": the pong timeout is the ping interval, whatever phase the ping went in.
    h.time.advanceBy(10_000 - 1);
    assertEquals("ping 2 at " + (pingAt - t0), Kind.CONNECTED, pinged.c.state().kind());
    h.time.advanceBy(1);
    assertFalse("ping 2 at " + (pingAt - t0) + " ms judged 10 s after it",
        pinged.c.state().kind() == Kind.CONNECTED);
    assertTrue(String.valueOf(pinged.c.state().reason()), pinged.c.state().reason()
        .startsWith("no pong within 10 s of a protocol ping (ping interval 10 s"));
  }

  // ---- No leak, no resurrection. ----

  @Test public void aClosedOrLostConnectionLeavesNoWindowAndNoTimerBehind() {
    Conn a = new Conn("a", every(10_000));
    Conn b = new Conn("b", every(20_000));
    assertEquals(2, h.context.wakeUps.openWindows());
    b.c.close();
    h.time.runUntilIdle();
    assertEquals(1, h.context.wakeUps.openWindows());
    assertEquals(Collections.emptyList(), b.c.armedTimers());
    a.t.fails(new java.io.IOException("reset"));
    h.time.runUntilIdle();
    assertEquals(0, h.context.wakeUps.openWindows());
    assertFalse(a.c.armedTimers().contains("heartbeat"));
    a.c.close();
    h.time.advanceBy(120_000);
    assertEquals(0, h.context.wakeUps.openWindows());
    assertEquals(Collections.emptyList(), a.c.armedTimers());
    assertEquals(Collections.emptyList(), a.beats);
    assertEquals(Collections.emptyList(), b.beats);
  }

  @Test public void aRideArrivingAfterTheStopNeitherBeatsNorRearmsATimer() {
    VirtualLane v = new VirtualLane();
    WakeUps wakeUps = new WakeUps();
    List<String> calls = new ArrayList<>();
    KeepAlive k = new KeepAlive(every(20_000), null, true, v.timers, wakeUps,
        new RecordingOwner(calls));
    k.start();
    v.time.advanceBy(15_000);
    wakeUps.awake(v.time.elapsedMillis(), null); // Another lane's wake-up: the ride is queued...
    k.stop(); // ...and the connection goes before it runs.
    v.time.advanceBy(60_000);
    assertEquals(Collections.emptyList(), calls);
    assertEquals(Collections.emptyList(), v.timers.armed());
    assertEquals(0, wakeUps.openWindows());

    k.start(); // A new transport: a ride told for the old window is stale.
    long restarted = v.time.elapsedMillis();
    wakeUps.awake(restarted + 15_000, null); // Inside the new window: told, and it rides.
    v.time.runUntilIdle();
    assertEquals(Collections.singletonList("sendHeartbeat"), calls);
  }

  // ---- Many connections. ----

  @Test public void manyConnectionsWithRandomIntervalsAreNeverLateAndShareWakeUps() {
    long aligned = 0;
    long separate = 0;
    for (int seed = 1; seed <= 5; seed++) {
      aligned += randomClient(seed, HeartbeatPolicy.DEFAULT_ALIGNMENT_SLACK);
      separate += randomClient(seed, 0);
    }
    System.out.println("HeartbeatAlignmentTest: 5 clients of 6 idle connections (5-120 s), 2 h:"
        + " " + aligned + " wake-ups aligned, " + separate + " with slack 0");
    assertTrue(aligned + " vs " + separate, aligned * 10 < separate * 7);
  }

  /** Runs 6 idle connections with random intervals for 2 h; returns the client's wake-ups. */
  private static long randomClient(int seed, double slack) {
    HeartbeatAlignmentTest test = new HeartbeatAlignmentTest();
    Random random = new Random(seed);
    long t0 = test.h.time.elapsedMillis();
    List<Conn> conns = new ArrayList<>();
    List<Long> intervals = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      test.h.time.advanceBy(random.nextInt(30_000));
      long interval = 5_000 + random.nextInt(115_001);
      intervals.add(interval);
      conns.add(test.new Conn("c" + i, every(interval, slack)));
    }
    long end = test.h.time.elapsedMillis() + 2 * 3_600_000;
    test.h.time.advanceTo(end);
    for (int i = 0; i < conns.size(); i++) {
      Conn c = conns.get(i);
      long interval = intervals.get(i);
      long earliest = interval - (long) (interval * slack);
      long previous = c.openedAt;
      String where = "seed " + seed + ", connection " + i + " every " + interval + " ms";
      for (long beat : c.beats) {
        assertTrue(where + ": beat " + (beat - previous) + " ms after the last send",
            beat - previous <= interval);
        assertTrue(where + ": beat only " + (beat - previous) + " ms after the last send",
            beat - previous >= earliest);
        previous = beat;
      }
      assertTrue(where + ": nothing for " + (end - previous) + " ms", end - previous < interval);
    }
    return test.keepAliveWakeUps(t0).size();
  }

  /** A keep-alive's owner that records the beats and sends nothing else. */
  private static final class RecordingOwner implements KeepAlive.Owner {
    final List<String> calls;

    RecordingOwner(List<String> calls) {
      this.calls = calls;
    }

    @Override public void sendHeartbeat() {
      calls.add("sendHeartbeat");
    }

    @Override public long sendProtocolPing() {
      return -1;
    }

    @Override public long readerFreeMillis() {
      return -1;
    }

    @Override public long answeredPing() {
      return -1;
    }

    @Override public boolean inboundWaiting() {
      return false;
    }

    @Override public boolean sleptPast(long dueAtMillis) {
      return false;
    }

    @Override public void dead(String reason) {
      calls.add("dead: " + reason);
    }

    @Override public void heartbeatSkipped(long sinceLastSendMillis) {
      calls.add("heartbeatSkipped " + sinceLastSendMillis);
    }

    @Override public void serverSilence(long silentMillis, long limitMillis) {
    }

    @Override public void probeStarted(String trigger) {
    }

    @Override public void probeSucceeded(long afterMillis) {
    }
  }
}
