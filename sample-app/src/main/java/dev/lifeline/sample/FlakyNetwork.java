package dev.lifeline.sample;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP proxy on 127.0.0.1 that stands for the network between the client and the demo server,
 * and can fail the way real networks do:
 *
 * <ul>
 *   <li>{@link #zombify()}: the connections open now go half-open. Nothing passes in either
 *       direction, not even a close, yet both sockets stay open: the client's writes succeed and
 *       nothing ever arrives, like a NAT that silently forgot its mapping. New connections work.
 *   <li>{@link #down()}: the network is gone. Open connections go silent the same way; new ones
 *       are reset at once. {@link #up()} brings it back; the old connections stay dead.
 * </ul>
 *
 * <p>A silenced connection is not closed by the proxy: each side finds out by itself, the client
 * through Lifeline's silence watch and the server through its idle scan, as in real life.
 */
final class FlakyNetwork implements AutoCloseable {
  private static final int BUFFER_BYTES = 16 * 1024;

  /** Where the "server side" of every connection goes. */
  private final int upstreamPort;
  private final Timeline timeline;
  private final ServerSocket listener;
  /** Proxied connections, until both sides are closed. */
  private final Set<Link> links = ConcurrentHashMap.newKeySet();
  /** False while the network is down. */
  private volatile boolean up = true;
  /** Bytes swallowed by silenced connections. */
  final AtomicLong droppedBytes = new AtomicLong();

  FlakyNetwork(int upstreamPort, Timeline timeline) throws IOException {
    this.upstreamPort = upstreamPort;
    this.timeline = timeline;
    this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread t = new Thread(this::acceptLoop, "flaky network accept");
    t.setDaemon(true);
    t.start();
  }

  int port() {
    return listener.getLocalPort();
  }

  /** The open connections go half-open (a zombie); new ones are unaffected. */
  void zombify() {
    int n = silenceAll();
    timeline.log(Timeline.Type.NETWORK, "network", n + " open connection(s) went half-open:"
        + " nothing passes either way, nobody is told");
  }

  /** The network goes away: open connections go silent, new ones are reset. */
  void down() {
    up = false;
    int n = silenceAll();
    timeline.log(Timeline.Type.NETWORK, "network", "DOWN: " + n + " open connection(s) silenced,"
        + " new connections refused");
  }

  /** The network is back for new connections. */
  void up() {
    up = true;
    timeline.log(Timeline.Type.NETWORK, "network", "UP again");
  }

  @Override public void close() {
    try {
      listener.close();
    } catch (IOException ignored) {
      // Closing anyway.
    }
    for (Link l : new ArrayList<>(links)) l.closeBoth();
  }

  private int silenceAll() {
    int n = 0;
    for (Link l : links) {
      if (!l.silenced) {
        l.silenced = true;
        n++;
      }
    }
    return n;
  }

  private void acceptLoop() {
    while (!listener.isClosed()) {
      Socket client;
      try {
        client = listener.accept();
      } catch (IOException e) {
        return; // Closed.
      }
      if (!up) {
        reset(client);
        continue;
      }
      Socket server = new Socket();
      try {
        server.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), upstreamPort), 2_000);
      } catch (IOException e) {
        // The server is down: the client sees its connection reset, as through a load balancer.
        closeQuietly(server);
        reset(client);
        continue;
      }
      Link link = new Link(client, server);
      links.add(link);
      link.start();
    }
  }

  private static void reset(Socket s) {
    try {
      s.setSoLinger(true, 0);
    } catch (IOException ignored) {
      // Close anyway.
    }
    closeQuietly(s);
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException ignored) {
      // Closed.
    }
  }

  /** One proxied connection: two pumps, one per direction. */
  private final class Link {
    final Socket client;
    final Socket server;
    /** True once this connection is half-open: bytes and closes are swallowed. */
    volatile boolean silenced;

    Link(Socket client, Socket server) {
      this.client = client;
      this.server = server;
    }

    void start() {
      pump(client, server, "flaky network client→server");
      pump(server, client, "flaky network server→client");
    }

    private void pump(Socket from, Socket to, String name) {
      Thread t = new Thread(() -> {
        byte[] buffer = new byte[BUFFER_BYTES];
        try {
          InputStream in = from.getInputStream();
          OutputStream out = to.getOutputStream();
          int n;
          while ((n = in.read(buffer)) != -1) {
            if (silenced) {
              droppedBytes.addAndGet(n);
            } else {
              out.write(buffer, 0, n);
              out.flush();
            }
          }
        } catch (IOException e) {
          // One side is gone; handled below.
        }
        if (silenced) {
          // Nobody hears about it on the other side: only this side is closed.
          closeQuietly(from);
          if (from.isClosed() && to.isClosed()) links.remove(this);
        } else {
          closeBoth();
        }
      }, name);
      t.setDaemon(true);
      t.start();
    }

    void closeBoth() {
      closeQuietly(client);
      closeQuietly(server);
      links.remove(this);
    }
  }
}
