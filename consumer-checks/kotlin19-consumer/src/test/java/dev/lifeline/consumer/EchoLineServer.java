package dev.lifeline.consumer;

import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** A tcp:// server on 127.0.0.1 that sends every line it reads back; serves one client at a time. */
final class EchoLineServer implements Closeable {
  private final ServerSocket socket;
  private final Thread thread;

  EchoLineServer() throws IOException {
    socket = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
    thread = new Thread(this::serve, "echo line server");
    thread.setDaemon(true);
    thread.start();
  }

  String url() {
    return "tcp://127.0.0.1:" + socket.getLocalPort();
  }

  private void serve() {
    while (!socket.isClosed()) {
      try (Socket client = socket.accept()) {
        BufferedReader in = new BufferedReader(
            new InputStreamReader(client.getInputStream(), StandardCharsets.UTF_8));
        OutputStream out = client.getOutputStream();
        for (String line; (line = in.readLine()) != null; ) {
          out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
          out.flush();
        }
      } catch (IOException closedOrDropped) {
        // The next accept() tells which: it throws once the server socket is closed.
      }
    }
  }

  @Override public void close() throws IOException {
    socket.close();
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
