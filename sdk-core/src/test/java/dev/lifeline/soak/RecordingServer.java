package dev.lifeline.soak;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import okhttp3.Response;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;

/**
 * The kill soak's server, on 127.0.0.1 (MockWebServer's WebSocket upgrade): records the number of
 * every {@code "msg:N"} it receives, per connection in accept order, and answers each with {@code
 * "ack:N"} a little later, so that a kill finds messages written and not yet answered, as it would
 * over a real network. An at-least-once client takes the answer as the acknowledgement; to an
 * at-most-once one it is a message from the server, which settles what was written before it.
 */
final class RecordingServer implements Closeable {
  /** The upgrade server. */
  private final MockWebServer server = new MockWebServer();
  /** The numbers received, one list per connection in accept order; lists are thread-safe. */
  private final List<List<Long>> connections = new CopyOnWriteArrayList<>();
  /** Delay before each answer. */
  private final long ackDelayMillis;
  /** Sends the delayed answers, in order. */
  private final ScheduledExecutorService acks = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "soak server acks");
    t.setDaemon(true);
    return t;
  });

  /** Starts listening; answers each message {@code ackDelayMillis} after it arrived. */
  RecordingServer(long ackDelayMillis) throws IOException {
    this.ackDelayMillis = ackDelayMillis;
    server.setDispatcher(new Dispatcher() {
      @Override public MockResponse dispatch(RecordedRequest request) {
        return new MockResponse().withWebSocketUpgrade(new WebSocketListener() {
          /** This connection's numbers; set in onOpen, before any message. */
          private List<Long> received;

          @Override public void onOpen(WebSocket ws, Response response) {
            received = new CopyOnWriteArrayList<>();
            connections.add(received);
          }

          @Override public void onMessage(WebSocket ws, String text) {
            if (!text.startsWith("msg:")) return; // A heartbeat.
            received.add(Long.parseLong(text.substring(4)));
            acks.schedule(() -> ws.send("ack:" + text.substring(4)), ackDelayMillis,
                TimeUnit.MILLISECONDS);
          }

          @Override public void onClosing(WebSocket ws, int code, String reason) {
            ws.close(1000, null);
          }
        });
      }
    });
    server.start(InetAddress.getByName("127.0.0.1"), 0);
  }

  String url() {
    return "ws://127.0.0.1:" + server.getPort() + "/soak";
  }

  /** What each connection received so far, in accept order: a snapshot. */
  List<List<Long>> received() {
    List<List<Long>> out = new ArrayList<>();
    for (List<Long> c : connections) out.add(new ArrayList<>(c));
    return out;
  }

  @Override public void close() throws IOException {
    acks.shutdownNow();
    server.shutdown();
  }
}
