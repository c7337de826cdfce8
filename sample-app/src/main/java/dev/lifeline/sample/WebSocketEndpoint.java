package dev.lifeline.sample;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.java_websocket.WebSocket;
import org.java_websocket.framing.CloseFrame;
import org.java_websocket.handshake.ClientHandshake;
import org.java_websocket.server.WebSocketServer;

/**
 * The demo server's WebSocket side, on Java-WebSocket. One instance per start: a stopped
 * Java-WebSocket server cannot be started again, so a restart binds a new one to the same port.
 */
final class WebSocketEndpoint implements DemoServer.Endpoint {
  /** How long a close handshake may take before the socket is dropped (a zombie never answers). */
  private static final int CLOSE_TIMEOUT_MILLIS = 1_000;

  /** The server logic every connection reports to. */
  private final DemoServer server;
  /** The library's server; set by {@link #start}. */
  private volatile Server ws;

  WebSocketEndpoint(DemoServer server) {
    this.server = server;
  }

  @Override public int start(int port) throws IOException {
    Server s = new Server(new InetSocketAddress("127.0.0.1", port));
    // The library's own keep-alive closes connections that miss pongs; the demo server's idle
    // scan is what it demonstrates instead, so that one is off.
    s.setConnectionLostTimeout(0);
    s.setReuseAddr(true);
    s.setDaemon(true);
    s.start();
    try {
      if (!s.started.await(5, TimeUnit.SECONDS)) {
        throw new IOException("WebSocket server did not start within 5 s on port " + port);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while starting the WebSocket server", e);
    }
    if (s.startError != null) {
      throw new IOException("WebSocket server could not listen on 127.0.0.1:" + port + ": "
          + s.startError.getMessage(), s.startError);
    }
    ws = s;
    return s.getPort();
  }

  @Override public void stop(String reason) {
    Server s = ws;
    if (s == null) return;
    try {
      s.stop(CLOSE_TIMEOUT_MILLIS, reason);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }


  /** A Java-WebSocket connection as a {@link DemoServer.Peer}. */
  private static final class Peer implements DemoServer.Peer {
    private final WebSocket conn;

    Peer(WebSocket conn) {
      this.conn = conn;
    }

    @Override public void send(String text) {
      if (conn.isOpen()) conn.send(text);
    }

    @Override public void close(int code, String reason) {
      conn.close(code, reason);
      // A half-open peer never answers the close frame: drop the socket after a grace period.
      Thread t = new Thread(() -> {
        try {
          Thread.sleep(CLOSE_TIMEOUT_MILLIS);
        } catch (InterruptedException e) {
          return;
        }
        if (!conn.isClosed()) conn.closeConnection(CloseFrame.ABNORMAL_CLOSE, "no close reply");
      }, "demo server close timeout");
      t.setDaemon(true);
      t.start();
    }
  }

  private final class Server extends WebSocketServer {
    final CountDownLatch started = new CountDownLatch(1);
    volatile Exception startError;

    Server(InetSocketAddress address) {
      super(address);
    }

    @Override public void onStart() {
      started.countDown();
    }

    @Override public void onOpen(WebSocket conn, ClientHandshake handshake) {
      Peer p = new Peer(conn);
      conn.setAttachment(p);
      InetSocketAddress remote = conn.getRemoteSocketAddress();
      server.opened(p, remote == null ? "?" : remote.getAddress().getHostAddress() + ":"
          + remote.getPort());
    }

    @Override public void onMessage(WebSocket conn, String message) {
      Peer p = conn.getAttachment();
      if (p != null) server.message(p, message);
    }

    @Override public void onMessage(WebSocket conn, ByteBuffer message) {
      // The demo protocol is text; binary messages still count as activity and are echoed as text.
      Peer p = conn.getAttachment();
      if (p != null) {
        server.message(p, java.nio.charset.StandardCharsets.UTF_8.decode(message).toString());
      }
    }

    @Override public void onClose(WebSocket conn, int code, String reason, boolean remote) {
      Peer p = conn.getAttachment();
      if (p != null) server.closed(p, code, reason == null ? "" : reason, remote);
    }

    @Override public void onError(WebSocket conn, Exception ex) {
      if (conn == null) {
        // A server-level error: before onStart it means the port could not be bound.
        startError = ex;
        started.countDown();
      }
      // Connection-level errors are followed by onClose.
    }
  }
}
