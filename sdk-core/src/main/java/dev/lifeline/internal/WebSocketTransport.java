package dev.lifeline.internal;

import dev.lifeline.Message;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import okhttp3.Response;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import okhttp3.internal.ws.RealWebSocket;
import okio.ByteString;

/**
 * A {@link Transport} over OkHttp's WebSocket. OkHttp does the framing, TLS, buffering and the
 * protocol pings: its {@code pingInterval} is exactly Lifeline's rule that a pong still missing
 * when the next ping is due fails the connection (docs/behaviour.md, "Protocol pings"). This class
 * adapts its callbacks and remembers which messages have not reached the socket yet, so a failure
 * loses none of them and repeats none: the {@link WireTap} on the socket counts the data frames
 * OkHttp wrote completely, and OkHttp writes messages in the order they were sent.
 */
final class WebSocketTransport extends WebSocketListener implements Transport, WireTap.Peer {
  /** Opens WebSocket transports with one shared OkHttpClient (one pool, one dispatcher). */
  static final class Factory implements Transport.Factory {
    /** The app's client, or Lifeline's default. */
    private final OkHttpClient client;

    Factory(OkHttpClient client) {
      this.client = client;
    }

    @Override public Transport open(Transport.Request request, Transport.Listener listener) {
      okhttp3.Request.Builder http = new okhttp3.Request.Builder().url(request.url);
      for (Map.Entry<String, String> h : request.headers.entrySet()) {
        http.header(h.getKey(), h.getValue());
      }
      okhttp3.Request upgrade = http.build();
      WebSocketTransport t = new WebSocketTransport(listener);
      HandshakeProgress progress = new HandshakeProgress(upgrade.url().host(),
          upgrade.url().port(), upgrade.isHttps(), client, request.maxInboundMessageBytes, t);
      // This attempt's own client: newBuilder() shares the pool and dispatcher; the ping interval
      // is this connection's, and the handshake's steps and the frames are observed.
      OkHttpClient c = progress.instrument(client)
          .pingInterval(request.protocolPingIntervalMillis, TimeUnit.MILLISECONDS)
          .build();
      t.progress = progress;
      WebSocket ws = c.newWebSocket(upgrade, t);
      t.init(ws);
      return t;
    }
  }

  /** The connection manager's end. */
  private final Transport.Listener listener;
  /** Where the handshake stands; set once, before OkHttp starts. */
  private volatile HandshakeProgress progress;
  /** Set once OkHttp reported the WebSocket open. */
  private volatile boolean opened;
  /** OkHttp's socket; set once, right after creation. */
  private volatile WebSocket webSocket;
  /** The tap on the socket that was upgraded; null before the 101 answer was read. */
  private volatile WireTap tap;
  /** Set when the transport failed, closed or was cancelled: its counts may be sealed. */
  private volatile boolean ended;
  /**
   * Messages accepted by {@link #send} and not known to be written yet, oldest first. Guarded by
   * this.
   */
  private final ArrayDeque<Message> inFlight = new ArrayDeque<Message>();
  /**
   * How many accepted messages left {@link #inFlight} as written: the first in-flight message is
   * the {@code dropped}-th data message OkHttp writes (counting from 0). Guarded by this.
   */
  private long dropped;

  private WebSocketTransport(Transport.Listener listener) {
    this.listener = listener;
  }

  private void init(WebSocket ws) {
    this.webSocket = ws;
  }

  @Override public synchronized boolean send(Message message) {
    trimWritten();
    // Under this lock, so inFlight's order is the order OkHttp queues (and writes) them.
    boolean accepted = message.isText()
        ? webSocket.send(message.text())
        : webSocket.send(message.bytes());
    if (accepted) inFlight.addLast(message);
    return accepted;
  }

  @Override public void close(int code, String reason) {
    webSocket.close(code, reason);
  }

  @Override public void cancel() {
    ended = true;
    webSocket.cancel();
    seal();
  }

  @Override public String handshakeStep() {
    return opened ? "open" : progress.step();
  }

  @Override public long receivedPongCount() {
    WebSocket ws = webSocket;
    return ws instanceof RealWebSocket ? ((RealWebSocket) ws).receivedPongCount() : -1;
  }

  /**
   * Exact once the transport ended (failed, closed or cancelled): the socket is closed first, so
   * no write can complete afterwards. While it is still open (answering a server's close), the
   * messages OkHttp has yet to write are listed even though it may still write them.
   */
  @Override public synchronized List<Message> unsent() {
    if (ended) seal();
    trimWritten();
    return new ArrayList<Message>(inFlight);
  }

  /**
   * Data messages written completely to the socket so far (heartbeats and replies included, in
   * the order {@link #send} accepted them): the first {@code messagesWritten()} accepted messages
   * reached the socket. Final once the transport was cancelled or {@link #unsent()} was asked
   * after its end. What reached the socket is not known to have reached the server.
   */
  long messagesWritten() {
    WireTap t = tap;
    return t == null ? 0 : t.messagesWritten();
  }

  /** OkHttp's socket (for tests). */
  WebSocket webSocket() {
    return webSocket;
  }

  /** The tap on the upgraded socket, or null (for tests and diagnostics). */
  WireTap wireTap() {
    return tap;
  }

  /** Closes the socket and waits out a write in progress: the written count is final. */
  private void seal() {
    WireTap t = tap;
    if (t != null) t.seal();
  }

  /** Drops the messages OkHttp has written from {@link #inFlight}. */
  private void trimWritten() {
    long written = messagesWritten();
    while (dropped < written && !inFlight.isEmpty()) {
      inFlight.removeFirst();
      dropped++;
    }
  }

  @Override public boolean closeForViolation(int code, String reason) {
    WebSocket ws = webSocket;
    return ws != null && ws.close(code, reason);
  }

  @Override public void upgraded(WireTap t) {
    tap = t;
  }

  @Override public void onOpen(WebSocket webSocket, Response response) {
    opened = true;
    listener.onOpen(this);
  }

  @Override public void onMessage(WebSocket webSocket, String text) {
    listener.onMessage(this, Message.text(text));
  }

  @Override public void onMessage(WebSocket webSocket, ByteString bytes) {
    listener.onMessage(this, Message.binary(bytes));
  }

  @Override public void onClosing(WebSocket webSocket, int code, String reason) {
    listener.onClosing(this, code, reason);
  }

  @Override public void onClosed(WebSocket webSocket, int code, String reason) {
    end();
    listener.onClosed(this, code, reason);
  }

  @Override public void onFailure(WebSocket webSocket, Throwable t, Response response) {
    end();
    int code = response != null ? response.code() : 0;
    long retryAfter = response != null ? retryAfterMillis(response) : -1;
    listener.onFailure(this, t, code, retryAfter);
  }

  /** OkHttp is done with the socket: a reader paused by the tap gives up. */
  private void end() {
    ended = true;
    WireTap t = tap;
    if (t != null) t.release();
  }

  /** Retry-After as delta-seconds or an HTTP date (parsed by OkHttp), or -1. */
  static long retryAfterMillis(Response response) {
    String value = response.header("Retry-After");
    if (value == null) return -1;
    try {
      long seconds = Long.parseLong(value.trim());
      return seconds < 0 ? -1 : TimeUnit.SECONDS.toMillis(seconds);
    } catch (NumberFormatException notSeconds) {
      Date date = response.headers().getDate("Retry-After");
      return date == null ? -1 : Math.max(0, date.getTime() - System.currentTimeMillis());
    }
  }

  @Override public String toString() {
    return "WebSocketTransport{" + webSocket.request().url() + "}";
  }
}
