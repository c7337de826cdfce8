package dev.lifeline.sample;

import dev.lifeline.AckMatcher;
import dev.lifeline.Connection;
import dev.lifeline.ConnectionOptions;
import dev.lifeline.ConnectionState;
import dev.lifeline.HeartbeatPolicy;
import dev.lifeline.Lifeline;
import dev.lifeline.Message;
import dev.lifeline.ReconnectPolicy;
import java.io.IOException;
import java.io.PrintStream;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import okhttp3.OkHttpClient;

/**
 * The scripted demo: an embedded {@link DemoServer}, a {@link FlakyNetwork} in front of it, and one
 * Lifeline connection that has to survive a server restart, a network loss and a half-open
 * ("zombie") connection while the app chats over it. Everything runs on a scaled-down clock so the
 * minute-long real-world timings fit in a watchable run.
 */
final class Demo {
  /**
   * The scaled-down clock. The real-world figures are a 55 s heartbeat against a server that
   * closes connections silent for more than 55 s; here the same relations hold in seconds.
   */
  record Clock(
      String name,
      /* Client heartbeat (a data message), strictly below the server's limit. */
      long heartbeatMillis,
      /* The server closes connections whose last data message is older than this. */
      long serverLimitMillis,
      /* How often the server scans for silent connections. */
      long serverScanMillis,
      /* How often the server sends its own heartbeat; the client's silence limit is twice this. */
      long serverHeartbeatMillis,
      /*
       * WebSocket ping, the protocol-level zombie probe. Longer than the silence limit so that
       * in this demo the zombie is caught by the server-silence watch, which works for every
       * transport.
       */
      long protocolPingMillis,
      long reconnectBaseMillis,
      long reconnectMaxMillis,
      /* A connection up this long resets the attempt counter (the stable period). */
      long stableMillis,
      long resumeJitterMillis,
      /* How long the server stays down during the restart, and the network during the loss. */
      long serverDownMillis,
      long networkDownMillis,
      /* Shortest quiet stretch between faults; at least the stable period. */
      long minCalmMillis,
      /* Idle-cut stage: the path resets connections idle for longer than this. */
      long idleCutMillis,
      /* Idle-cut stage: the adaptive heartbeat starts here (above the cut) within [min, max]. */
      long adaptiveStartMillis,
      long adaptiveMinMillis,
      long adaptiveMaxMillis,
      /* Idle-cut stage: how long the learned interval must then hold without a cut. */
      long settledMillis) {

    /** Heartbeat 2 s, server limit 3 s: watchable, about a minute for the whole story. */
    static final Clock NORMAL = new Clock("normal", 2_000, 3_000, 500, 2_000, 10_000, 750, 4_000,
        5_000, 1_000, 3_000, 4_000, 5_000, 1_500, 2_500, 500, 5_000, 8_000);

    /** Half of everything, with the server's margin kept at a full second: for tests. */
    static final Clock QUICK = new Clock("quick", 1_000, 2_000, 250, 1_000, 5_000, 400, 2_000,
        2_500, 500, 1_500, 2_000, 2_500, 1_200, 2_000, 400, 4_000, 5_000);

    /** The longest the idle-cut stage may take to learn before it gives up waiting. */
    long learnTimeoutMillis() {
      return 4 * (idleCutMillis + reconnectMaxMillis) + 2 * adaptiveStartMillis;
    }

    long clientSilenceLimitMillis() {
      return serverHeartbeatMillis * HeartbeatPolicy.DEFAULT_SERVER_TIMEOUT_INTERVALS;
    }
  }

  /** What to run. */
  record Settings(Clock clock, long durationMillis, DemoServer.Protocol protocol) {}

