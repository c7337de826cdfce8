package dev.lifeline.soak;

import static java.util.concurrent.TimeUnit.MILLISECONDS;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import okhttp3.Response;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;

/**
 * The resume soak's server, on 127.0.0.1 (MockWebServer's WebSocket upgrade): a stream of
 * consecutively numbered messages {@code "ev:1"}, {@code "ev:2"}, … that it makes at a steady
 * pace and sends to every connection. It keeps only the last {@link #keep} positions: a
 * connection asking for {@code ?from=P} gets P + 1 onwards when P + 1 is still kept, else the
 * oldest kept one onwards, and the server records that it could not resume (asked, given). A
 * connection without {@code from} starts at the oldest kept one.
 *
 * <p>One thread makes the messages and writes them to every connection, in order, so a
 * connection's stream never skips or repeats by itself. {@link #skip} makes a jump happen on
 * purpose: the stream moves on by more than it keeps, as it would while a client stays away long.
 */
final class StreamServer implements Closeable {
  /** One connection: where it is in the stream. */
  private static final class Subscriber {
    final WebSocket ws;
    /** The next position to send; guarded by the server. */
    long next;

    Subscriber(WebSocket ws, long next) {
      this.ws = ws;
      this.next = next;
    }
  }

  /** A connection that asked for a position the server no longer kept. */
  static final class NotResumed {
    /** The position it asked for ({@code from} + 1). */
    final long asked;
    /** The position it got first, the oldest kept one. */
    final long given;

    NotResumed(long asked, long given) {
      this.asked = asked;
      this.given = given;
    }

    @Override public String toString() {
      return "asked " + asked + ", gave " + given;
    }
  }

  /** The upgrade server. */
  private final MockWebServer server = new MockWebServer();
  /** Positions kept, the newest ones. */
  private final long keep;
  /** One new message every this many ms. */
  private final long paceMillis;
  /** Makes the messages and writes them. */
  private final Thread maker;
  /** The last position made; guarded by this. */
  private long head;
  /** Whether the stream moves on; guarded by this. */
  private boolean making = true;
  /** The live connections; guarded by this. */
  private final List<Subscriber> subscribers = new ArrayList<>();
  /** Connections accepted so far; guarded by this. */
  private int connections;
  /** Every request the server could not resume; guarded by this. */
  private final List<NotResumed> notResumed = new ArrayList<>();
  /** Set by {@link #close()}. */
  private volatile boolean closed;

  StreamServer(long keep, long paceMillis) throws IOException {
    this.keep = keep;
    this.paceMillis = paceMillis;
    server.setDispatcher(new Dispatcher() {
      @Override public MockResponse dispatch(RecordedRequest request) {
        String from = request.getRequestUrl().queryParameter("from");
        return new MockResponse().withWebSocketUpgrade(new WebSocketListener() {
          @Override public void onOpen(WebSocket ws, Response response) {
            subscribe(ws, from);
          }

          @Override public void onClosing(WebSocket ws, int code, String reason) {
            ws.close(1000, null);
          }
        });
      }
    });
    server.start(InetAddress.getByName("127.0.0.1"), 0);
    maker = new Thread(this::make, "soak stream server");
    maker.setDaemon(true);
    maker.start();
  }

  InetSocketAddress address() {
    return new InetSocketAddress("127.0.0.1", server.getPort());
  }

  private synchronized void subscribe(WebSocket ws, String from) {
    connections++;
    long oldest = Math.max(1, head - keep + 1);
    long next = oldest;
    if (from != null) {
      long asked = Long.parseLong(from) + 1;
      if (asked < oldest) {
        notResumed.add(new NotResumed(asked, oldest));
      } else {
        next = Math.min(asked, head + 1);
      }
    }
    Subscriber s = new Subscriber(ws, next);
    subscribers.add(s);
    sendUpToHead(s);
  }

  private void make() {
    while (!closed) {
      synchronized (this) {
        if (making) head++;
        for (Iterator<Subscriber> i = subscribers.iterator(); i.hasNext(); ) {
          if (!sendUpToHead(i.next())) i.remove();
        }
      }
      LockSupport.parkNanos(MILLISECONDS.toNanos(paceMillis));
    }
  }

  /** False once the connection no longer takes messages (closed, failed). */
  private boolean sendUpToHead(Subscriber s) {
    while (s.next <= head) {
      if (!s.ws.send("ev:" + s.next)) return false;
      s.next++;
    }
    return true;
  }

  /**
   * The stream moves on by {@code positions} at once, and every connection is closed: a stream
   * that went on while its client stayed away. Call it while the client is away (killed, or cut
   * off). (A server-side socket of MockWebServer has no call to {@code cancel()}.)
   */
  synchronized void skip(long positions) {
    for (Subscriber s : subscribers) s.ws.close(1001, "stream jumped");
    subscribers.clear();
    head += positions;
  }

  /** Stops making messages: the stream ends at {@link #head()}. */
  synchronized void stopMaking() {
    making = false;
  }

  synchronized long head() {
    return head;
  }

  synchronized int connections() {
    return connections;
  }

  synchronized List<NotResumed> notResumed() {
    return new ArrayList<>(notResumed);
  }

  @Override public void close() throws IOException {
    closed = true;
    try {
      maker.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    server.shutdown();
    if (maker.isAlive()) throw new IOException("'" + maker.getName() + "' still runs after close()");
  }
}
