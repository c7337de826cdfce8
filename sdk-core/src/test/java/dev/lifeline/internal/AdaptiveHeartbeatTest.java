package dev.lifeline.internal;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import dev.lifeline.Connection;
import dev.lifeline.ConnectionOptions;
import dev.lifeline.EnvironmentSignals;
import dev.lifeline.EventListener;
import dev.lifeline.HeartbeatPolicy;
import dev.lifeline.ReconnectPolicy;
import dev.lifeline.HeartbeatStore;
import java.io.EOFException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.Test;

/**
 * The adaptive heartbeat on a connection (docs/behaviour.md, "Adaptive heartbeat"), in virtual
 * time against an {@link IdleCuttingPath}: it learns the path's idle limit from repeated cuts,
 * climbs carefully, keeps what it learned per network, and learns nothing from cuts that are not
 * about idleness. Each scenario prints its numbers.
 */
public final class AdaptiveHeartbeatTest {
  private final Harness h = new Harness(new Random(7));
  /** Every heartbeatIntervalChanged: "from→to why". */
  private final List<String> changes = Collections.synchronizedList(new ArrayList<>());
  /** Attempt numbers of the reconnects scheduled. */
  private final List<Integer> attempts = Collections.synchronizedList(new ArrayList<>());

  private RealConnection adaptive(long startMillis, long minMillis, long maxMillis) {
    HeartbeatPolicy hb = HeartbeatPolicy.builder()
        .interval(startMillis, MILLISECONDS)
        .adaptive(minMillis, maxMillis, MILLISECONDS)
        .build();
    return h.connection(options(hb));
  }

  private ConnectionOptions options(HeartbeatPolicy hb) {
    return options(hb, ReconnectPolicy.defaults());
  }

  private ConnectionOptions options(HeartbeatPolicy hb, ReconnectPolicy reconnect) {
    return ConnectionOptions.builder("ws://chat.example.com:8080/socket?token=secret")
        .heartbeat(hb)
        .reconnect(reconnect)
        .eventListener(new EventListener() {
          @Override public void heartbeatIntervalChanged(Connection c, long from, long to,
              String why) {
            changes.add(from + "→" + to + " " + why);
          }

          @Override public void reconnectScheduled(Connection c, int attempt, long delay,
              String cause) {
            attempts.add(attempt);
          }
        })
        .build();
  }

  /** Runs a scenario and reports when the last cut happened, how many, and where it settled. */
  private String settle(String name, RealConnection c, IdleCuttingPath path, long runMillis) {
    c.connect();
    path.run(runMillis);
    String report = String.format(Locale.ROOT,
        "%s: %d cuts, last at %.1f s, final interval %.2f s, no cut in the last %.1f s",
        name, path.cuts.size(), path.lastCutAt() / 1000.0, c.heartbeatIntervalMillis() / 1000.0,
        (runMillis - Math.max(0, path.lastCutAt())) / 1000.0);
    System.out.println("[adaptive] " + report);
    for (String change : changes) System.out.println("[adaptive]   " + change);
    return report;
  }

  @Test public void fiveSecondsAgainstAThreeSecondCutSettlesWithinThirtySeconds() {
    RealConnection c = adaptive(5_000, 1_000, 60_000);
    // A server that checks every 1.5 s and drops connections silent for 3 s: cuts at 3–4.5 s.
    IdleCuttingPath path = new IdleCuttingPath(h, 3_000, 1_500, 1);
    settle("5 s start vs 3 s cut", c, path, 120_000);

    assertTrue("settled within 30 s, last cut at " + path.lastCutAt(), path.lastCutAt() <= 30_000);
    assertEquals(0, path.cutsSince(30_000));
    assertTrue(c.heartbeatIntervalMillis() < 3_000);
    assertTrue(changes.get(0), changes.get(0).matches(
        "5000→\\d+ the path closes connections idle for about \\d\\.\\d s to \\d\\.\\d s;"
            + " heartbeat lowered from 5\\.0 s to \\d\\.\\d s"));
  }

