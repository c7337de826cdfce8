package dev.lifeline.bench;

import dev.lifeline.Connection;
import dev.lifeline.ConnectionListener;
import dev.lifeline.ConnectionState;
import dev.lifeline.Lifeline;
import dev.lifeline.ReconnectPolicy;
import dev.lifeline.ReconnectPolicy.Jitter;
import dev.lifeline.internal.StormSimulation;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.Response;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;

/**
 * Reconnect storms (docs/behaviour.md, "Reconnection"): the 100,000-client simulation through
 * the real reconnection code for each jitter strategy, a lone blip, and a real storm of WebSocket
 * connections from one Lifeline client to a local server killed and back 2.25 s later. Bars:
 * busiest 100 ms ≤ 2× the mean rate between the first and the 99 % arrival; 99 % back ≤ 5 s after
 * the server returned.
 */
final class StormBenchmark implements Benchmark {
  private static final long SERVER_BACK_MILLIS = 2_250;
  private static final double SHAPE_BAR = 2.0;
  private static final long BACK_BAR_MILLIS = 5_000;

  @Override public String name() { return "storm"; }

  @Override public List<Row> run(BenchRun run) throws Exception {
    List<Row> rows = new ArrayList<>();
    for (Jitter j : new Jitter[] {Jitter.PACED, Jitter.EQUAL, Jitter.DECORRELATED, Jitter.FULL}) {
      rows.add(simulated(j));
    }
    rows.add(blip());
    rows.add(realStorm(run, run.quick() ? 200 : 1_000));
    return rows;
  }

  private static Row simulated(Jitter jitter) {
    boolean isDefault = jitter == ReconnectPolicy.DEFAULT_JITTER;
    ReconnectPolicy policy = ReconnectPolicy.builder().jitter(jitter).build();
    StormSimulation.Result r = StormSimulation.storm(policy, 100_000, SERVER_BACK_MILLIS, 1, 1);
    boolean meets = r.busiestToMean() <= SHAPE_BAR
        && r.p99AfterServerBackMillis() <= BACK_BAR_MILLIS;
    String measured = shape(r.busiestToMean(), r.p99AfterServerBackMillis());
    String note = String.format(Locale.ROOT, "%.1f attempts per client", r.attempts / 1e5);
    if (!isDefault) note += meets ? "; would meet the bar" : "; would miss the bar";
    // Strategies other than the default are shown for comparison: they cannot fail the run.
    return new Row("storm simulation, 100,000 clients, 2.25 s outage, " + jitter
        + (isDefault ? " (default)" : ""), measured, "—", measured,
        isDefault ? "≤ 2×, ≤ 5 s" : "comparison", !isDefault || meets, note);
  }

  private static Row blip() {
    long[] d = StormSimulation.blips(ReconnectPolicy.defaults(), 100_000, 1);
    long min = d[0];
    long max = d[d.length - 1];
    long median = d[d.length / 2];
    String v = String.format(Locale.ROOT, "%.2f–%.2f s (median %.2f s)", min / 1e3, max / 1e3,
        median / 1e3);
    return new Row("lone blip, server fine: first attempt (succeeds), default policy", v, "—", v,
        "within 0.5–1.5 s", min >= 500 && max <= 1_500, "100,000 draws");
  }

