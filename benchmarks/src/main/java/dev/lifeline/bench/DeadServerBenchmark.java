package dev.lifeline.bench;

import dev.lifeline.Connection;
import dev.lifeline.ConnectionListener;
import dev.lifeline.ConnectionOptions;
import dev.lifeline.ConnectionState;
import dev.lifeline.HeartbeatPolicy;
import dev.lifeline.Lifeline;
import dev.lifeline.ReconnectPolicy;
import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * How soon a dead server is found: connections through a {@link BlackholeProxy} whose link then
 * drops everything both ways without closing a socket (a NAT that forgot the mapping), against
 * the limit the options configure (docs/behaviour.md, "Protocol pings" and "Server-silence
 * watch"). On WebSocket the protocol ping is the detector: a ping whose pong is still missing when
 * the next one is due fails the connection, so a zombie is caught between one and two ping
 * intervals after it died. On tcp:// (no pings) the silence watch is: dead once nothing arrived
 * for the limit, counted from the last data, so at most the limit after the blackhole.
 *
 * <p>The trials run in parallel, one connection each, each blackholed at a random moment of its
 * ping (or heartbeat) cycle, so the verdicts sample the whole documented range.
 */
final class DeadServerBenchmark implements Benchmark {
  /** Trials per transport, in quick and full mode alike: they run in parallel, ~2 s in all. */
  static final int TRIALS = 20;
  /** WebSocket heartbeat and protocol ping interval (the ping rides the heartbeat's wake-up). */
  static final long PING_MILLIS = 300;
  /** tcp:// heartbeat interval; the line server echoes each beat, so the server talks. */
  static final long TCP_HEARTBEAT_MILLIS = 100;
  /** tcp:// server-silence limit. */
  static final long SILENCE_MILLIS = 500;
  /**
   * Lateness allowed on top of the documented worst case: two scheduler wake-ups (the last
   * ping's, the verdict's) and the listener hop that reports the state, on 2 shared cores.
   */
  static final long SLACK_MILLIS = 30;
  /**
   * Earliness allowed below the earliest legitimate verdict: millisecond rounding of Lifeline's
   * clock, and the proxy's own wake-up when it notes the time of the last bytes through.
   */
  static final long EARLY_MILLIS = 5;

  @Override public String name() {
    return "deadserver";
  }

  @Override public List<Row> run(BenchRun run) throws Exception {
    List<Row> rows = new ArrayList<>();
    try (Servers.WebSocketServer ws = new Servers.WebSocketServer()) {
      run.progress("dead server: WebSocket, " + TRIALS + " blackholed connections");
      HeartbeatPolicy pings = HeartbeatPolicy.builder()
          .interval(PING_MILLIS, TimeUnit.MILLISECONDS).build();
      rows.add(detect("WebSocket", "ws://127.0.0.1:%d/sink", URI.create(ws.url("/")).getPort(),
          pings, PING_MILLIS, 2 * PING_MILLIS, "no pong within"));
    }
    try (Servers.LineServer line = new Servers.LineServer(true)) {
      run.progress("dead server: tcp://, " + TRIALS + " blackholed connections");
      HeartbeatPolicy silence = HeartbeatPolicy.builder()
          .interval(TCP_HEARTBEAT_MILLIS, TimeUnit.MILLISECONDS).consumeEchoes(true)
          .serverTimeout(SILENCE_MILLIS, TimeUnit.MILLISECONDS).build();
      rows.add(detect("tcp://", "tcp://127.0.0.1:%d", line.port(), silence, SILENCE_MILLIS,
          SILENCE_MILLIS, "no data from server for"));
    }
    return rows;
  }

  /** One connection's trial: when its link was blackholed and when Lifeline gave it up. */
  private static final class Trial {
    BlackholeProxy.Link link;
    /** System.nanoTime() once it was connected. */
    long connectedAt;
    /** System.nanoTime() of the blackhole; 0 before. */
    volatile long holeAt;
    /** System.nanoTime() when the connection first left CONNECTED; 0 before. */
    volatile long verdictAt;
    /** The state it left CONNECTED for. */
    volatile ConnectionState verdict;
    /**
     * What the verdict counts from, as the proxy saw it before the verdict: on WebSocket the last
     * ping frame that got through to the server (0: none ever did); on tcp:// the last server
     * bytes that got through to the client.
     */
    volatile long lastThroughAt;

    void stateChanged(ConnectionState s, boolean pings) {
      if (s.kind() == ConnectionState.Kind.CONNECTED || s.kind() == ConnectionState.Kind.CONNECTING
          || verdictAt != 0) {
        return;
      }
      long now = System.nanoTime();
      if (link != null) {
        lastThroughAt = pings ? link.lastPingToServerNanos() : link.lastToClientNanos();
      }
      verdict = s;
      verdictAt = now;
    }
  }

  /**
   * Opens {@link #TRIALS} connections through one proxy, blackholes each 2–3 cycles after it
   * connected, at a random phase, and checks each verdict: at most {@code worstMillis} after the
   * blackhole, and at least {@code earliestMillis} after what it counts from (the last ping that
   * reached the server on WebSocket, the last server byte that reached the client on tcp://).
   */
  private static Row detect(String transport, String urlFormat, int serverPort,
      HeartbeatPolicy heartbeat, long earliestMillis, long worstMillis, String expectedReason)
      throws Exception {
    boolean ws = transport.equals("WebSocket");
    long cycle = ws ? PING_MILLIS : TCP_HEARTBEAT_MILLIS;
    String name = String.format(Locale.ROOT, "dead server (blackhole) found, %s, %s, %d trials",
        transport, ws ? "protocol ping every 0.3 s" : "silence limit 0.5 s, heartbeat echoed"
            + " every 0.1 s", TRIALS);
    String bar = String.format(Locale.ROOT, "≤ %d ms after the hole, ≥ %d ms after %s",
        worstMillis, earliestMillis, since(ws));
    // A reconnect after the verdict would only add load: the first retry waits 7–14 s.
    ReconnectPolicy noRetrySoon = ReconnectPolicy.builder().baseDelay(10, TimeUnit.SECONDS)
        .maxDelay(60, TimeUnit.SECONDS).build();
    Lifeline lifeline = Lifeline.builder().build();
    ScheduledExecutorService holes = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "bench blackhole timer");
      t.setDaemon(true);
      return t;
    });
    Trial[] trials = new Trial[TRIALS];
    BlackholeProxy proxy = null;
    try {
      proxy = BlackholeProxy.listening(serverPort);
      ConnectionOptions options = ConnectionOptions.builder(
          String.format(Locale.ROOT, urlFormat, proxy.port())).heartbeat(heartbeat)
          .reconnect(noRetrySoon).build();
      for (int i = 0; i < TRIALS; i++) {
        Trial t = new Trial();
        trials[i] = t;
        Connection c = lifeline.newConnection(options, ConnectionListener.builder()
            .onStateChanged((conn, s) -> t.stateChanged(s, ws)).build());
        c.connect();
        Clients.awaitConnected(c);
        t.connectedAt = System.nanoTime();
        t.link = proxy.awaitLink(i);
        long delay = 2 * cycle + ThreadLocalRandom.current().nextLong(cycle);
        holes.schedule(() -> { t.holeAt = t.link.blackhole(); }, delay, TimeUnit.MILLISECONDS);
      }
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(3 * cycle + worstMillis
          + 3_000);
      while (!allJudged(trials) && System.nanoTime() < deadline) Thread.sleep(10);
    } catch (Exception e) { // Not connected, no link: a failed row, and the other groups run on.
      return new Row(name, "—", "—", "—", bar, false, e.getClass().getSimpleName() + ": "
          + e.getMessage());
    } finally {
      holes.shutdownNow();
      lifeline.shutdown(5, TimeUnit.SECONDS);
      if (proxy != null) proxy.close();
    }
    return verdicts(name, bar, trials, ws, earliestMillis, worstMillis, expectedReason);
  }

  private static boolean allJudged(Trial[] trials) {
    for (Trial t : trials) if (t.verdictAt == 0) return false;
    return true;
  }

  private static Row verdicts(String name, String bar, Trial[] trials, boolean ws,
      long earliestMillis, long worstMillis, String expectedReason) {
    List<String> problems = new ArrayList<>();
    double[] afterHole = new double[trials.length];
    double[] afterThrough = new double[trials.length];
    int judged = 0;
    // Verdicts with no hole yet: false zombies, from how long after connecting.
    List<String> falseVerdictsAfter = new ArrayList<>();
    int withoutPing = 0;
    String falseReason = null;
    for (int i = 0; i < trials.length; i++) {
      Trial t = trials[i];
      if (t.verdictAt == 0) {
        problems.add("trial " + i + ": still connected " + Row.fmt(waitedMillis(t))
            + " ms after the hole");
        continue;
      }
      String reason = String.valueOf(t.verdict.reason());
      if (t.holeAt == 0 || t.verdictAt < t.holeAt) {
        falseVerdictsAfter.add(Row.fmt((t.verdictAt - t.connectedAt) / 1e6));
        if (t.lastThroughAt == 0) withoutPing++;
        falseReason = reason;
        continue;
      }
      afterHole[judged] = (t.verdictAt - t.holeAt) / 1e6;
      // No ping ever through, yet "no pong": a verdict about a ping the server never saw.
      afterThrough[judged] = t.lastThroughAt == 0 ? 0 : (t.verdictAt - t.lastThroughAt) / 1e6;
      judged++;
      if (!reason.contains(expectedReason)) problems.add("trial " + i + ": " + reason);
    }
    if (!falseVerdictsAfter.isEmpty()) {
      problems.add(0, String.format(Locale.ROOT, "%d of %d declared dead before the hole"
          + " opened, %s ms after connecting: \"%s\"%s", falseVerdictsAfter.size(), trials.length,
          falseVerdictsAfter, falseReason, ws ? String.format(Locale.ROOT, " (in %d of them no"
              + " ping frame had reached the proxy)", withoutPing) : ""));
    }
    if (judged == 0) {
      return new Row(name, "—", "—", "—", bar, false, String.join("; ", problems));
    }
    double[] hole = Arrays.copyOf(afterHole, judged);
    double[] through = Arrays.copyOf(afterThrough, judged);
    Arrays.sort(hole);
    Arrays.sort(through);
    double minHole = hole[0];
    double maxHole = hole[judged - 1];
    // Too early: on WebSocket less than one ping interval after the last ping that reached the
    // server (its pong could still come); on tcp:// before the limit since the server last spoke.
    boolean early = through[0] < earliestMillis - EARLY_MILLIS;
    boolean late = maxHole > worstMillis + SLACK_MILLIS;
    String v = String.format(Locale.ROOT, "median %s ms, max %s ms%s",
        Row.fmt(Rounds.median(hole)), Row.fmt(maxHole),
        judged < trials.length ? " (" + judged + " trials)" : "");
    String note = String.format(Locale.ROOT, "after the hole %s–%s ms; after %s %s–%s ms; slack"
        + " %d ms late (timers, listener hop: load makes verdicts late), %d ms early (ms rounding,"
        + " the proxy's wake-up); reason e.g. \"%s\"", Row.fmt(minHole), Row.fmt(maxHole),
        since(ws), Row.fmt(through[0]), Row.fmt(through[judged - 1]), SLACK_MILLIS, EARLY_MILLIS,
        firstReason(trials));
    if (!problems.isEmpty()) note = String.join("; ", problems) + "; " + note;
    return new Row(name, v, "—", v, bar, problems.isEmpty() && !early && !late, note);
  }

  private static String since(boolean ws) {
    return ws ? "the last ping through" : "the last server byte";
  }

  private static double waitedMillis(Trial t) {
    return t.holeAt == 0 ? Double.NaN : (System.nanoTime() - t.holeAt) / 1e6;
  }

  private static String firstReason(Trial[] trials) {
    for (Trial t : trials) if (t.verdict != null) return t.verdict.reason();
    return "—";
  }
}
