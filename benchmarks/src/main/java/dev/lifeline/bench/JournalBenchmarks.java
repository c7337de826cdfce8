package dev.lifeline.bench;

import dev.lifeline.AckMatcher;
import dev.lifeline.Connection;
import dev.lifeline.ConnectionListener;
import dev.lifeline.ConnectionOptions;
import dev.lifeline.EventListener;
import dev.lifeline.Lifeline;
import dev.lifeline.Message;
import dev.lifeline.OutboxJournal;
import dev.lifeline.OutboxPolicy;
import dev.lifeline.OutboxStore;
import dev.lifeline.StoredMessage;
import java.io.File;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import okhttp3.OkHttpClient;

/**
 * The durable outbox (issue 18): send throughput with a journal at each durability level against
 * the in-memory outbox on the same workload, and the time to restore 10,000 queued messages.
 *
 * <p><b>Workload.</b> Messages of {@value #MESSAGE_BYTES} bytes of text, each carrying its
 * {@link Message#id()} at the front (as an app that lets the server drop duplicates does), sent
 * to OkHttp's MockWebServer on 127.0.0.1 for one trial's time by 1, {@value #THREADS} or {@value
 * #MANY_THREADS} app threads, with at most {@value #IN_FLIGHT} messages between {@code send()}
 * and arrival (the same cap for both sides). Two delivery modes: at-most-once (the default) to a sink, where a message
 * has arrived once the server counted it; at-least-once to an echo, acknowledged by id, where it
 * has arrived once {@code onDelivered} ran, so the journal's removal is part of the work. The
 * journal side records each message before {@code send()} returns (and, at-most-once, marks it
 * sending before it is written), then removes it once settled; the in-memory side does none of
 * that. A journal connection and an in-memory one stay open for all of a row's rounds, which
 * alternate between them ({@link Rounds}).
 *
 * <p><b>Two rates per trial.</b> End to end: messages per second from the first {@code send()}
 * to the last arrival (the bar). {@code send()} calls: messages per second of the app threads'
 * time inside {@code send()} (1 / mean call time), what a sending thread pays; shown for
 * comparison. fsyncs are counted by a {@link CountingFileSystem} under the journal.
 */
final class JournalBenchmarks implements Benchmark {
  /** Size of each message's text, id included. */
  static final int MESSAGE_BYTES = 100;
  /** Messages per {@code sendAll} call in the burst rows. */
  static final int BURST = 50;
  /** Sending threads in the group-commit rows. */
  static final int THREADS = 4;
  /**
   * Sending threads in an extra group-commit row, shown for comparison: how the fsyncs per
   * message fall when more senders share one.
   */
  static final int MANY_THREADS = 16;
  /** The most messages between {@code send()} and arrival, for both sides (outbox limit 1000). */
  static final int IN_FLIGHT = 500;
  /** Messages in the journal the restore row reads. */
  static final int RESTORE_COUNT = 10_000;
  /** The bar for the process-death level, from issue 18. */
  static final double PROCESS_DEATH_BAR = 0.5;
  /** The bar for the power-loss level with group commit, from issue 18. */
  static final double POWER_LOSS_BAR = 0.2;
  /** The bar for restoring {@link #RESTORE_COUNT} messages, in ms, from issue 18. */
  static final double RESTORE_BAR_MILLIS = 200;

  /** The echo acknowledges a message: its key is the id at the front of the text. */
  static final AckMatcher BY_ID = new AckMatcher() {
    @Override public Object key(Message outbound) {
      return outbound.id();
    }

    @Override public Object acknowledgedKey(Message inbound) {
      if (!inbound.isText()) return null;
      int space = inbound.text().indexOf(' ');
      return space > 0 ? inbound.text().substring(0, space) : null;
    }
  };

  /** Fills a message up to {@link #MESSAGE_BYTES} after its id. */
  private static final String PADDING = new String(new char[MESSAGE_BYTES]).replace('\0', 'p');

