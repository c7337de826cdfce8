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
import dev.lifeline.ReconnectPolicy;
import dev.lifeline.testing.Await;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import org.junit.After;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.Parameterized;
import org.junit.runners.Parameterized.Parameter;
import org.junit.runners.Parameterized.Parameters;

/**
 * The adaptive heartbeat (docs/behaviour.md, "Adaptive heartbeat") end to end, once per
 * transport: the real client against a real server on 127.0.0.1 behind an {@link IdleCutProxy}
 * that cuts connections idle for 600 ms (checked every 100 ms). Started at 900 ms, the heartbeat
 * learns the cut and settles: no cut during a final window of 3 s. Scaled times keep it to a few
 * seconds; every wait is bounded.
 */
@RunWith(Parameterized.class)
public final class AdaptiveHeartbeatEndToEndTest {
  private static final long CUT_MILLIS = 600;
  private static final long SETTLE_TIMEOUT_MILLIS = 15_000;
  private static final long QUIET_WINDOW_MILLIS = 3_000;

  @Parameters(name = "{0}")
  public static List<Object[]> transports() {
    return Arrays.asList(new Object[][] {
        {"websocket", (KeepAliveServer.Factory) WebSocketKeepAliveServer::new},
        {"tcp", (KeepAliveServer.Factory) TcpKeepAliveServer::new},
    });
  }

  @Parameter(0) public String transportName;
  @Parameter(1) public KeepAliveServer.Factory serverFactory;

  private KeepAliveServer server;
  private IdleCutProxy proxy;
  private OkHttpClient okHttp;
  private Lifeline lifeline;

  @After public void tearDown() throws Exception {
    if (lifeline != null) lifeline.shutdown(5, TimeUnit.SECONDS);
    if (proxy != null) proxy.close();
    if (server != null) server.close();
    if (okHttp != null) okHttp.dispatcher().executorService().shutdown();
  }

  @Test public void learnsAnIdleCutAndSettles() throws Exception {
    server = serverFactory.create();
    server.start(60_000, 1_000); // The server itself never kicks: the path does.
    URI direct = new URI(server.url());
    proxy = new IdleCutProxy(new InetSocketAddress("127.0.0.1", direct.getPort()), CUT_MILLIS, 100);
    String url = server.url().replace(":" + direct.getPort(), ":" + proxy.port());

    List<String> changes = new CopyOnWriteArrayList<>();
    List<String> losses = new CopyOnWriteArrayList<>();
    okHttp = server.client(new OkHttpClient.Builder().connectTimeout(2, TimeUnit.SECONDS).build());
    lifeline = Lifeline.builder().okHttpClient(okHttp).build();
    Connection c = lifeline.newConnection(ConnectionOptions.builder(url)
        .heartbeat(HeartbeatPolicy.builder().interval(900, MILLISECONDS)
            .adaptive(200, 10_000, MILLISECONDS).textPayload("hb").build())
        .reconnect(ReconnectPolicy.builder().baseDelay(100, MILLISECONDS).build())
        .eventListener(new EventListener() {
          @Override public void heartbeatIntervalChanged(Connection connection, long from,
              long to, String why) {
            changes.add(why);
          }

          @Override public void disconnected(Connection connection, String reason, Throwable e) {
            losses.add(reason);
          }
        })
        .build(), new ConnectionListener() { });
    long start = System.nanoTime();
    c.connect();

    // Settled: connected, learned something, and no cut during the last quiet window.
    Await.until("no cut for " + QUIET_WINDOW_MILLIS + " ms after learning", SETTLE_TIMEOUT_MILLIS,
        () -> !changes.isEmpty() && c.state().kind() == Kind.CONNECTED
            && System.nanoTime() - proxy.lastCutAtNanos > QUIET_WINDOW_MILLIS * 1_000_000L);
    long settledMillis = (proxy.lastCutAtNanos - start) / 1_000_000L;
    System.out.println(String.format(Locale.ROOT, "[adaptive e2e %s] cut at %d ms, start 900 ms:"
        + " %d cuts, settled %d ms after connect, learned interval %d ms; %s; losses: %s",
        transportName, CUT_MILLIS, proxy.cuts.get(), settledMillis, c.heartbeatIntervalMillis(),
        changes, losses));
    assertTrue(c.heartbeatIntervalMillis() < CUT_MILLIS);
    assertTrue("cuts: " + proxy.cuts.get(), proxy.cuts.get() <= 4);
    assertTrue(changes.get(0), changes.get(0).contains("the path closes connections idle for"));
    assertEquals(Kind.CONNECTED, c.state().kind());
  }
}
