package dev.lifeline.internal;

import dev.lifeline.Message;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.TimeUnit;
import okhttp3.Headers;
import okhttp3.OkHttpClient;
import okhttp3.Response;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import okhttp3.internal.ws.RealWebSocket;
import okio.ByteString;

/**
 * A {@link Transport} over OkHttp's WebSocket. OkHttp does the framing, TLS, buffering and the
 * answers to the server's pings; Lifeline's {@link KeepAlive} sends the protocol pings, which the
 * {@link WireTap} writes between OkHttp's frames (docs/behaviour.md, "Protocol pings"). This class
 * adapts its callbacks and remembers which messages have not reached the socket yet, so a failure
 * loses none of them and repeats none: the {@link WireTap} on the socket counts the data frames
 * OkHttp wrote completely, and OkHttp writes messages in the order they were sent.
 */
final class WebSocketTransport extends WebSocketListener implements Transport, WireTap.Peer {
  /**
   * The most bytes OkHttp queues for writing, 16 MiB ({@code RealWebSocket.MAX_QUEUE_SIZE}, which
   * is private): a send past it makes OkHttp close the socket with 1001. So no single message
   * larger than this can ever travel on a WebSocket.
   */
  static final long MAX_QUEUE_BYTES = 16L * 1024 * 1024;

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
      // This attempt's own client: newBuilder() shares the pool and dispatcher; the handshake's
      // steps and the frames are observed. OkHttp sends no pings of its own: Lifeline's KeepAlive
      // does (see ping()), so a pong that is late only because the app is slow is not a zombie.
      OkHttpClient c = progress.instrument(client).pingInterval(0, TimeUnit.MILLISECONDS).build();
      t.progress = progress;
      t.pingWriter = client.dispatcher().executorService();
      WebSocket ws = c.newWebSocket(upgrade, t);
      t.init(ws);
      return t;
    }
  }

  /**
   * 24 h: the longest Retry-After taken from a server, so no arithmetic on it can overflow. The
   * reconnect policy caps it further ({@code ReconnectPolicy.maxRetryAfter}, 1 h by default).
   */
  static final long MAX_RETRY_AFTER_MILLIS = TimeUnit.HOURS.toMillis(24);

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
  /** Where pings are written: OkHttp's dispatcher pool (a write may block; the lane must not). */
  private volatile Executor pingWriter;
  /** Set while a ping waits for a thread to write it: never more than one per transport. */
  private final AtomicBoolean pingQueued = new AtomicBoolean();
  /** Pings handed to the writer so far. */
  private final AtomicLong pingsSent = new AtomicLong();
  /** The last non-101 answer the tap read, and its Retry-After; see {@link #onFailure}. */
  private volatile int answeredStatus;
  private volatile String answeredRetryAfter;
  /** Set when the transport failed, closed or was cancelled: its counts may be sealed. */
  private volatile boolean ended;
  /**
   * Messages accepted by {@link #send} and not known to be written yet, oldest first. Guarded by
   * this.
   */
  private final ArrayDeque<Message> inFlight = new ArrayDeque<Message>();
  /** Messages {@link #send} accepted so far. Guarded by this. */
  private long accepted;
  /** See {@link Transport#settledCount()}. Guarded by this. */
  private long settled;
  /** Pongs counted at the last {@link #observePongs}. Guarded by this. */
  private long pongsSeen;
  /** How many messages were written at the last {@link #observePongs}. Guarded by this. */
  private long writtenAtPongCheck;
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
    observePongs();
    // Past its queue limit OkHttp would refuse and close the socket with 1001, which turns a full
    // buffer into a reconnect. Refused here instead, the socket stays and the flush retries.
    if (webSocket.queueSize() + message.byteCount() > MAX_QUEUE_BYTES) return false;
    // Under this lock, so inFlight's order is the order OkHttp queues (and writes) them.
    boolean taken = message.isText()
        ? webSocket.send(message.text())
        : webSocket.send(message.bytes());
    if (taken) {
      accepted++;
      inFlight.addLast(message);
    }
    return taken;
  }

  @Override public synchronized long acceptedCount() {
    return accepted;
  }

  @Override public synchronized long settledCount() {
    trimWritten();
    observePongs();
    return settled;
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

  /** OkHttp's count of pongs, or -1 when it cannot be read. */
  private long receivedPongCount() {
    WebSocket ws = webSocket;
    return ws instanceof RealWebSocket ? ((RealWebSocket) ws).receivedPongCount() : -1;
  }

  /** OkHttp keeps no pong payloads: its count of pongs stands for the pings they answered. */
  @Override public long answeredPing() {
    return Math.min(pingsSent.get(), receivedPongCount());
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
   * OkHttp reports no pong callback, only a count. When it grew since the last look, a pong
   * arrived after that look, so everything written by then is settled: the server was still
   * answering after those messages left.
   */
  private void observePongs() {
    long pongs = receivedPongCount();
    if (pongs > pongsSeen) settled = Math.max(settled, writtenAtPongCheck);
    pongsSeen = pongs;
    writtenAtPongCheck = accepted - inFlight.size();
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

  @Override public synchronized boolean hasUnwritten() {
    trimWritten();
    return !inFlight.isEmpty();
  }

  /** Drops the messages OkHttp has written from {@link #inFlight}. */
  private void trimWritten() {
    long written = messagesWritten();
    while (dropped < written && !inFlight.isEmpty()) {
      inFlight.removeFirst();
      dropped++;
    }
  }

  /**
   * Puts a ping on the wire between OkHttp's frames, written on OkHttp's dispatcher pool since the
   * write can block while the socket's buffer is full. False before the upgrade or once ended.
   */
  @Override public long ping() {
    WireTap t = tap;
    Executor writer = pingWriter;
    if (t == null || writer == null || ended) return -1;
    if (!pingQueued.compareAndSet(false, true)) return pingsSent.get(); // Still on its way.
    long number = pingsSent.incrementAndGet();
    try {
      writer.execute(() -> {
        try {
          t.writePing();
        } catch (IOException e) {
          // The socket failed: OkHttp's reader or writer reports it.
        } finally {
          pingQueued.set(false);
        }
      });
      return number;
    } catch (RejectedExecutionException e) {
      pingQueued.set(false);
      return -1; // The client is shutting down.
    }
  }

  @Override public boolean closeForViolation(int code, String reason) {
    WebSocket ws = webSocket;
    return ws != null && ws.close(code, reason);
  }

  @Override public void answered(int status, String retryAfter) {
    answeredStatus = status;
    answeredRetryAfter = retryAfter;
  }

  @Override public void upgraded(WireTap t) {
    tap = t;
  }

  @Override public void onOpen(WebSocket webSocket, Response response) {
    opened = true;
    listener.onOpen(this);
  }

  @Override public void onMessage(WebSocket webSocket, String text) {
    settle();
    listener.onMessage(this, Message.text(text));
  }

  @Override public void onMessage(WebSocket webSocket, ByteString bytes) {
    settle();
    listener.onMessage(this, Message.binary(bytes));
  }

  /** On the reader thread, a message arrived: everything written so far is settled. */
  private synchronized void settle() {
    trimWritten();
    settled = Math.max(settled, accepted - inFlight.size());
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
    if (response == null && answeredStatus > 0 && t instanceof Failure.ExplainedException
        && t.getCause() instanceof RuntimeException) {
      // OkHttp threw on the server's answer (e.g. a Retry-After beyond 2^31 s) and lost it; the
      // tap read it on the socket, so the attempt still fails as that HTTP status.
      code = answeredStatus;
      retryAfter = retryAfterMillis(answeredRetryAfter);
    }
    listener.onFailure(this, opened ? t : progress.explainTimeout(t), code, retryAfter);
  }


  /** OkHttp is done with the socket: a reader paused by the tap gives up. */
  private void end() {
    ended = true;
    WireTap t = tap;
    if (t != null) t.release();
  }

  /**
   * Retry-After as delta-seconds or an HTTP date (parsed by OkHttp), at most {@link
   * #MAX_RETRY_AFTER_MILLIS}; -1 when absent or unreadable.
   */
  static long retryAfterMillis(Response response) {
    return retryAfterMillis(response.header("Retry-After"));
  }

  /** The same, from the header's value (null when absent). */
  static long retryAfterMillis(String value) {
    if (value == null) return -1;
    value = value.trim();
    if (!value.isEmpty() && value.length() <= 32 && value.matches("[0-9]+")) {
      // Any number of digits: a value beyond a long is still "very long", not unreadable.
      long seconds = value.length() > 18 ? Long.MAX_VALUE : Long.parseLong(value);
      return Math.min(MAX_RETRY_AFTER_MILLIS, TimeUnit.SECONDS.toMillis(seconds));
    }
    Date date;
    try {
      date = Headers.of("Retry-After", value).getDate("Retry-After");
    } catch (IllegalArgumentException notAHeaderValue) {
      return -1;
    }
    if (date == null) return -1;
    return Math.min(MAX_RETRY_AFTER_MILLIS, Math.max(0, date.getTime() - System.currentTimeMillis()));
  }

  @Override public String toString() {
    return "WebSocketTransport{" + Redact.url(webSocket.request().url().toString()) + "}";
  }
}
