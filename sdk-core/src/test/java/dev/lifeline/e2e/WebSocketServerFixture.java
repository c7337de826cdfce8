package dev.lifeline.e2e;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;

/**
 * A WebSocket server on 127.0.0.1 (MockWebServer's upgrade): records every text message per
 * connection, echoes "echo:" messages, and runs a per-connection behaviour on open.
 */
public final class WebSocketServerFixture implements Closeable {
  public final MockWebServer server = new MockWebServer();
  /** Responses served before any upgrade, e.g. a 401. */
  public final ConcurrentLinkedQueue<MockResponse> overrides = new ConcurrentLinkedQueue<>();
  /** Server-side sockets in accept order. */
  public final List<WebSocket> sockets = new CopyOnWriteArrayList<>();
  /** Text messages received, as "connectionIndex:text". */
  public final List<String> received = new CopyOnWriteArrayList<>();
  /** Close frames received from clients, as "connectionIndex:code:reason". */
  public final List<String> closes = new CopyOnWriteArrayList<>();
  /** Connections with this index or later acknowledge "msg:id" with "ack:id". */
  public volatile int ackFrom = Integer.MAX_VALUE;
  /** Run on each new server-side socket; the index is its accept order. */
  public volatile OnOpen onOpen = (index, ws) -> {};
  public final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "test server timers");
    t.setDaemon(true);
    return t;
  });

  public interface OnOpen {
    void opened(int index, WebSocket ws);
  }

  public WebSocketServerFixture() throws IOException {
    server.setDispatcher(new Dispatcher() {
      @Override public MockResponse dispatch(RecordedRequest request) {
        MockResponse override = overrides.poll();
        if (override != null) return override;
        return new MockResponse().withWebSocketUpgrade(new WebSocketListener() {
          private int index;

          @Override public void onOpen(WebSocket ws, okhttp3.Response response) {
            synchronized (sockets) {
              index = sockets.size();
              sockets.add(ws);
            }
            onOpen.opened(index, ws);
          }

          @Override public void onMessage(WebSocket ws, String text) {
            received.add(index + ":" + text);
            if (text.startsWith("echo:")) ws.send(text.substring(5));
            if (text.startsWith("msg:") && index >= ackFrom) ws.send("ack:" + text.substring(4));
          }

          @Override public void onClosing(WebSocket ws, int code, String reason) {
            closes.add(index + ":" + code + ":" + reason);
            ws.close(1000, null);
          }
        });
      }
    });
    server.start(java.net.InetAddress.getByName("127.0.0.1"), 0);
  }

  public String url() {
    return "ws://127.0.0.1:" + server.getPort() + "/socket";
  }

  public InetSocketAddress address() {
    return new InetSocketAddress("127.0.0.1", server.getPort());
  }

  /** Texts received on connection {@code index}. */
  public List<String> receivedOn(int index) {
    List<String> out = new CopyOnWriteArrayList<>();
    for (String r : received) {
      if (r.startsWith(index + ":")) out.add(r.substring(r.indexOf(':') + 1));
    }
    return out;
  }

  /** Sends {@code text} every {@code periodMillis} on {@code ws} while {@code keepGoing} says so. */
  public void beat(WebSocket ws, String text, long periodMillis, java.util.function.BooleanSupplier keepGoing) {
    timers.scheduleAtFixedRate(() -> {
      if (keepGoing.getAsBoolean()) ws.send(text);
    }, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
  }

  @Override public void close() throws IOException {
    timers.shutdownNow();
    server.shutdown();
  }
}
