package dev.lifeline.bench;

import dev.lifeline.Connection;
import dev.lifeline.ConnectionListener;
import dev.lifeline.ConnectionOptions;
import dev.lifeline.ConnectionState;
import dev.lifeline.EnvironmentSignals.Signal;
import dev.lifeline.EventListener;
import dev.lifeline.Lifeline;
import dev.lifeline.ReconnectPolicy;
import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The first attempt after the network returns, for a connection whose retries have failed long
 * enough that its backoff reached the cap (docs/behaviour.md, "Environment reactions": a waiting
 * connection tries again within the resume jitter, 0–1 s by default, not after the remaining
 * backoff). Each trial is its own client (signals reach every connection of a client) with one
 * WebSocket connection to a port where nothing listens, so every attempt is refused. Right after
 * a wait at the cap was scheduled, a {@link BlackholeProxy} starts listening there in front of a
 * real server, and the client is signalled; the row measures the signal to the next attempt,
 * which must connect.
 */
final class NetworkReturnBenchmark implements Benchmark {
  /** Trials per signal; they run in parallel. */
  static final int TRIALS = 20;
  /** The backoff: a steep factor, so the cap is reached within about 3.4 s whatever the draw. */
  static final long BASE_MILLIS = 100;
  static final double FACTOR = 8;
  /** Well above the resume jitter, so a wait at the cap outlasts any jitter draw. */
  static final long CAP_MILLIS = 3_000;
  /** The documented promise: a network return retries within 0 to this. */
  static final long RESUME_JITTER_MILLIS = ReconnectPolicy.DEFAULT_RESUME_JITTER_MILLIS;
  /** Lateness allowed on top: the scheduler's wake-up and the event hop, on 2 shared cores. */
  static final long SLACK_MILLIS = 30;
  /**
   * How long the trials may take to reach the cap: about 3.4 s at most with this policy (a first
   * wait under 54 ms needs four failures: 64 × first), the rest is room for a loaded machine.
   */
  static final long REACH_CAP_MILLIS = 8_000;

  @Override public String name() {
    return "netreturn";
  }

  @Override public List<Row> run(BenchRun run) throws Exception {
    run.progress("network return: " + TRIALS + " clients per signal, waiting at the backoff cap");
    List<Trial> trials = new ArrayList<>();
    Servers.WebSocketServer ws = null;
    try {
      ws = new Servers.WebSocketServer();
      int serverPort = URI.create(ws.url("/")).getPort();
      for (Signal signal : new Signal[] {Signal.NETWORK_AVAILABLE, Signal.NETWORK_CHANGED}) {
        for (int i = 0; i < TRIALS; i++) trials.add(new Trial(signal, serverPort));
      }
      long capDeadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(REACH_CAP_MILLIS);
      while (System.nanoTime() < capDeadline && signalDue(trials)) Thread.sleep(2);
      for (Trial t : trials) if (t.signalAt == 0) t.stateAtDeadline = t.connection.state();
      long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(RESUME_JITTER_MILLIS + 5_000);
      while (System.nanoTime() < end && !allConnected(trials)) Thread.sleep(10);
    } catch (Exception e) { // A server, port or client that would not start: failed rows.
      String why = e.getClass().getSimpleName() + ": " + e.getMessage();
      return Arrays.asList(failed(Signal.NETWORK_AVAILABLE, why),
          failed(Signal.NETWORK_CHANGED, why));
    } finally {
      for (Trial t : trials) t.close();
      if (ws != null) ws.close(); // After the clients: no connection sees the server go.
    }
    return Arrays.asList(row(trials, Signal.NETWORK_AVAILABLE), row(trials, Signal.NETWORK_CHANGED));
  }

  /** Signals each trial whose wait at the cap began long enough ago; true while any is left. */
  private static boolean signalDue(List<Trial> trials) throws Exception {
    boolean left = false;
    for (Trial t : trials) {
      if (t.signalAt != 0) continue;
      if (t.capWaitAt != 0 && System.nanoTime() >= t.capWaitAt + t.signalOffsetNanos) {
        t.networkReturns();
      } else {
        left = true;
      }
    }
    return left;
  }

