package dev.lifeline.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * A WebSocket server for many idle connections, run in a child JVM so that neither its sockets
 * nor its memory nor its threads count in the client's measurements: one thread and one selector
 * for every connection (MockWebServer holds a thread per connection). It upgrades any request,
 * answers pings and close frames, and drops every other frame unread.
 *
 * <p>Bounded: it listens on 127.0.0.1 only, and exits when its stdin ends (the parent closed it,
 * or died) or after the lifetime given as its argument, whichever comes first. It prints one line,
 * {@code port <n>}, once it listens.
 */
final class IdleServer {
  /** RFC 6455's key suffix for Sec-WebSocket-Accept. */
  private static final String ACCEPT_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  /** A handshake longer than this is refused: the request of an upgrade is a few hundred bytes. */
  private static final int MAX_HEAD_BYTES = 8192;

  /** One connection: its handshake, then the frame it is in the middle of. */
  private static final class Peer {
    /** Input not yet used: the handshake, then frame headers and control payloads. */
    final ByteBuffer in = ByteBuffer.allocate(MAX_HEAD_BYTES);
    boolean upgraded;
    /** Payload bytes of a data frame still to skip. */
    long skip;
  }

  private IdleServer() {}

  public static void main(String[] args) throws Exception {
    long lifetimeMillis = TimeUnit.SECONDS.toMillis(Long.parseLong(args[0]));
    Thread stdinWatch = new Thread(() -> {
      try {
        while (System.in.read() != -1) {
          // Nothing is expected on stdin: its end is the signal.
        }
      } catch (IOException gone) {
        // The parent is gone too.
      }
      Runtime.getRuntime().halt(0);
    }, "idle server stdin watch");
    stdinWatch.setDaemon(true);
    stdinWatch.start();
    try (Selector selector = Selector.open();
        ServerSocketChannel server = ServerSocketChannel.open()) {
      server.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 4096);
      server.configureBlocking(false);
      server.register(selector, SelectionKey.OP_ACCEPT);
      System.out.println("port " + ((InetSocketAddress) server.getLocalAddress()).getPort());
      System.out.flush();
      long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(lifetimeMillis);
      while (System.nanoTime() < end) {
        selector.select(100);
        for (SelectionKey key : selector.selectedKeys()) {
          if (!key.isValid()) continue;
          if (key.isAcceptable()) {
            SocketChannel c;
            while ((c = server.accept()) != null) {
              c.configureBlocking(false);
              c.register(selector, SelectionKey.OP_READ, new Peer());
            }
          } else if (key.isReadable()) {
            read(key);
          }
        }
        selector.selectedKeys().clear();
      }
    }
    Runtime.getRuntime().halt(0);
  }

  private static void read(SelectionKey key) {
    SocketChannel c = (SocketChannel) key.channel();
    Peer p = (Peer) key.attachment();
    try {
      if (c.read(p.in) == -1 || !(p.upgraded ? frames(c, p) : handshake(c, p))) close(key);
    } catch (IOException | RuntimeException gone) {
      close(key);
    }
  }

  private static void close(SelectionKey key) {
    key.cancel();
    try {
      key.channel().close();
    } catch (IOException alreadyGone) {
      // Closed is closed.
    }
  }

  /** Answers the upgrade once the request head is in; false to close the connection. */
  private static boolean handshake(SocketChannel c, Peer p) throws IOException {
    String head = new String(p.in.array(), 0, p.in.position(), StandardCharsets.ISO_8859_1);
    int end = head.indexOf("\r\n\r\n");
    if (end == -1) return p.in.hasRemaining();
    String key = null;
    for (String line : head.substring(0, end).split("\r\n")) {
      int colon = line.indexOf(':');
      if (colon > 0 && line.substring(0, colon).trim().toLowerCase(Locale.ROOT)
          .equals("sec-websocket-key")) {
        key = line.substring(colon + 1).trim();
      }
    }
    if (key == null) return false;
    String accept;
    try {
      accept = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-1")
          .digest((key + ACCEPT_GUID).getBytes(StandardCharsets.ISO_8859_1)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e); // Every JVM has SHA-1.
    }
    writeFully(c, ByteBuffer.wrap(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
        + "Connection: Upgrade\r\nSec-WebSocket-Accept: " + accept + "\r\n\r\n")
        .getBytes(StandardCharsets.ISO_8859_1)));
    p.upgraded = true;
    p.in.limit(p.in.position()).position(end + 4);
    p.in.compact();
    return frames(c, p);
  }

  /**
   * Handles the whole frames in {@code p.in}: a ping is answered with a pong, a close with a
   * close (then false: the connection ends), data is skipped. Client frames are masked.
   */
  private static boolean frames(SocketChannel c, Peer p) throws IOException {
    ByteBuffer in = p.in;
    in.flip();
    try {
      while (true) {
        if (p.skip > 0) {
          int n = (int) Math.min(p.skip, in.remaining());
          in.position(in.position() + n);
          p.skip -= n;
          if (p.skip > 0) return true;
        }
        if (in.remaining() < 2) return true;
        int b0 = in.get(in.position()) & 0xff;
        int b1 = in.get(in.position() + 1) & 0xff;
        int opcode = b0 & 0x0f;
        int lengthBytes = (b1 & 0x7f) == 126 ? 2 : (b1 & 0x7f) == 127 ? 8 : 0;
        int headerBytes = 2 + lengthBytes + ((b1 & 0x80) != 0 ? 4 : 0);
        if (in.remaining() < headerBytes) return true;
        long length = b1 & 0x7f;
        if (lengthBytes == 2) length = in.getShort(in.position() + 2) & 0xffff;
        if (lengthBytes == 8) length = in.getLong(in.position() + 2);
        if (opcode < 0x8) { // Data: skipped, however long.
          in.position(in.position() + headerBytes);
          p.skip = length;
          continue;
        }
        if (in.remaining() < headerBytes + length) return true; // Control payloads are ≤ 125 B.
        byte[] payload = new byte[(int) length];
        for (int i = 0; i < length; i++) {
          int mask = (b1 & 0x80) != 0 ? in.get(in.position() + headerBytes - 4 + (i & 3)) : 0;
          payload[i] = (byte) (in.get(in.position() + headerBytes + i) ^ mask);
        }
        in.position(in.position() + headerBytes + (int) length);
        if (opcode == 0x9 || opcode == 0x8) {
          ByteBuffer answer = ByteBuffer.allocate(2 + payload.length);
          answer.put((byte) (0x80 | (opcode == 0x9 ? 0xA : 0x8))).put((byte) payload.length)
              .put(payload).flip();
          writeFully(c, answer);
          if (opcode == 0x8) return false;
        }
      }
    } finally {
      in.compact();
    }
  }

  /** Small answers only: the socket buffer takes them whole, barring a peer that never reads. */
  private static void writeFully(SocketChannel c, ByteBuffer b) throws IOException {
    for (int tries = 0; b.hasRemaining() && tries < 100; tries++) c.write(b);
    if (b.hasRemaining()) throw new IOException("peer does not read");
  }

  /** The server as a child process of this JVM, with the classes this one was started from. */
  static final class Child implements AutoCloseable {
    private final Process process;
    final int port;

    Child(long lifetimeSeconds) throws IOException {
      String java = System.getProperty("java.home") + "/bin/java";
      String classes;
      try {
        classes = new java.io.File(IdleServer.class.getProtectionDomain().getCodeSource()
            .getLocation().toURI()).getPath();
      } catch (java.net.URISyntaxException e) {
        throw new IOException("cannot locate the benchmark classes", e);
      }
      List<String> command = new ArrayList<>();
      command.add(java);
      command.add("-Xmx256m");
      command.add("-XX:+UseSerialGC");
      command.add("-XX:TieredStopAtLevel=1");
      command.add("-cp");
      command.add(classes);
      command.add(IdleServer.class.getName());
      command.add(Long.toString(lifetimeSeconds));
      process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
      int p = -1;
      try {
        p = readPort(process);
      } finally {
        if (p < 0) close();
      }
      port = p;
    }

    /** Reads the child's {@code port <n>} line, waiting at most 20 s for it. */
    private static int readPort(Process process) throws IOException {
      java.io.InputStream out = process.getInputStream();
      StringBuilder line = new StringBuilder();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (System.nanoTime() < deadline) {
        if (out.available() == 0) {
          if (!process.isAlive()) break;
          try {
            Thread.sleep(5);
          } catch (InterruptedException e) {
            throw new IOException("interrupted while the idle server started", e);
          }
          continue;
        }
        int b = out.read();
        if (b == '\n' || b == -1) break;
        line.append((char) b);
      }
      if (!line.toString().startsWith("port ")) {
        throw new IOException("idle server did not start within 20 s: '" + line + "'");
      }
      return Integer.parseInt(line.substring(5).trim());
    }

    @Override public void close() {
      try {
        process.getOutputStream().close(); // The child exits when its stdin ends.
        if (!process.waitFor(5, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(5,
            TimeUnit.SECONDS);
      } catch (IOException | InterruptedException e) {
        process.destroyForcibly();
      }
    }
  }
}
