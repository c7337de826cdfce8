package dev.lifeline.e2e.chaos;

import static dev.lifeline.testing.Stopping.closeQuietly;
import static dev.lifeline.testing.Stopping.join;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import okio.BufferedSink;
import okio.BufferedSource;
import okio.Okio;

/**
 * A newline-framed TCP server on 127.0.0.1 for the soak: records every line received, in arrival
 * order over all connections; optionally acknowledges each {@code "msg:N"} with {@code "ack:N"};
 * sends {@link #HEARTBEAT} to every connection every {@code heartbeatMillis}, so the client's
 * silence watch can tell a dead path from a quiet one. {@link #close()} stops every thread.
 */
final class LineServer implements Closeable {
  /** What the server's heartbeat line reads. */
  static final String HEARTBEAT = "srv-hb";
  private static final long JOIN_MILLIS = 5_000;

  /** One accepted connection. */
  private static final class Peer {
    final Socket socket;
    final BufferedSink out;

    Peer(Socket socket) throws IOException {
      this.socket = socket;
      this.out = Okio.buffer(Okio.sink(socket));
    }

    synchronized void send(String line) {
      try {
        out.writeUtf8(line).writeByte('\n').flush();
      } catch (IOException e) {
        closeQuietly(socket);
      }
    }
  }

  private final boolean acknowledge;
  private final ServerSocket server;
  private final Thread acceptor;
  private final ScheduledExecutorService heartbeats = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "LineServer heartbeats");
    t.setDaemon(true);
    return t;
  });
  private final List<Peer> peers = new CopyOnWriteArrayList<>();
  private final List<Thread> readers = new CopyOnWriteArrayList<>();
  /** Every line received, in arrival order, over all connections. */
  final List<String> received = new CopyOnWriteArrayList<>();

  LineServer(boolean acknowledge, long heartbeatMillis) throws IOException {
    this.acknowledge = acknowledge;
    this.server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
    this.acceptor = new Thread(this::acceptLoop, "LineServer accept");
    acceptor.setDaemon(true);
    acceptor.start();
    heartbeats.scheduleAtFixedRate(() -> {
      for (Peer p : peers) {
        if (p.socket.isClosed()) {
          peers.remove(p);
        } else {
          p.send(HEARTBEAT);
        }
      }
    }, heartbeatMillis, heartbeatMillis, TimeUnit.MILLISECONDS);
  }

  InetSocketAddress address() {
    return new InetSocketAddress("127.0.0.1", server.getLocalPort());
  }

  private void acceptLoop() {
    while (true) {
      Peer peer;
      try {
        peer = new Peer(server.accept());
      } catch (IOException closedByClose) {
        return;
      }
      peers.add(peer);
      Thread reader = new Thread(() -> read(peer), "LineServer connection");
      reader.setDaemon(true);
      readers.removeIf(t -> t.getState() == Thread.State.TERMINATED);
      readers.add(reader);
      reader.start();
    }
  }

  private void read(Peer peer) {
    try {
      BufferedSource in = Okio.buffer(Okio.source(peer.socket));
      String line;
      while ((line = in.readUtf8Line()) != null) {
        received.add(line);
        if (acknowledge && line.startsWith("msg:")) peer.send("ack:" + line.substring(4));
      }
    } catch (IOException resetOrClosed) {
      // The client or the proxy ended the connection.
    } finally {
      closeQuietly(peer.socket);
      peers.remove(peer);
    }
  }

  @Override public void close() throws IOException {
    heartbeats.shutdownNow();
    server.close();
    join(acceptor, JOIN_MILLIS);
    for (Peer p : peers) closeQuietly(p.socket);
    for (Thread t : readers) join(t, JOIN_MILLIS);
  }
}
