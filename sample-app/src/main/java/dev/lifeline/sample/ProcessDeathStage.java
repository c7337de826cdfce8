package dev.lifeline.sample;

import dev.lifeline.Connection;
import dev.lifeline.ConnectionListener;
import dev.lifeline.ConnectionOptions;
import dev.lifeline.ConnectionState;
import dev.lifeline.EventListener;
import dev.lifeline.Lifeline;
import dev.lifeline.Message;
import dev.lifeline.ReconnectPolicy;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * PROCESS DEATH: the app process dies in the middle of a burst, and the next one delivers what it
 * had accepted. A {@link DyingClient} runs in a JVM of its own with a journal (in a temp
 * directory); it sends a burst, the network goes down halfway (so the rest waits unacknowledged),
 * and the stage kills the process with SIGKILL ({@link Process#destroyForcibly()} on Linux and
 * macOS): no close, no shutdown hook, no last write, as when Android kills a cached app. A new
 * connection in this JVM then opens the same journal: Lifeline restores the unsettled messages
 * ({@code EventListener.outboxRestored}), connects and sends them. The server keeps the ids it
 * received and drops a second copy by id (an at-least-once resend of a message whose echo the dead
 * process never saw), still acknowledging it.
 *
 * <p>Proof of "0 lost": every id the killed process printed as accepted (right after {@code
 * send()} returned true) reached the server, or was reported to the new connection's {@code
 * onSendFailed}.
 */
final class ProcessDeathStage {
  /** The journal's name in its temp directory. */
  static final String JOURNAL_NAME = "demo-outbox";
  /** Queued after the child's last output line, once its output ended. */
  private static final String END_OF_OUTPUT = "\u0000end of output";

  /** What the stage ends with. */
  record Outcome(
      /* Ids the killed process said send() accepted. */
      int accepted,
      /* Messages the next process's connection restored from the journal. */
      int restored,
      /* Restored messages reported through onSendFailed instead of sent. */
      int reported,
      /* Of the accepted ids, how many reached the server. */
      int reachedServer,
      /* Second copies of an id the server dropped. */
      long duplicates,
      /* Accepted, never reached the server, never reported: must be 0. */
      int lost,
      /* Whether the process was killed mid-burst (before it printed "burst sent"). */
      boolean killedMidBurst,
      /* Why the stage could not run to its end, or null. */
      String error) {

    /** The stage could not run: the demo fails with this reason. */
    static Outcome failed(String error) {
      return new Outcome(0, 0, 0, 0, 0, 0, false, error);
    }

    /** Ran to its end, killed the process mid-burst, and nothing was lost. */
    boolean ok() {
      return error == null && killedMidBurst && lost == 0;
    }
  }

  /**
   * The burst's timing on the demo's clock: {@code messages} one every {@code spacingMillis},
   * the network down after {@code networkDownAfter} were accepted, the kill after {@code
   * killAfter}. The server echoes (acknowledges) {@code echoDelayMillis} after a message arrived,
   * so the messages just before the network goes down reach it without their echo reaching the
   * client: they come back from the journal too, and the server drops their second copy by id.
   */
  record Burst(int messages, long spacingMillis, int networkDownAfter, int killAfter,
      long echoDelayMillis) {
    static Burst of(Demo.Clock clock) {
      // 40 messages after the kill's: this JVM may read the process's lines late on a busy
      // machine (1 s late on the quick clock), and the kill must still come mid-burst.
      return clock == Demo.Clock.QUICK ? new Burst(60, 25, 10, 20, 100)
          : new Burst(60, 50, 10, 20, 200);
    }
  }

  /** Where the stage's lines go. */
  private final Timeline timeline;
  /** The demo's client, for the connection of the next start (the killed process has its own). */
  private final Lifeline lifeline;
  /** The stage server's wire protocol, the demo's. */
  private final DemoServer.Protocol protocol;
  /** The next start's reconnect policy, the demo's. */
  private final ReconnectPolicy reconnect;
  /** The burst's size and timing. */
  private final Burst burst;
  /** Counted down to stop the demo early (Ctrl-C): every wait of the stage then ends. */
  private final CountDownLatch stop;

  /** Ids the server received, first copies only. Guarded by itself. */
  private final Set<String> received = new HashSet<>();
  /** Second copies the server dropped. */
  private final AtomicLong duplicates = new AtomicLong();

  ProcessDeathStage(Timeline timeline, Lifeline lifeline, DemoServer.Protocol protocol,
      ReconnectPolicy reconnect, Burst burst, CountDownLatch stop) {
    this.timeline = timeline;
    this.lifeline = lifeline;
    this.protocol = protocol;
    this.reconnect = reconnect;
    this.burst = burst;
    this.stop = stop;
  }