  /**
   * {@code n} WebSocket connections from one Lifeline to a local MockWebServer, which is shut
   * down (closing every socket) and started again on the same port 2.25 s later.
   */
  private static Row realStorm(BenchRun run, int n) throws Exception {
    InetAddress loopback = InetAddress.getByName("127.0.0.1");
    int port;
    // A fixed port, so that MockWebServer binds with SO_REUSEADDR and can bind it again at once.
    try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 1, loopback)) {
      port = probe.getLocalPort();
    }
    MockWebServer server = upgradingServer();
    server.start(loopback, port);
    String url = "ws://127.0.0.1:" + port + "/storm";
    Lifeline lifeline = Lifeline.builder().build();
    AtomicInteger connected = new AtomicInteger();
    ConcurrentLinkedQueue<Long> arrivals = new ConcurrentLinkedQueue<>();
    long[] serverBackAt = {Long.MAX_VALUE};
    List<Connection> connections = new ArrayList<>();
    try {
      for (int i = 0; i < n; i++) {
        Connection c = lifeline.newConnection(url, ConnectionListener.builder()
            .onStateChanged((conn, state) -> {
              if (state.kind() != ConnectionState.Kind.CONNECTED) return;
              connected.incrementAndGet();
              long now = System.nanoTime();
              if (now >= serverBackAt[0]) arrivals.add(now);
            })
            .build());
        connections.add(c);
        c.connect();
      }
      if (!await(() -> connected.get() >= n, 60_000)) {
        return failed(n, "only " + connected.get() + " of " + n + " connected at the start");
      }
      run.progress("storm: " + n + " connected; killing the server");
      long killedAt = System.nanoTime();
      kill(server);
      long restartAt = killedAt + TimeUnit.MILLISECONDS.toNanos(SERVER_BACK_MILLIS);
      while (System.nanoTime() < restartAt) Thread.sleep(1);
      serverBackAt[0] = System.nanoTime();
      server = upgradingServer();
      server.start(loopback, port);
      if (!await(() -> arrivals.size() >= n, 60_000)) {
        return failed(n, "only " + arrivals.size() + " of " + n + " came back within 60 s");
      }
      long[] sorted = new long[n];
      int i = 0;
      for (Long t : arrivals) {
        if (i == n) break;
        sorted[i++] = TimeUnit.NANOSECONDS.toMillis(t - killedAt);
      }
      Arrays.sort(sorted);
      long first = sorted[0];
      long p99 = sorted[(int) Math.ceil(0.99 * n) - 1];
      int busiest = StormSimulation.busiestWindow(sorted, StormSimulation.WINDOW_MILLIS);
      double ratio = StormSimulation.busiestToMean(sorted, first, p99, busiest);
      long back = p99 - TimeUnit.NANOSECONDS.toMillis(serverBackAt[0] - killedAt);
      String v = shape(ratio, back);
      return new Row(name(n), v, "—", v, "≤ 2×, ≤ 5 s",
          ratio <= SHAPE_BAR && back <= BACK_BAR_MILLIS,
          String.format(Locale.ROOT, "busiest 100 ms: %d arrivals; first %.2f s after the server"
              + " returned; ulimit -n permitting", busiest,
              (first - TimeUnit.NANOSECONDS.toMillis(serverBackAt[0] - killedAt)) / 1e3));
    } finally {
      for (Connection c : connections) c.close();
      lifeline.shutdown(10, TimeUnit.SECONDS);
      kill(server).join(10_000);
    }
  }

  /**
   * Shuts {@code server} down on its own thread: it closes every socket at once, then waits up to
   * 5 s for the threads that served WebSockets, which would hold up the restart.
   */
  private static Thread kill(MockWebServer server) {
    Thread t = new Thread(() -> {
      try {
        server.shutdown();
      } catch (java.io.IOException expected) {
        // "Gave up waiting for queue to shut down": the sockets are closed all the same.
      }
    }, "storm-server-kill");
    t.setDaemon(true);
    t.start();
    return t;
  }

  private static String name(int n) {
    return String.format(Locale.ROOT, "reconnect storm, %,d real WebSocket connections, server"
        + " killed and back 2.25 s later, default policy", n) + (n < 1_000 ? " (quick)" : "");
  }

  private static Row failed(int n, String why) {
    return new Row(name(n), "—", "—", "—", "≤ 2×, ≤ 5 s", false, why);
  }

  private static String shape(double ratio, long backMillis) {
    return String.format(Locale.ROOT, "%.2f×, 99%% back %.2f s", ratio, backMillis / 1e3);
  }

  private static MockWebServer upgradingServer() {
    MockWebServer server = new MockWebServer();
    server.setDispatcher(new Dispatcher() {
      @Override public MockResponse dispatch(RecordedRequest request) {
        return new MockResponse().withWebSocketUpgrade(new WebSocketListener() {
          @Override public void onOpen(WebSocket webSocket, Response response) {}
        });
      }
    });
    return server;
  }

  private interface Condition {
    boolean holds();
  }

  /** Polls {@code c} every 10 ms until it holds or {@code timeoutMillis} pass. */
  private static boolean await(Condition c, long timeoutMillis) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    while (!c.holds()) {
      if (System.nanoTime() > deadline) return false;
      Thread.sleep(10);
    }
    return true;
  }
}
