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
 * Scheduler}; heartbeat bytes on a busy connection, counted from {@link
 * EventListener#heartbeatSent}.
 */
final class KeepAliveBenchmarks implements Benchmark {
  /** Short, so a quick run sees many intervals; the logic does not depend on the length. */
  static final long INTERVAL_MILLIS = 100;

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

      run.progress("heartbeat bytes on a busy connection");
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
              + " messages sent", heartbeats.get(), intervals, INTERVAL_MILLIS, sent)));
      busy.close();
    } finally {
      lifeline.shutdown(5, TimeUnit.SECONDS);
      scheduler.executor.shutdownNow();
      okHttp.dispatcher().executorService().shutdown();
      okHttp.connectionPool().evictAll();
    }
    return rows;
  }

  /** A one-thread {@link Scheduler} that counts the delayed tasks (timers) that ran. */
  static final class CountingScheduler implements Scheduler {
    /** Timer tasks ({@link #schedule}) that ran; immediate hops ({@link #execute}) not counted. */
    final AtomicLong timersRun = new AtomicLong();
    /** Timer tasks that ran, by name (a connection timer's name follows the connection's). */
    final java.util.Map<String, AtomicLong> byName = new java.util.concurrent.ConcurrentHashMap<>();
    /** The one thread, as Lifeline's own scheduler has. */
    final ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, "bench counting scheduler");
      t.setDaemon(true);
      return t;
    });

    CountingScheduler() {
      executor.setRemoveOnCancelPolicy(true);
    }

    @Override public void execute(Runnable task) {
      executor.execute(task);
    }

    @Override public Cancellable schedule(Runnable task, long delayMillis) {
      ScheduledFuture<?> f = executor.schedule(() -> {
        timersRun.incrementAndGet();
        String name = task.toString();
        name = name.contains("@") ? task.getClass().getName() : name.replaceAll(".* ", "");
        byName.computeIfAbsent(name, k -> new AtomicLong()).incrementAndGet();
        task.run();
      }, delayMillis, TimeUnit.MILLISECONDS);
      return () -> f.cancel(false);
    }
  }
}
