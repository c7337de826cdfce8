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
 *       are refused. {@link #up()} brings it back; the old connections stay dead.
 *   <li>{@link #cutIdleAfter(long)}: a connection through which nothing passed, either way, for
 *       longer than a limit is reset, as a NAT or a carrier's firewall drops an idle mapping (and
 *       as nginx's idle timeout closes one). Traffic in either direction keeps it alive.
 *   <li>{@link #serverStopped()}: while the server is down, new connections are refused, exactly
 *       as they would be without the proxy. (Accepting them and then resetting them would make a
 *       raw TCP client believe it had connected.)
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
  /** The port clients connect to; closed (refusing) while the network or the server is down. */
  private final int port;
  /** The listening socket, or null while refusing. Guarded by this. */
  private ServerSocket listener;
  /** The thread accepting on {@link #listener}. Guarded by this. */
  private Thread acceptThread;
  /** Proxied connections, until both sides are closed. */
  private final Set<Link> links = ConcurrentHashMap.newKeySet();
  /** False while the network is down. Guarded by this. */
  private boolean up = true;
  /** False while the server is stopped. Guarded by this. */
  private boolean serverUp = true;
  /** Set by {@link #close()}. Guarded by this. */
  private boolean closed;
  /** Bytes swallowed by silenced connections. */
  final AtomicLong droppedBytes = new AtomicLong();
  /** Connections reset for being idle beyond {@link #idleCutMillis}. */
  final AtomicLong idleCuts = new AtomicLong();
  /** Idle connections are reset after this long; 0: never. */
  private volatile long idleCutMillis;
  /** How often idle connections are looked for. */
  private static final long IDLE_SCAN_MILLIS = 25;

  FlakyNetwork(int upstreamPort, Timeline timeline) throws IOException {
    this.upstreamPort = upstreamPort;
    this.timeline = timeline;
    synchronized (this) {
      listen(0);
      this.port = listener.getLocalPort();
    }
  }

  int port() {
    return port;
  }

  /** The server went away: connections are refused until {@link #serverStarted()}. */
  synchronized void serverStopped() {
    serverUp = false;
    updateListener();
  }

  synchronized void serverStarted() {
    serverUp = true;
    updateListener();
  }

  /** Listens exactly while the network and the server are both up. */
  private void updateListener() {
    boolean wanted = up && serverUp && !closed;
    if (wanted && listener == null) {
      try {
        listen(port);
      } catch (IOException e) {
        timeline.log(Timeline.Type.NETWORK, "network", "could not listen on port " + port
            + " again: " + e.getMessage());
      }
    } else if (!wanted && listener != null) {
      closeQuietly(listener);
      listener = null;
      // A socket closed while a thread is blocked in accept() keeps listening until that thread
      // has left the system call: wait, so that "refused" holds once this method returns.
      try {
        acceptThread.join(1_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      acceptThread = null;
    }
  }

  private void listen(int onPort) throws IOException {
    ServerSocket s = new ServerSocket();
    s.setReuseAddress(true);
    s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), onPort), 50);
    listener = s;
    Thread t = new Thread(() -> acceptLoop(s), "flaky network accept");
    t.setDaemon(true);
    t.start();
    acceptThread = t;
  }

  /**
   * From now on, a connection idle (no byte either way) for more than {@code millis} is reset:
   * both sides see the connection die, and nobody is told why.
   */
  void cutIdleAfter(long millis) {
    boolean start = idleCutMillis == 0;
    idleCutMillis = millis;
    timeline.log(Timeline.Type.NETWORK, "network", "the path now drops connections idle for more"
        + " than " + Timeline.seconds(millis) + " (as a NAT or carrier firewall does)");
    if (!start) return;
    Thread t = new Thread(this::idleScan, "flaky network idle cut");
    t.setDaemon(true);
    t.start();
  }

  private void idleScan() {
    while (true) {
      synchronized (this) {
        if (closed) return;
      }
      long now = System.nanoTime();
      for (Link l : links) {
        long idle = (now - l.lastActivityNanos) / 1_000_000L;
        if (!l.silenced && idle > idleCutMillis) {
          idleCuts.incrementAndGet();
          timeline.log(Timeline.Type.NETWORK, "network", "IDLE CUT: reset a connection idle for "
              + Timeline.seconds(idle) + " (limit " + Timeline.seconds(idleCutMillis) + ")");
          l.reset();
        }
      }
      try {
        Thread.sleep(IDLE_SCAN_MILLIS);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /** The open connections go half-open (a zombie); new ones are unaffected. */
  void zombify() {
    int n = silenceAll();
    timeline.log(Timeline.Type.NETWORK, "network", n + " open connection(s) went half-open:"
        + " nothing passes either way, nobody is told");
  }

  /** The network goes away: open connections go silent, new ones are reset. */
  synchronized void down() {
    up = false;
    updateListener();
    int n = silenceAll();
    timeline.log(Timeline.Type.NETWORK, "network", "DOWN: " + n + " open connection(s) silenced,"
        + " new connections refused");
  }

  /** The network is back for new connections. */
  synchronized void up() {
    up = true;
    updateListener();
    timeline.log(Timeline.Type.NETWORK, "network", "UP again");
  }

  @Override public void close() {
    synchronized (this) {
      closed = true;
      updateListener();
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

  private void acceptLoop(ServerSocket s) {
    while (!s.isClosed()) {
      Socket client;
      try {
        client = s.accept();
      } catch (IOException e) {
        return; // Closed: refusing from now on.
      }
      Socket server = new Socket();
      try {
        server.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), upstreamPort), 2_000);
      } catch (IOException e) {
        // The server went down after this connection was accepted: reset it.
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

  private static void closeQuietly(java.io.Closeable s) {
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
    /** When a byte last passed, either way, from {@link System#nanoTime()}. */
    volatile long lastActivityNanos = System.nanoTime();

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
              lastActivityNanos = System.nanoTime();
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

    /** Resets both sides (RST, not FIN), as a middlebox that forgot the connection does. */
    void reset() {
      FlakyNetwork.reset(client);
      FlakyNetwork.reset(server);
      links.remove(this);
    }

    void closeBoth() {
      closeQuietly(client);
      closeQuietly(server);
      links.remove(this);
    }
  }
}
