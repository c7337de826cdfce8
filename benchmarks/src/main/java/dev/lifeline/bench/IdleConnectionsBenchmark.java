package dev.lifeline.bench;

import dev.lifeline.ConnectionOptions;
import dev.lifeline.HeartbeatPolicy;
import dev.lifeline.Lifeline;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.ObjectName;
import okhttp3.Dispatcher;
import okhttp3.OkHttpClient;
import okhttp3.WebSocket;

/**
 * What many idle connections cost: N WebSocket connections from one Lifeline client, against N
 * raw OkHttp WebSockets from one OkHttpClient, to the same {@link IdleServer} in a child JVM (so
 * the server's sockets, threads and memory stay out of this JVM's figures). Raw first, then
 * Lifeline, each in two halves with a measurement after each: the per-connection figures are the
 * slope from N/2 to N, so what a client costs once (its pools, its OkHttpClient) stays out of
 * them, and a fixed cost shows as the same figure at N/2 and N.
 *
 * <p>Heap is what survives a full GC, from the class histogram of this JVM (the same one {@code
 * jcmd <pid> GC.class_histogram} prints), which also names the classes that hold Lifeline's
 * extra bytes. Idle means no app traffic, and no heartbeat either: the measurement ends well
 * within the default 55 s interval after the first Lifeline connection opened (the note says).
 */
final class IdleConnectionsBenchmark implements Benchmark {
  /** Threads Lifeline may add in all: its scheduler and its on-demand pools (callbacks, hooks). */
  static final int THREADS_BAR = 8;
  /** How much the added threads may differ between N/2 and N: noise, not growth. */
  static final int THREADS_GROWTH_BAR = 2;
  /** Heap per Lifeline connection at most this many times a raw OkHttp WebSocket's. */
  static final double HEAP_RATIO_BAR = 2.0;
  /** What Lifeline's WebSocket reader threads are named, before the URL. */
  private static final String READER_PREFIX = "Lifeline WebSocket reader ";
  /** The child server's lifetime: far beyond the full mode's few seconds, should this JVM hang. */
  private static final long SERVER_LIFETIME_SECONDS = 300;

  @Override public String name() {
    return "idle";
  }

  @Override public List<Row> run(BenchRun run) throws Exception {
    int n = run.quick() ? 250 : 1_000;
    String suffix = String.format(Locale.ROOT, ", N = %,d%s", n, run.quick() ? " (quick)" : "");
    run.progress("idle: " + n + " raw OkHttp WebSockets, then " + n + " Lifeline connections");
    try (IdleServer.Child server = new IdleServer.Child(SERVER_LIFETIME_SECONDS)) {
      String url = "ws://127.0.0.1:" + server.port + "/idle";
      warmUp(url);
      return measure(url, n, suffix);
    } catch (Exception e) {
      String why = e.getClass().getSimpleName() + ": " + e.getMessage();
      List<Row> failed = new ArrayList<>();
      failed.add(new Row(threadsName(suffix), "—", "—", "—", threadsBar(), false, why));
      failed.add(new Row(heapName(suffix), "—", "—", "—", heapBar(), false, why));
      return failed;
    }
  }

  private static String threadsName(String suffix) {
    return "idle WebSocket connections: threads Lifeline adds beyond raw OkHttp" + suffix;
  }

  private static String heapName(String suffix) {
    return "idle WebSocket connections: heap per connection after GC" + suffix;
  }

  private static String threadsBar() {
    return "≤ " + THREADS_BAR + ", not growing with N";
  }

  private static String heapBar() {
    return String.format(Locale.ROOT, "≤ %.0f× raw", HEAP_RATIO_BAR);
  }

  /** Loads the classes both sides use, so that class loading is not counted as connection heap. */
  private static void warmUp(String url) throws Exception {
    OkHttpClient okHttp = unlimitedClient();
    WireBenchmarks.rawWebSocket(okHttp, url, null).cancel();
    stop(okHttp);
    Lifeline lifeline = Lifeline.builder().build();
    WireBenchmarks.open(lifeline, ConnectionOptions.builder(url).build(), null);
    lifeline.shutdown(5, TimeUnit.SECONDS);
  }

  /** Like Lifeline's own client: no dispatcher limit, since each WebSocket holds a slot. */
  private static OkHttpClient unlimitedClient() {
    Dispatcher dispatcher = new Dispatcher();
    dispatcher.setMaxRequests(Integer.MAX_VALUE);
    dispatcher.setMaxRequestsPerHost(Integer.MAX_VALUE);
    return new OkHttpClient.Builder().dispatcher(dispatcher).build();
  }

