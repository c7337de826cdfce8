package dev.lifeline.e2e.chaos;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import dev.lifeline.AckMatcher;
import dev.lifeline.Connection;
import dev.lifeline.ConnectionListener;
import dev.lifeline.ConnectionOptions;
import dev.lifeline.ConnectionState;
import dev.lifeline.HeartbeatPolicy;
import dev.lifeline.Lifeline;
import dev.lifeline.Message;
import dev.lifeline.ReconnectPolicy;
import dev.lifeline.e2e.FaultProxy;
import dev.lifeline.e2e.WebSocketServerFixture;
import java.io.Closeable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import okhttp3.OkHttpClient;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * The chaos soak: four numbered streams ({@code "msg:1"}, {@code "msg:2"}, …) run at once, over
 * WebSocket and {@code tcp://}, each in at-least-once and at-most-once mode, each through its own
 * {@link FaultProxy}, while one schedule cycles every proxy through pass, latency, pause,
 * blackhole, reset, FIN-close and refuse for {@code -Dlifeline.soakSeconds} (default 60) in total.
 * Then the faults stop, the senders stop, and every stream is given a bounded time to drain.
 *
 * <p>What must hold (docs/behaviour.md, "Sending and delivery"):
 *
 * <ul>
 *   <li>at-least-once: every accepted number is acknowledged ({@code onDelivered}) exactly once,
 *       and the numbers the server saw, without repeats, are 1..N in order;
 *   <li>at-most-once: no number reaches the server twice, and every accepted number either
 *       reached it or was reported through {@code onSendFailed}.
 * </ul>
 *
 * <p>The streams run in {@link #soak()} once for the class; each test checks one stream, so a
 * failure names the stream. Each stream prints one summary line: sent / delivered (or received)
 * / duplicates / reported / reconnects.
 */
public final class ChaosSoakTest {
  /**
   * Total time the faults cycle, shared by the four streams. 60 s by default: every fault comes
   * round several times. sdk-core's tests run in two JVMs (its pom), so the soak overlaps the
   * rest of the suite and the whole CI build stays under 3 min on 2 cores. Longer soaks:
   * {@code -Dlifeline.soakSeconds=600}.
   */
  private static final long SOAK_MILLIS =
      SECONDS.toMillis(Long.getLong("lifeline.soakSeconds", 60));
  /** After the faults: how long the streams may take to drain before the checks. */
  private static final long DRAIN_MILLIS = 15_000;
  /** One number per stream every this. */
  private static final long SEND_INTERVAL_MILLIS = 10;

  /** One fault and how long it lasts before the next. */
  private static final class Step {
    final String name;
    final long millis;
    final java.util.function.Consumer<FaultProxy> apply;

    Step(String name, long millis, java.util.function.Consumer<FaultProxy> apply) {
      this.name = name;
      this.millis = millis;
      this.apply = apply;
    }
  }

  /** The cycle: each fault on a live stream, with passes between so that streams recover. */
  private static final List<Step> SCHEDULE = Arrays.asList(
      new Step("pass", 2_000, FaultProxy::pass),
      new Step("latency 150 ms", 2_000, p -> p.latency(150)),
      new Step("short pause 0.6 s", 600, FaultProxy::pause),
      new Step("pass", 2_000, FaultProxy::pass),
      new Step("blackhole 2.5 s", 2_500, FaultProxy::blackhole),
      new Step("pass", 2_000, FaultProxy::pass),
      new Step("reset", 2_000, p -> {
        p.reset();
      }),
      new Step("FIN-close", 2_000, FaultProxy::closeConnections),
      new Step("refuse 2 s (live ones reset)", 2_000, p -> {
        p.refuse();
        p.reset();
      }),
      new Step("pass", 2_000, FaultProxy::pass),
      new Step("long pause 2.5 s", 2_500, FaultProxy::pause),
      new Step("pass", 2_000, FaultProxy::pass));

  /** Acknowledgements carry the number: {@code "msg:N"} is acknowledged by {@code "ack:N"}. */
  private static final AckMatcher ACKS = new AckMatcher() {
    @Override public Object key(Message out) {
      return out.isText() && out.text().startsWith("msg:") ? out.text().substring(4) : null;
    }

    @Override public Object acknowledgedKey(Message in) {
      return in.isText() && in.text().startsWith("ack:") ? in.text().substring(4) : null;
    }
  };

  /** What a stream's server received, as the sequence of numbers in arrival order. */
  private interface Received {
    List<Integer> numbers();
  }

  /** One numbered stream: its connection, what was sent, what came back, what the server saw. */
  private static final class Stream extends ConnectionListener {
    final String name;
    final boolean atLeastOnce;
    final FaultProxy proxy;
    final Received server;
    Connection connection;
    /** Numbers send() accepted, in order. */
    final List<Integer> accepted = new CopyOnWriteArrayList<>();
    /** send() returned false: e.g. the outbox was full; the same number is tried again. */
    final AtomicInteger rejected = new AtomicInteger();
    /** onDelivered per number (at-least-once). */
    final Map<Integer, AtomicInteger> delivered = new ConcurrentHashMap<>();
    /** Numbers reported through onSendFailed after send() accepted them, with the reasons. */
    final Map<Integer, String> reported = new ConcurrentHashMap<>();
    /** Reasons of onSendFailed, by their first words, with counts. */
    final Map<String, AtomicInteger> reasons = new ConcurrentHashMap<>();
    final AtomicInteger connectedCount = new AtomicInteger();
    final List<String> lossReasons = new CopyOnWriteArrayList<>();
    volatile boolean drained;
    volatile String summary = "(not run)";

    Stream(String name, boolean atLeastOnce, FaultProxy proxy, Received server) {
      this.name = name;
      this.atLeastOnce = atLeastOnce;
      this.proxy = proxy;
      this.server = server;
    }

    @Override public void onStateChanged(Connection c, ConnectionState state) {
      if (state.kind() == ConnectionState.Kind.CONNECTED) connectedCount.incrementAndGet();
      if (state.reason() != null && lossReasons.size() < 200) lossReasons.add(state.toString());
    }

    @Override public void onDelivered(Connection c, Message message) {
      delivered.computeIfAbsent(number(message), k -> new AtomicInteger()).incrementAndGet();
    }

    @Override public void onSendFailed(Connection c, Message message, String reason) {
      int n = number(message);
      if (n > 0) reported.put(n, reason);
      String kind = reason.length() > 40 ? reason.substring(0, 40) + "…" : reason;
      reasons.computeIfAbsent(kind, k -> new AtomicInteger()).incrementAndGet();
    }

    static int number(Message m) {
      return m.isText() && m.text().startsWith("msg:") ? Integer.parseInt(m.text().substring(4)) : -1;
    }

    /** Sends the next number every interval until {@code endNanos}; a refused number is retried. */
    void sendUntil(long endNanos) {
      int next = 1;
      while (System.nanoTime() - endNanos < 0) {
        if (connection.send("msg:" + next)) {
          accepted.add(next++);
        } else {
          rejected.incrementAndGet();
        }
        LockSupport.parkNanos(MILLISECONDS.toNanos(SEND_INTERVAL_MILLIS));
      }
    }

    /** True once every accepted number is accounted for and nothing waits in the outbox. */
    boolean accountedFor() {
      if (connection.queuedMessages() > 0) return false;
      if (atLeastOnce) return delivered.keySet().containsAll(accepted);
      Set<Integer> seen = new HashSet<>(server.numbers());
      for (int n : accepted) if (!seen.contains(n) && !reported.containsKey(n)) return false;
      return true;
    }

    int reconnects() {
      return Math.max(0, connectedCount.get() - 1);
    }
  }

  private static final List<Closeable> toClose = new ArrayList<>();
  private static final List<Stream> streams = new ArrayList<>();
  private static Lifeline lifeline;
  private static long soakWallMillis;
  private static final List<String> faultLog = new CopyOnWriteArrayList<>();

  @BeforeClass public static void soak() throws Exception {
    OkHttpClient ok = new OkHttpClient.Builder().connectTimeout(2, SECONDS).build();
    lifeline = Lifeline.builder().okHttpClient(ok).build();

    WebSocketServerFixture wsAcking = closeLater(new WebSocketServerFixture());
    wsAcking.ackFrom = 0;
    WebSocketServerFixture wsPlain = closeLater(new WebSocketServerFixture());
    LineServer tcpAcking = closeLater(new LineServer(true, 300));
    LineServer tcpPlain = closeLater(new LineServer(false, 300));

    streams.add(new Stream("ws  at-least-once", true,
        closeLater(new FaultProxy(wsAcking.address())), () -> numbers(wsAcking.received)));
    streams.add(new Stream("ws  at-most-once ", false,
        closeLater(new FaultProxy(wsPlain.address())), () -> numbers(wsPlain.received)));
    streams.add(new Stream("tcp at-least-once", true,
        closeLater(new FaultProxy(tcpAcking.address())), () -> numbers(tcpAcking.received)));
    streams.add(new Stream("tcp at-most-once ", false,
        closeLater(new FaultProxy(tcpPlain.address())), () -> numbers(tcpPlain.received)));

    for (Stream s : streams) {
      boolean ws = s.name.startsWith("ws");
      String url = (ws ? "ws" : "tcp") + "://127.0.0.1:" + s.proxy.port() + (ws ? "/socket" : "");
      HeartbeatPolicy.Builder hb = HeartbeatPolicy.builder().interval(1, SECONDS).textPayload("hb");
      if (ws) {
        hb.protocolPingInterval(1, SECONDS); // A dead path is found within 1–2 s.
      } else {
        hb.serverTimeout(2, SECONDS); // The server beats every 300 ms.
      }
      ConnectionOptions.Builder options = ConnectionOptions.builder(url)
          .heartbeat(hb.build())
          .reconnect(ReconnectPolicy.builder().baseDelay(100, MILLISECONDS)
              .maxDelay(500, MILLISECONDS).build())
          .attemptTimeout(2, SECONDS);
      if (s.atLeastOnce) options.atLeastOnce(ACKS);
      s.connection = lifeline.newConnection(options.build(), s);
      s.connection.connect();
    }

    long start = System.nanoTime();
    long end = start + MILLISECONDS.toNanos(SOAK_MILLIS);
    List<Thread> senders = new ArrayList<>();
    for (Stream s : streams) {
      Thread t = new Thread(() -> s.sendUntil(end), "soak sender " + s.name.trim());
      t.setDaemon(true);
      senders.add(t);
      t.start();
    }
    runFaults(end);
    for (Stream s : streams) s.proxy.pass();
    for (Thread t : senders) t.join(5_000);

    long drainEnd = System.nanoTime() + MILLISECONDS.toNanos(DRAIN_MILLIS);
    for (Stream s : streams) {
      while (!(s.drained = s.accountedFor()) && System.nanoTime() - drainEnd < 0) {
        LockSupport.parkNanos(MILLISECONDS.toNanos(50));
      }
    }
    soakWallMillis = (System.nanoTime() - start) / 1_000_000;
    System.out.println("soak: " + SOAK_MILLIS / 1000 + " s of faults, " + soakWallMillis
        + " ms with the drain; faults: " + faultLog);
    for (Stream s : streams) {
      s.summary = summarize(s);
      System.out.println(s.summary);
    }
  }

  /** Cycles {@link #SCHEDULE} on every proxy at once until {@code endNanos}; ends in pass. */
  private static void runFaults(long endNanos) {
    int i = 0;
    while (System.nanoTime() - endNanos < 0) {
      Step step = SCHEDULE.get(i++ % SCHEDULE.size());
      for (Stream s : streams) step.apply.accept(s.proxy);
      if (i <= SCHEDULE.size()) faultLog.add(step.name);
      long until = Math.min(endNanos - System.nanoTime(), MILLISECONDS.toNanos(step.millis));
      if (until > 0) LockSupport.parkNanos(until);
      if (step.name.startsWith("reset") || step.name.startsWith("FIN")) {
        for (Stream s : streams) s.proxy.pass();
      }
    }
  }

  private static String summarize(Stream s) {
    List<Integer> seen = s.server.numbers();
    Set<Integer> distinct = new LinkedHashSet<>(seen);
    int duplicates = seen.size() - distinct.size();
    int deliveredTwice = 0;
    for (AtomicInteger count : s.delivered.values()) if (count.get() > 1) deliveredTwice++;
    int lost = 0;
    for (int n : s.accepted) {
      if (!distinct.contains(n) && !s.reported.containsKey(n)) lost++;
    }
    return String.format("soak %s: sent %d / %s %d / duplicates at server %d%s / reported %d%s"
            + " / unaccounted %d / rejected at send %d / reconnects %d%s",
        s.name, s.accepted.size(), s.atLeastOnce ? "delivered" : "received",
        s.atLeastOnce ? s.delivered.size() : distinct.size(), duplicates,
        s.atLeastOnce ? " (onDelivered twice: " + deliveredTwice + ")" : "",
        s.reported.size(), s.reasons.isEmpty() ? "" : " " + new TreeMap<>(countsOf(s.reasons)),
        lost, s.rejected.get(), s.reconnects(), s.drained ? "" : " — NOT DRAINED after "
            + DRAIN_MILLIS + " ms: " + s.connection.state() + ", queued "
            + s.connection.queuedMessages());
  }

  private static Map<String, Integer> countsOf(Map<String, AtomicInteger> m) {
    Map<String, Integer> out = new HashMap<>();
    for (Map.Entry<String, AtomicInteger> e : m.entrySet()) out.put(e.getKey(), e.getValue().get());
    return out;
  }

  /** The numbers of the {@code "msg:N"} entries, in order ({@code "i:msg:N"} or {@code "msg:N"}). */
  private static List<Integer> numbers(List<String> received) {
    List<Integer> out = new ArrayList<>();
    for (String r : received) {
      int at = r.indexOf("msg:");
      if (at >= 0) out.add(Integer.parseInt(r.substring(at + 4)));
    }
    return out;
  }

  private static <T extends Closeable> T closeLater(T c) {
    toClose.add(c);
    return c;
  }

  @AfterClass public static void stop() throws Exception {
    for (Stream s : streams) if (s.connection != null) s.connection.close();
    if (lifeline != null) lifeline.shutdown(5, SECONDS);
    for (int i = toClose.size() - 1; i >= 0; i--) toClose.get(i).close();
  }

  private static Stream stream(String prefix) {
    for (Stream s : streams) if (s.name.startsWith(prefix)) return s;
    throw new AssertionError("no stream " + prefix);
  }

  private static void assertAtLeastOnce(Stream s) {
    assertTrue(s.summary, s.drained);
    assertTrue(s.summary, s.accepted.size() > 100);
    for (int n : s.accepted) {
      AtomicInteger count = s.delivered.get(n);
      assertTrue("msg:" + n + " never acknowledged; " + s.summary, count != null);
      assertEquals("msg:" + n + " onDelivered count; " + s.summary, 1, count.get());
    }
    List<Integer> order = new ArrayList<>(new LinkedHashSet<>(s.server.numbers()));
    for (int i = 0; i < order.size(); i++) {
      if (order.get(i) != i + 1) {
        fail("server-side order after de-duplication: position " + (i + 1) + " holds msg:"
            + order.get(i) + "; around it: "
            + order.subList(Math.max(0, i - 3), Math.min(order.size(), i + 4)) + "; " + s.summary);
      }
    }
    assertEquals("distinct numbers at the server; " + s.summary, s.accepted.size(), order.size());
  }

  private static void assertAtMostOnce(Stream s) {
    List<Integer> seen = s.server.numbers();
    Set<Integer> distinct = new HashSet<>();
    List<Integer> twice = new ArrayList<>();
    for (int n : seen) if (!distinct.add(n) && twice.size() < 20) twice.add(n);
    assertTrue("numbers the server received twice (first 20): " + twice + "; " + s.summary,
        twice.isEmpty());
    List<Integer> unaccounted = new ArrayList<>();
    for (int n : s.accepted) {
      if (!distinct.contains(n) && !s.reported.containsKey(n) && unaccounted.size() < 20) {
        unaccounted.add(n);
      }
    }
    assertTrue("accepted, never received and never reported (first 20): " + unaccounted + "; "
        + s.summary, unaccounted.isEmpty());
    assertTrue(s.summary, s.drained);
    assertTrue(s.summary, s.accepted.size() > 100);
  }

  @Test public void webSocketAtLeastOnceDeliversEveryNumberInOrder() {
    assertAtLeastOnce(stream("ws  at-least"));
  }

  @Test public void webSocketAtMostOnceNeverDuplicatesAndAccountsForEveryNumber() {
    assertAtMostOnce(stream("ws  at-most"));
  }

  @Test public void tcpAtLeastOnceDeliversEveryNumberInOrder() {
    assertAtLeastOnce(stream("tcp at-least"));
  }

  @Test public void tcpAtMostOnceNeverDuplicatesAndAccountsForEveryNumber() {
    assertAtMostOnce(stream("tcp at-most"));
  }
}