  private static boolean allConnected(List<Trial> trials) {
    for (Trial t : trials) if (t.signalAt != 0 && t.connectedAt == 0) return false;
    return true;
  }

  /** One client, one connection, one signal: what happened around the network's return. */
  private static final class Trial extends EventListener {
    final Signal signal;
    /** Listens only once the network "returns"; until then the port refuses. */
    final BlackholeProxy gate;
    final Lifeline lifeline;
    final Connection connection;
    /** When, after the wait at the cap was scheduled, the network returns: 50–250 ms. */
    final long signalOffsetNanos = TimeUnit.MILLISECONDS.toNanos(
        50 + ThreadLocalRandom.current().nextLong(200));
    /** Attempt 1's wait: the streak's first wait, from which PACED scales the others. */
    volatile long firstWaitMillis = -1;
    /** System.nanoTime() when the latest wait at the cap was scheduled; 0 before. */
    volatile long capWaitAt;
    /** That wait, in ms. */
    volatile long capWaitMillis;
    volatile long signalAt;
    /** What was left of the wait at the cap when the signal came, in ms. */
    volatile double remainingMillis;
    volatile long firstAttemptAt;
    volatile int attemptsAfterSignal;
    volatile long connectedAt;
    /** Attempts after the signal when it connected. */
    volatile int attemptsToConnect;
    /** The last backoff wait scheduled before the signal: attempt, ms. */
    volatile String lastWait = "none";
    /** The state of a trial that never reached the cap, when the others were signalled. */
    volatile ConnectionState stateAtDeadline;

    Trial(Signal signal, int serverPort) throws Exception {
      this.signal = signal;
      gate = BlackholeProxy.reserved(serverPort);
      ReconnectPolicy reconnect = ReconnectPolicy.builder()
          .baseDelay(BASE_MILLIS, TimeUnit.MILLISECONDS).factor(FACTOR)
          .maxDelay(CAP_MILLIS, TimeUnit.MILLISECONDS).build();
      lifeline = Lifeline.builder().build();
      connection = lifeline.newConnection(
          ConnectionOptions.builder("ws://127.0.0.1:" + gate.port() + "/sink")
              .reconnect(reconnect).eventListener(this).build(),
          ConnectionListener.builder().build());
      connection.connect();
    }

    /**
     * PACED, per docs/behaviour.md "Reconnection": retry n ≥ 2 waits max(first, first × (factor −
     * 1) × factor^(n−2)), and from the cap on a uniform draw in [cap/2, cap].
     */
    private boolean atCap(int attempt, long delayMillis) {
      double uncapped = attempt <= 1 ? firstWaitMillis
          : Math.max(firstWaitMillis, firstWaitMillis * (FACTOR - 1) * Math.pow(FACTOR, attempt - 2));
      return firstWaitMillis > 0 && uncapped >= CAP_MILLIS && delayMillis >= CAP_MILLIS / 2;
    }

    @Override public void reconnectScheduled(Connection c, int attempt, long delayMillis,
        String cause) {
      if (signalAt != 0) return; // The network's return scheduled it: not a backoff wait.
      if (attempt == 1) firstWaitMillis = delayMillis;
      lastWait = "attempt " + attempt + " in " + delayMillis + " ms";
      if (atCap(attempt, delayMillis)) {
        capWaitMillis = delayMillis;
        capWaitAt = System.nanoTime();
      }
    }

    @Override public void connectStart(Connection c, int attempt, String url) {
      if (signalAt == 0) return;
      if (firstAttemptAt == 0) firstAttemptAt = System.nanoTime();
      attemptsAfterSignal++;
    }

    /** Counted on the events' lane, in order after {@link #connectStart}. */
    @Override public void connectEnd(Connection c, int attempt, long handshakeMillis) {
      if (signalAt == 0 || connectedAt != 0) return;
      attemptsToConnect = attemptsAfterSignal;
      connectedAt = System.nanoTime();
    }

