package dev.lifeline.sample;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The demo server's newline-framed TCP text side: each message is one UTF-8 line ending in
 * {@code \n}. Ready for Lifeline's {@code tcp://} transport; one thread per connection, which is
 * plenty for a demo.
 */
final class TcpTextEndpoint implements DemoServer.Endpoint {
  /** Longer lines are a protocol violation: the connection is closed. */
  static final int MAX_LINE_CHARS = 64 * 1024;

  private final DemoServer server;
  private volatile ServerSocket listener;
  /** Open connections, closed by {@link #stop}. */
  private final Set<Peer> peers = ConcurrentHashMap.newKeySet();

  TcpTextEndpoint(DemoServer server) {
    this.server = server;
  }

  @Override public int start(int port) throws IOException {
    ServerSocket s = new ServerSocket();
    s.setReuseAddress(true);
    s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
    listener = s;
    Thread accept = new Thread(this::acceptLoop, "demo server tcp accept");
    accept.setDaemon(true);
    accept.start();
    return s.getLocalPort();
  }

  private void acceptLoop() {
    ServerSocket s = listener;
    while (!s.isClosed()) {
      try {
        Socket socket = s.accept();
        Peer p = new Peer(socket);
        peers.add(p);
        Thread t = new Thread(() -> p.readLoop(), "demo server tcp connection");
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        return; // Closed by stop().
      }
    }
  }

  @Override public void stop(String reason) {
    try {
      listener.close();
    } catch (IOException ignored) {
      // Closing anyway.
    }
    for (Peer p : peers) p.close(1001, reason);
  }


  private final class Peer implements DemoServer.Peer {
    private final Socket socket;
    private volatile boolean closedByServer;

    Peer(Socket socket) {
      this.socket = socket;
    }

    void readLoop() {
      server.opened(this, socket.getInetAddress().getHostAddress() + ":" + socket.getPort());
      String why = "client closed";
      try (BufferedReader in = new BufferedReader(
          new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8))) {
        StringBuilder line = new StringBuilder();
        int c;
        while ((c = in.read()) != -1) {
          if (c == '\n') {
            server.message(this, line.toString());
            line.setLength(0);
          } else if (line.length() >= MAX_LINE_CHARS) {
            why = "line longer than " + MAX_LINE_CHARS + " characters";
            break;
          } else if (c != '\r') {
            line.append((char) c);
          }
        }
      } catch (IOException e) {
        why = e.getMessage() == null ? e.toString() : e.getMessage();
      }
      peers.remove(this);
      try {
        socket.close();
      } catch (IOException ignored) {
        // Closed.
      }
      server.closed(this, closedByServer ? 1000 : 1006, why, !closedByServer);
    }

    @Override public void send(String text) {
      try {
        OutputStream out = socket.getOutputStream();
        synchronized (this) {
          out.write((text + "\n").getBytes(StandardCharsets.UTF_8));
          out.flush();
        }
      } catch (IOException e) {
        close(1006, "write failed");
      }
    }

    @Override public void close(int code, String reason) {
      closedByServer = true;
      try {
        socket.close();
      } catch (IOException ignored) {
        // Closed.
      }
    }
  }
}
