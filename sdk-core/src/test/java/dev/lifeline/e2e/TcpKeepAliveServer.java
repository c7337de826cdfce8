package dev.lifeline.e2e;

import dev.lifeline.internal.ReadWaits;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import okhttp3.OkHttpClient;
import okio.BufferedSink;
import okio.BufferedSource;
import okio.Okio;

/**
 * The reference server over newline-framed TCP text: one line per message, like a server
 * listening as {@code text://host:port}. Every line received is a data message (heartbeats
 * included, as the reference server's {@code onMessage} sees them).
 *
 * <p>Its silence verdict follows the rule Lifeline's own watch follows (docs/behaviour.md,
 * "Server-silence watch"): a connection is closed only when no line arrived for the limit and its
 * reader thread was free to read, blocked on the socket, for all of that time ({@link
 * ReadWaits}). A reader thread started or scheduled late on a busy machine leaves lines unread in
 * the socket; that is not a silent client, and the tests must not depend on how fast this
 * machine schedules the server's threads.
 */
final class TcpKeepAliveServer implements KeepAliveServer {
  /** One accepted connection, server side. */
  private static final class Peer {
    final Socket socket;
    final BufferedSink out;
    /** Data lines received, in order. */
    final List<String> lines = new CopyOnWriteArrayList<>();
    /** System.nanoTime() of the last data line (or of the accept). */
    volatile long lastDataAtNanos = System.nanoTime();
    /** How long this connection's reader waited for the socket, in System.nanoTime() ms. */
    final ReadWaits readWaits = new ReadWaits(() -> System.nanoTime() / 1_000_000L);
    /** {@link #readWaits} at the last data line (0 at the accept: the reader had not waited). */
    volatile long freeAtLastDataMillis;
    volatile boolean open = true;
    volatile boolean quiet;
    /** See {@link KeepAliveServer#lastSendAtNanos}. */
    volatile long lastSendAtNanos;

    Peer(Socket socket) throws IOException {
      this.socket = socket;
      this.out = Okio.buffer(Okio.sink(socket));
    }

    synchronized void send(String line) {
      if (!open || quiet) return;
      lastSendAtNanos = System.nanoTime();
      try {
        out.writeUtf8(line).writeByte('\n').flush();
      } catch (IOException e) {
        close();
      }
    }

    void close() {
      open = false;
      try {
        socket.close();
      } catch (IOException ignored) {
        // Closed either way.
      }
    }
  }

  private final List<Peer> peers = new CopyOnWriteArrayList<>();
  private final List<Thread> threads = new CopyOnWriteArrayList<>();
  private final ScheduledExecutorService timers = Executors.newScheduledThreadPool(1, r -> {
    Thread t = new Thread(r, "TcpKeepAliveServer timers");
    t.setDaemon(true);
    return t;
  });
  private volatile int kicked;
  /** See {@link #lastKickAtNanos()}. */
  private volatile long lastKickAtNanos;
  private ServerSocket server;

  @Override public void start(long silenceLimitMillis, long scanIntervalMillis) throws IOException {
    server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
    Thread acceptor = new Thread(this::acceptLoop, "TcpKeepAliveServer accept");
    acceptor.setDaemon(true);
    threads.add(acceptor);
    acceptor.start();
    long limitNanos = TimeUnit.MILLISECONDS.toNanos(silenceLimitMillis);
    timers.scheduleAtFixedRate(() -> {
      long now = System.nanoTime();
      for (Peer p : peers) {
        if (p.open && now - p.lastDataAtNanos > limitNanos
            && p.readWaits.freeMillis() - p.freeAtLastDataMillis > silenceLimitMillis) {
          lastKickAtNanos = System.nanoTime(); // Before the close: the client cannot react earlier.
          kicked++;
          p.close();
        }
      }
    }, scanIntervalMillis, scanIntervalMillis, TimeUnit.MILLISECONDS);
  }

  private void acceptLoop() {
    try {
      while (true) {
        Peer peer = new Peer(server.accept());
        peers.add(peer);
        Thread reader = new Thread(() -> readLoop(peer),
            "TcpKeepAliveServer connection " + (peers.size() - 1));
        reader.setDaemon(true);
        threads.add(reader);
        reader.start();
      }
    } catch (IOException closed) {
      // Server closed: stop accepting.
    }
  }

  private void readLoop(Peer peer) {
    try {
      BufferedSource in =
          Okio.buffer(Okio.source(peer.readWaits.watch(peer.socket.getInputStream())));
      String line;
      while ((line = in.readUtf8Line()) != null) {
        peer.lines.add(line);
        peer.freeAtLastDataMillis = peer.readWaits.freeMillis();
        peer.lastDataAtNanos = System.nanoTime();
      }
    } catch (IOException closed) {
      // Kicked, or the client reset the connection.
    } finally {
      peer.close();
    }
  }

  /**
   * Connection {@code connection}, once the accept loop has it: the client can see its socket open
   * before this server's accept thread ran, more so on a busy machine.
   */
  private Peer peer(int connection) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (peers.size() <= connection && System.nanoTime() - deadline < 0) {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
    }
    return peers.get(connection);
  }

  @Override public String url() {
    return "tcp://127.0.0.1:" + server.getLocalPort();
  }

  @Override public OkHttpClient client(OkHttpClient base) {
    return base;
  }

  @Override public int connectionCount() {
    return peers.size();
  }

  @Override public List<String> dataMessages(int connection) {
    return new ArrayList<>(peer(connection).lines);
  }

  @Override public boolean isOpen(int connection) {
    return peer(connection).open;
  }

  @Override public int kicked() {
    return kicked;
  }

  @Override public long lastKickAtNanos() {
    return lastKickAtNanos;
  }

  /** Closes {@code connection} from the server's side, as a restart or deploy would. */
  void closeConnection(int connection) {
    peer(connection).close();
  }

  @Override public long lastSendAtNanos(int connection) {
    return peer(connection).lastSendAtNanos;
  }

  @Override public void send(int connection, String text) {
    peer(connection).send(text);
  }

  @Override public void sendHeartbeats(long intervalMillis, String text) {
    timers.scheduleAtFixedRate(() -> {
      for (Peer p : peers) p.send(text);
    }, 0, intervalMillis, TimeUnit.MILLISECONDS);
  }

  @Override public void goQuiet(int connection) {
    peer(connection).quiet = true;
  }

  @Override public List<String> clientTransportThreads() {
    return Collections.singletonList("Lifeline TCP reader " + url());
  }

  @Override public void close() throws IOException {
    timers.shutdownNow();
    if (server != null) server.close();
    for (Peer p : peers) p.close();
    for (Thread t : threads) {
      try {
        t.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  @Override public String toString() {
    return "tcp";
  }
}