  /** Runs the stage; stops everything it started, even when it fails. */
  Outcome run() throws IOException, InterruptedException {
    Path journalDir = Files.createTempDirectory("lifeline-demo-journal");
    DemoServer server = new DemoServer(new DemoServer.Config(60_000, 500, 0), protocol, timeline);
    FlakyNetwork network = null;
    Process child = null;
    try {
      server.tap(this::serverReceived);
      server.delayEchoes(burst.echoDelayMillis());
      server.start();
      network = new FlakyNetwork(server.port(), timeline);
      String url = server.urlFor("127.0.0.1", network.port());

      timeline.log(Timeline.Type.SCENARIO, "scenario", "starting the app in a process of its"
          + " own, with a journal in " + journalDir);
      child = startChild(url, journalDir);
      BlockingQueue<String> lines = readLines(child);
      List<String> accepted = new ArrayList<>();
      await(lines, "connected", child);
      timeline.log(Timeline.Type.INFO, "process", "connected (pid " + child.pid()
          + "); sending " + burst.messages() + " messages, one every "
          + Timeline.seconds(burst.spacingMillis()) + "; the server acknowledges each "
          + Timeline.seconds(burst.echoDelayMillis()) + " after it arrived");
      while (accepted.size() < burst.killAfter()) {
        String line = next(lines, child, stop);
        if (line.startsWith("accepted ")) {
          accepted.add(line.substring("accepted ".length()));
          if (accepted.size() == burst.networkDownAfter()) network.down();
        } else if (line.equals("burst sent")) {
          break;
        } else if (line.equals(END_OF_OUTPUT)) {
          throw ended(child, "the kill after " + burst.killAfter() + " accepted");
        } else {
          timeline.log(Timeline.Type.INFO, "process", line);
        }
      }
      child.destroyForcibly();
      if (!child.waitFor(5, TimeUnit.SECONDS)) {
        throw new IOException("the app process (pid " + child.pid() + ") still runs 5 s after"
            + " SIGKILL");
      }
      // Lines the process printed before the kill that the loop has not read yet: its output
      // is read to the end (the pipe keeps what was written before the SIGKILL).
      boolean killedMidBurst = true;
      for (String line; !(line = next(lines, child, stop)).equals(END_OF_OUTPUT); ) {
        if (line.startsWith("accepted ")) accepted.add(line.substring("accepted ".length()));
        if (line.equals("burst sent")) killedMidBurst = false;
      }
      timeline.log(Timeline.Type.SCENARIO, "scenario", "KILLED the app process (SIGKILL, exit "
          + child.exitValue() + ") after " + accepted.size() + " of " + burst.messages()
          + " messages accepted" + (killedMidBurst ? "" : ", too late: the burst had ended")
          + ": no close, nothing more sent or settled");
      network.up();
      return restart(url, journalDir, accepted, killedMidBurst);
    } finally {
      if (child != null) child.destroyForcibly();
      if (network != null) network.close();
      server.close();
      deleteTree(journalDir);
    }
  }

  /** The next process: a new connection on the same journal, until every accepted id is in. */
  private Outcome restart(String url, Path journalDir, List<String> accepted,
      boolean killedMidBurst) throws InterruptedException {
    AtomicInteger restored = new AtomicInteger(-1);
    AtomicInteger reported = new AtomicInteger();
    Set<String> failed = java.util.concurrent.ConcurrentHashMap.newKeySet();
    AtomicInteger delivered = new AtomicInteger();
    ConnectionOptions options = ConnectionOptions.builder(url)
        .journal(journalDir.toFile(), JOURNAL_NAME)
        .atLeastOnce(DyingClient.BY_ID)
        .reconnect(reconnect)
        .eventListener(new EventListener() {
          @Override public void outboxRestored(Connection c, int r, int p, String damage) {
            restored.set(r);
            reported.set(p);
            timeline.log(Timeline.Type.INFO, "restarted", "outbox restored from the journal: " + r
                + " message(s) back in the outbox, " + p + " reported"
                + (damage == null ? "" : "; damage skipped: " + damage));
          }
        })
        .build();
    timeline.log(Timeline.Type.SCENARIO, "scenario", "the app starts again: a new connection on"
        + " the same journal");
    Connection connection = lifeline.newConnection(options, new ConnectionListener() {
      @Override public void onDelivered(Connection c, Message m) {
        delivered.incrementAndGet();
      }

      @Override public void onSendFailed(Connection c, Message m, String reason) {
        failed.add(m.id());
        timeline.log(Timeline.Type.SEND_FAILED, "restarted", "send failed, and we were told: "
            + m.id() + ": " + reason);
      }

      @Override public void onStateChanged(Connection c, ConnectionState s) {
        if (s.kind() == ConnectionState.Kind.CONNECTED) {
          timeline.log(Timeline.Type.INFO, "restarted", "CONNECTED; " + c.queuedMessages()
              + " restored message(s) go out first");
        }
      }
    });
    try {
      connection.connect();
      Set<String> wanted = new HashSet<>(accepted);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
      while (System.nanoTime() < deadline
          && !(reachedOrFailed(wanted, failed) && delivered.get() + failed.size()
              >= Math.max(0, restored.get() - reported.get()))) {
        if (stop.await(10, TimeUnit.MILLISECONDS)) {
          throw new InterruptedException("the demo is stopping");
        }
      }
    } finally {
      connection.close();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
      while (!connection.state().isTerminal() && System.nanoTime() < deadline) Thread.sleep(10);
    }
    int reached = 0;
    int lost = 0;
    synchronized (received) {
      for (String id : accepted) {
        if (received.contains(id)) reached++;
        else if (!failed.contains(id)) lost++;
      }
    }
    Outcome o = new Outcome(accepted.size(), restored.get(), reported.get(), reached,
        duplicates.get(), lost, killedMidBurst, null);
    timeline.log(Timeline.Type.SCENARIO, "scenario", o.reachedServer() + " of " + o.accepted()
        + " accepted message(s) reached the server (" + o.duplicates() + " duplicate(s) dropped"
        + " by id), " + o.lost() + " lost");
    return o;
  }