  @Test public void sixSecondsAgainstAFourSecondCutSettlesWithinThirtySeconds() {
    RealConnection c = adaptive(6_000, 1_000, 60_000);
    IdleCuttingPath path = new IdleCuttingPath(h, 4_000, 1_000, 2);
    settle("6 s start vs 4 s cut", c, path, 120_000);

    assertTrue("settled within 30 s, last cut at " + path.lastCutAt(), path.lastCutAt() <= 30_000);
    assertEquals(0, path.cutsSince(30_000));
    assertTrue(c.heartbeatIntervalMillis() < 4_000);
  }

  @Test public void oneSecondAgainstAFourSecondCutClimbsAboveTwoAndSettlesBelowFour() {
    RealConnection c = adaptive(1_000, 500, 60_000);
    IdleCuttingPath path = new IdleCuttingPath(h, 4_000, 200, 3);
    settle("1 s start vs 4 s cut", c, path, 180_000);

    assertTrue("settled within 90 s, last cut at " + path.lastCutAt(), path.lastCutAt() <= 90_000);
    assertEquals(0, path.cutsSince(90_000));
    assertTrue(c.heartbeatIntervalMillis() > 2_000);
    assertTrue(c.heartbeatIntervalMillis() < 4_000);
    assertTrue(path.cuts.size() <= 2);
  }

  @Test public void withoutAdaptiveTheSameCutRepeatsForever() {
    // The failure, as the control: a fixed 5 s heartbeat against a 3 s cut.
    HeartbeatPolicy hb = HeartbeatPolicy.builder().interval(5_000, MILLISECONDS).build();
    // The count of cuts in 120 s depends on the backoff between them, which never resets here:
    // pinned to the equal jitter this control was calibrated with.
    RealConnection c = h.connection(options(hb, ReconnectPolicy.builder()
        .jitter(ReconnectPolicy.Jitter.EQUAL).build()));
    IdleCuttingPath path = new IdleCuttingPath(h, 3_000, 1_500, 1);
    settle("fixed 5 s vs 3 s cut", c, path, 120_000);
    assertTrue(path.cutsSince(30_000) > 3);
    assertTrue(changes.isEmpty());
  }

  @Test public void onceSettledTheStablePeriodResetsTheAttemptCounter() {
    RealConnection c = adaptive(5_000, 1_000, 60_000);
    IdleCuttingPath path = new IdleCuttingPath(h, 3_000, 1_500, 1);
    c.connect();
    path.run(120_000); // Settled, then up well past the 30 s stable period.
    int before = attempts.size();
    path.open().fails(new java.net.SocketException("Connection reset")); // Some later failure.
    h.time.runUntilIdle();
    assertEquals(before + 1, attempts.size());
    assertEquals("a first retry again", 1, (int) attempts.get(attempts.size() - 1));
  }

  @Test public void aCutRightAfterTrafficTeachesNothing() {
    RealConnection c = adaptive(5_000, 1_000, 60_000);
    IdleCuttingPath path = new IdleCuttingPath(h, 60_000, 0, 1); // Never cuts by itself.
    c.connect();
    path.run(1_000);
    for (int i = 0; i < 4; i++) {
      c.send("burst " + i);
      path.run(100); // Traffic just flowed: 100 ms before the cut.
      path.open().fails(new EOFException());
      h.time.runUntilIdle();
      path.run(20_000);
    }
    assertNoLowering();
    assertTrue(h.logs.toString(), h.logs.toString().contains("not an idle cut"));
  }

  @Test public void aServerCloseFrameTeachesNothing() {
    RealConnection c = adaptive(5_000, 1_000, 60_000);
    IdleCuttingPath path = new IdleCuttingPath(h, 60_000, 0, 1);
    c.connect();
    for (int i = 0; i < 3; i++) {
      path.run(4_000); // Idle for 3.95 s, then the server closes with a close frame.
      path.open().serverCloses(1001, "going away");
      h.time.runUntilIdle();
      path.run(20_000);
    }
    assertNoLowering();
  }

