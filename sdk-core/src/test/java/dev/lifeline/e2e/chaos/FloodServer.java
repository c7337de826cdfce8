package dev.lifeline.e2e.chaos;

import static dev.lifeline.testing.Stopping.closeQuietly;
import static dev.lifeline.testing.Stopping.join;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A hostile server on 127.0.0.1 that is cheap to run: raw sockets, no WebSocket library. Each
 * connection is answered (for WebSocket, with a hand-written 101 upgrade) and then flooded with
 * one {@link Flood} as fast as the client reads, until the client goes away or {@link #close()}.
 * What the client sends back is parsed for its WebSocket close frame (code and reason), or, with
 * {@link Flood#readsNothing()}, never read at all.
 */
final class FloodServer implements Closeable {
  /** RFC 6455's magic value for Sec-WebSocket-Accept. */
  private static final String WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  private static final long JOIN_MILLIS = 5_000;

  /** What the server sends after the upgrade. */
  enum Flood {
    /** Empty text frames, 2 bytes each, without end. */
    WS_EMPTY_FRAMES(true, repeat(new byte[] {(byte) 0x81, 0x00})),
    /** Text frames with a 1-byte payload, 3 bytes each, without end. */
    WS_ONE_BYTE_MESSAGES(true, repeat(new byte[] {(byte) 0x81, 0x01, 'x'})),
    /** One text frame announcing 256 MiB, then its payload streamed. */
    WS_HUGE_MESSAGE(true, repeat(new byte[] {'a'})),
    /** Ping frames with the largest payload a control frame may carry (125 bytes). */
    WS_PING_FLOOD(true, repeat(ping125())),
    /**
     * Text frames of 64 KiB each, without end: the flood the inbound bound (counting payload
     * bytes) always handled; the control case that shows the harness can pass.
     */
    WS_64KIB_MESSAGES(true, repeat(textFrame64KiB())),
    /** Empty lines on newline-framed TCP, without end. */
    TCP_EMPTY_LINES(false, repeat(new byte[] {'\n'}));

    /** The size WS_HUGE_MESSAGE's header announces. */
    static final long HUGE_MESSAGE_BYTES = 256L * 1024 * 1024;

    final boolean webSocket;
    /** About 64 KiB of whole frames, written again and again. */
    final byte[] chunk;

    Flood(boolean webSocket, byte[] chunk) {
      this.webSocket = webSocket;
      this.chunk = chunk;
    }

    /** The ping flood never reads: the client's pongs pile up on its side. */
    boolean readsNothing() {
      return this == WS_PING_FLOOD;
    }

    private static byte[] repeat(byte[] frame) {
      int count = 65_536 / frame.length;
      byte[] out = new byte[count * frame.length];
      for (int i = 0; i < count; i++) System.arraycopy(frame, 0, out, i * frame.length, frame.length);
      return out;
    }

    private static byte[] textFrame64KiB() {
      byte[] frame = new byte[4 + 65_532];
      frame[0] = (byte) 0x81;
      frame[1] = 126;
      frame[2] = (byte) (65_532 >>> 8);
      frame[3] = (byte) (65_532 & 0xff);
      Arrays.fill(frame, 4, frame.length, (byte) 'm');
      return frame;
    }

    private static byte[] ping125() {
      byte[] frame = new byte[2 + 125];
      frame[0] = (byte) 0x89;
      frame[1] = 125;
      Arrays.fill(frame, 2, frame.length, (byte) 'p');
      return frame;
    }
  }

  private final Flood flood;
  private final ServerSocket server;
  private final Thread acceptor;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private final List<Thread> threads = new CopyOnWriteArrayList<>();
  private final AtomicInteger connections = new AtomicInteger();
  /** Flood bytes written, over all connections. */
  private final AtomicLong written = new AtomicLong();
  /** {@link System#nanoTime()} of the last flood write that completed. */
  private volatile long lastWriteNanos = System.nanoTime();
  /** The first close frame a client sent: "code reason", or null. */
  private volatile String clientClose;
  private volatile boolean closed;

  FloodServer(Flood flood) throws IOException {
    this.flood = flood;
    this.server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
    this.acceptor = thread("accept", this::acceptLoop);
  }

  String url() {
    int port = server.getLocalPort();
    return flood.webSocket ? "ws://127.0.0.1:" + port + "/flood" : "tcp://127.0.0.1:" + port;
  }

  int connections() {
    return connections.get();
  }

  long bytesWritten() {
    return written.get();
  }

  /** How long no flood write has completed: the client stopped reading, or nothing is open. */
  long millisSinceLastWrite() {
    return (System.nanoTime() - lastWriteNanos) / 1_000_000;
  }

  String clientClose() {
    return clientClose;
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
      connections.incrementAndGet();
      thread("connection", () -> serve(socket));
    }
  }

  private void serve(Socket socket) {
    try {
      InputStream in = socket.getInputStream();
      OutputStream out = socket.getOutputStream();
      if (flood.webSocket) {
        out.write(upgradeResponse(readRequest(in)));
        if (flood == Flood.WS_HUGE_MESSAGE) out.write(hugeMessageHeader());
        out.flush();
      }
      if (!flood.readsNothing()) thread("reader", () -> readClient(socket));
      long limit = flood == Flood.WS_HUGE_MESSAGE ? Flood.HUGE_MESSAGE_BYTES : Long.MAX_VALUE;
      long sent = 0;
      while (!closed && sent < limit) {
        int n = (int) Math.min(flood.chunk.length, limit - sent);
        out.write(flood.chunk, 0, n);
        sent += n;
        written.addAndGet(n);
        lastWriteNanos = System.nanoTime();
      }
    } catch (IOException clientGone) {
      // The client closed or reset the connection.
    } finally {
      if (flood.readsNothing()) closeQuietly(socket); // Else the reader closes at the client's end.
    }
  }

  /** Reads the client's frames until it goes away, remembering its first close frame. */
  private void readClient(Socket socket) {
    try {
      DataInputStream in = new DataInputStream(socket.getInputStream());
      while (true) {
        int b0 = in.readUnsignedByte();
        int b1 = in.readUnsignedByte();
        long length = b1 & 0x7f;
        if (length == 126) length = in.readUnsignedShort();
        if (length == 127) length = in.readLong();
        byte[] mask = new byte[4];
        if ((b1 & 0x80) != 0) in.readFully(mask);
        if (length > 1 << 20) throw new IOException("client frame of " + length + " bytes");
        byte[] payload = new byte[(int) length];
        in.readFully(payload);
        for (int i = 0; i < payload.length; i++) payload[i] ^= mask[i % 4];
        if ((b0 & 0x0f) == 0x8 && clientClose == null) {
          int code = payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : 1005;
          String reason = payload.length > 2
              ? new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8) : "";
          clientClose = code + " " + reason;
        }
      }
    } catch (EOFException eof) {
      // The client closed its side.
    } catch (IOException gone) {
      // Reset, or close().
    } finally {
      closeQuietly(socket);
    }
  }

  /** The upgrade request's headers, up to the blank line (at most 16 KiB). */
  private static String readRequest(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    byte[] end = {'\r', '\n', '\r', '\n'};
    while (matched < 4) {
      int b = in.read();
      if (b == -1) throw new EOFException("request ended early");
      head.write(b);
      matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
      if (head.size() > 16_384) throw new IOException("request head too long");
    }
    return head.toString("ISO-8859-1");
  }

  private static byte[] upgradeResponse(String request) throws IOException {
    String key = null;
    for (String line : request.split("\r\n")) {
      if (line.toLowerCase(Locale.ROOT).startsWith("sec-websocket-key:")) {
        key = line.substring(line.indexOf(':') + 1).trim();
      }
    }
    if (key == null) throw new IOException("no Sec-WebSocket-Key");
    String accept;
    try {
      accept = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-1")
          .digest((key + WS_GUID).getBytes(StandardCharsets.US_ASCII)));
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
    return ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Accept: " + accept + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
  }

  /** A final text frame's header announcing {@link Flood#HUGE_MESSAGE_BYTES}, unmasked. */
  private static byte[] hugeMessageHeader() {
    byte[] h = new byte[10];
    h[0] = (byte) 0x81;
    h[1] = 127;
    long length = Flood.HUGE_MESSAGE_BYTES;
    for (int i = 0; i < 8; i++) h[2 + i] = (byte) (length >>> (56 - 8 * i));
    return h;
  }

  private Thread thread(String role, Runnable body) {
    Thread t = new Thread(body, "FloodServer " + flood + " " + role);
    t.setDaemon(true);
    threads.removeIf(old -> old.getState() == Thread.State.TERMINATED);
    threads.add(t);
    t.start();
    return t;
  }

  @Override public void close() throws IOException {
    closed = true;
    server.close();
    join(acceptor, JOIN_MILLIS);
    for (Socket s : sockets) closeQuietly(s);
    for (Thread t : threads) join(t, JOIN_MILLIS);
  }
}
