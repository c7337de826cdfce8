package dev.lifeline.e2e;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.lifeline.Connection;
import dev.lifeline.ConnectionListener;
import dev.lifeline.ConnectionOptions;
import dev.lifeline.Lifeline;
import dev.lifeline.Message;
import dev.lifeline.ReconnectPolicy;
import dev.lifeline.testing.Await;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import okhttp3.OkHttpClient;
import okhttp3.Response;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * At-most-once accounting over a real WebSocket on 127.0.0.1 (docs/behaviour.md, "Sending and
 * delivery"): a server that closes every connection after a few hundred ms while several threads
 * send a numbered stream. No number may arrive twice, and every accepted number must either
 * arrive or be reported through onSendFailed. Short on purpose; the long chaos soak lives
 * elsewhere.
 */
public final class AtMostOnceAccountingEndToEndTest {
  private static final int SENDERS = 4;
  private static final long SEND_FOR_MILLIS = 2_500;
  private static final long SERVER_CLOSES_AFTER_MILLIS = 300;
  private static final long SERVER_TICK_MILLIS = 20;
  /**
   * For this long before each close the server stops reading, so the socket buffers fill and
   * OkHttp still holds unwritten messages when the close arrives.
   */
  private static final long SERVER_STALLS_FOR_MILLIS = 150;
  /** Makes each message ~4 KB, so a stall fills the socket buffers quickly. */
  private static final String PADDING = String.format("%4000s", "").replace(' ', '.');

  private final MockWebServer server = new MockWebServer();
  private final ScheduledExecutorService serverTimers = Executors.newScheduledThreadPool(1, r -> {
    Thread t = new Thread(r, "accounting test server timers");
    t.setDaemon(true);
    return t;
  });
  /** How often the server received each number. */
  private final Map<Integer, AtomicInteger> received = new ConcurrentHashMap<>();
  private final AtomicInteger serverConnections = new AtomicInteger();
  /** Server sockets whose reader is held up. */
  private final Set<WebSocket> stalled = ConcurrentHashMap.newKeySet();
  private Lifeline lifeline;

  @Before public void setUp() throws Exception {
    server.setDispatcher(new Dispatcher() {
      @Override public MockResponse dispatch(RecordedRequest request) {
        return new MockResponse().withWebSocketUpgrade(new WebSocketListener() {
          @Override public void onOpen(WebSocket ws, Response response) {
            serverConnections.incrementAndGet();
            // Ticks let the client settle what it wrote; the close cuts into a busy stream.
            AtomicBoolean open = new AtomicBoolean(true);
            serverTimers.scheduleAtFixedRate(() -> {
              if (open.get()) ws.send("tick");
            }, SERVER_TICK_MILLIS, SERVER_TICK_MILLIS, MILLISECONDS);
            serverTimers.schedule(() -> stalled.add(ws),
                SERVER_CLOSES_AFTER_MILLIS - SERVER_STALLS_FOR_MILLIS, MILLISECONDS);
            serverTimers.schedule(() -> {
              open.set(false);
              ws.close(1001, "restarting");
              stalled.remove(ws); // Reads again: what the client wrote before its end arrives.
            }, SERVER_CLOSES_AFTER_MILLIS, MILLISECONDS);
          }

          @Override public void onMessage(WebSocket ws, String text) {
            while (stalled.contains(ws)) LockSupport.parkNanos(MILLISECONDS.toNanos(1));
            int n = Integer.parseInt(text.substring(0, text.indexOf(':')));
            received.computeIfAbsent(n, k -> new AtomicInteger()).incrementAndGet();
          }

          @Override public void onClosing(WebSocket ws, int code, String reason) {
            ws.close(1000, null);
          }
        });
      }
    });
    server.start(java.net.InetAddress.getByName("127.0.0.1"), 0);
    OkHttpClient ok = new OkHttpClient.Builder().connectTimeout(5, SECONDS).build();
    lifeline = Lifeline.builder().okHttpClient(ok).build();
  }

  @After public void tearDown() throws Exception {
    lifeline.shutdown(5, SECONDS);
    stalled.clear();
    serverTimers.shutdownNow();
    server.shutdown();
  }

  @Test public void aServerClosingEveryFewHundredMillisecondsGetsNoNumberTwiceAndNoneIsLostUntold()
      throws Exception {
    Set<Integer> accepted = ConcurrentHashMap.newKeySet();
    Set<Integer> rejected = ConcurrentHashMap.newKeySet();
    Map<Integer, String> reported = new ConcurrentHashMap<>();
    ConnectionListener listener = new ConnectionListener() {
      @Override public void onSendFailed(Connection c, Message message, String reason) {
        String text = message.text();
        reported.put(Integer.parseInt(text.substring(0, text.indexOf(':'))), reason);
      }
    };
    Connection c = lifeline.newConnection(ConnectionOptions.builder(
        "ws://127.0.0.1:" + server.getPort() + "/socket")
        .reconnect(ReconnectPolicy.builder().baseDelay(20, MILLISECONDS)
            .maxDelay(100, MILLISECONDS).build())
        .build(), listener);
    c.connect();

    long end = System.nanoTime() + MILLISECONDS.toNanos(SEND_FOR_MILLIS);
    List<Thread> senders = new ArrayList<>();
    for (int s = 0; s < SENDERS; s++) {
      int base = s * 10_000_000;
      Thread t = new Thread(() -> {
        for (int i = 0; System.nanoTime() - end < 0; i++) {
          int n = base + i;
          if (c.send(n + ":" + PADDING)) {
            accepted.add(n);
          } else {
            rejected.add(n);
          }
          LockSupport.parkNanos(50_000); // Paced: a busy stream, not a flood of rejections.
        }
      }, "accounting test sender " + s);
      t.start();
      senders.add(t);
    }
    for (Thread t : senders) t.join(SEND_FOR_MILLIS + 10_000);

    // Messages still queued go out on the next connections; wait until each is accounted for.
    Await.until("every accepted number received or reported", 15_000, () -> {
      for (Integer n : accepted) {
        if (!received.containsKey(n) && !reported.containsKey(n)) return false;
      }
      return true;
    });
    c.close();

    int duplicates = 0;
    int receivedAndReported = 0;
    for (Map.Entry<Integer, AtomicInteger> e : received.entrySet()) {
      if (e.getValue().get() > 1) duplicates++;
      if (reported.containsKey(e.getKey())) receivedAndReported++;
    }
    int reportedAccepted = 0;
    for (Integer n : reported.keySet()) {
      if (accepted.contains(n)) reportedAccepted++;
    }
    int receivedTotal = 0;
    for (AtomicInteger count : received.values()) receivedTotal += count.get();
    System.out.println("at-most-once accounting: " + serverConnections.get()
        + " server connections; accepted " + accepted.size() + ", rejected at send() "
        + rejected.size() + " (outbox full); server received " + receivedTotal + " messages ("
        + received.size() + " distinct); accepted and reported as may not have been delivered "
        + reportedAccepted + " (of which " + receivedAndReported + " did arrive); duplicates "
        + duplicates);

    assertTrue("the server must have closed repeatedly", serverConnections.get() >= 4);
    assertTrue("a busy stream", accepted.size() > 1_000);
    assertEquals("numbers received more than once", 0, duplicates);
    for (Integer n : received.keySet()) {
      assertTrue("received but never accepted: " + n, accepted.contains(n));
    }
    for (Map.Entry<Integer, String> e : reported.entrySet()) {
      if (accepted.contains(e.getKey())) {
        assertTrue(e.getValue(), e.getValue().startsWith("may not have been delivered: "));
      }
    }
  }
}