  @Override public String name() {
    return "journal";
  }

  /** How one row sends. */
  private enum Mode {
    /** The default: settled once written; the server's count is the arrival. */
    AT_MOST_ONCE("at-most-once", "/sink"),
    /** Settled once the echo (by id) acknowledges it; {@code onDelivered} is the arrival. */
    AT_LEAST_ONCE("at-least-once (echo acks by id)", "/echo");

    /** For the row's name. */
    final String label;
    /** The server path. */
    final String path;

    Mode(String label, String path) {
      this.label = label;
      this.path = path;
    }
  }

  @Override public List<Row> run(BenchRun run) throws Exception {
    List<Row> rows = new ArrayList<>();
    Path dir = Files.createTempDirectory("lifeline-bench-journal");
    OkHttpClient okHttp = new OkHttpClient();
    Lifeline lifeline = Lifeline.builder().okHttpClient(okHttp).build();
    ExecutorService senders = Executors.newFixedThreadPool(MANY_THREADS, r -> {
      Thread t = new Thread(r, "bench sender");
      t.setDaemon(true);
      return t;
    });
    try (Servers.WebSocketServer ws = new Servers.WebSocketServer()) {
      Throughput t = new Throughput(run, lifeline, ws, dir.toFile(), senders);
      for (Mode mode : Mode.values()) {
        t.row(rows, OutboxJournal.Durability.PROCESS_DEATH, 1, mode, PROCESS_DEATH_BAR);
      }
      for (Mode mode : Mode.values()) {
        t.row(rows, OutboxJournal.Durability.POWER_LOSS, THREADS, mode, POWER_LOSS_BAR);
      }
      for (Mode mode : Mode.values()) {
        t.row(rows, OutboxJournal.Durability.POWER_LOSS, 1, BURST, mode, POWER_LOSS_BAR);
      }
      t.row(rows, OutboxJournal.Durability.POWER_LOSS, 1, Mode.AT_MOST_ONCE, Double.NaN);
      t.row(rows, OutboxJournal.Durability.POWER_LOSS, MANY_THREADS, Mode.AT_LEAST_ONCE,
          Double.NaN);
      rows.add(restore(run, lifeline, ws, dir.toFile()));
    } finally {
      senders.shutdownNow();
      lifeline.shutdown(5, TimeUnit.SECONDS);
      okHttp.dispatcher().executorService().shutdown();
      okHttp.connectionPool().evictAll();
      deleteTree(dir);
    }
    return rows;
  }

  /** A fresh message of {@link #MESSAGE_BYTES} bytes whose text starts with its id. */
  static Message message() {
    String id = Message.newId();
    return Message.text(id + " " + PADDING.substring(id.length() + 1)).withId(id);
  }

  /** The throughput rows: one journal connection against one in-memory connection per row. */
  private static final class Throughput {
    /** Rounds and trial length. */
    private final BenchRun run;
    /** The client both sides use. */
    private final Lifeline lifeline;
    /** The 127.0.0.1 server. */
    private final Servers.WebSocketServer ws;
    /** Where the journals go. */
    private final File dir;
    /** The app threads that call {@code send()}. */
    private final ExecutorService senders;
    /** Numbers the journals, one per row. */
    private int journals;

    Throughput(BenchRun run, Lifeline lifeline, Servers.WebSocketServer ws, File dir,
        ExecutorService senders) {
      this.run = run;
      this.lifeline = lifeline;
      this.ws = ws;
      this.dir = dir;
      this.senders = senders;
    }

    /**
     * Adds the end-to-end row (PASS/FAIL against {@code bar}, or a comparison when it is NaN) and
     * the {@code send()}-call row (a comparison).
     */
    void row(List<Row> rows, OutboxJournal.Durability level, int threads, Mode mode, double bar)
        throws Exception {
      row(rows, level, threads, 1, mode, bar);
    }