  @Test public void aCutAfterANetworkChangeTeachesNothing() {
    // Network change signals keep the connection (a policy that does not reconnect on them),
    // then the idle connection dies of it.
    HeartbeatPolicy hb = HeartbeatPolicy.builder().interval(5_000, MILLISECONDS)
        .adaptive(1_000, 60_000, MILLISECONDS).build();
    RealConnection c = h.connection(options(hb));
    IdleCuttingPath path = new IdleCuttingPath(h, 60_000, 0, 1);
    c.connect();
    for (int i = 0; i < 3; i++) {
      path.run(2_000);
      if (path.open() == null) path.run(5_000);
      FakeTransport t = path.open();
      c.onSignal(EnvironmentSignals.Signal.NETWORK_AVAILABLE);
      h.time.runUntilIdle();
      path.run(2_000);
      if (!t.isClosedOrCancelled()) {
        t.fails(new EOFException());
        h.time.runUntilIdle();
      }
      path.run(20_000);
    }
    assertNoLowering();
  }

  /** Probing up may happen (the connection lived through idle gaps); learning a cut may not. */
  private void assertNoLowering() {
    for (String change : changes) assertFalse(changes.toString(), change.contains("lowered"));
    assertFalse(h.logs.toString(), h.logs.toString().contains("until the same idle cut repeats"));
  }

  @Test public void eachNetworkKeepsItsOwnIntervalAndItReturnsAtOnce() {
    RealConnection c = adaptive(5_000, 1_000, 60_000);
    IdleCuttingPath path = new IdleCuttingPath(h, 3_000, 500, 1);
    c.connect();
    path.run(40_000);
    long learnedOnDefault = c.heartbeatIntervalMillis();
    assertTrue(learnedOnDefault < 3_000);

    // Cellular cuts nothing idle: there the configured 5 s applies, and survives.
    path.cutAfterMillis = 60_000;
    h.signals.networkChanged("cellular");
    path.run(10_000);
    assertEquals(5_000, c.heartbeatIntervalMillis());
    int cutsBefore = path.cuts.size();

    // Back on the first network: the learned value at once, no new cut to learn it again.
    path.cutAfterMillis = 3_000;
    h.signals.networkChanged(EnvironmentSignals.DEFAULT_NETWORK_KEY);
    path.run(30_000);
    assertEquals(learnedOnDefault, c.heartbeatIntervalMillis());
    assertEquals(cutsBefore, path.cuts.size());
    assertTrue(changes.toString(), changes.get(changes.size() - 1)
        .contains("heartbeat learned earlier on this network"));
  }

  @Test public void whatWasLearnedGoesToTheStoreAndANewClientStartsFromIt() {
    HeartbeatStore store = HeartbeatStore.inMemory();
    Harness first = new Harness(new Random(1), Runnable::run, Runnable::run, null, store);
    HeartbeatPolicy hb = HeartbeatPolicy.builder().interval(5_000, MILLISECONDS)
        .adaptive(1_000, 60_000, MILLISECONDS).build();
    RealConnection c1 = first.connection(options(hb));
    IdleCuttingPath path1 = new IdleCuttingPath(first, 3_000, 500, 1);
    c1.connect();
    path1.run(40_000);
    long learned = c1.heartbeatIntervalMillis();
    String key = "chat.example.com:8080|default";
    String stored = store.load(key);
    assertNotNull("saved under " + key, stored);
    assertTrue(stored, stored.startsWith("v2:" + learned + ":"));
    assertFalse("no secret in the key or value", (key + stored).contains("secret"));

    // A new client (an app restart) over the same store: no cut needed to learn it again.
    Harness second = new Harness(new Random(2), Runnable::run, Runnable::run, null, store);
    RealConnection c2 = second.connection(options(hb));
    IdleCuttingPath path2 = new IdleCuttingPath(second, 3_000, 500, 1);
    c2.connect();
    path2.run(30_000);
    assertEquals(learned, c2.heartbeatIntervalMillis());
    assertEquals(0, path2.cuts.size());
  }

  @Test public void garbageInTheStoreIsIgnoredWithALogLine() {
    HeartbeatStore store = HeartbeatStore.inMemory();
    store.save("chat.example.com:8080|default", "v1:banana:-:5:-");
    Harness g = new Harness(new Random(1), Runnable::run, Runnable::run, null, store);
    HeartbeatPolicy hb = HeartbeatPolicy.builder().interval(5_000, MILLISECONDS)
        .adaptive(1_000, 60_000, MILLISECONDS).build();
    RealConnection c = g.connection(options(hb));
    IdleCuttingPath path = new IdleCuttingPath(g, 60_000, 0, 1);
    c.connect();
    path.run(1_000);
    assertEquals(5_000, c.heartbeatIntervalMillis());
    assertTrue(g.logs.toString(), g.logs.toString().contains(
        "heartbeat: ignored the stored state for \"chat.example.com:8080|default\" (not a number:"
            + " banana: \"v1:banana:-:5:-\"); starting from 5.0 s"));
  }

