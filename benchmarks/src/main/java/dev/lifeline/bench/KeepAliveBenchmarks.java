package dev.lifeline.bench;

import dev.lifeline.Cancellable;
import dev.lifeline.Connection;
import dev.lifeline.ConnectionOptions;
import dev.lifeline.EventListener;
import dev.lifeline.HeartbeatPolicy;
import dev.lifeline.Lifeline;
import dev.lifeline.Message;
import dev.lifeline.Scheduler;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import okhttp3.OkHttpClient;

/**
 * What keeping a connection alive costs when nothing else happens, and when the app is busy:
 * timer wake-ups per idle connection per heartbeat interval, counted by an instrumented {@link
 * Scheduler}; the radio wake-ups of a client whose three idle connections beat at 25 s, 45 s and
 * 55 s (scaled down 100 times), with the heartbeats aligned and without; heartbeat bytes on a
 * busy connection among aligned idle ones, counted from {@link EventListener#heartbeatSent}.
 */
final class KeepAliveBenchmarks implements Benchmark {
  /** Short, so a quick run sees many intervals; the logic does not depend on the length. */
  static final long INTERVAL_MILLIS = 100;
  /** The issue's three heartbeats, 25 s, 45 s and 55 s, scaled down by {@link #SCALE}. */
  static final long[] ALIGNED_INTERVALS_MILLIS = {250, 450, 550};
  /** Real time runs this many times faster than the intervals it stands for. */
  static final int SCALE = 100;
  /** Timer firings closer than this belong to one wake-up of the device. */
  static final long SAME_WAKE_UP_MILLIS = 5;

  @Override public String name() {
    return "keepalive";
  }