    /** As above, each thread sending {@code burst} messages per {@code sendAll} when above 1. */
    void row(List<Row> rows, OutboxJournal.Durability level, int threads, int burst, Mode mode,
        double bar) throws Exception {
      String what = level + " (" + mode.label + ", " + threads + " sending thread"
          + (threads == 1 ? "" : "s") + (burst > 1 ? ", bursts of " + burst + " per sendAll()"
              : level == OutboxJournal.Durability.POWER_LOSS
              ? threads == 1 ? ", one message at a time" : ", group commit" : "")
          + ")";
      run.progress("journal " + what);
      CountingFileSystem fs = new CountingFileSystem();
      OutboxStore store = OutboxJournal.builder(dir, "throughput-" + (++journals))
          .durability(level).fileSystem(fs).build();
      Side journal = new Side(lifeline, ws, mode, store);
      Side memory = new Side(lifeline, ws, mode, null);
      try {
        int n = run.rounds();
        long[] fsyncs = new long[n];
        long[] messages = new long[n];
        double[] journalCalls = new double[n];
        double[] memoryCalls = new double[n];
        int warm = run.quick() ? 1 : 2;
        // Rounds runs the warm-ups first: a trial with a negative index is not recorded.
        int[] journalRound = {-warm};
        int[] memoryRound = {-warm};
        Rounds.Result r = Rounds.interleave(warm, n, () -> {
          long before = fs.fsyncs.get();
          double rate = journal.trial(threads, burst, run.trialMillis(), senders);
          int i = journalRound[0]++;
          if (i >= 0) {
            fsyncs[i] = fs.fsyncs.get() - before;
            messages[i] = journal.lastSent;
            journalCalls[i] = journal.lastCallRate;
          }
          return rate;
        }, () -> {
          double rate = memory.trial(threads, burst, run.trialMillis(), senders);
          int i = memoryRound[0]++;
          if (i >= 0) memoryCalls[i] = memory.lastCallRate;
          return rate;
        });
        String name = "send throughput, journal at " + what + " vs the in-memory outbox, "
            + MESSAGE_BYTES + " B, end to end";
        Row e2e = Double.isNaN(bar) ? comparison(name, r)
            : Row.ratioAtLeast(name, "msg/s", r, bar);
        rows.add(withNote(e2e, e2e.note + "; " + fsyncNote(fsyncs, messages)
            + journal.refusedNote() + memory.refusedNote()));
        rows.add(comparison("send() call rate (messages / time inside the send calls), journal at " + what
            + " vs the in-memory outbox", new Rounds.Result(journalCalls, memoryCalls)));
      } finally {
        journal.close();
        memory.close();
      }
    }
  }

  /** fsyncs per 1,000 messages over the recorded rounds, median and range. */
  static String fsyncNote(long[] fsyncs, long[] messages) {
    double[] perThousand = new double[fsyncs.length];
    for (int i = 0; i < fsyncs.length; i++) {
      perThousand[i] = messages[i] == 0 ? Double.NaN : fsyncs[i] * 1000.0 / messages[i];
    }
    double[] s = perThousand.clone();
    Arrays.sort(s);
    return String.format(Locale.ROOT, "fsyncs per 1,000 messages %.1f (rounds %.1f…%.1f; %d"
        + " fsyncs for %d messages in all)", Rounds.median(perThousand), s[0], s[s.length - 1],
        Arrays.stream(fsyncs).sum(), Arrays.stream(messages).sum());
  }

  /** A row shown for comparison: the same cells as a ratio row, no verdict. */
  static Row comparison(String name, Rounds.Result r) {
    Row like = Row.ratioAtLeast(name, "msg/s", r, 0);
    return new Row(name, like.lifeline, like.anchor, like.measured, "comparison", true, like.note);
  }

  static Row withNote(Row r, String note) {
    return new Row(r.name, r.lifeline, r.anchor, r.measured, r.bar, r.pass, note);
  }