    /** The server is reachable again, and the client hears that the network is back. */
    void networkReturns() throws Exception {
      gate.listen();
      signalAt = System.nanoTime();
      remainingMillis = capWaitMillis - (signalAt - capWaitAt) / 1e6;
      lifeline.signals().signal(signal);
    }

    void close() throws InterruptedException {
      lifeline.shutdown(5, TimeUnit.SECONDS);
      gate.close();
    }
  }

  private static String rowName(Signal signal) {
    return String.format(Locale.ROOT, "network returns (%s) while waiting at the backoff cap:"
        + " signal to the first attempt, %d trials", signal == Signal.NETWORK_AVAILABLE
            ? "networkAvailable" : "networkChanged", TRIALS);
  }

  private static String bar() {
    return String.format(Locale.ROOT, "0–%d ms, connects", RESUME_JITTER_MILLIS);
  }

  private static Row failed(Signal signal, String why) {
    return new Row(rowName(signal), "—", "—", "—", bar(), false, why);
  }

  private static Row row(List<Trial> all, Signal signal) {
    String name = rowName(signal);
    String bar = bar();
    List<String> problems = new ArrayList<>();
    double[] delays = new double[TRIALS];
    double[] remaining = new double[TRIALS];
    int n = 0;
    int i = -1;
    for (Trial t : all) {
      if (t.signal != signal) continue;
      i++;
      if (t.signalAt == 0) {
        problems.add("trial " + i + ": not at the cap within " + REACH_CAP_MILLIS / 1000
            + " s (first wait " + t.firstWaitMillis + " ms, last " + t.lastWait + "; "
            + t.stateAtDeadline + ")");
      } else if (t.firstAttemptAt == 0) {
        problems.add("trial " + i + ": no attempt within " + (RESUME_JITTER_MILLIS + 5_000)
            + " ms of the signal (" + t.connection.state() + ")");
      } else {
        delays[n] = (t.firstAttemptAt - t.signalAt) / 1e6;
        remaining[n] = t.remainingMillis;
        n++;
        if (t.connectedAt == 0) {
          problems.add("trial " + i + ": not connected (" + t.connection.state() + ")");
        } else if (t.attemptsToConnect != 1) {
          problems.add("trial " + i + ": connected at attempt " + t.attemptsToConnect
              + " after the signal");
        }
      }
    }
    if (n == 0) return new Row(name, "—", "—", "—", bar, false, String.join("; ", problems));
    double[] d = Arrays.copyOf(delays, n);
    Arrays.sort(d);
    double[] r = Arrays.copyOf(remaining, n);
    Arrays.sort(r);
    String v = String.format(Locale.ROOT, "%s–%s ms (median %s ms)", Row.fmt(d[0]),
        Row.fmt(d[n - 1]), Row.fmt(Rounds.median(d)));
    String note = String.format(Locale.ROOT, "instead of the rest of the wait at the cap: %.1f–%.1f"
        + " s (median %.1f s); policy base %d ms × %.0f, cap %.0f s, PACED; the resume jitter is"
        + " the default; slack %d ms (scheduler and event hop; load makes it late, not early)%s",
        r[0] / 1e3, r[n - 1] / 1e3, Rounds.median(r) / 1e3, BASE_MILLIS, FACTOR, CAP_MILLIS / 1e3,
        SLACK_MILLIS, signal == Signal.NETWORK_CHANGED ? "; behaviour.md gives a figure only for"
            + " networkAvailable (a socket, not a wait, is what networkChanged replaces at once):"
            + " its 0–1 s applied" : "");
    if (!problems.isEmpty()) note = String.join("; ", problems) + "; " + note;
    boolean pass = problems.isEmpty() && d[n - 1] <= RESUME_JITTER_MILLIS + SLACK_MILLIS;
    return new Row(name, v, "—", v, bar, pass, note);
  }
}
