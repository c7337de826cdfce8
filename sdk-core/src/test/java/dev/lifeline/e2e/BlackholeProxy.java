package dev.lifeline.e2e;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP proxy on 127.0.0.1 that can silently swallow all traffic while keeping both sockets open:
 * what a NAT that forgot the connection, or a dead Wi-Fi, looks like to both ends. This is the
 * honest way to make a half-open ("zombie") connection in a test.
 */
public final class BlackholeProxy implements Closeable {
  private final ServerSocket server;
  private final InetSocketAddress upstream;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private final List<Thread> threads = new CopyOnWriteArrayList<>();
  private volatile boolean blackhole;
  private volatile boolean closed;

  public BlackholeProxy(InetSocketAddress upstream) throws IOException {
    this.upstream = upstream;
    this.server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
    Thread acceptor = new Thread(this::acceptLoop, "BlackholeProxy accept");
    acceptor.setDaemon(true);
    threads.add(acceptor);
    acceptor.start();
  }

  public int port() {
    return server.getLocalPort();
  }

  /** While true, bytes in both directions are read and dropped. */
  public void blackhole(boolean on) {
    blackhole = on;
  }

  /** Closes every proxied socket at once: an abrupt drop, as when a router dies. */
  public void dropConnections() {
    for (Socket s : sockets) closeQuietly(s);
  }

  private void acceptLoop() {
    while (!closed) {
      try {
        Socket client = server.accept();
        Socket up = new Socket(upstream.getAddress(), upstream.getPort());
        sockets.add(client);
        sockets.add(up);
        pump(client, up);
        pump(up, client);
      } catch (IOException e) {
        if (!closed) continue;
        return;
      }
    }
  }

  private void pump(Socket from, Socket to) {
    Thread t = new Thread(() -> {
      byte[] buf = new byte[8192];
      try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
        int n;
        while ((n = in.read(buf)) != -1) {
          if (!blackhole) {
            out.write(buf, 0, n);
            out.flush();
          }
        }
      } catch (IOException ignored) {
        // Either side went away.
      } finally {
        closeQuietly(from);
        closeQuietly(to);
      }
    }, "BlackholeProxy pump");
    t.setDaemon(true);
    threads.add(t);
    t.start();
  }

  @Override public void close() throws IOException {
    closed = true;
    server.close();
    for (Socket s : sockets) closeQuietly(s);
    for (Thread t : threads) {
      try {
        t.join(2_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException ignored) {
      // Already closed.
    }
  }
}
