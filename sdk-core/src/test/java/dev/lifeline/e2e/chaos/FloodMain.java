package dev.lifeline.e2e.chaos;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;

import dev.lifeline.Connection;
import dev.lifeline.ConnectionListener;
import dev.lifeline.ConnectionOptions;
import dev.lifeline.ConnectionState;
import dev.lifeline.Lifeline;
import dev.lifeline.Logger;
import dev.lifeline.ReconnectPolicy;
import com.sun.management.GarbageCollectorMXBean;
import com.sun.management.GcInfo;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import okio.ByteString;

/**
 * The child of {@link HostileFloodTest}, run in a JVM of its own with a small heap, so that an
 * out-of-memory regression fails one test instead of killing the build. It starts a {@link
 * FloodServer} with the flood named by its first argument, connects Lifeline (defaults, as an app
 * would) with a listener stuck in its first {@code onMessage}, samples the heap for the seconds
 * given as the second argument, and prints what it measured as {@code RESULT key=value} lines,
 * the connection's states as {@code STATE} lines and any uncaught exception as {@code UNCAUGHT}.
 * It exits 0 when it ran to the end.
 */
public final class FloodMain {
  private FloodMain() {}

  /** The stuck listener waits here; released at the end. */
  private static final CountDownLatch release = new CountDownLatch(1);
  private static final List<String> states = new CopyOnWriteArrayList<>();
  private static final AtomicLong messages = new AtomicLong();

  public static void main(String[] args) throws Exception {
    FloodServer.Flood flood = FloodServer.Flood.valueOf(args[0]);
    long runMillis = Long.parseLong(args[1]);
    Thread.setDefaultUncaughtExceptionHandler((t, e) ->
        System.out.println("UNCAUGHT " + t.getName() + ": " + e));
    Thread watchdog = new Thread(() -> {
      LockSupport.parkNanos(MILLISECONDS.toNanos(runMillis + 15_000));
      System.out.println("RESULT hung=true");
      Runtime.getRuntime().halt(4);
    }, "FloodMain watchdog");
    watchdog.setDaemon(true);
    watchdog.start();

    HeapPeak heap = new HeapPeak();
    heap.start();
    FloodServer server = new FloodServer(flood);
    Lifeline lifeline = Lifeline.builder().logger(Logger.NONE).build();
    ConnectionOptions options = ConnectionOptions.builder(server.url())
        .reconnect(ReconnectPolicy.builder().baseDelay(200, MILLISECONDS)
            .maxDelay(1, SECONDS).build())
        .build();
    Connection c = lifeline.newConnection(options, new ConnectionListener() {
      @Override public void onStateChanged(Connection connection, ConnectionState state) {
        states.add(state.kind() + " | " + oneLine(state.reason()));
      }

      @Override public void onMessage(Connection connection, String text) {
        stuck();
      }

      @Override public void onMessage(Connection connection, ByteString bytes) {
        stuck();
      }
    });
    long start = System.nanoTime();
    c.connect();
    LockSupport.parkNanos(MILLISECONDS.toNanos(runMillis));
    long ranMillis = (System.nanoTime() - start) / 1_000_000;

    heap.finish();
    System.out.println("RESULT flood=" + flood);
    System.out.println("RESULT ranMillis=" + ranMillis);
    System.out.println("RESULT maxHeapMiB=" + mib(Runtime.getRuntime().maxMemory()));
    System.out.println("RESULT peakUsedMiB=" + mib(heap.peakUsed));
    System.out.println("RESULT peakAfterGcMiB=" + mib(heap.peakAfterGc));
    System.out.println("RESULT serverConnections=" + server.connections());
    System.out.println("RESULT serverBytesWritten=" + server.bytesWritten());
    System.out.println("RESULT serverMillisSinceLastWrite=" + server.millisSinceLastWrite());
    System.out.println("RESULT clientClose=" + server.clientClose());
    System.out.println("RESULT listenerCalls=" + messages.get());
    System.out.println("RESULT finalState=" + c.state().kind() + " | " + oneLine(c.state().reason()));
    for (String s : states) System.out.println("STATE " + s);
    System.out.flush();

    release.countDown();
    c.close();
    lifeline.shutdown(3, SECONDS);
    server.close();
    System.out.println("RESULT done=true");
    System.exit(0);
  }

  private static void stuck() {
    messages.incrementAndGet();
    try {
      release.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static String oneLine(String s) {
    if (s == null) return "";
    String line = s.replace('\n', ' ').replace('\r', ' ');
    return line.length() > 300 ? line.substring(0, 300) + "…" : line;
  }

  private static long mib(long bytes) {
    return bytes / (1024 * 1024);
  }

  /**
   * Samples the heap every 5 ms: the most used at once (garbage included) and the most still in
   * use right after a collection, over every pool (what the program really holds: the figure that
   * must stay bounded). A collection between two samples is missed only if another follows
   * within 5 ms; the last one of each collector is always seen.
   */
  private static final class HeapPeak extends Thread {
    volatile long peakUsed;
    volatile long peakAfterGc;
    private volatile boolean running = true;

    HeapPeak() {
      super("FloodMain heap sampler");
      setDaemon(true);
    }

    @Override public void run() {
      List<MemoryPoolMXBean> pools = ManagementFactory.getMemoryPoolMXBeans();
      Set<String> heapPools = new HashSet<>();
      for (MemoryPoolMXBean pool : pools) {
        if (pool.getType() == MemoryType.HEAP) heapPools.add(pool.getName());
      }
      List<GarbageCollectorMXBean> collectors = new ArrayList<>();
      for (java.lang.management.GarbageCollectorMXBean gc
          : ManagementFactory.getGarbageCollectorMXBeans()) {
        if (gc instanceof GarbageCollectorMXBean) collectors.add((GarbageCollectorMXBean) gc);
      }
      long samples = 0;
      while (running) {
        long used = 0;
        for (MemoryPoolMXBean pool : pools) {
          if (pool.getType() == MemoryType.HEAP) used += pool.getUsage().getUsed();
        }
        peakUsed = Math.max(peakUsed, used);
        for (GarbageCollectorMXBean gc : collectors) {
          GcInfo last = gc.getLastGcInfo(); // Every pool right after the collection.
          if (last == null) continue;
          long afterGc = 0;
          for (Map.Entry<String, MemoryUsage> e : last.getMemoryUsageAfterGc().entrySet()) {
            if (heapPools.contains(e.getKey())) afterGc += e.getValue().getUsed();
          }
          peakAfterGc = Math.max(peakAfterGc, afterGc);
        }
        if (++samples % 50 == 0) { // Every 250 ms: shows the growth if the JVM dies.
          System.out.println("HEAP used " + mib(used) + " MiB, after GC " + mib(peakAfterGc)
              + " MiB (peak)");
        }
        LockSupport.parkNanos(MILLISECONDS.toNanos(5));
      }
    }

    void finish() {
      running = false;
    }
  }
}
