package dev.lifeline.sample;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The sample app. {@code mvn -q -B -pl sample-app -am compile exec:java} runs the scripted demo;
 * {@code --help} lists the flags. {@link #run} does the work and returns the exit code, so tests
 * call it directly; only {@link #main} exits the JVM.
 */
public final class Main {
  static final int EXIT_OK = 0;
  /** A message was lost, the demo never connected, or the connection failed for good. */
  static final int EXIT_FAILED = 1;
  static final int EXIT_USAGE = 2;

  /** The demo's default length: about a minute with start-up and draining. */
  static final long DEFAULT_DEMO_MILLIS = 50_000;
  /** How long Ctrl-C waits for the graceful close and the summary. */
  private static final long SHUTDOWN_GRACE_MILLIS = 8_000;

  private Main() {}

  public static void main(String[] args) {
    System.exit(run(args, System.in, System.out, System.err));
  }

  /**
   * Runs the sample with {@code args} and no standard input; returns the exit code. Never calls
   * System.exit. (Tests use this: inside a test JVM, standard input belongs to the test runner.)
   */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    return run(args, new ByteArrayInputStream(new byte[0]), out, err);
  }

  /**
   * Runs the sample with {@code args}; with {@code --url}, lines read from {@code in} are sent.
   * Returns the exit code. Never calls System.exit.
   */
  public static int run(String[] args, InputStream in, PrintStream out, PrintStream err) {
    CommandLine cmd;
    try {
      cmd = CommandLine.parse(args);
    } catch (CommandLine.UsageException e) {
      return usage(err, e.getMessage());
    }
    if (cmd.help) {
      out.print(CommandLine.USAGE);
      return EXIT_OK;
    }
    CountDownLatch stop = new CountDownLatch(1);
    CountDownLatch done = new CountDownLatch(1);
    // Ctrl-C: stop the run, then give it a moment to close gracefully and print its summary.
    Thread hook = new Thread(() -> {
      stop.countDown();
      try {
        done.await(SHUTDOWN_GRACE_MILLIS, TimeUnit.MILLISECONDS);
      } catch (InterruptedException ignored) {
        // Exiting anyway.
      }
    }, "lifeline-sample shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      return cmd.url == null ? runDemo(cmd, out, err, stop) : ExternalClient.run(cmd, in, out, err, stop);
    } catch (CommandLine.UsageException e) {
      return usage(err, e.getMessage());
    } catch (IOException | RuntimeException e) {
      err.println("lifeline-sample: failed: " + e);
      return EXIT_FAILED;
    } finally {
      done.countDown();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // The hook is running: it is waiting for `done`, counted down above.
      }
    }
  }

  private static int usage(PrintStream err, String problem) {
    err.println("lifeline-sample: " + problem);
    err.println();
    err.print(CommandLine.USAGE);
    return EXIT_USAGE;
  }

  private static int runDemo(CommandLine cmd, PrintStream out, PrintStream err,
      CountDownLatch stop) throws CommandLine.UsageException, IOException {
    Demo.Clock clock = cmd.quick ? Demo.Clock.QUICK : Demo.Clock.NORMAL;
    long min = Demo.minimumDurationMillis(clock);
    long duration = cmd.durationMillis >= 0 ? cmd.durationMillis
        : cmd.quick ? min : Math.max(min, DEFAULT_DEMO_MILLIS);
    if (duration < min) {
      throw new CommandLine.UsageException("--duration must be at least "
          + Timeline.seconds(((min + 999) / 1000) * 1000) + (cmd.quick ? " with --quick" : "")
          + " for the demo to fit its three faults, was " + Timeline.seconds(duration));
    }
    if (cmd.protocol == DemoServer.Protocol.TCP_TEXT) {
      try {
        dev.lifeline.ConnectionOptions.builder("tcp://127.0.0.1:1");
      } catch (IllegalArgumentException e) {
        err.println("lifeline-sample: --transport tcp: this lifeline-core has no tcp:// transport"
            + " yet (" + e.getMessage() + ")");
        return EXIT_FAILED;
      }
    }
    out.println("Lifeline demo: " + clock.name() + " clock, about "
        + Timeline.seconds(((duration + 999) / 1000) * 1000) + ". Times are since start.");
    Timeline timeline = new Timeline(out);
    Demo.Result r = new Demo(new Demo.Settings(clock, duration, cmd.protocol), timeline, stop)
        .run(out);
    printSummary(out, r);
    if (cmd.report != null) {
      HtmlReport.write(cmd.report, timeline, HtmlReport.demoSummary(r),
          "Lifeline demo: " + clock.name() + " clock");
      out.println("  report          " + cmd.report.toAbsolutePath());
    }
    return r.success() ? EXIT_OK : EXIT_FAILED;
  }

  static void printSummary(PrintStream out, Demo.Result r) {
    out.println();
    out.println("=== Summary ===");
    out.printf(Locale.ROOT, "  observed        %s%s%n", Timeline.seconds(r.observedMillis()),
        r.interrupted() ? " (stopped early)" : "");
    out.printf(Locale.ROOT, "  uptime          %.1f %% (connected %s)%n", r.uptimePercent(),
        Timeline.seconds(r.connectedMillis()));
    out.printf(Locale.ROOT, "  reconnects      %d (after %d scheduled attempts)%n",
        r.reconnects(), r.reconnectAttempts());
    out.printf(Locale.ROOT, "  heartbeats      %d sent, %d skipped (other traffic went out),"
        + " %d received from the server%n", r.heartbeatsSent(), r.heartbeatsSkipped(),
        r.serverHeartbeats());
    out.printf(Locale.ROOT, "  zombies caught  %d by the silence watch; the server closed %d silent"
        + " connection(s)%n", r.silencesDetected(), r.serverIdleCloses());
    out.printf(Locale.ROOT, "  messages        %d sent, %d delivered (echoed), %d failed"
        + " (reported), %d lost%s%n", r.sent(), r.delivered(), r.failed(), r.lost(),
        r.duplicates() > 0 ? ", " + r.duplicates() + " duplicates" : "");
    Demo.Adaptive a = r.adaptive();
    if (a != null) {
      out.printf(Locale.ROOT, "  idle cut        heartbeat %s -> %s against a %s idle cut: %d cut(s),"
          + " %d interval change(s); %s%n", Timeline.seconds(a.startMillis()),
          Timeline.seconds(a.endMillis()), Timeline.seconds(a.cutMillis()), a.cuts(), a.changes(),
          a.settled() ? "settled (no cut in the last " + Timeline.seconds(a.settledForMillis()) + ")"
              : "NOT settled");
    }
    ProcessDeathStage.Outcome d = r.processDeath();
    if (d != null) {
      out.printf(Locale.ROOT, "  process death   %s%n", d.error() != null
          ? "FAILED: " + d.error()
          : (d.killedMidBurst() ? "killed (SIGKILL) mid-burst" : "NOT killed mid-burst (the burst"
              + " ended first)") + " after " + d.accepted() + " accepted; the next start restored "
              + d.restored() + " from the journal (" + d.reported() + " reported); "
              + d.reachedServer() + " of " + d.accepted() + " accepted reached the server, "
              + d.duplicates() + " duplicate(s) dropped by id; " + d.lost() + " lost");
    }
    long lost = r.lost() + (d == null ? 0 : d.lost());
    out.printf(Locale.ROOT, "  result          %s%n", !r.everConnected()
        ? "FAILED: never connected"
        : lost > 0 ? "FAILED: " + lost + " message(s) lost without notice"
        : d != null && !d.ok() ? "FAILED: the process-death stage did not run to its end"
        : "OK: every message delivered or reported");
    out.flush();
  }
}
