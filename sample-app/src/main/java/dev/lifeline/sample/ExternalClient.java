package dev.lifeline.sample;

import dev.lifeline.Connection;
import dev.lifeline.ConnectionOptions;
import dev.lifeline.ConnectionState;
import dev.lifeline.HeartbeatPolicy;
import dev.lifeline.Lifeline;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import okhttp3.OkHttpClient;

/**
 * {@code --url}: one Lifeline connection to the user's own server, with the same live timeline as
 * the demo. Lines typed on standard input are sent; Ctrl-C closes gracefully.
 */
final class ExternalClient {
  private ExternalClient() {}

  static int run(CommandLine cmd, InputStream in, PrintStream out, PrintStream err,
      CountDownLatch stop)
      throws CommandLine.UsageException, IOException {
    Timeline timeline = new Timeline(out);
    ChatLedger ledger = new ChatLedger();
    ConnectionLog log = new ConnectionLog(timeline, ledger, null);
    ConnectionOptions options;
    try {
      HeartbeatPolicy.Builder heartbeat = HeartbeatPolicy.builder();
      if (cmd.heartbeatMillis > 0) heartbeat.interval(cmd.heartbeatMillis, TimeUnit.MILLISECONDS);
      if (cmd.payload != null) heartbeat.textPayload(cmd.payload);
      if (cmd.serverTimeoutMillis > 0) {
        heartbeat.serverTimeout(cmd.serverTimeoutMillis, TimeUnit.MILLISECONDS);
      }
      options = ConnectionOptions.builder(cmd.url)
          .heartbeat(heartbeat.build())
          .eventListener(log.events)
          .build();
    } catch (IllegalArgumentException e) {
      // Lifeline's own validation messages name the setting and the value.
      throw new CommandLine.UsageException(e.getMessage());
    }
    timeline.log(Timeline.Type.INFO, "client", options.heartbeat().toString());

    OkHttpClient okHttp = new OkHttpClient();
    Lifeline lifeline = Lifeline.builder()
        .okHttpClient(okHttp)
        .callbackExecutor(Runnable::run) // Exact ordering in the timeline; the log only prints.
        .build();
    Connection connection = lifeline.newConnection(options, log);
    // Why the last attempt failed: the run may end while the next attempt is under way.
    AtomicReference<String> lastFailure = new AtomicReference<>();
    connection.observeState(s -> {
      if (s.kind() == ConnectionState.Kind.WAITING_TO_RECONNECT) lastFailure.set(s.reason());
    });
    connection.connect();
    startStdinReader(in, connection, ledger, timeline);

    long deadline = cmd.durationMillis > 0
        ? System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(cmd.durationMillis)
        : Long.MAX_VALUE;
    try {
      while (!connection.state().isTerminal()) {
        long left = deadline == Long.MAX_VALUE ? 100
            : Math.min(100, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
        if (left <= 0) break;
        if (stop.await(left, TimeUnit.MILLISECONDS)) break;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    ConnectionState last = connection.state();
    boolean failedForGood = last.isTerminal();
    timeline.log(Timeline.Type.SCENARIO, "app", failedForGood
        ? "the connection ended: " + connection.state().reason()
        : "closing gracefully");
    connection.close();
    try {
      lifeline.shutdown(3, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    okHttp.dispatcher().executorService().shutdown();
    okHttp.connectionPool().evictAll();
    timeline.finish();

    out.println();
    out.println("=== Summary ===");
    long observed = timeline.observedMillis();
    long connected = timeline.timeIn(ConnectionState.Kind.CONNECTED);
    out.printf(Locale.ROOT, "  observed        %s%n", Timeline.seconds(observed));
    out.printf(Locale.ROOT, "  uptime          %.1f %% (connected %s)%n",
        observed == 0 ? 0.0 : 100.0 * connected / observed, Timeline.seconds(connected));
    out.printf(Locale.ROOT, "  reconnects      %d (after %d scheduled attempts)%n",
        Math.max(0, log.connects.get() - 1), log.reconnectsScheduled.get());
    out.printf(Locale.ROOT, "  heartbeats      %d sent, %d skipped%n", log.heartbeatsSent.get(),
        log.heartbeatsSkipped.get());
    out.printf(Locale.ROOT, "  messages        %d sent, %d echoed back, %d failed (reported),"
        + " %d other messages received%n", ledger.sent(), ledger.delivered(), ledger.failed(),
        log.otherMessages.get());
    if (cmd.report != null) {
      HtmlReport.write(cmd.report, timeline, HtmlReport.externalSummary(timeline, log, ledger),
          "Lifeline: " + cmd.url);
      out.println("  report          " + cmd.report.toAbsolutePath());
    }
    if (log.connects.get() == 0) {
      // Retrying an absent server forever is Lifeline's job, but for this command it means the
      // run showed nothing: say so and fail, instead of "uptime 0.0 %" and exit code 0.
      out.println("  result          FAILED: never connected in " + Timeline.seconds(observed)
          + (last.reason() != null ? " (last: " + last.reason() + ")"
              : lastFailure.get() != null ? " (last: " + lastFailure.get() + ")" : ""));
      return Main.EXIT_FAILED;
    }
    return failedForGood ? Main.EXIT_FAILED : Main.EXIT_OK;
  }

  /** Sends each line read from {@code input} (standard input); stops quietly at its end. */
  private static void startStdinReader(
      InputStream input, Connection connection, ChatLedger ledger, Timeline timeline) {
    Thread t = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(
          new InputStreamReader(input, StandardCharsets.UTF_8))) {
        String line;
        while ((line = in.readLine()) != null) {
          if (line.isEmpty()) continue;
          try {
            ledger.sending(line, timeline.now());
            if (connection.send(line)) {
              timeline.log(Timeline.Type.CHAT_SENT, "app", "-> \"" + line + "\"");
            } else {
              ledger.rejected(line);
            }
          } catch (IllegalStateException closed) {
            return;
          }
        }
      } catch (IOException ignored) {
        // No standard input: nothing to send.
      }
    }, "lifeline-sample stdin");
    t.setDaemon(true);
    t.start();
  }
}