  @Test public void aThrowingStoreIsLoggedAndTheConnectionCarriesOn() {
    HeartbeatStore broken = new HeartbeatStore() {
      @Override public String load(String key) {
        throw new IllegalStateException("disk full");
      }

      @Override public void save(String key, String value) {
        throw new IllegalStateException("disk full");
      }
    };
    Harness g = new Harness(new Random(1), Runnable::run, Runnable::run, null, broken);
    HeartbeatPolicy hb = HeartbeatPolicy.builder().interval(5_000, MILLISECONDS)
        .adaptive(1_000, 60_000, MILLISECONDS).build();
    RealConnection c = g.connection(options(hb));
    IdleCuttingPath path = new IdleCuttingPath(g, 3_000, 500, 1);
    c.connect();
    path.run(40_000);
    assertTrue(c.heartbeatIntervalMillis() < 3_000); // Learned all the same, in memory.
    assertTrue(g.logs.toString(), g.logs.toString().contains("HeartbeatStore.load(")
        && g.logs.toString().contains("HeartbeatStore.save("));
  }

  @Test public void theProtocolPingFollowsTheAdaptiveIntervalWhenLeftAtItsDefault() {
    RealConnection c = adaptive(5_000, 1_000, 60_000);
    IdleCuttingPath path = new IdleCuttingPath(h, 3_000, 0, 1);
    c.connect();
    path.run(40_000);
    long interval = c.heartbeatIntervalMillis();
    FakeTransport t = path.open();
    int pings = t.pings;
    path.run(10 * interval);
    assertEquals(10, t.pings - pings, 1);
  }

  @Test public void aFixedHeartbeatIsUnchanged() {
    HeartbeatPolicy hb = HeartbeatPolicy.builder().interval(5_000, MILLISECONDS).build();
    RealConnection c = h.connection(options(hb));
    FakeTransport t = h.connectAndOpen(c);
    h.time.advanceBy(4_999);
    assertEquals(0, t.sent.size());
    h.time.advanceBy(1);
    assertEquals(1, t.sent.size());
    assertEquals(5_000, c.heartbeatIntervalMillis());
  }

  /**
   * The cost of probing over an hour, 1 s start against a 4 s cut: the beats it saves against a
   * fixed 1 s heartbeat, and the reconnects it costs. Probing must not cost more than it saves.
   */
  @Test public void probingCostsFewerReconnectsThanItSavesInBeatsOverAnHour() {
    RealConnection c = adaptive(1_000, 500, 60_000);
    IdleCuttingPath path = new IdleCuttingPath(h, 4_000, 500, 3);
    c.connect();
    path.run(3_600_000);
    int beats = 0;
    for (FakeTransport t : h.transports.opened) beats += t.sent.size();
    int fixedBeats = 3_600; // A fixed 1 s heartbeat that is never cut.
    int reconnects = path.cuts.size();
    System.out.println(String.format(Locale.ROOT, "[adaptive] one hour, 1 s start vs 4 s cut:"
        + " %d beats (fixed 1 s: %d, saved %d), %d reconnects from cuts, final %.2f s",
        beats, fixedBeats, fixedBeats - beats, reconnects, c.heartbeatIntervalMillis() / 1000.0));
    assertTrue(fixedBeats - beats > reconnects);
    assertTrue("reconnects in an hour: " + reconnects, reconnects <= 2);
  }

  @Test public void storeKeysNameTheEndpointOnly() {
    assertEquals("chat.example.com:443", HeartbeatTuning.endpointOf(
        "wss://user:pw@Chat.Example.com/socket?token=secret"));
    assertEquals("10.0.0.1:7000", HeartbeatTuning.endpointOf("tcp://10.0.0.1:7000"));
    assertEquals("h:80", HeartbeatTuning.endpointOf("ws://h/x"));
  }
}