  /** The numbers a run ends with. */
  record Result(
      long observedMillis,
      long connectedMillis,
      long reconnects,
      long reconnectAttempts,
      long heartbeatsSent,
      long heartbeatsSkipped,
      long serverHeartbeats,
      long silencesDetected,
      long serverIdleCloses,
      long sent,
      long delivered,
      long failed,
      long lost,
      long duplicates,
      boolean everConnected,
      boolean interrupted,
      Adaptive adaptive,
      /* The PROCESS DEATH stage; null when it did not run (stopped early). */
      ProcessDeathStage.Outcome processDeath) {

    double uptimePercent() {
      return observedMillis == 0 ? 0 : 100.0 * connectedMillis / observedMillis;
    }

    boolean success() {
      return everConnected && lost == 0 && (processDeath == null || processDeath.ok());
    }
  }

  /**
   * How the idle-cut stage went: the interval it started from and ended at, how often the path cut
   * the connection and the heartbeat changed, and whether the last {@link Clock#settledMillis}
   * passed without a cut. Null when the stage did not run (stopped early).
   */
  record Adaptive(long cutMillis, long startMillis, long endMillis, long cuts, long changes,
      long settledForMillis, boolean settled) {}

  /** Thrown out of a wait when the run is being stopped (Ctrl-C). */
  private static final class Stopped extends Exception {
    private static final long serialVersionUID = 1L;
  }

  private final Settings settings;
  private final Clock clock;
  private final Timeline timeline;
  /** Counted down to stop the scenario early. */
  private final CountDownLatch stop;
  private final ChatLedger ledger = new ChatLedger();
  private final ConnectionLog log;
  private int chatNumber;

  private DemoServer server;
  private FlakyNetwork network;
  private OkHttpClient okHttp;
  private Lifeline lifeline;
  private Connection connection;
  /** The idle-cut stage's server and the path that cuts idle connections to it. */
  private DemoServer idleServer;
  private FlakyNetwork idleNetwork;

  Demo(Settings settings, Timeline timeline, CountDownLatch stop) {
    this.settings = settings;
    this.clock = settings.clock();
    this.timeline = timeline;
    this.stop = stop;
    this.log = new ConnectionLog(timeline, ledger, DemoServer.SERVER_HEARTBEAT);
  }

  Timeline timeline() {
    return timeline;
  }

  /** The shortest duration that leaves room for every fault and one calm stretch after each. */
  static long minimumDurationMillis(Clock clock) {
    return faultBudgetMillis(clock) + 4 * clock.minCalmMillis();
  }

  /** Roughly how long the three faults take, recoveries included. */
  private static long faultBudgetMillis(Clock clock) {
    long recovery = clock.reconnectMaxMillis() / 2;
    return clock.serverDownMillis() + recovery
        + clock.networkDownMillis() + clock.resumeJitterMillis() + 600
        + clock.clientSilenceLimitMillis() + recovery;
  }

  /** The demo server echoes every chat message: the echo acknowledges it. */
  static final AckMatcher ECHO_IS_ACK = new AckMatcher() {
    @Override public Object key(Message outbound) {
      return isChat(outbound) ? outbound.text() : null;
    }

    @Override public Object acknowledgedKey(Message inbound) {
      return isChat(inbound) ? inbound.text() : null;
    }

    private boolean isChat(Message m) {
      return m.isText() && m.text().startsWith("chat ");
    }
  };

  /** Runs the whole story; always cleans up, even when stopped early. */
  Result run(PrintStream out) throws IOException {
    boolean interrupted = false;
    Result main = null;
    Adaptive adaptive = null;
    ProcessDeathStage.Outcome processDeath = null;
    try {
      start();
      script();
      // The first connection's story ends here; its numbers are taken before the next stage.
      closeGracefully(connection);
      main = result(false, null);
      adaptive = idleCutStage();
      processDeath = processDeathStage();
    } catch (Stopped e) {
      interrupted = true;
      timeline.log(Timeline.Type.SCENARIO, "scenario", "stopped early (Ctrl-C); cleaning up");
    } finally {
      shutdown();
    }
    if (main == null) return result(interrupted, null);
    return new Result(main.observedMillis(), main.connectedMillis(), main.reconnects(),
        main.reconnectAttempts(), main.heartbeatsSent(), main.heartbeatsSkipped(),
        main.serverHeartbeats(), main.silencesDetected(), main.serverIdleCloses(), main.sent(),
        main.delivered(), main.failed(), main.lost(), main.duplicates(), main.everConnected(),
        interrupted, adaptive, processDeath);
  }