  private static void stop(OkHttpClient okHttp) {
    okHttp.dispatcher().executorService().shutdown();
    okHttp.connectionPool().evictAll();
  }

  private static List<Row> measure(String url, int n, String suffix) throws Exception {
    int half = n / 2;
    Snapshot base = Snapshot.take();
    OkHttpClient okHttp = unlimitedClient();
    List<WebSocket> raw = new ArrayList<>();
    Lifeline lifeline = null;
    try {
      for (int i = 0; i < half; i++) raw.add(WireBenchmarks.rawWebSocket(okHttp, url, null));
      Snapshot raw1 = Snapshot.take();
      for (int i = half; i < n; i++) raw.add(WireBenchmarks.rawWebSocket(okHttp, url, null));
      Snapshot raw2 = Snapshot.take();
      lifeline = Lifeline.builder().build();
      ConnectionOptions options = ConnectionOptions.builder(url).build();
      long firstOpen = System.nanoTime();
      for (int i = 0; i < half; i++) WireBenchmarks.open(lifeline, options, null);
      Snapshot ll1 = Snapshot.take();
      for (int i = half; i < n; i++) WireBenchmarks.open(lifeline, options, null);
      Snapshot ll2 = Snapshot.take();
      double idleSeconds = (System.nanoTime() - firstOpen) / 1e9;
      List<Row> rows = new ArrayList<>();
      rows.add(threadsRow(suffix, half, base, raw1, raw2, ll1, ll2));
      rows.add(heapRow(suffix, half, raw1, raw2, ll1, ll2, idleSeconds));
      return rows;
    } finally {
      for (WebSocket ws : raw) ws.cancel();
      stop(okHttp);
      if (lifeline != null) lifeline.shutdown(10, TimeUnit.SECONDS);
    }
  }

  private static Row threadsRow(String suffix, int half, Snapshot base, Snapshot raw1,
      Snapshot raw2, Snapshot ll1, Snapshot ll2) {
    // Raw's threads at k connections: raw_k − base; Lifeline's: ll_k − raw2 (the raw ones stay).
    int addedAtHalf = (ll1.threads - raw2.threads) - (raw1.threads - base.threads);
    int addedAtN = (ll2.threads - raw2.threads) - (raw2.threads - base.threads);
    double rawPerConnection = (raw2.threads - raw1.threads) / (double) half;
    double llPerConnection = (ll2.threads - ll1.threads) / (double) half;
    String v = String.format(Locale.ROOT, "+%d (+%d at N/2)", addedAtN, addedAtHalf);
    String a = String.format(Locale.ROOT, "%.2f per connection", rawPerConnection);
    boolean pass = addedAtN <= THREADS_BAR
        && Math.abs(addedAtN - addedAtHalf) <= THREADS_GROWTH_BAR;
    String note = String.format(Locale.ROOT, "Lifeline %.2f threads per connection from N/2 to N"
        + " (its reader thread; raw OkHttp's reader holds a dispatcher thread); live threads: base %d, raw %d/%d, then Lifeline %d/%d;"
        + " Lifeline's own now: %s (its pools make threads on demand and keep idle ones 60 s:"
        + " busier bursts of app calls, from load or opens in parallel, raise the fixed figure)",
        llPerConnection, base.threads, raw1.threads, raw2.threads, ll1.threads, ll2.threads,
        lifelineThreads());
    return new Row(threadsName(suffix), v, a, String.format(Locale.ROOT, "+%d fixed, %+.3f per"
        + " connection", addedAtN, (addedAtN - addedAtHalf) / (double) half), threadsBar(), pass,
        note);
  }

