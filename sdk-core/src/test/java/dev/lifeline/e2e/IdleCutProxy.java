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
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy on 127.0.0.1 that cuts connections idle for too long, as a NAT, a load balancer or
 * a server's socket-level idle check does: once no byte went either way for {@link
 * #idleLimitMillis}, checked every {@code checkMillis}, it closes both sockets (the client reads
 * EOF; no WebSocket close frame). Made with {@link #wholeSeconds}, it plays a PHP (Workerman)
 * heartbeat server instead: it notes the time of the last byte from the client only and, every
 * second, cuts when {@code time() - last > limit} in whole seconds, so anywhere between the limit
 * and the limit plus 2 s of idleness. For the adaptive heartbeat's end-to-end tests. Two pump
 * threads per connection, one checker; {@link #close()} stops them all. It prints nothing.
 */
final class IdleCutProxy implements Closeable {
  private final class Link {
    final Socket client;
    final Socket upstream;
    volatile long lastByteAtNanos = System.nanoTime();
    volatile boolean open = true;

    Link(Socket client, Socket upstream) {
      this.client = client;
      this.upstream = upstream;
    }

    void cut() {
      open = false;
      closeQuietly(client);
      closeQuietly(upstream);
    }
  }

  private final InetSocketAddress upstream;
  private final long idleLimitMillis;
  /** True: the rule of {@link #wholeSeconds}; false: any byte counts, compared to the ms. */
  private final boolean wholeSeconds;
  /** Where the whole seconds {@link #wholeSeconds} compares begin: the check ticks after it. */
  private final long originNanos;
  private final ServerSocket server;
  private final List<Link> links = new CopyOnWriteArrayList<>();
  private final List<Thread> threads = new CopyOnWriteArrayList<>();
  /** Connections cut for idleness. */
  final AtomicInteger cuts = new AtomicInteger();
  /** System.nanoTime() of the last cut, or 0. */
  volatile long lastCutAtNanos;
  /** How long each cut connection had been idle, in ms, in cut order. */
  final List<Long> cutIdleMillis = new CopyOnWriteArrayList<>();
  private volatile boolean closed;

  IdleCutProxy(InetSocketAddress upstream, long idleLimitMillis, long checkMillis)
      throws IOException {
    this(upstream, idleLimitMillis, checkMillis, false, 0);
  }

  /**
   * A proxy playing a server that, every second, cuts connections whose client sent nothing for
   * more than {@code limitSeconds} whole seconds: {@code time() - $last > limitSeconds}. Its check
   * runs {@code checkPhaseMillis} (0 to 999) after each whole second, so it cuts after an idle
   * time in (limit + phase, limit + 1 s + phase]: 3.9 to 4.9 s for 3 s and a 900 ms phase.
   */
  static IdleCutProxy wholeSeconds(InetSocketAddress upstream, int limitSeconds,
      long checkPhaseMillis) throws IOException {
    return new IdleCutProxy(upstream, limitSeconds * 1_000L, 1_000, true, checkPhaseMillis);
  }

  private IdleCutProxy(InetSocketAddress upstream, long idleLimitMillis, long checkMillis,
      boolean wholeSeconds, long checkPhaseMillis) throws IOException {
    this.upstream = upstream;
    this.idleLimitMillis = idleLimitMillis;
    this.wholeSeconds = wholeSeconds;
    long startNanos = System.nanoTime();
    this.originNanos = startNanos - checkPhaseMillis * 1_000_000L;
    this.server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
    start("IdleCutProxy accept", this::acceptLoop);
    start("IdleCutProxy checker", () -> checkLoop(startNanos, checkMillis));
  }

  int port() {
    return server.getLocalPort();
  }

  private void acceptLoop() {
    try {
      while (!closed) {
        Socket client = server.accept();
        Socket up = new Socket(upstream.getAddress(), upstream.getPort());
        Link link = new Link(client, up);
        links.add(link);
        start("IdleCutProxy up", () -> pump(link, client, up));
        start("IdleCutProxy down", () -> pump(link, up, client));
      }
    } catch (IOException e) {
      // Closed.
    }
  }

  private void pump(Link link, Socket from, Socket to) {
    byte[] buffer = new byte[8192];
    try {
      InputStream in = from.getInputStream();
      OutputStream out = to.getOutputStream();
      int n;
      while ((n = in.read(buffer)) != -1) {
        if (!wholeSeconds || from == link.client) link.lastByteAtNanos = System.nanoTime();
        out.write(buffer, 0, n);
        out.flush();
      }
    } catch (IOException e) {
      // Cut, or a side went away.
    } finally {
      link.open = false;
      closeQuietly(from);
      closeQuietly(to);
    }
  }

  /** Checks every {@code checkMillis} from {@code startNanos}. */
  private void checkLoop(long startNanos, long checkMillis) {
    long limitNanos = idleLimitMillis * 1_000_000L;
    long periodNanos = checkMillis * 1_000_000L;
    // Ticks at fixed times from the start, so that a late wake-up does not shift the later ones.
    long nextTick = startNanos + periodNanos;
    try {
      while (!closed) {
        // The period of the idle check itself, not a wait in a test.
        long wait = nextTick - System.nanoTime();
        if (wait > 0) Thread.sleep(wait / 1_000_000L, (int) (wait % 1_000_000L));
        nextTick += periodNanos;
        long now = System.nanoTime();
        for (Link l : links) {
          boolean idle = wholeSeconds
              ? second(now) - second(l.lastByteAtNanos) > idleLimitMillis / 1_000
              : now - l.lastByteAtNanos >= limitNanos;
          if (l.open && idle) {
            lastCutAtNanos = now;
            cutIdleMillis.add((now - l.lastByteAtNanos) / 1_000_000L);
            cuts.incrementAndGet();
            l.cut();
          }
          if (!l.open) links.remove(l);
        }
      }
    } catch (InterruptedException e) {
      // Closed.
    }
  }

  /** The whole second of {@code nanos} on this proxy's clock, as PHP's time() would give it. */
  private long second(long nanos) {
    return (nanos - originNanos) / 1_000_000_000L;
  }

  private void start(String name, Runnable r) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    threads.add(t);
    t.start();
  }

  @Override public void close() throws IOException {
    closed = true;
    server.close();
    for (Link l : links) l.cut();
    for (Thread t : threads) {
      t.interrupt();
      try {
        t.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
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