  /** The first connection's numbers as of now. */
  private Result result(boolean interrupted, Adaptive adaptive) {
    return new Result(timeline.observedMillis(),
        timeline.timeIn(ConnectionState.Kind.CONNECTED),
        Math.max(0, log.connects.get() - 1),
        log.reconnectsScheduled.get(),
        log.heartbeatsSent.get(),
        log.heartbeatsSkipped.get(),
        log.serverHeartbeats.get(),
        log.silences.get(),
        server == null ? 0 : server.idleClosed.get(),
        ledger.sent(),
        ledger.delivered(),
        ledger.failed(),
        ledger.lost(),
        ledger.duplicates(),
        log.connects.get() > 0,
        interrupted,
        adaptive,
        null);
  }

  private void start() throws IOException {
    server = new DemoServer(new DemoServer.Config(clock.serverLimitMillis(),
        clock.serverScanMillis(), clock.serverHeartbeatMillis()), settings.protocol(), timeline);
    server.start();
    network = new FlakyNetwork(server.port(), timeline);
    String url = server.urlFor("127.0.0.1", network.port());
    timeline.log(Timeline.Type.NETWORK, "network", "client → 127.0.0.1:" + network.port()
        + " → server: a proxy that can lose the network or silence connections");

    HeartbeatPolicy heartbeat = HeartbeatPolicy.builder()
        .interval(clock.heartbeatMillis(), TimeUnit.MILLISECONDS)
        .expectServerHeartbeats(clock.serverHeartbeatMillis(), TimeUnit.MILLISECONDS)
        .protocolPingInterval(clock.protocolPingMillis(), TimeUnit.MILLISECONDS)
        .build();
    ReconnectPolicy reconnect = reconnectPolicy();
    ConnectionOptions options = ConnectionOptions.builder(url)
        .heartbeat(heartbeat)
        .reconnect(reconnect)
        .eventListener(log.events)
        // At-least-once: a chat message is held until its echo comes back, and sent
        // again after a reconnect if the connection died first.
        .atLeastOnce(ECHO_IS_ACK)
        .build();
    timeline.log(Timeline.Type.INFO, "client", "heartbeat every "
        + Timeline.seconds(clock.heartbeatMillis()) + " (idle-only), silence limit "
        + Timeline.seconds(heartbeat.serverTimeoutMillis()) + ", reconnect backoff "
        + Timeline.seconds(clock.reconnectBaseMillis()) + " doubling to "
        + Timeline.seconds(clock.reconnectMaxMillis()) + " with equal jitter");

    okHttp = new OkHttpClient();
    lifeline = Lifeline.builder()
        .okHttpClient(okHttp)
        // Callbacks run on Lifeline's own thread, so the timeline shows events in exact order.
        // The log only records and prints; a real app would keep the default or its UI thread.
        .callbackExecutor(Runnable::run)
        .build();
    connection = lifeline.newConnection(options, log);
    connection.connect();
  }