  /**
   * Lifeline's threads by name, e.g. {Lifeline scheduler=1, Lifeline callbacks=2}; the reader
   * threads, named after their URL, counted as one name.
   */
  private static String lifelineThreads() {
    Map<String, Integer> byName = new java.util.TreeMap<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      String name = t.getName();
      if (!name.startsWith("Lifeline")) continue;
      if (name.startsWith(READER_PREFIX)) name = READER_PREFIX + "…";
      byName.merge(name, 1, Integer::sum);
    }
    return byName.toString();
  }

  private static Row heapRow(String suffix, int half, Snapshot raw1, Snapshot raw2, Snapshot ll1,
      Snapshot ll2, double idleSeconds) {
    double rawPer = (raw2.heapBytes - raw1.heapBytes) / (double) half;
    double llPer = (ll2.heapBytes - ll1.heapBytes) / (double) half;
    double ratio = llPer / rawPer;
    String note = String.format(Locale.ROOT, "Lifeline's extra per connection, by class: %s;"
        + " %.0f s from the first Lifeline open to the last measurement, within the 55 s"
        + " heartbeat interval: no beat, no ping%s; thread stacks are native memory, not heap",
        extraByClass(half, raw1, raw2, ll1, ll2), idleSeconds,
        idleSeconds < HeartbeatPolicy.DEFAULT_INTERVAL_MILLIS / 1e3 ? "" : " (NOT: beats may"
            + " have run)");
    return new Row(heapName(suffix), kib(llPer), kib(rawPer),
        String.format(Locale.ROOT, "%.2f×", ratio), heapBar(), ratio <= HEAP_RATIO_BAR, note);
  }

  /** The classes that grow more per Lifeline connection than per raw one, largest first. */
  private static String extraByClass(int half, Snapshot raw1, Snapshot raw2, Snapshot ll1,
      Snapshot ll2) {
    Map<String, double[]> extra = new HashMap<>();
    for (String c : ll2.histogram.keySet()) {
      long[] l1 = ll1.histogram.getOrDefault(c, new long[2]);
      long[] l2 = ll2.histogram.get(c);
      long[] r1 = raw1.histogram.getOrDefault(c, new long[2]);
      long[] r2 = raw2.histogram.getOrDefault(c, new long[2]);
      double bytes = ((l2[1] - l1[1]) - (r2[1] - r1[1])) / (double) half;
      double count = ((l2[0] - l1[0]) - (r2[0] - r1[0])) / (double) half;
      extra.put(c, new double[] {count, bytes});
    }
    List<Map.Entry<String, double[]>> sorted = new ArrayList<>(extra.entrySet());
    sorted.sort((x, y) -> Double.compare(y.getValue()[1], x.getValue()[1]));
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < Math.min(8, sorted.size()); i++) {
      Map.Entry<String, double[]> e = sorted.get(i);
      if (i > 0) s.append(", ");
      s.append(simpleName(e.getKey())).append(' ').append(Math.round(e.getValue()[1]))
          .append(" B (").append(String.format(Locale.ROOT, "%.1f", e.getValue()[0])).append(')');
    }
    return s.toString();
  }

  /** "[Ljava.lang.Object;" → "Object[]", "[B" → "byte[]", "a.b.Timers$Timer" → "Timers$Timer". */
  private static String simpleName(String histogramName) {
    String name = histogramName;
    String dims = "";
    while (name.startsWith("[")) {
      dims += "[]";
      name = name.substring(1);
    }
    if (!dims.isEmpty()) {
      name = name.startsWith("L") ? name.substring(1, name.length() - 1) : primitive(name);
    }
    return name.substring(name.lastIndexOf('.') + 1) + dims;
  }

  private static String primitive(String code) {
    switch (code) {
      case "B": return "byte";
      case "C": return "char";
      case "I": return "int";
      case "J": return "long";
      case "S": return "short";
      case "Z": return "boolean";
      case "F": return "float";
      default: return "double";
    }
  }

  private static String kib(double bytes) {
    return String.format(Locale.ROOT, "%.1f KiB", bytes / 1024);
  }

  /** Live threads and the live heap by class, after a full GC. */
  private static final class Snapshot {
    /** One histogram line: " 12: 3456 789012 java.lang.String (java.base@17)". */
    private static final Pattern LINE = Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+)");

    final int threads;
    /** Class name → {instances, bytes}; classes of the same name in several loaders added up. */
    final Map<String, long[]> histogram = new HashMap<>();
    long heapBytes;

    private Snapshot(int threads) {
      this.threads = threads;
    }

    /** Lets callbacks and pool threads of the last opens finish first. */
    static Snapshot take() throws Exception {
      Thread.sleep(300);
      Snapshot s = new Snapshot(ManagementFactory.getThreadMXBean().getThreadCount());
      // The GC.class_histogram diagnostic command: a full GC, then live objects by class.
      String text = (String) ManagementFactory.getPlatformMBeanServer().invoke(
          new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
          new Object[] {new String[0]}, new String[] {String[].class.getName()});
      for (String line : text.split("\n")) {
        Matcher m = LINE.matcher(line);
        if (!m.find()) continue;
        long[] v = s.histogram.computeIfAbsent(m.group(3), k -> new long[2]);
        v[0] += Long.parseLong(m.group(1));
        v[1] += Long.parseLong(m.group(2));
        s.heapBytes += Long.parseLong(m.group(2));
      }
      return s;
    }
  }
}