  /** One side of a throughput row: a connected connection and what counts as arrived. */
  private static final class Side {
    /** The connection, with a journal or without. */
    private final Connection connection;
    /** Arrivals: the server's count (at-most-once) or this connection's deliveries. */
    private final java.util.function.LongSupplier arrived;
    /** This connection's {@code onDelivered} calls. */
    private final AtomicLong delivered = new AtomicLong();
    /** {@code send()} calls that returned false, over all trials. */
    private final AtomicLong refused = new AtomicLong();
    /** The last failure reported through {@code onSendFailed}, for the note. */
    private final AtomicReference<String> lastFailure = new AtomicReference<>();
    /** Messages the last trial sent. */
    long lastSent;
    /** The last trial's {@code send()} calls per second of a sending thread's time inside it. */
    double lastCallRate;
    /** Whether the side has this journal: for the note. */
    private final boolean journaled;

    Side(Lifeline lifeline, Servers.WebSocketServer ws, Mode mode, OutboxStore store)
        throws InterruptedException {
      ConnectionOptions.Builder b = ConnectionOptions.builder(ws.url(mode.path))
          .outboxStore(store);
      if (mode == Mode.AT_LEAST_ONCE) b.atLeastOnce(BY_ID);
      connection = lifeline.newConnection(b.build(), ConnectionListener.builder()
          .onDelivered((c, m) -> delivered.incrementAndGet())
          .onSendFailed((c, m, reason) -> lastFailure.set(reason))
          .build());
      connection.connect();
      Clients.awaitConnected(connection);
      arrived = mode == Mode.AT_MOST_ONCE ? ws.received::get : delivered::get;
      journaled = store != null;
    }

    /**
     * Sends from {@code threads} threads for {@code millis}, at most {@link #IN_FLIGHT} ahead of
     * arrivals, then waits until every accepted message arrived; returns messages per second from
     * the first send to the last arrival.
     */
    double trial(int threads, int burst, long millis, ExecutorService senders) throws Exception {
      long base = arrived.getAsLong();
      AtomicLong sent = new AtomicLong();
      AtomicLong inSendNanos = new AtomicLong();
      AtomicLong calls = new AtomicLong();
      CountDownLatch go = new CountDownLatch(1);
      List<Future<?>> running = new ArrayList<>();
      long[] start = new long[1];
      for (int i = 0; i < threads; i++) {
        running.add(senders.submit(() -> {
          go.await();
          long end = start[0] + TimeUnit.MILLISECONDS.toNanos(millis);
          long mine = 0;
          long nanos = 0;
          List<Message> batch = new ArrayList<>(burst);
          while (System.nanoTime() < end) {
            if (sent.get() + burst - (arrived.getAsLong() - base) > IN_FLIGHT) {
              Thread.yield();
              continue;
            }
            if (burst == 1) {
              Message m = message();
              long t0 = System.nanoTime();
              boolean accepted = connection.send(m);
              nanos += System.nanoTime() - t0;
              mine++;
              if (accepted) sent.incrementAndGet();
              else refused.incrementAndGet();
              continue;
            }
            batch.clear();
            for (int k = 0; k < burst; k++) batch.add(message());
            long t0 = System.nanoTime();
            int accepted = connection.sendAll(batch);
            nanos += System.nanoTime() - t0;
            mine += burst;
            sent.addAndGet(accepted);
            refused.addAndGet(burst - accepted);
          }
          inSendNanos.addAndGet(nanos);
          calls.addAndGet(mine);
          return null;
        }));
      }
      start[0] = System.nanoTime();
      go.countDown();
      for (Future<?> f : running) f.get(millis + 30_000, TimeUnit.MILLISECONDS);
      long done = Clients.awaitCount(arrived, base + sent.get(),
          (journaled ? "journal" : "in-memory") + " messages arrived");
      lastSent = sent.get();
      lastCallRate = inSendNanos.get() == 0 ? 0 : calls.get() * 1e9 / inSendNanos.get();
      return sent.get() / ((done - start[0]) / 1e9);
    }

