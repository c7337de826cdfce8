package dev.lifeline.e2e;

import static dev.lifeline.testing.Stopping.closeQuietly;
import static dev.lifeline.testing.Stopping.join;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A hostile server on 127.0.0.1 that sends every connection the same bytes, one byte per interval,
 * and reads and discards whatever the client sends. With an interval below the client's read
 * timeout, every read succeeds, yet a handshake (HTTP upgrade, TLS) never completes: only an
 * overall deadline ends it. It never sends more than the given bytes; after the last one it keeps
 * the connection open, silent.
 *
 * <p>Bounded: {@link #close()} closes the listening socket and every connection, and waits for
 * every thread it started (one acceptor; a reader and a writer per connection) to end.
 */
public final class TrickleServer implements Closeable {
  /** How long {@link #close()} waits for each thread. */
  private static final long JOIN_MILLIS = 5_000;

  /** What every connection is sent, one byte at a time; never more. */
  private final byte[] bytes;
  /** The pause before each byte after the first. */
  private final long intervalMillis;
  /** Listens on 127.0.0.1, on a port the system chose. */
  private final ServerSocket server;
  /** Accepts connections until {@link #close()}. */
  private final Thread acceptor;
  /** Released by {@link #close()}: wakes every writer from its pause at once. */
  private final CountDownLatch closed = new CountDownLatch(1);
  /** Every accepted connection, closed by {@link #close()}. */
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  /** Every reader and writer thread, joined by {@link #close()}. */
  private final List<Thread> threads = new CopyOnWriteArrayList<>();
  /** Connections accepted so far. */
  private final AtomicInteger accepted = new AtomicInteger();

  /** Starts listening; each connection gets {@code bytes}, one per {@code intervalMillis}. */
  public TrickleServer(byte[] bytes, long intervalMillis) throws IOException {
    this.bytes = bytes.clone();
    this.intervalMillis = intervalMillis;
    this.server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
    this.acceptor = daemon("accept", this::acceptLoop);
  }

  /**
   * A WebSocket upgrade response that never ends: the 101 status line, then a header line of
   * 4 KiB with no line end (over 15 minutes at 250 ms a byte).
   */
  public static byte[] httpUpgradeResponse() {
    char[] value = new char[4096];
    Arrays.fill(value, 'a');
    return ("HTTP/1.1 101 Switching Protocols\r\nX-Trickle: " + new String(value))
        .getBytes(StandardCharsets.US_ASCII);
  }

  /**
   * The first 43 bytes of a TLS 1.2 ServerHello announced as a full-size record: the client's
   * handshake reads them and waits for the rest of the 16 KiB record, which never comes.
   */
  public static byte[] tlsServerHelloStart() {
    byte[] hello = new byte[43];
    int i = 0;
    // Record header: content type handshake, version TLS 1.2, length 0x4000 (the largest).
    hello[i++] = 0x16;
    hello[i++] = 0x03;
    hello[i++] = 0x03;
    hello[i++] = 0x40;
    hello[i++] = 0x00;
    // Handshake header: ServerHello, length 0x003ffc (the rest of the record).
    hello[i++] = 0x02;
    hello[i++] = 0x00;
    hello[i++] = 0x3f;
    hello[i++] = (byte) 0xfc;
    // server_version TLS 1.2; the 32 bytes of server random follow (zeros).
    hello[i++] = 0x03;
    hello[i] = 0x03;
    return hello;
  }

  public int port() {
    return server.getLocalPort();
  }

  /** Connections accepted so far. */
  public int accepted() {
    return accepted.get();
  }

  private void acceptLoop() {
    while (true) {
      Socket socket;
      try {
        socket = server.accept();
      } catch (IOException closedByClose) {
        return;
      }
      sockets.add(socket);
      accepted.incrementAndGet();
      threads.add(daemon("reader", () -> discard(socket)));
      threads.add(daemon("writer", () -> trickle(socket)));
    }
  }

  /** Reads and drops what the client sends; closes the connection when the client does. */
  private void discard(Socket socket) {
    byte[] buffer = new byte[8192];
    try (InputStream in = socket.getInputStream()) {
      while (in.read(buffer) != -1) {
        // Dropped.
      }
    } catch (IOException ignored) {
      // Closed by close(), or reset by the client.
    } finally {
      closeQuietly(socket);
    }
  }

  /** Sends {@link #bytes} one at a time, pausing {@link #intervalMillis} before each but the first. */
  private void trickle(Socket socket) {
    try {
      OutputStream out = socket.getOutputStream();
      for (int i = 0; i < bytes.length; i++) {
        if (i > 0 && closed.await(intervalMillis, TimeUnit.MILLISECONDS)) return;
        out.write(bytes[i]);
        out.flush();
      }
    } catch (IOException | InterruptedException ignored) {
      // The client went away, or close() ended the connection.
    }
  }

  private Thread daemon(String role, Runnable body) {
    Thread t = new Thread(body, "TrickleServer " + port() + " " + role);
    t.setDaemon(true);
    t.start();
    return t;
  }

  /**
   * Stops: no more connections, every connection closed, every thread ended.
   *
   * @throws IOException if a thread is still running after {@value #JOIN_MILLIS} ms.
   */
  @Override public void close() throws IOException {
    closed.countDown();
    server.close();
    join(acceptor, JOIN_MILLIS); // From here on, no connection and no thread is added.
    for (Socket s : sockets) closeQuietly(s);
    for (Thread t : threads) join(t, JOIN_MILLIS);
  }
}