  private void script() throws Stopped {
    long calm = Math.max(clock.minCalmMillis(),
        (settings.durationMillis() - faultBudgetMillis(clock)) / 4);
    long endAt = timeline.now() + settings.durationMillis();
    awaitConnected(10_000);

    timeline.log(Timeline.Type.SCENARIO, "scenario", "--- chatting: messages go out, the"
        + " server echoes them; heartbeats fill the quiet ---");
    chatBurst(3, calm);

    timeline.phaseStart("server restart", "SERVER RESTART: the server goes away for "
        + Timeline.seconds(clock.serverDownMillis()));
    awaitEchoes(2_000);
    server.stop();
    network.serverStopped();
    pause(clock.serverDownMillis() / 3);
    chat("sent while the server is down");
    pause(clock.serverDownMillis() - clock.serverDownMillis() / 3);
    startServer();
    awaitConnected(4 * clock.reconnectMaxMillis());
    timeline.phaseEnd();

    timeline.log(Timeline.Type.SCENARIO, "scenario", "--- calm ---");
    chatBurst(2, calm);

    timeline.phaseStart("network loss", "NETWORK LOSS for "
        + Timeline.seconds(clock.networkDownMillis()));
    awaitEchoes(2_000);
    network.down();
    pause(300); // The OS notices a moment later, as it does.
    lifeline.signals().networkLost();
    pause(300);
    chat("sent while offline");
    chat("also sent while offline");
    timeline.log(Timeline.Type.INFO, "app", connection.queuedMessages()
        + " message(s) wait in Lifeline's outbox; no attempts while the network is down");
    pause(clock.networkDownMillis() - 600);
    network.up();
    lifeline.signals().networkAvailable();
    awaitConnected(4 * clock.reconnectMaxMillis());
    timeline.phaseEnd();

    timeline.log(Timeline.Type.SCENARIO, "scenario", "--- calm ---");
    chatBurst(2, calm);

    timeline.phaseStart("zombie", "ZOMBIE: the connection goes half-open; only silence tells");
    awaitEchoes(2_000);
    long disconnects = log.disconnects.get();
    network.zombify();
    pause(clock.heartbeatMillis() / 2);
    // Written into a half-open socket, this message would be gone; at-least-once delivery holds
    // it until its echo comes back, so it goes out again after the reconnect.
    chat("sent into the half-open connection");
    awaitCondition(() -> log.disconnects.get() > disconnects,
        clock.clientSilenceLimitMillis() + clock.protocolPingMillis() * 2);
    awaitConnected(4 * clock.reconnectMaxMillis());
    timeline.phaseEnd();

    timeline.log(Timeline.Type.SCENARIO, "scenario", "--- calm until the end ---");
    chatBurst(2, Math.max(clock.minCalmMillis() / 2, endAt - timeline.now()));
    awaitEchoes(5_000);
  }

