package dev.lifeline.e2e;

import java.io.IOException;
import java.net.InetAddress;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import okhttp3.Response;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;

/**
 * The reference server over WebSocket (MockWebServer's upgrade): liveness is the time of the last
 * data message seen in {@code onMessage}; protocol pings are answered by the WebSocket layer and
 * never count, exactly as on the servers described in docs/behaviour.md, "Heartbeats".
 */
final class WebSocketKeepAliveServer implements KeepAliveServer {
  /** One accepted connection, server side. */
  private static final class Peer {
    volatile WebSocket socket;
    final List<String> messages = new CopyOnWriteArrayList<>();
    volatile long lastDataAtNanos = System.nanoTime();
    volatile boolean open = true;
    volatile boolean quiet;
    /** See {@link KeepAliveServer#lastSendAtNanos}. */
    volatile long lastSendAtNanos;

    void send(String text) {
      lastSendAtNanos = System.nanoTime();
      socket.send(text);
    }
  }

  private final MockWebServer server = new MockWebServer();
  private final List<Peer> peers = new CopyOnWriteArrayList<>();
  private final ScheduledExecutorService timers = Executors.newScheduledThreadPool(1, r -> {
    Thread t = new Thread(r, "WebSocketKeepAliveServer timers");
    t.setDaemon(true);
    return t;
  });
  private volatile int kicked;
  /** See {@link #lastKickAtNanos()}. */
  private volatile long lastKickAtNanos;

  @Override public void start(long silenceLimitMillis, long scanIntervalMillis) throws IOException {
    server.setDispatcher(new Dispatcher() {
      @Override public MockResponse dispatch(RecordedRequest request) {
        Peer peer = new Peer();
        return new MockResponse().withWebSocketUpgrade(new WebSocketListener() {
          @Override public void onOpen(WebSocket ws, Response response) {
            peer.socket = ws;
            peer.lastDataAtNanos = System.nanoTime();
            peers.add(peer);
          }

          @Override public void onMessage(WebSocket ws, String text) {
            peer.lastDataAtNanos = System.nanoTime();
            peer.messages.add(text);
          }

          @Override public void onClosing(WebSocket ws, int code, String reason) {
            ws.close(1000, null);
          }

          @Override public void onClosed(WebSocket ws, int code, String reason) {
            peer.open = false;
          }

          @Override public void onFailure(WebSocket ws, Throwable t, Response response) {
            peer.open = false;
          }
        });
      }
    });
    server.start(InetAddress.getByName("127.0.0.1"), 0);
    long limitNanos = TimeUnit.MILLISECONDS.toNanos(silenceLimitMillis);
    timers.scheduleAtFixedRate(() -> {
      long now = System.nanoTime();
      for (Peer p : peers) {
        if (p.open && now - p.lastDataAtNanos > limitNanos) {
          lastKickAtNanos = System.nanoTime(); // Before the close: the client cannot react earlier.
          kicked++;
          p.socket.close(1000, "no data for too long");
        }
      }
    }, scanIntervalMillis, scanIntervalMillis, TimeUnit.MILLISECONDS);
  }

  @Override public String url() {
    return "ws://127.0.0.1:" + server.getPort() + "/socket";
  }

  @Override public OkHttpClient client(OkHttpClient base) {
    return base;
  }

  @Override public int connectionCount() {
    return peers.size();
  }

  @Override public List<String> dataMessages(int connection) {
    return peers.get(connection).messages;
  }

  @Override public boolean isOpen(int connection) {
    return peers.get(connection).open;
  }

  @Override public int kicked() {
    return kicked;
  }

  @Override public long lastKickAtNanos() {
    return lastKickAtNanos;
  }

  @Override public long lastSendAtNanos(int connection) {
    return peers.get(connection).lastSendAtNanos;
  }

  @Override public void send(int connection, String text) {
    peers.get(connection).send(text);
  }

  @Override public void sendHeartbeats(long intervalMillis, String text) {
    timers.scheduleAtFixedRate(() -> {
      for (Peer p : peers) {
        if (p.open && !p.quiet) p.send(text);
      }
    }, intervalMillis, intervalMillis, TimeUnit.MILLISECONDS);
  }

  @Override public void goQuiet(int connection) {
    peers.get(connection).quiet = true;
  }

  @Override public List<String> clientTransportThreads() {
    // Lifeline names the thread that reads a WebSocket after its redacted URL.
    return Collections.singletonList("Lifeline WebSocket reader " + url());
  }

  @Override public void close() throws IOException {
    timers.shutdownNow();
    server.shutdown();
  }
}
