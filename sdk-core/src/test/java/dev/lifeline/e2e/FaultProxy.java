package dev.lifeline.e2e;

import static dev.lifeline.testing.Stopping.closeQuietly;
import static dev.lifeline.testing.Stopping.join;
import static dev.lifeline.testing.Stopping.resetQuietly;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy on 127.0.0.1, in front of one real server, that injects the network faults long
 * connections meet in the field, switchable while connections are live:
 *
 * <ul>
 *   <li>{@link #pass()}: forwards both ways (the start state);
 *   <li>{@link #latency(long)}: forwards each chunk that long after it was read;
 *   <li>{@link #pause()}: stops forwarding and reading both ways, sockets kept open; what was
 *       held is forwarded on {@link #pass()} (a stall, e.g. a congested link);
 *   <li>{@link #blackhole()}: reads and drops everything both ways, sockets kept open (a NAT that
 *       forgot the connection, a dead Wi-Fi: the half-open "zombie"). A connection that met the
 *       blackhole stays a zombie after {@link #pass()}, as it would behind such a NAT: a TCP
 *       stream never resumes with a gap, so only new connections go through again;
 *   <li>{@link #refuse()}: new connections are accepted and reset at once; live ones go on;
 *   <li>{@link #reset()}: aborts every current connection with a TCP RST (a router dies);
 *   <li>{@link #closeConnections()}: ends every current connection with a FIN both ways (a
 *       proxy or balancer closing cleanly).
 * </ul>
 *
 * <p>Bounded: at most {@link #MAX_CONNECTIONS} live connections (more are reset at accept), four
 * threads each (a reader and a writer per direction, handing over chunks through a queue of
 * {@link #QUEUED_CHUNKS}, so a slow side slows the other down through TCP flow control) and one
 * acceptor. {@link #close()} ends every connection and waits for every thread. It prints nothing.
 */
public final class FaultProxy implements Closeable {
  /** What the proxy does with traffic; {@link #reset()} and {@link #closeConnections()} are acts. */
  public enum Mode { PASS, LATENCY, PAUSE, BLACKHOLE, REFUSE }

  /** Live connections at most; one more is reset at accept. */
  public static final int MAX_CONNECTIONS = 32;
  /** Chunks read and not yet written, per direction. */
  private static final int QUEUED_CHUNKS = 64;
  /** How long {@link #close()} waits for each thread. */
  private static final long JOIN_MILLIS = 5_000;
  /** After {@link #closeConnections()}, how long a peer may keep its half open before a reset. */
  private static final long FIN_GRACE_MILLIS = 2_000;

  /** A chunk read from one side, to be written to the other at {@link #dueNanos}. */
  private static final class Chunk {
    final byte[] bytes;
    final long dueNanos;

    Chunk(byte[] bytes, long dueNanos) {
      this.bytes = bytes;
      this.dueNanos = dueNanos;
    }
  }

  /** One proxied connection: the client's socket and the one to the server. */
  private final class Link {
    final Socket client;
    final Socket upstream;
    final List<Thread> threads = new ArrayList<>(4);
    /** Directions that ended with a FIN passed on; at two, the link is done. */
    final AtomicInteger finished = new AtomicInteger();
    /** Set when this link met the blackhole: from then on it drops everything, for good. */
    volatile boolean zombie;

    Link(Socket client, Socket upstream) {
      this.client = client;
      this.upstream = upstream;
    }

    void start(int id) {
      direction(id + " up", client, upstream);
      direction(id + " down", upstream, client);
      for (Thread t : threads) t.start();
    }

    /** A reader from {@code from} and a writer to {@code to}, joined by a bounded queue. */
    private void direction(String name, Socket from, Socket to) {
      BlockingQueue<Chunk> queue = new ArrayBlockingQueue<>(QUEUED_CHUNKS);
      threads.add(thread(name + " reader", () -> read(from, queue)));
      threads.add(thread(name + " writer", () -> write(queue, to)));
    }

    private void read(Socket from, BlockingQueue<Chunk> queue) {
      byte[] buffer = new byte[8192];
      try {
        InputStream in = from.getInputStream();
        while (true) {
          awaitNot(Mode.PAUSE); // Paused: the bytes stay in the socket, the sender slows down.
          int n = in.read(buffer);
          if (n == -1) break;
          if (zombie) continue;
          long delay = mode == Mode.LATENCY ? TimeUnit.MILLISECONDS.toNanos(latencyMillis) : 0;
          queue.put(new Chunk(Arrays.copyOf(buffer, n), System.nanoTime() + delay));
        }
        queue.put(END);
      } catch (IOException | InterruptedException e) {
        abort(); // Reset by a peer or by reset()/close(): the other side learns it the same way.
      }
    }

    private void write(BlockingQueue<Chunk> queue, Socket to) {
      try {
        OutputStream out = to.getOutputStream();
        while (true) {
          Chunk chunk = queue.take();
          if (chunk == END) {
            to.shutdownOutput(); // Pass the FIN on.
            if (finished.incrementAndGet() == 2) end();
            return;
          }
          long wait;
          while ((wait = chunk.dueNanos - System.nanoTime()) > 0) {
            TimeUnit.NANOSECONDS.sleep(Math.min(wait, TimeUnit.MILLISECONDS.toNanos(20)));
          }
          awaitNot(Mode.PAUSE);
          if (zombie) continue; // In flight when the hole opened: lost.
          out.write(chunk.bytes);
          out.flush();
        }
      } catch (IOException | InterruptedException e) {
        abort();
      }
    }

    /** A FIN to both peers; a reset later if either keeps its half open. */
    void finish() {
      try {
        client.shutdownOutput();
        upstream.shutdownOutput();
      } catch (IOException alreadyGone) {
        abort();
        return;
      }
      Thread reaper = thread("fin grace", () -> {
        try {
          Thread.sleep(FIN_GRACE_MILLIS);
        } catch (InterruptedException e) {
          // close() is ending everything anyway.
        }
        abort();
      });
      reaper.start();
    }

    /** Both directions ended with a FIN: closes both sockets. */
    private void end() {
      if (links.remove(this)) {
        closeQuietly(client);
        closeQuietly(upstream);
      }
    }

    /** Aborts both sockets with a TCP RST and ends this link's threads. */
    void abort() {
      if (links.remove(this)) {
        resetQuietly(client);
        resetQuietly(upstream);
        for (Thread t : threads) if (t != Thread.currentThread()) t.interrupt();
      }
    }
  }

  /** Marks the end of one direction's stream (the sender's FIN). */
  private static final Chunk END = new Chunk(new byte[0], 0);

  /** Where traffic goes. */
  private final InetSocketAddress upstream;
  /** Listens on 127.0.0.1, on a port the system chose. */
  private final ServerSocket server;
  /** The live connections. */
  private final List<Link> links = new CopyOnWriteArrayList<>();
  /** Every thread started, joined by {@link #close()}. */
  private final List<Thread> threads = new CopyOnWriteArrayList<>();
  /** Connections accepted so far, refused ones included. */
  private final AtomicInteger accepted = new AtomicInteger();
  /** Guards mode changes, so that paused threads wake on {@link #notifyAll()}. */
  private final Object lock = new Object();
  /** What traffic meets now. */
  private volatile Mode mode = Mode.PASS;
  /** The delay in {@link Mode#LATENCY}. */
  private volatile long latencyMillis;
  private volatile boolean closed;

  /** Starts listening on 127.0.0.1 in {@link Mode#PASS}, forwarding to {@code upstream}. */
  public FaultProxy(InetSocketAddress upstream) throws IOException {
    this.upstream = upstream;
    this.server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
    thread("accept", this::acceptLoop).start();
  }

  public int port() {
    return server.getLocalPort();
  }

  /** Connections accepted so far, refused ones included. */
  public int accepted() {
    return accepted.get();
  }

  /** Live proxied connections. */
  public int liveConnections() {
    return links.size();
  }

  public Mode mode() {
    return mode;
  }

  public void pass() {
    setMode(Mode.PASS);
  }

  public void latency(long millis) {
    latencyMillis = millis;
    setMode(Mode.LATENCY);
  }

  public void pause() {
    setMode(Mode.PAUSE);
  }

  /** Drops all traffic of the current connections for good, and of new ones until the next mode. */
  public void blackhole() {
    setMode(Mode.BLACKHOLE);
    for (Link link : links) link.zombie = true;
  }

  public void refuse() {
    setMode(Mode.REFUSE);
  }

  /** Aborts every current connection with a TCP RST; the mode stays as it is. */
  public void reset() {
    for (Link link : links) link.abort();
  }

  /** Ends every current connection with a FIN to both peers; the mode stays as it is. */
  public void closeConnections() {
    for (Link link : links) link.finish();
  }

  private void setMode(Mode next) {
    synchronized (lock) {
      mode = next;
      lock.notifyAll();
    }
  }

  /** Waits while the mode is {@code m}. */
  private void awaitNot(Mode m) throws InterruptedException {
    if (mode != m) return;
    synchronized (lock) {
      while (mode == m && !closed) lock.wait();
    }
  }

  private void acceptLoop() {
    int id = 0;
    while (true) {
      Socket client;
      try {
        client = server.accept();
      } catch (IOException closedByClose) {
        return;
      }
      accepted.incrementAndGet();
      threads.removeIf(t -> t.getState() == Thread.State.TERMINATED);
      if (mode == Mode.REFUSE || links.size() >= MAX_CONNECTIONS) {
        resetQuietly(client);
        continue;
      }
      Socket up = new Socket();
      try {
        up.connect(upstream, 5_000);
      } catch (IOException e) {
        resetQuietly(up);
        resetQuietly(client); // The server is down: so is the path.
        continue;
      }
      Link link = new Link(client, up);
      links.add(link);
      if (mode == Mode.BLACKHOLE) link.zombie = true; // After the add: blackhole() sees it or not.
      if (closed) {
        link.abort();
        return;
      }
      link.start(id++);
    }
  }

  private Thread thread(String role, Runnable body) {
    Thread t = new Thread(body, "FaultProxy " + port() + " " + role);
    t.setDaemon(true);
    threads.add(t);
    return t;
  }

  /**
   * Stops: no more connections, every connection reset, every thread ended.
   *
   * @throws IOException if a thread is still running after {@value #JOIN_MILLIS} ms.
   */
  @Override public void close() throws IOException {
    closed = true;
    server.close();
    setMode(Mode.PASS); // Wakes paused threads.
    for (Thread t : threads) {
      if (t.getName().endsWith(" accept")) join(t, JOIN_MILLIS); // No link is added from here on.
    }
    reset();
    for (Thread t : threads) {
      t.interrupt();
      join(t, JOIN_MILLIS);
    }
  }
}