  /**
   * IDLE CUT: a second connection, with an adaptive heartbeat that starts above the idle limit of
   * its path. The path resets it each time it sits idle past the limit; after the same idle time
   * cut it twice, Lifeline lowers the interval below it (heartbeatIntervalChanged says why), and
   * the connection then stays up. The stage checks that a calm window with no cut follows.
   *
   * <p>Its own server (no server heartbeat, no idle limit of its own) and its own network, so that
   * only the client's heartbeats keep the path alive and only the path cuts.
   */
  private Adaptive idleCutStage() throws Stopped, IOException {
    timeline.phaseStart("idle cut", "IDLE CUT: the network drops connections idle for more than "
        + Timeline.seconds(clock.idleCutMillis()) + "; an adaptive heartbeat starts at "
        + Timeline.seconds(clock.adaptiveStartMillis()) + " (range "
        + Timeline.seconds(clock.adaptiveMinMillis()) + " to "
        + Timeline.seconds(clock.adaptiveMaxMillis()) + ") and has to learn it");
    idleServer = new DemoServer(new DemoServer.Config(60_000, clock.serverScanMillis(), 0),
        settings.protocol(), timeline);
    idleServer.start();
    idleNetwork = new FlakyNetwork(idleServer.port(), timeline);
    idleNetwork.cutIdleAfter(clock.idleCutMillis());

    ConnectionLog idleLog = new ConnectionLog(timeline, new ChatLedger(), null, "adaptive");
    ConnectionOptions options = ConnectionOptions.builder(
            idleServer.urlFor("127.0.0.1", idleNetwork.port()))
        .heartbeat(HeartbeatPolicy.builder()
            .interval(clock.adaptiveStartMillis(), TimeUnit.MILLISECONDS)
            .adaptive(clock.adaptiveMinMillis(), clock.adaptiveMaxMillis(), TimeUnit.MILLISECONDS)
            .build())
        .reconnect(reconnectPolicy())
        .eventListener(idleLog.events)
        .build();
    Connection adaptive = lifeline.newConnection(options, idleLog);
    adaptive.connect();

    long cut = clock.idleCutMillis();
    boolean learned = awaitCondition(() -> adaptive.heartbeatIntervalMillis() < cut
        && adaptive.state().kind() == ConnectionState.Kind.CONNECTED, clock.learnTimeoutMillis());
    if (!learned) {
      timeline.log(Timeline.Type.SCENARIO, "scenario", "the heartbeat is still at "
          + Timeline.seconds(adaptive.heartbeatIntervalMillis()) + " after "
          + Timeline.seconds(clock.learnTimeoutMillis()) + "; carrying on");
    }
    timeline.log(Timeline.Type.SCENARIO, "scenario", "--- calm: " + Timeline.seconds(
        clock.settledMillis()) + " idle at a heartbeat of "
        + Timeline.seconds(adaptive.heartbeatIntervalMillis()) + ", no cut expected ---");
    long cutsBefore = idleNetwork.idleCuts.get();
    long calmFrom = timeline.now();
    pause(clock.settledMillis());
    long calmFor = timeline.now() - calmFrom;
    boolean settled = idleNetwork.idleCuts.get() == cutsBefore
        && adaptive.state().kind() == ConnectionState.Kind.CONNECTED
        && adaptive.heartbeatIntervalMillis() < cut;
    Adaptive result = new Adaptive(cut, clock.adaptiveStartMillis(),
        adaptive.heartbeatIntervalMillis(), idleNetwork.idleCuts.get(),
        idleLog.intervalChanges.get(), calmFor, settled);
    timeline.log(Timeline.Type.SCENARIO, "scenario", settled
        ? "settled: no cut for " + Timeline.seconds(calmFor) + " at a heartbeat of "
            + Timeline.seconds(result.endMillis())
        : "NOT settled: " + (idleNetwork.idleCuts.get() - cutsBefore) + " cut(s) in the calm"
            + " window, heartbeat " + Timeline.seconds(result.endMillis()));
    closeGracefully(adaptive);
    timeline.phaseEnd();
    return result;
  }

