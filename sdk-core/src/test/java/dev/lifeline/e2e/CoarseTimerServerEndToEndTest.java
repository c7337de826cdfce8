package dev.lifeline.e2e;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.lifeline.Connection;
import dev.lifeline.ConnectionListener;
import dev.lifeline.ConnectionOptions;
import dev.lifeline.ConnectionState.Kind;
import dev.lifeline.EventListener;
import dev.lifeline.HeartbeatPolicy;
import dev.lifeline.Lifeline;
import dev.lifeline.testing.Await;
import java.io.Closeable;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import org.junit.After;
import org.junit.Test;

/**
 * The adaptive heartbeat (docs/behaviour.md, "Adaptive heartbeat") end to end against the
 * issue's server, over WebSocket and tcp:// at the same time: a real server on 127.0.0.1 behind
 * an {@link IdleCutProxy#wholeSeconds} that, like a Workerman heartbeat server, checks every
 * second and cuts connections whose client sent nothing for more than 3 whole seconds, so after 3
 * to 5 s of idleness: the WebSocket one checks 900 ms after each whole second (cuts after 3.9 to
 * 4.9 s, the top of the range, where the learned interval is the longest), the tcp:// one 300 ms
 * after (3.3 to 4.3 s), together the range the issue saw. From a 5 s start (default reconnect
 * policy) each connection must stop being cut within 30 s: its last cut at most 30 s after
 * connect, none from then until the end of a 33 s run, and a learned interval below 3 s.
 *
 * <p>The verdict does not depend on machine speed: the server can cut only a gap of 3 s or more
 * between two sends of the client (whole seconds: a shorter gap never spans more than 3 second
 * boundaries), and the learned interval leaves the beat that much time to be late; a slow check
 * only cuts later, and a late reconnect only delays the cuts learned from, which have 20 s of
 * slack before the 30 s bar. Both transports run in parallel: about 33 s of wall time in all.
 */
public final class CoarseTimerServerEndToEndTest {
  /** The server's limit: {@code time() - $last > 3}. */
  private static final int LIMIT_SECONDS = 3;
  /** The adaptive heartbeat's start. */
  private static final long START_MILLIS = 5_000;
  /** The bar: no cut later than this after connect. */
  private static final long SETTLED_WITHIN_MILLIS = 30_000;
  /** How long the paths are watched: past the bar, so that a late cut would be seen. */
  private static final long RUN_MILLIS = 33_000;
  /** The bar for the simulation, held here too. */
  private static final int MAX_CUTS = 3;

  /** One transport's server, proxy, client and what its connection reported. */
  private static final class Path implements Closeable {
    /** "websocket" or "tcp", for the report. */
    final String name;
    /** The real server, which never kicks by itself. */
    final KeepAliveServer server;
    /** Between the client and the server: the Workerman-like idle check. */
    final IdleCutProxy proxy;
    /** The transport's client, shut down last. */
    final OkHttpClient okHttp;
    /** A client of its own, so that each path's learning is its own. */
    final Lifeline lifeline;
    /** The reason of every heartbeatIntervalChanged, in order. */
    final List<String> changes = new CopyOnWriteArrayList<>();
    /** The adaptive connection under test. */
    final Connection connection;

    Path(String name, KeepAliveServer server, long checkPhaseMillis) throws Exception {
      this.name = name;
      this.server = server;
      server.start(600_000, 1_000); // The server itself never kicks: the proxy plays the PHP one.
      URI direct = new URI(server.url());
      try {
        proxy = IdleCutProxy.wholeSeconds(new InetSocketAddress("127.0.0.1", direct.getPort()),
            LIMIT_SECONDS, checkPhaseMillis);
      } catch (Exception e) {
        server.close();
        throw e;
      }
      okHttp = server.client(new OkHttpClient.Builder().connectTimeout(2, TimeUnit.SECONDS)
          .build());
      lifeline = Lifeline.builder().okHttpClient(okHttp).build();
      connection = lifeline.newConnection(ConnectionOptions.builder(
          server.url().replace(":" + direct.getPort(), ":" + proxy.port()))
          .heartbeat(HeartbeatPolicy.builder().interval(START_MILLIS, MILLISECONDS)
              .adaptive(1_000, 60_000, MILLISECONDS).textPayload("hb").build())
          .eventListener(new EventListener() {
            @Override public void heartbeatIntervalChanged(Connection c, long from, long to,
                String why) {
              changes.add(why);
            }
          })
          .build(), new ConnectionListener() { });
    }

    String report(long startNanos) {
      return String.format(Locale.ROOT, "%s: %d cuts after %s ms idle, last %d ms after connect;"
          + " interval %d ms; %s", name, proxy.cuts.get(), proxy.cutIdleMillis,
          proxy.lastCutAtNanos == 0 ? -1 : (proxy.lastCutAtNanos - startNanos) / 1_000_000L,
          connection.heartbeatIntervalMillis(), changes);
    }

    @Override public void close() {
      try {
        try {
          lifeline.shutdown(5, TimeUnit.SECONDS);
        } finally {
          try {
            proxy.close();
          } finally {
            server.close();
          }
        }
      } catch (Exception e) {
        throw new AssertionError(name + ": closing failed", e);
      } finally {
        okHttp.dispatcher().executorService().shutdown();
      }
    }
  }

  private final List<Path> paths = new ArrayList<>();

  @After public void tearDown() {
    for (Path p : paths) p.close();
  }

  @Test public void fromFiveSecondsBothTransportsStopBeingCutWithinThirtySeconds()
      throws Exception {
    paths.add(new Path("websocket", new WebSocketKeepAliveServer(), 900));
    paths.add(new Path("tcp", new TcpKeepAliveServer(), 300));
    long start = System.nanoTime();
    for (Path p : paths) p.connection.connect();

    // Runs the whole window; stops early only when a path is cut more often than the bar.
    Await.until("the end of the " + RUN_MILLIS + " ms run", RUN_MILLIS + 5_000, () -> {
      for (Path p : paths) {
        if (p.proxy.cuts.get() > MAX_CUTS) return true;
      }
      return System.nanoTime() - start >= RUN_MILLIS * 1_000_000L;
    });
    for (Path p : paths) {
      String report = p.report(start);
      System.out.println("[coarse-timer e2e] " + report);
      assertTrue(report, p.proxy.cuts.get() >= 1); // The server did cut the 5 s start.
      assertTrue(report, p.proxy.cuts.get() <= MAX_CUTS);
      assertTrue(report, p.proxy.lastCutAtNanos - start <= SETTLED_WITHIN_MILLIS * 1_000_000L);
      assertTrue(report, p.connection.heartbeatIntervalMillis() < LIMIT_SECONDS * 1_000L);
      assertEquals(report, Kind.CONNECTED, p.connection.state().kind());
    }
  }
}
