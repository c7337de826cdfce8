package dev.lifeline.testing;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A tiny HTTP proxy on 127.0.0.1 that answers CONNECT: it records each request head, answers as
 * the test set it up (a 407 until the expected Proxy-Authorization comes, a refusal, silence, an
 * endless head), and otherwise opens the tunnel and relays bytes both ways. Whatever host the
 * client names, the tunnel goes to that port on 127.0.0.1, so tests never leave the machine.
 * Bounded: every socket read waits at most {@link #IDLE_MILLIS}, the proxy stops itself after
 * {@link #LIFETIME_MILLIS}, and {@link #close()} stops it and joins its threads.
 */
public final class ConnectProxy implements Closeable {
  /** Longest a relay or head read waits for a byte. */
  public static final int IDLE_MILLIS = 30_000;
  /** The proxy closes itself this long after it started, whatever the test does. */
  public static final long LIFETIME_MILLIS = 120_000;
  /** Longest request head read. */
  private static final int MAX_HEAD = 16 * 1024;

  /** How the proxy answers a CONNECT. */
  public enum Mode {
    /** Opens the tunnel (after authentication, if required). */
    TUNNEL,
    /** Answers {@link #refusal} and closes. */
    REFUSE,
    /** Reads the request and never answers. */
    SILENT,
    /** Answers 200 and then header lines without end. */
    ENDLESS_HEAD
  }

  private final ServerSocket server;
  private final Thread acceptor;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private final List<Thread> threads = new CopyOnWriteArrayList<>();
  private final long deadline = System.nanoTime() + LIFETIME_MILLIS * 1_000_000L;
  /** Every request head received, in order. */
  public final List<String> requests = new CopyOnWriteArrayList<>();
  /** How CONNECTs are answered; set before the client connects. */
  public volatile Mode mode = Mode.TUNNEL;
  /** The status line of {@link Mode#REFUSE}. */
  public volatile String refusal = "HTTP/1.1 403 Forbidden";
  /** When set, a CONNECT without exactly this Proxy-Authorization gets a 407. */
  public volatile String requiredAuthorization;

  public ConnectProxy() throws IOException {
    server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
    server.setSoTimeout(1_000);
    acceptor = new Thread(this::acceptLoop, "ConnectProxy acceptor");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  public int port() {
    return server.getLocalPort();
  }

  /** The request heads' first lines, e.g. "CONNECT lifeline.test:443 HTTP/1.1". */
  public List<String> requestLines() {
    List<String> lines = new ArrayList<>();
    for (String r : requests) lines.add(r.substring(0, r.indexOf("\r\n")));
    return lines;
  }

  private void acceptLoop() {
    while (!server.isClosed() && System.nanoTime() - deadline < 0) {
      try {
        Socket client = server.accept();
        track(client);
        spawn("ConnectProxy connection", () -> serve(client));
      } catch (SocketTimeoutException tick) {
        // Check the lifetime, then accept again.
      } catch (IOException closed) {
        break;
      }
    }
    Stopping.closeQuietly(server);
    for (Socket s : sockets) Stopping.closeQuietly(s);
  }

  private void serve(Socket client) {
    try {
      client.setSoTimeout(IDLE_MILLIS);
      String head = readHead(client.getInputStream());
      requests.add(head);
      OutputStream out = client.getOutputStream();
      String authorization = header(head, "Proxy-Authorization");
      String required = requiredAuthorization;
      if (required != null && !required.equals(authorization)) {
        out.write(("HTTP/1.1 407 Proxy Authentication Required\r\n"
            + "Proxy-Authenticate: Basic realm=\"lifeline-test\"\r\n"
            + "Content-Length: 0\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        Stopping.closeQuietly(client);
        return;
      }
      switch (mode) {
        case REFUSE:
          out.write((refusal + "\r\nContent-Length: 0\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
          out.flush();
          Stopping.closeQuietly(client);
          return;
        case SILENT:
          while (client.getInputStream().read() != -1) {
            // Holds the connection until the client gives up.
          }
          return;
        case ENDLESS_HEAD:
          out.write("HTTP/1.1 200 OK\r\n".getBytes(StandardCharsets.US_ASCII));
          for (int i = 0; i < 10_000 && !client.isClosed(); i++) {
            out.write(("X-Filler-" + i + ": 0123456789abcdef\r\n")
                .getBytes(StandardCharsets.US_ASCII));
          }
          return;
        default:
          tunnel(client, head);
      }
    } catch (IOException e) {
      Stopping.closeQuietly(client);
    }
  }

  /** Opens the tunnel to the requested port on 127.0.0.1 and relays both ways. */
  private void tunnel(Socket client, String head) throws IOException {
    String target = head.substring("CONNECT ".length(), head.indexOf(" HTTP/"));
    int port = Integer.parseInt(target.substring(target.lastIndexOf(':') + 1));
    Socket upstream = new Socket();
    track(upstream);
    upstream.connect(new java.net.InetSocketAddress(InetAddress.getByName("127.0.0.1"), port),
        IDLE_MILLIS);
    upstream.setSoTimeout(IDLE_MILLIS);
    client.getOutputStream().write("HTTP/1.1 200 Connection established\r\n\r\n"
        .getBytes(StandardCharsets.US_ASCII));
    client.getOutputStream().flush();
    spawn("ConnectProxy upstream→client", () -> relay(upstream, client));
    relay(client, upstream);
  }

  /** Copies {@code from} to {@code to} until EOF or an error, then closes both. */
  static void relay(Socket from, Socket to) {
    byte[] buffer = new byte[8192];
    try {
      InputStream in = from.getInputStream();
      OutputStream out = to.getOutputStream();
      int n;
      while ((n = in.read(buffer)) != -1) {
        out.write(buffer, 0, n);
        out.flush();
      }
    } catch (IOException ended) {
      // Either side went away: the tunnel ends.
    } finally {
      Stopping.closeQuietly(from);
      Stopping.closeQuietly(to);
    }
  }

  /** The request head up to its blank line, bounded. */
  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) != -1) {
      head.write(b);
      String s = head.toString("US-ASCII");
      if (s.endsWith("\r\n\r\n")) return s;
      if (head.size() > MAX_HEAD) throw new IOException("request head too long");
    }
    throw new IOException("EOF in request head");
  }

  /** The value of header {@code name} in {@code head}, or null. */
  public static String header(String head, String name) {
    for (String line : head.split("\r\n")) {
      int colon = line.indexOf(':');
      if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
        return line.substring(colon + 1).trim();
      }
    }
    return null;
  }

  private void track(Socket s) {
    sockets.add(s);
  }

  private void spawn(String name, Runnable body) {
    Thread t = new Thread(body, name);
    t.setDaemon(true);
    threads.add(t);
    t.start();
  }

  @Override public void close() throws IOException {
    Stopping.closeQuietly(server);
    for (Socket s : sockets) Stopping.closeQuietly(s);
    Stopping.join(acceptor, 5_000);
    for (Thread t : threads) Stopping.join(t, 5_000);
  }
}