  @Override public List<Row> run(BenchRun run) throws Exception {
    List<Row> rows = new ArrayList<>();
    int intervals = run.quick() ? 20 : 100;
    OkHttpClient okHttp = new OkHttpClient();
    CountingScheduler scheduler = new CountingScheduler();
    Lifeline lifeline = Lifeline.builder().okHttpClient(okHttp).scheduler(scheduler).build();
    try (Servers.WebSocketServer ws = new Servers.WebSocketServer()) {
      run.progress("timer wake-ups on an idle connection");
      HeartbeatPolicy heartbeat = HeartbeatPolicy.builder()
          .interval(INTERVAL_MILLIS, TimeUnit.MILLISECONDS).build();
      Connection idle = WireBenchmarks.open(lifeline,
          ConnectionOptions.builder(ws.url("/echo")).heartbeat(heartbeat).build(), null);
      Thread.sleep(2 * INTERVAL_MILLIS); // Past connecting: its deadline timer is not idle cost.
      scheduler.byName.clear();
      long before = scheduler.timersRun.get();
      long t0 = System.nanoTime();
      Thread.sleep(intervals * INTERVAL_MILLIS);
      double elapsedIntervals = (System.nanoTime() - t0) / 1e6 / INTERVAL_MILLIS;
      double perInterval = (scheduler.timersRun.get() - before) / elapsedIntervals;
      rows.add(Row.valueAtMost("timer wake-ups per idle connection per heartbeat interval", "",
          Math.round(perInterval * 1000) / 1000.0, 1.0, String.format(Locale.ROOT,
              "%d timer tasks in %.1f intervals of %d ms (instrumented Scheduler): %s",
              scheduler.timersRun.get() - before, elapsedIntervals, INTERVAL_MILLIS,
              scheduler.byName)));
      idle.close();

      run.progress("radio wake-ups of 3 idle connections (25/45/55 s, scaled 1/100)");
      long measureMillis = run.quick() ? 10_000 : 25_000; // Short of the 30 s stable period.
      double aligned = wakeUpsPerHour(ws, HeartbeatPolicy.DEFAULT_ALIGNMENT_SLACK, measureMillis);
      double separate = wakeUpsPerHour(ws, 0, measureMillis);
      double limit = 3_600.0 / 25;
      rows.add(Row.valueAtMost("radio wake-ups per hour, 3 idle connections with 25 s, 45 s and"
          + " 55 s heartbeats", "", Math.round(aligned * 10) / 10.0, 1.1 * limit,
          String.format(Locale.ROOT, "alignment slack %.1f; limit %.0f (one per 25 s), bar 1.1x;"
              + " with slack 0 (before): %.1f (sum of the three: %.1f); 127.0.0.1 echo server,"
              + " intervals %s ms over %.0f s (x%d), firings within %d ms are one wake-up",
              HeartbeatPolicy.DEFAULT_ALIGNMENT_SLACK, limit, separate,
              3_600.0 / 25 + 3_600.0 / 45 + 3_600.0 / 55,
              java.util.Arrays.toString(ALIGNED_INTERVALS_MILLIS), measureMillis / 1000.0, SCALE,
              SAME_WAKE_UP_MILLIS)));

      run.progress("heartbeat bytes on a busy connection");
      // Two idle connections on the same client wake every interval; the busy one, sending ten
      // times per interval, is never in a heartbeat's window and must not ride them.
      List<Connection> idleOnes = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        idleOnes.add(WireBenchmarks.open(lifeline, ConnectionOptions.builder(ws.url("/echo"))
            .heartbeat(heartbeat).build(), null));
      }
      AtomicLong heartbeatBytes = new AtomicLong();
      AtomicLong heartbeats = new AtomicLong();
      EventListener events = new EventListener() {
        @Override public void heartbeatSent(Connection c, Message m) {
          heartbeats.incrementAndGet();
          heartbeatBytes.addAndGet(m.byteCount());
        }
      };
      Connection busy = WireBenchmarks.open(lifeline, ConnectionOptions.builder(ws.url("/echo"))
          .heartbeat(heartbeat).eventListener(events).build(), null);
      long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(intervals * INTERVAL_MILLIS);
      long sent = 0;
      while (System.nanoTime() < end) {
        busy.send(WireBenchmarks.MESSAGE);
        sent++;
        Thread.sleep(INTERVAL_MILLIS / 10); // Ten app messages per interval, each echoed.
      }
      rows.add(Row.valueAtMost("heartbeat bytes on a busy connection", "B", heartbeatBytes.get(),
          0, String.format(Locale.ROOT, "%d heartbeats over %d intervals of %d ms with %d app"
              + " messages sent, beside 2 idle connections (alignment slack %.1f)",
              heartbeats.get(), intervals, INTERVAL_MILLIS, sent,
              HeartbeatPolicy.DEFAULT_ALIGNMENT_SLACK)));
      busy.close();
      for (Connection c : idleOnes) c.close();
    } finally {
      lifeline.shutdown(5, TimeUnit.SECONDS);
      scheduler.executor.shutdownNow();
      okHttp.dispatcher().executorService().shutdown();
      okHttp.connectionPool().evictAll();
    }
    return rows;
  }

  /**
   * A client of its own with three idle connections at {@link #ALIGNED_INTERVALS_MILLIS} and the
   * given slack: its scheduler's wake-ups over {@code measureMillis}, scaled to an hour of the
   * unscaled intervals.
   */
  private static double wakeUpsPerHour(Servers.WebSocketServer ws, double slack,
      long measureMillis) throws Exception {
    OkHttpClient okHttp = new OkHttpClient();
    CountingScheduler scheduler = new CountingScheduler();
    Lifeline lifeline = Lifeline.builder().okHttpClient(okHttp).scheduler(scheduler).build();
    try {
      for (long interval : ALIGNED_INTERVALS_MILLIS) {
        WireBenchmarks.open(lifeline, ConnectionOptions.builder(ws.url("/echo"))
            .heartbeat(HeartbeatPolicy.builder().interval(interval, TimeUnit.MILLISECONDS)
                .alignmentSlack(slack).build()).build(), null);
      }
      Thread.sleep(200); // Past connecting: the attempt deadlines are not idle cost.
      long from = System.nanoTime();
      Thread.sleep(measureMillis);
      long to = System.nanoTime();
      int wakeUps = scheduler.wakeUps(from, to, TimeUnit.MILLISECONDS.toNanos(SAME_WAKE_UP_MILLIS));
      double scaledHours = (to - from) / 1e6 * SCALE / 3_600_000.0;
      return wakeUps / scaledHours;
    } finally {
      lifeline.shutdown(5, TimeUnit.SECONDS);
      scheduler.executor.shutdownNow();
      okHttp.dispatcher().executorService().shutdown();
      okHttp.connectionPool().evictAll();
    }
  }

  /** A one-thread {@link Scheduler} that counts the delayed tasks (timers) that ran. */
  static final class CountingScheduler implements Scheduler {
    /** Timer tasks ({@link #schedule}) that ran; immediate hops ({@link #execute}) not counted. */
    final AtomicLong timersRun = new AtomicLong();
    /** Timer tasks that ran, by name (a connection timer's name follows the connection's). */
    final java.util.Map<String, AtomicLong> byName = new java.util.concurrent.ConcurrentHashMap<>();
    /** When each timer task ran ({@link System#nanoTime()}), in order: one thread runs them. */
    private final List<Long> firedAtNanos = new ArrayList<>();
    /** The one thread, as Lifeline's own scheduler has. */
    final ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, "bench counting scheduler");
      t.setDaemon(true);
      return t;
    });

    CountingScheduler() {
      executor.setRemoveOnCancelPolicy(true);
    }

    /**
     * The wake-ups between {@code fromNanos} and {@code toNanos}: timer firings, those within
     * {@code sameNanos} of the wake-up's first counted as one.
     */
    int wakeUps(long fromNanos, long toNanos, long sameNanos) {
      int count = 0;
      long wakeUpAt = Long.MIN_VALUE;
      synchronized (firedAtNanos) {
        for (long at : firedAtNanos) {
          if (at < fromNanos || at > toNanos) continue;
          if (count == 0 || at - wakeUpAt > sameNanos) {
            count++;
            wakeUpAt = at;
          }
        }
      }
      return count;
    }

    @Override public void execute(Runnable task) {
      executor.execute(task);
    }

    @Override public Cancellable schedule(Runnable task, long delayMillis) {
      ScheduledFuture<?> f = executor.schedule(() -> {
        timersRun.incrementAndGet();
        synchronized (firedAtNanos) {
          firedAtNanos.add(System.nanoTime());
        }
        String name = task.toString();
        name = name.contains("@") ? task.getClass().getName() : name.replaceAll(".* ", "");
        byName.computeIfAbsent(name, k -> new AtomicLong()).incrementAndGet();
        task.run();
      }, delayMillis, TimeUnit.MILLISECONDS);
      return () -> f.cancel(false);
    }
  }
}
