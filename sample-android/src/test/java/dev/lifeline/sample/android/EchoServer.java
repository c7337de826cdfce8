package dev.lifeline.sample.android;

import java.io.IOException;
import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.Response;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;

/**
 * A WebSocket server on 127.0.0.1 that accepts every connection, greets it with "welcome N"
 * (N counts connections from 1) and echoes what it receives as "echo: TEXT".
 */
final class EchoServer {
  private final MockWebServer server = new MockWebServer();
  /** Connections accepted so far. */
  final AtomicInteger connections = new AtomicInteger();
  /** Every text message received, in order. */
  final List<String> received = new CopyOnWriteArrayList<>();
  /** The server side of the newest connection. */
  volatile WebSocket latest;

  EchoServer() {
    server.setDispatcher(new Dispatcher() {
      @Override public MockResponse dispatch(RecordedRequest request) {
        return new MockResponse().withWebSocketUpgrade(new WebSocketListener() {
          @Override public void onOpen(WebSocket webSocket, Response response) {
            latest = webSocket;
            webSocket.send("welcome " + connections.incrementAndGet());
          }

          @Override public void onMessage(WebSocket webSocket, String text) {
            received.add(text);
            webSocket.send("echo: " + text);
          }

          @Override public void onClosing(WebSocket webSocket, int code, String reason) {
            webSocket.close(1000, null); // Completes the closing handshake the client started.
          }
        });
      }
    });
  }

  EchoServer start() throws IOException {
    server.start(InetAddress.getByName("127.0.0.1"), 0);
    return this;
  }

  String url() {
    return "ws://127.0.0.1:" + server.getPort() + "/socket";
  }

  void shutdown() throws IOException {
    server.shutdown();
  }
}
