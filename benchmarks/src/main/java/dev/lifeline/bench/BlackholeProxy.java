package dev.lifeline.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A TCP proxy on 127.0.0.1 in front of one local server, whose links can each be turned into a
 * blackhole: from then on it reads and drops everything both ways and closes neither socket, as
 * a phone's NAT does when it forgets a mapping (the half-open "zombie" of docs/behaviour.md,
 * "Protocol pings"). It may also start listening late, on a port reserved earlier, so that a
 * client's attempts are refused until then (a server or network that comes back).
 *
 * <p>Bounded: at most {@link #MAX_LINKS} links (more are closed at accept), two threads each and
 * one acceptor; {@link #close()} closes every socket and waits for every thread. It prints
 * nothing.
 */
final class BlackholeProxy implements AutoCloseable {
  /** Live links at most; one more is closed at accept. */
  static final int MAX_LINKS = 64;
  /** How long {@link #close()} waits for each thread. */
  private static final long JOIN_MILLIS = 2_000;

  /** One proxied connection: the client's socket and the one to the server. */
  static final class Link {
    final Socket client;
    final Socket upstream;
    /** Set once by {@link #blackhole()}: from then on both directions drop what they read. */
    private volatile boolean blackholed;
    /** System.nanoTime() of the last bytes forwarded from the server to the client. */
    private volatile long lastToClientNanos;
    /**
     * System.nanoTime() when the proxy read the last WebSocket ping frame it forwarded to the
     * server; 0 before one (or on a link that is not a WebSocket).
     */
    private volatile long lastPingToServerNanos;
    /** Finds the pings in what the client sends; confined to the upward pump's thread. */
    private final PingSpotter pings = new PingSpotter();

    Link(Socket client, Socket upstream) {
      this.client = client;
      this.upstream = upstream;
      lastToClientNanos = System.nanoTime();
    }

    /** Stops forwarding both ways, for good, without closing a socket; returns the time. */
    long blackhole() {
      blackholed = true;
      return System.nanoTime();
    }

    long lastToClientNanos() {
      return lastToClientNanos;
    }

    long lastPingToServerNanos() {
      return lastPingToServerNanos;
    }

    private void pump(Socket from, Socket to, boolean toClient) {
      byte[] buffer = new byte[8192];
      try {
        InputStream in = from.getInputStream();
        OutputStream out = to.getOutputStream();
        int n;
        while ((n = in.read(buffer)) != -1) {
          long readAt = System.nanoTime();
          if (blackholed) continue;
          out.write(buffer, 0, n);
          out.flush();
          // Toward the client: once written, the client may have it. Toward the server: as read,
          // the nearest to when the client sent it.
          if (toClient) lastToClientNanos = System.nanoTime();
          else if (pings.scan(buffer, n)) lastPingToServerNanos = readAt;
        }
      } catch (IOException gone) {
        // One side reset or the proxy closed: the link is over.
      }
      // An end seen through a blackhole is not passed on either: only the side that ended (the
      // client giving up on its zombie, or close()) loses its socket.
      if (blackholed) closeQuietly(from);
      else end();
    }

    void end() {
      closeQuietly(client);
      closeQuietly(upstream);
    }
  }

  /**
   * Finds WebSocket ping frames in the bytes a client sends: past the HTTP upgrade request (up to
   * its blank line), it reads each frame header and skips the payload. Bytes of another protocol
   * (tcp:// lines) simply never end a request head, so nothing is found there.
   */
  static final class PingSpotter {
    /** The last four bytes of the request head, to find its end ("\r\n\r\n"). */
    private int headTail;
    private boolean inFrames;
    /** The current frame header so far: 2 bytes, up to 8 of length, 4 of mask. */
    private final byte[] header = new byte[14];
    private int headerLength;
    /** Payload bytes of the current frame still to pass. */
    private long skip;

    /** Scans the next {@code n} bytes of the stream; true when a ping frame's header was there. */
    boolean scan(byte[] b, int n) {
      boolean ping = false;
      int i = 0;
      while (i < n) {
        if (!inFrames) {
          headTail = (headTail << 8) | (b[i++] & 0xff);
          inFrames = headTail == 0x0d0a0d0a;
        } else if (skip > 0) {
          int take = (int) Math.min(skip, n - i);
          i += take;
          skip -= take;
        } else {
          header[headerLength++] = b[i++];
          if (headerLength < headerBytes()) continue;
          ping |= (header[0] & 0x0f) == 0x9;
          skip = payloadLength();
          headerLength = 0;
        }
      }
      return ping;
    }

    /** The current header's size, as far as its first two bytes tell. */
    private int headerBytes() {
      if (headerLength < 2) return 2;
      int length7 = header[1] & 0x7f;
      return 2 + (length7 == 126 ? 2 : length7 == 127 ? 8 : 0) + ((header[1] & 0x80) != 0 ? 4 : 0);
    }

    private long payloadLength() {
      int length7 = header[1] & 0x7f;
      if (length7 < 126) return length7;
      long length = 0;
      for (int k = 0; k < (length7 == 126 ? 2 : 8); k++) {
        length = (length << 8) | (header[2 + k] & 0xff);
      }
      return length;
    }
  }

  /** Where traffic goes: the real server. */
  private final InetSocketAddress upstream;
  /** The port to listen on; 0 for one the system picks. */
  private final int requestedPort;
  /** Listens on 127.0.0.1 once {@link #listen()} ran; null before. */
  private volatile ServerSocket listening;
  /** Every link accepted so far, in order. */
  private final List<Link> links = new CopyOnWriteArrayList<>();
  /** Every thread started, joined by {@link #close()}. */
  private final List<Thread> threads = new CopyOnWriteArrayList<>();
  private volatile boolean closed;
  /**
   * Holds the port of a proxy that does not listen yet: bound, never connected, so connecting to
   * it is refused and no other socket can take it (no SO_REUSEADDR). Null for a proxy that listens
   * at once. Guarded by this.
   */
  private Socket portHolder;

  private BlackholeProxy(int upstreamPort, boolean listenLater) throws IOException {
    this.upstream = new InetSocketAddress(InetAddress.getByName("127.0.0.1"), upstreamPort);
    if (listenLater) {
      portHolder = new Socket();
      portHolder.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
      requestedPort = portHolder.getLocalPort();
    } else {
      requestedPort = 0;
    }
  }

  /** A proxy to {@code upstreamPort} listening at once on a port the system picked. */
  static BlackholeProxy listening(int upstreamPort) throws IOException {
    BlackholeProxy proxy = new BlackholeProxy(upstreamPort, false);
    proxy.listen();
    return proxy;
  }

  /**
   * A proxy to {@code upstreamPort} whose port refuses connections until {@link #listen()}: a
   * server or network that comes back.
   */
  static BlackholeProxy reserved(int upstreamPort) throws IOException {
    return new BlackholeProxy(upstreamPort, true);
  }

  /** Starts accepting: from now on connecting to {@link #port()} reaches the server. */
  synchronized void listen() throws IOException {
    if (listening != null || closed) return;
    if (portHolder != null) closeQuietly(portHolder); // Never connected: no TIME_WAIT to wait out.
    ServerSocket s = new ServerSocket();
    s.setReuseAddress(true);
    s.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), requestedPort), 50);
    listening = s;
    start("blackhole proxy acceptor", this::accept);
  }

  int port() {
    ServerSocket s = listening;
    return s != null ? s.getLocalPort() : requestedPort;
  }

  /** The {@code index}-th link accepted, waiting up to 5 s for it. */
  Link awaitLink(int index) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (links.size() <= index) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("proxy link " + index + " not accepted after 5 s ("
            + links.size() + " accepted)");
      }
      Thread.sleep(1);
    }
    return links.get(index);
  }

  private void accept() {
    ServerSocket s = listening;
    while (!closed) {
      Socket client;
      try {
        client = s.accept();
      } catch (IOException stopped) {
        return;
      }
      if (links.size() >= MAX_LINKS) {
        closeQuietly(client);
        continue;
      }
      Socket up = new Socket();
      try {
        up.connect(upstream, 5_000);
        client.setTcpNoDelay(true);
        up.setTcpNoDelay(true);
      } catch (IOException refused) {
        closeQuietly(client);
        closeQuietly(up);
        continue;
      }
      Link link = new Link(client, up);
      links.add(link);
      start("blackhole proxy up", () -> link.pump(client, up, false));
      start("blackhole proxy down", () -> link.pump(up, client, true));
      if (closed) link.end(); // close() ran meanwhile and did not see this link.
    }
  }

  private void start(String name, Runnable task) {
    Thread t = new Thread(task, name);
    t.setDaemon(true);
    threads.add(t);
    t.start();
  }

  @Override public void close() {
    closed = true;
    synchronized (this) {
      if (listening != null) closeQuietly(listening);
      if (portHolder != null) closeQuietly(portHolder);
    }
    for (Link link : links) link.end();
    try {
      for (Thread t : threads) t.join(JOIN_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // The sockets are closed; its threads end by themselves.
    }
  }

  static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception alreadyGone) {
      // Closing is all that was left to do.
    }
  }
}