  /**
   * PROCESS DEATH: an app process with a journal is killed (SIGKILL) in the middle of a burst and
   * the next start delivers what it had accepted; see {@link ProcessDeathStage}.
   */
  private ProcessDeathStage.Outcome processDeathStage() throws Stopped {
    ProcessDeathStage.Burst burst = ProcessDeathStage.Burst.of(clock);
    timeline.phaseStart("process death", "PROCESS DEATH: the app process is killed (SIGKILL)"
        + " in the middle of a burst of " + burst.messages() + " messages; the next start"
        + " restores its journal");
    try {
      return new ProcessDeathStage(timeline, lifeline, settings.protocol(), reconnectPolicy(),
          burst, stop).run();
    } catch (IOException e) {
      timeline.log(Timeline.Type.SCENARIO, "scenario", "the stage failed: " + e.getMessage());
      return ProcessDeathStage.Outcome.failed(e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Stopped();
    } finally {
      timeline.phaseEnd();
    }
  }

  private ReconnectPolicy reconnectPolicy() {
    return ReconnectPolicy.builder()
        .baseDelay(clock.reconnectBaseMillis(), TimeUnit.MILLISECONDS)
        .maxDelay(clock.reconnectMaxMillis(), TimeUnit.MILLISECONDS)
        .stablePeriod(clock.stableMillis(), TimeUnit.MILLISECONDS)
        .resumeJitter(clock.resumeJitterMillis(), TimeUnit.MILLISECONDS)
        .build();
  }

  private void startServer() {
    try {
      server.start();
      network.serverStarted();
    } catch (IOException e) {
      timeline.log(Timeline.Type.SERVER, "server", "could not restart: " + e.getMessage());
    }
  }

  /** Sends {@code n} chat messages, then stays quiet so heartbeats take over, for {@code total}. */
  private void chatBurst(int n, long total) throws Stopped {
    long until = timeline.now() + total;
    long spacing = clock.heartbeatMillis() / 2;
    for (int i = 0; i < n; i++) {
      chat(CHATTER[chatNumber % CHATTER.length]);
      pause(spacing);
    }
    pause(until - timeline.now());
  }

  private static final String[] CHATTER = {
      "hello", "is anyone there?", "the train goes into a tunnel soon", "still here",
      "lunch at noon?", "sending from the lift", "back online", "ok bye"
  };

  private void chat(String words) {
    String text = "chat " + (++chatNumber) + ": " + words;
    ConnectionState.Kind kind = connection.state().kind();
    ledger.sending(text, timeline.now());
    boolean accepted = connection.send(text);
    if (accepted) {
      timeline.log(Timeline.Type.CHAT_SENT, "app", "-> \"" + text + "\""
          + (kind == ConnectionState.Kind.CONNECTED ? "" : " (queued: " + kind + ")"));
    } else {
      ledger.rejected(text);
      timeline.log(Timeline.Type.SEND_FAILED, "app", "-> \"" + text + "\" rejected by the outbox");
    }
  }

  private void awaitConnected(long timeoutMillis) throws Stopped {
    if (!awaitCondition(() -> connection.state().kind() == ConnectionState.Kind.CONNECTED,
        timeoutMillis)) {
      timeline.log(Timeline.Type.SCENARIO, "scenario", "not connected after "
          + Timeline.seconds(timeoutMillis) + "; carrying on");
    }
  }

  private void awaitEchoes(long timeoutMillis) throws Stopped {
    awaitCondition(() -> ledger.pendingCount() == 0, timeoutMillis);
  }

  /** Polls {@code condition} until it holds or the deadline passes. */
  private boolean awaitCondition(BooleanSupplier condition, long timeoutMillis) throws Stopped {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    while (!condition.getAsBoolean()) {
      long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
      if (left <= 0) return false;
      pause(Math.min(left, 25));
    }
    return true;
  }

  /** A timed wait of the script; returns early, by throwing, when the run is stopped. */
  private void pause(long millis) throws Stopped {
    if (millis <= 0) {
      if (stop.getCount() == 0) throw new Stopped();
      return;
    }
    try {
      if (stop.await(millis, TimeUnit.MILLISECONDS)) throw new Stopped();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Stopped();
    }
  }

  /** Closes {@code c} and waits (up to 3 s) for it to be closed. */
  private void closeGracefully(Connection c) {
    if (c == null || c.state().isTerminal()) return;
    timeline.log(Timeline.Type.SCENARIO, "scenario", "closing the connection gracefully");
    c.close();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
    while (!c.state().isTerminal() && System.nanoTime() < deadline) {
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
  }

  private void shutdown() {
    closeGracefully(connection);
    try {
      if (lifeline != null) lifeline.shutdown(3, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (okHttp != null) {
      // Lifeline does not own an OkHttpClient it was given: release its threads and sockets.
      okHttp.dispatcher().executorService().shutdown();
      okHttp.connectionPool().evictAll();
    }
    if (network != null) network.close();
    if (server != null) server.close();
    if (idleNetwork != null) idleNetwork.close();
    if (idleServer != null) idleServer.close();
    timeline.finish();
  }
}
