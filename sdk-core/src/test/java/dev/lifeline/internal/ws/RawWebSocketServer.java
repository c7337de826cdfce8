package dev.lifeline.internal.ws;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.List;
import okio.BufferedSink;
import okio.BufferedSource;
import okio.ByteString;
import okio.Okio;

/**
 * A hand-written WebSocket server on 127.0.0.1 for hostile tests: it answers the first upgrade
 * request with 101 and then runs a {@link Script} on the raw streams, free to write any frame a
 * real server library would refuse to. Bounded: {@link #close()} closes the sockets and joins the
 * one thread it started.
 */
final class RawWebSocketServer implements Closeable {
  /** What the server does after the upgrade, on its own thread. */
  interface Script {
    void run(Socket socket, BufferedSource in, BufferedSink out) throws IOException;
  }

  private final ServerSocket server;
  private final Thread thread;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  /** The upgrade request's header lines, as received. */
  final List<String> requestHeaders = new CopyOnWriteArrayList<>();
  /** What ended the script: "done" or the exception. */
  volatile String outcome;

  /** {@code receiveBuffer} > 0 sets the listening socket's receive buffer (a server slow to read). */
  RawWebSocketServer(int receiveBuffer, Script script) throws IOException {
    server = new ServerSocket();
    if (receiveBuffer > 0) server.setReceiveBufferSize(receiveBuffer);
    server.bind(new java.net.InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 50);
    thread = new Thread(() -> serve(script), "raw WebSocket server");
    thread.setDaemon(true);
    thread.start();
  }

  String url() {
    return "ws://127.0.0.1:" + server.getLocalPort() + "/";
  }

  private void serve(Script script) {
    try (Socket socket = server.accept()) {
      sockets.add(socket);
      BufferedSource in = Okio.buffer(Okio.source(socket));
      BufferedSink out = Okio.buffer(Okio.sink(socket));
      String key = null;
      for (String line = in.readUtf8LineStrict(); !line.isEmpty(); line = in.readUtf8LineStrict()) {
        requestHeaders.add(line);
        if (line.toLowerCase(java.util.Locale.ROOT).startsWith("sec-websocket-key:")) {
          key = line.substring(line.indexOf(':') + 1).trim();
        }
      }
      String accept = ByteString.encodeUtf8(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")
          .sha1().base64();
      out.writeUtf8("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
          + "Connection: Upgrade\r\nSec-WebSocket-Accept: " + accept + "\r\n\r\n").flush();
      script.run(socket, in, out);
      outcome = "done";
    } catch (IOException e) {
      outcome = e.toString();
    }
  }

  /** Writes an unmasked server frame header for a payload of {@code length} bytes. */
  static void header(BufferedSink out, int opcode, boolean fin, long length) throws IOException {
    out.writeByte((fin ? 0x80 : 0) | opcode);
    if (length < 126) {
      out.writeByte((int) length);
    } else if (length <= 0xffff) {
      out.writeByte(126).writeShort((int) length);
    } else {
      out.writeByte(127).writeLong(length);
    }
  }

  @Override public void close() throws IOException {
    server.close();
    for (Socket s : sockets) s.close();
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