    String refusedNote() {
      return refused.get() == 0 ? "" : "; " + (journaled ? "journal" : "in-memory") + " side: "
          + refused.get() + " send() calls refused (last: " + lastFailure.get() + ")";
    }

    void close() throws InterruptedException {
      connection.close();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (!connection.state().isTerminal() && System.nanoTime() < deadline) Thread.sleep(1);
    }
  }

  /**
   * Restoring {@link #RESTORE_COUNT} queued messages: a journal holding that many unsettled
   * messages (written through the store, as a process that died would have left it), then the
   * time from {@code newConnection} until they are all back in its outbox. The connection is
   * at-least-once by id (so each restored message's ack key is asked again) and never connects.
   */
  static Row restore(BenchRun run, Lifeline lifeline, Servers.WebSocketServer ws, File dir)
      throws Exception {
    run.progress("journal restore of " + RESTORE_COUNT + " messages");
    int warm = run.quick() ? 2 : 3;
    double[] millis = new double[run.rounds()];
    long journalBytes = 0;
    for (int round = -warm; round < run.rounds(); round++) {
      String name = "restore-" + (round + warm);
      OutboxStore writer = OutboxJournal.builder(dir, name).build();
      writer.open();
      long now = System.currentTimeMillis();
      for (int i = 1; i <= RESTORE_COUNT; i++) {
        writer.add(new StoredMessage(i, message(), now, false));
      }
      writer.close();
      journalBytes = new File(dir, name + ".journal").length();

      AtomicLong restored = new AtomicLong(-1);
      AtomicLong reported = new AtomicLong(-1);
      ConnectionOptions options = ConnectionOptions.builder(ws.url("/echo"))
          .atLeastOnce(BY_ID)
          .outbox(OutboxPolicy.builder().maxMessages(RESTORE_COUNT)
              .maxBytes(64L * RESTORE_COUNT * MESSAGE_BYTES).build())
          .outboxStore(OutboxJournal.builder(dir, name).build())
          .eventListener(new EventListener() {
            @Override public void outboxRestored(Connection c, int r, int p, String damage) {
              restored.set(r);
              reported.set(p);
            }
          })
          .build();
      long t0 = System.nanoTime();
      Connection c = lifeline.newConnection(options, ConnectionListener.builder().build());
      long deadline = t0 + TimeUnit.SECONDS.toNanos(10);
      while (c.queuedMessages() < RESTORE_COUNT && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }
      long t1 = System.nanoTime();
      int queued = c.queuedMessages();
      c.close();
      if (queued != RESTORE_COUNT) {
        throw new IllegalStateException("restore: " + queued + " of " + RESTORE_COUNT
            + " messages back in the outbox " + (t1 - t0) / 1_000_000 + " ms after newConnection"
            + " (outboxRestored said restored " + restored.get() + ", reported "
            + reported.get() + ")");
      }
      if (round >= 0) millis[round] = (t1 - t0) / 1e6;
    }
    double[] s = millis.clone();
    Arrays.sort(s);
    return Row.valueAtMost("restore " + RESTORE_COUNT + " queued messages of " + MESSAGE_BYTES
            + " B from a journal: newConnection until queuedMessages() == " + RESTORE_COUNT, "ms",
        Rounds.median(millis), RESTORE_BAR_MILLIS, String.format(Locale.ROOT,
            "rounds %.1f…%.1f ms; journal %d bytes; at-least-once by id, not connected",
            s[0], s[s.length - 1], journalBytes));
  }

  /** Deletes the journals' temp directory and everything in it. */
  static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) return;
    Files.walkFileTree(root, new SimpleFileVisitor<Path>() {
      @Override public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
          throws IOException {
        Files.delete(file);
        return FileVisitResult.CONTINUE;
      }

      @Override public FileVisitResult postVisitDirectory(Path d, IOException e)
          throws IOException {
        Files.delete(d);
        return FileVisitResult.CONTINUE;
      }
    });
  }
}
