package dev.lifeline.e2e;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A server on 127.0.0.1 that reads each connection's HTTP request head and then hands the socket
 * to a script, for answers no well-behaved server library would give (a 503 with an absurd
 * Retry-After, an upgrade followed by a bare TCP close). Bounded: {@link #close()} closes the
 * listening socket and every connection, and joins every thread it started.
 */
public final class RawHttpServer implements Closeable {
  /** What the server does with one connection, once the request head was read. */
  public interface Script {
    void run(int index, Socket socket, String requestHead) throws Exception;
  }

  private static final long JOIN_MILLIS = 5_000;

  private final ServerSocket server;
  private final Script script;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private final List<Thread> threads = new CopyOnWriteArrayList<>();
  /** Connections accepted so far. */
  public final AtomicInteger accepted = new AtomicInteger();

  public RawHttpServer(Script script) throws IOException {
    this.script = script;
    this.server = new ServerSocket(0, 200, InetAddress.getByName("127.0.0.1"));
    start("raw http accept", this::acceptLoop);
  }

  public int port() {
    return server.getLocalPort();
  }

  public String wsUrl() {
    return "ws://127.0.0.1:" + port() + "/socket";
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      Socket s;
      try {
        s = server.accept();
      } catch (IOException closed) {
        return;
      }
      sockets.add(s);
      int index = accepted.getAndIncrement();
      start("raw http connection " + index, () -> {
        try {
          script.run(index, s, readHead(s.getInputStream()));
        } catch (Exception ignored) {
          // The client went away, or close() ended the connection.
        }
      });
    }
  }

  private void start(String name, Runnable r) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    threads.add(t);
    t.start();
  }

  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    byte[] end = {'\r', '\n', '\r', '\n'};
    while (matched < 4) {
      int b = in.read();
      if (b < 0) throw new IOException("request ended early");
      head.write(b);
      matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
    }
    return new String(head.toByteArray(), StandardCharsets.ISO_8859_1);
  }

  /** The 101 answer to {@code requestHead}'s WebSocket upgrade (RFC 6455 accept key). */
  public static byte[] upgradeResponse(String requestHead) throws Exception {
    String key = null;
    for (String line : requestHead.split("\r\n")) {
      if (line.toLowerCase().startsWith("sec-websocket-key:")) key = line.substring(18).trim();
    }
    byte[] sha1 = MessageDigest.getInstance("SHA-1").digest(
        (key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(StandardCharsets.ISO_8859_1));
    return ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Accept: " + Base64.getEncoder().encodeToString(sha1) + "\r\n\r\n")
        .getBytes(StandardCharsets.ISO_8859_1);
  }

  @Override public void close() throws IOException {
    server.close();
    for (Socket s : sockets) {
      try {
        s.close();
      } catch (IOException ignored) {
        // Closing anyway.
      }
    }
    for (Thread t : threads) {
      try {
        t.join(JOIN_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