  private boolean reachedOrFailed(Set<String> wanted, Set<String> failed) {
    synchronized (received) {
      for (String id : wanted) {
        if (!received.contains(id) && !failed.contains(id)) return false;
      }
      return true;
    }
  }

  /** The server's side: keep the first copy of each id, drop (and count) the others. */
  private void serverReceived(String text) {
    String id = DyingClient.idOf(text);
    if (id == null) return;
    boolean first;
    synchronized (received) {
      first = received.add(id);
    }
    if (!first) {
      duplicates.incrementAndGet();
      timeline.log(Timeline.Type.SERVER, "server", "dropped a second copy of " + id
          + " (already received; acknowledged again)");
    }
  }

  /** Starts {@link DyingClient} in a JVM of its own, on this JVM's class path. */
  private Process startChild(String url, Path journalDir) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-cp");
    command.add(String.join(File.pathSeparator, classPath()));
    command.add(DyingClient.class.getName());
    command.add(url);
    command.add(journalDir.toString());
    command.add(JOURNAL_NAME);
    command.add(Integer.toString(burst.messages()));
    command.add(Long.toString(burst.spacingMillis()));
    return new ProcessBuilder(command).redirectErrorStream(true).start();
  }

  /**
   * The class path of this sample: the jars and directories of the classes it runs on (under
   * {@code exec:java} those are in a class loader, not in {@code java.class.path}), then
   * whatever {@code java.class.path} lists (a test runner's).
   */
  static List<String> classPath() {
    Set<String> entries = new LinkedHashSet<>();
    for (Class<?> c : new Class<?>[] {DyingClient.class, Lifeline.class, okhttp3.OkHttpClient.class,
        okio.Okio.class, kotlin.Unit.class}) {
      try {
        URL location = c.getProtectionDomain().getCodeSource().getLocation();
        entries.add(Paths.get(location.toURI()).toString());
      } catch (URISyntaxException | NullPointerException | SecurityException e) {
        // Not from a file: the loaders below or java.class.path have it.
      }
    }
    for (ClassLoader l = ProcessDeathStage.class.getClassLoader(); l != null; l = l.getParent()) {
      if (!(l instanceof URLClassLoader)) continue;
      for (URL u : ((URLClassLoader) l).getURLs()) {
        try {
          entries.add(Paths.get(u.toURI()).toString());
        } catch (URISyntaxException | IllegalArgumentException e) {
          // Not a file.
        }
      }
    }
    for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
      if (!e.isEmpty()) entries.add(e);
    }
    return new ArrayList<>(entries);
  }

  /** Reads the child's output lines into a queue, on a daemon thread. */
  private static BlockingQueue<String> readLines(Process child) {
    BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    Thread t = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(),
          StandardCharsets.UTF_8))) {
        for (String line; (line = r.readLine()) != null; ) lines.add(line);
      } catch (IOException ended) {
        // The process is gone.
      } finally {
        lines.add(END_OF_OUTPUT);
      }
    }, "demo: app process output");
    t.setDaemon(true);
    t.start();
    return lines;
  }

  /** Skips to the line {@code expected}; other lines are logged. */
  private void await(BlockingQueue<String> lines, String expected, Process child)
      throws IOException, InterruptedException {
    for (String line; !(line = next(lines, child, stop)).equals(expected); ) {
      if (line.equals(END_OF_OUTPUT)) throw ended(child, expected);
      timeline.log(Timeline.Type.INFO, "process", line);
    }
  }

  /** The child's next line (or {@link #END_OF_OUTPUT}), within 15 s. */
  private static String next(BlockingQueue<String> lines, Process child, CountDownLatch stop)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    String line = null;
    while (line == null && System.nanoTime() < deadline) {
      if (stop.getCount() == 0) throw new InterruptedException("the demo is stopping");
      line = lines.poll(50, TimeUnit.MILLISECONDS);
    }
    if (line == null) {
      throw new IOException("the app process (pid " + child.pid() + ", "
          + (child.isAlive() ? "running" : "exited " + child.exitValue())
          + ") printed nothing more within 15 s");
    }
    return line;
  }

  /** The child's output ended before {@code awaited}. */
  private static IOException ended(Process child, String awaited)
      throws InterruptedException {
    child.waitFor(1, TimeUnit.SECONDS);
    return new IOException("the app process (pid " + child.pid() + ") ended its output before "
        + awaited + " (" + (child.isAlive() ? "still running" : "exit " + child.exitValue())
        + ")");
  }

  static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) return;
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
        Files.delete(p);
      }
    }
  }
}
