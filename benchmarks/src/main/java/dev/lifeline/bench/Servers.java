package dev.lifeline.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicLong;
import okhttp3.Response;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import okio.Buffer;
import okio.BufferedSink;
import okio.BufferedSource;
import okio.Okio;

/**
 * The 127.0.0.1 servers the benchmarks measure against, started and stopped by each benchmark.
 * Neither side is Netty: the WebSocket server is OkHttp's MockWebServer (OkHttp's own frame
 * code), the line server is a thread per connection over Okio buffers.
 */
final class Servers {
  private Servers() {}

  /**
   * A WebSocket server: path {@code /echo} sends every message back, {@code /sink} only counts
   * them in {@link #received}.
   */
  static final class WebSocketServer implements AutoCloseable {
    /** Messages received on {@code /sink} connections. */
    final AtomicLong received = new AtomicLong();
    /** OkHttp's test server with its WebSocket upgrade. */
    private final MockWebServer server = new MockWebServer();

    WebSocketServer() throws IOException {
      server.setDispatcher(new Dispatcher() {
        @Override public MockResponse dispatch(RecordedRequest request) {
          final boolean echo = request.getPath().startsWith("/echo");
          return new MockResponse().withWebSocketUpgrade(new WebSocketListener() {
            @Override public void onMessage(WebSocket ws, String text) {
              if (echo) ws.send(text);
              else received.incrementAndGet();
            }

            @Override public void onClosing(WebSocket ws, int code, String reason) {
              ws.close(1000, null);
            }

            @Override public void onFailure(WebSocket ws, Throwable t, Response r) {
              // The client went away: nothing to do.
            }
          });
        }
      });
      server.start(InetAddress.getByName("127.0.0.1"), 0);
    }

    String url(String path) {
      return "ws://127.0.0.1:" + server.getPort() + path;
    }

    @Override public void close() throws IOException {
      server.shutdown();
    }
  }

  /**
   * A newline-framed text server. In echo mode it writes each line back, flushing when no more
   * input is buffered (so a burst is answered in one write); otherwise it only counts lines.
   */
  static final class LineServer implements AutoCloseable {
    /** Lines received on every connection, in sink mode. */
    final AtomicLong received = new AtomicLong();
    /** Whether lines are written back. */
    private final boolean echo;
    /** The listening socket on 127.0.0.1. */
    private final ServerSocket listening;
    /** Accepts connections until {@link #close}. */
    private final Thread acceptor;

    LineServer(boolean echo) throws IOException {
      this.echo = echo;
      listening = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
      acceptor = new Thread(this::accept, "bench line server");
      acceptor.setDaemon(true);
      acceptor.start();
    }

    String url() {
      return "tcp://127.0.0.1:" + listening.getLocalPort();
    }

    int port() {
      return listening.getLocalPort();
    }

    private void accept() {
      while (!listening.isClosed()) {
        try {
          Socket s = listening.accept();
          s.setTcpNoDelay(true);
          Thread t = new Thread(() -> serve(s), "bench line connection");
          t.setDaemon(true);
          t.start();
        } catch (IOException closed) {
          return;
        }
      }
    }

    private void serve(Socket s) {
      try (Socket socket = s) {
        BufferedSource in = Okio.buffer(Okio.source(socket));
        BufferedSink out = Okio.buffer(Okio.sink(socket));
        Buffer buffered = in.getBuffer();
        while (true) {
          long newline = in.indexOf((byte) '\n');
          if (newline == -1) return; // EOF
          if (echo) {
            out.write(buffered, newline + 1);
            if (buffered.indexOf((byte) '\n') == -1) out.flush();
          } else {
            buffered.skip(newline + 1);
            received.incrementAndGet();
          }
        }
      } catch (IOException gone) {
        // The client closed or reset: this connection is done.
      }
    }

    @Override public void close() throws IOException {
      listening.close();
    }
  }
}
