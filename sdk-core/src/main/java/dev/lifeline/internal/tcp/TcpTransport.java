package dev.lifeline.internal.tcp;

import dev.lifeline.Message;
import dev.lifeline.internal.MonotonicClock;
import dev.lifeline.internal.ReadWaits;
import dev.lifeline.internal.Redact;
import dev.lifeline.internal.Transport;
import dev.lifeline.internal.net.Connector;
import java.io.IOException;
import java.net.Socket;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;
import okhttp3.OkHttpClient;
import okio.BufferedSink;
import okio.BufferedSource;
import okio.Okio;

/**
 * A {@link Transport} for newline-framed text over TCP ({@code tcp://host:port}) or TLS ({@code
 * tcp+tls://host:port}): every message is one UTF-8 line ({@link LineFraming}). There is no
 * handshake beyond TCP (and TLS), no close frame and no protocol ping, so {@link
 * #answeredPing()} is -1 and the client heartbeat and the server-silence watch do all the
 * liveness work.
 *
 * <p>This class owns the lifecycle: the reader thread, the writer, graceful close, cancel, and the
 * outcome, decided once. {@link Connector} opens the socket (DNS, TCP, TLS) and owns it, so
 * that one abort ends whatever runs.
 *
 * <p>Threads. Java's blocking sockets have no way to wait for "readable" without a thread (NIO
 * selectors would, but {@link SSLSocket} and the app's {@link javax.net.SocketFactory} — which on
 * Android binds a socket to a network — are blocking-only), so each connection has one daemon
 * reader thread, named {@value #READER_THREAD_PREFIX} + URL. It connects, handshakes, then reads
 * lines until EOF, an error, {@link #close} or {@link #cancel}; it always closes the socket on its
 * way out. Writes run on the OkHttpClient's dispatcher pool, one drain task at a time per
 * connection, so {@link #send} never blocks the manager's scheduler and no thread idles between
 * messages.
 */
public final class TcpTransport implements Transport {
  /** Name prefix of every reader thread; the URL follows. */
  public static final String READER_THREAD_PREFIX = "Lifeline TCP reader ";
  /** Bytes accepted by {@link #send} but not yet written before send() refuses, as OkHttp's. */
  public static final long MAX_QUEUE_BYTES = 16L * 1024 * 1024;
  /** Bounds the final flush of a graceful close when the client has no write timeout. */
  static final long CLOSE_FLUSH_TIMEOUT_MILLIS = 60_000L;
  /**
   * Most bytes (lines with their terminators) written between two flushes: one Okio segment, 8
   * KiB, so a batch sits in the sink's buffer until its flush and reaches the socket in one write
   * (about 250 short lines per system call). A longer line is a batch of its own, so a failed
   * flush leaves no more uncertain than one line did before batching (see {@link #drain}).
   */
  static final long MAX_BATCH_BYTES = 8L * 1024;

  /** Opens TCP transports with the app's OkHttpClient settings (timeouts, DNS, sockets, TLS). */
  public static final class Factory implements Transport.Factory {
    /** Source of the socket factory, DNS, TLS settings, timeouts and the writer pool. */
    private final OkHttpClient client;

    public Factory(OkHttpClient client) {
      this.client = client;
    }

    @Override public Transport open(Transport.Request request, Transport.Listener listener) {
      Connector connector =
          new Connector(client, Connector.Endpoint.parse(request.url));
      TcpTransport t = new TcpTransport(request.url, connector, client.writeTimeoutMillis(),
          request.maxLineLength, listener, client.dispatcher().executorService());
      t.readWaits = request.readWaits;
      request.readWaits.measured();
      Thread reader = new Thread(t::run, READER_THREAD_PREFIX + Redact.url(request.url));
      reader.setDaemon(true);
      reader.start();
      return t;
    }
  }

  /** The URL, for messages and the thread name. */
  private final String url;
  /** Opens the socket and owns it: every abort goes through it. */
  private final Connector connector;
  /** The client's write timeout in ms, 0 for none. */
  private final long writeTimeoutMillis;
  /** Longest accepted inbound line in bytes, terminator excluded. */
  private final long maxLineLength;
  /** The connection manager's end. */
  private final Transport.Listener listener;
  /** Runs {@link #drain}; the client's dispatcher pool. */
  private final Executor writerPool;
  /** Where the reader counts its waits for the socket; set by the factory, before it starts. */
  private ReadWaits readWaits = new ReadWaits(MonotonicClock.INSTANCE);

  /**
   * Messages accepted by {@link #send} and not yet written and flushed, oldest first: exactly
   * {@link #unsent()}. A message leaves only after its bytes were flushed to the socket. Guarded by
   * this.
   */
  private final ArrayDeque<Message> queue = new ArrayDeque<Message>();
  /** UTF-8 size of {@link #queue}. Guarded by this. */
  private long queueBytes;
  /** Messages {@link #send} accepted so far. Guarded by this. */
  private long accepted;
  /** See {@link Transport#settledCount()}: set when a line arrives. Guarded by this. */
  private long settled;
  /** The socket lines travel on (the TLS socket for tcp+tls), once connected. Guarded by this. */
  private Socket socket;
  /** Writes to {@link #socket}; set once the connection is established. Guarded by this. */
  private BufferedSink sink;
  /** True while a {@link #drain} task is submitted or running. Guarded by this. */
  private boolean draining;
  /** Set by {@link #close}: drain, then shut the socket. Guarded by this. */
  private boolean closing;
  /** The code of {@link #close}, reported in onClosed. Guarded by this. */
  private int closeCode;
  /** The reason of {@link #close}, reported in onClosed. Guarded by this. */
  private String closeReason = "";
  /**
   * True once the outcome (closed, failed, cancelled) is decided: no callback and no write follow.
   * Guarded by this.
   */
  private boolean finished;

  TcpTransport(String url, Connector connector, long writeTimeoutMillis, long maxLineLength,
      Transport.Listener listener, Executor writerPool) {
    this.url = url;
    this.connector = connector;
    this.writeTimeoutMillis = writeTimeoutMillis;
    this.maxLineLength = maxLineLength;
    this.listener = listener;
    this.writerPool = writerPool;
  }

  // ---- Transport, called by the manager. ----

  /**
   * Queues {@code message} as one line. A message that cannot be a line (binary, or text with a
   * {@code \n}) never reaches here from {@code Connection.send}, which rejects it; one produced by
   * a heartbeat supplier or a server-heartbeat responder fails the connection with the reason, so
   * the mistake shows in the connection state instead of being dropped silently.
   */
  @Override public boolean send(Message message) {
    String invalid = LineFraming.whyNotALine(Redact.url(url), message);
    if (invalid != null) {
      fail(new IllegalArgumentException(invalid));
      return false;
    }
    synchronized (this) {
      if (finished || closing) return false;
      long bytes = message.byteCount();
      if (queueBytes + bytes > MAX_QUEUE_BYTES) return false;
      queue.addLast(message);
      queueBytes += bytes;
      accepted++;
      if (sink == null || draining) return true; // Drained once connected, or by the running task.
      draining = true;
    }
    startDrain();
    return true;
  }

  /**
   * Graceful close: the lines queued so far are written and flushed, then the socket is closed
   * and {@link Transport.Listener#onClosed} reports {@code code} and {@code reason} (TCP has no
   * close frame; they never reach the server).
   */
  @Override public void close(int code, String reason) {
    boolean connected;
    synchronized (this) {
      if (finished || closing) return;
      closing = true;
      closeCode = code;
      closeReason = reason == null ? "" : reason;
      connected = sink != null;
      if (connected && draining) return; // The running drain closes after the last line.
      if (connected) draining = true;
    }
    if (connected) {
      startDrain();
    } else if (finish()) {
      // Not connected yet: nothing to flush.
      connector.abort();
      listener.onClosed(this, code, closeReason);
    }
  }

  /** Aborts whatever runs (DNS lookup, connect, TLS handshake, reads, writes). */
  @Override public void cancel() {
    synchronized (this) {
      finished = true;
    }
    connector.abort();
  }

  /** The connector's step: never blocks, as the manager asks from its own thread. */
  @Override public String handshakeStep() {
    return connector.step();
  }

  @Override public long ping() {
    return -1; // No protocol pings on a line protocol.
  }

  @Override public long answeredPing() {
    return -1; // No protocol pings on a line protocol.
  }

  @Override public synchronized List<Message> unsent() {
    return new ArrayList<Message>(queue);
  }

  @Override public synchronized boolean hasUnwritten() {
    return !queue.isEmpty();
  }

  @Override public synchronized long acceptedCount() {
    return accepted;
  }

  @Override public synchronized long settledCount() {
    return settled;
  }

  /** On the reader thread, a line arrived: every line flushed so far is settled. */
  private synchronized void settle() {
    settled = accepted - queue.size();
  }

  // ---- Reader thread. ----

  /** The reader thread: connects, then reads lines until the end. Always closes the socket. */
  private void run() {
    try {
      Socket connected = connector.connect();
      BufferedSource source = Okio.buffer(Okio.source(readWaits.watch(connected.getInputStream())));
      BufferedSink out = Okio.buffer(Okio.sink(connected));
      if (writeTimeoutMillis > 0) out.timeout().timeout(writeTimeoutMillis, TimeUnit.MILLISECONDS);
      boolean drainNow;
      synchronized (this) {
        if (finished) return;
        socket = connected;
        sink = out;
        drainNow = !queue.isEmpty() && !draining;
        if (drainNow) draining = true;
      }
      listener.onOpen(this);
      if (drainNow) startDrain();
      while (true) {
        // EOF and over-long lines throw; so does a read on the socket that close() shut.
        String line = LineFraming.readLine(source, maxLineLength);
        if (isFinished()) return;
        settle();
        listener.onMessage(this, Message.text(line));
      }
    } catch (Throwable t) {
      fail(t);
    } finally {
      connector.abort();
    }
  }

  // ---- Writer, on the pool. ----

  private void startDrain() {
    try {
      writerPool.execute(this::drain);
    } catch (RejectedExecutionException e) {
      synchronized (this) {
        draining = false;
      }
      fail(new IOException("cannot write: the OkHttpClient's dispatcher executor rejected the"
          + " writer task (was it shut down?)", e));
    }
  }

  /**
   * Writes queued lines in batches until the queue is empty, then either returns (the next send
   * starts a new drain) or, when closing, shuts the socket and reports onClosed. Runs on the pool,
   * one drain per transport at a time.
   *
   * <p>One flush per batch, not per line: a batch is every line queued when it starts, up to
   * {@link #MAX_BATCH_BYTES}. Flushing per line cost a system call per line and capped a busy
   * connection at about a third of what the socket carries (docs/behaviour.md, "Sending and
   * delivery"). Accounting stays exact at batch granularity: the lines of a batch stay in {@link
   * #queue} (so in {@link #unsent()}) until the flush that carries them returns, and then leave
   * together. If the flush fails, the whole batch counts as not written and goes back to the
   * outbox, as one line did when each line had its own flush; the cap bounds how much of a failed
   * batch the kernel may have taken already.
   */
  private void drain() {
    BufferedSink out;
    synchronized (this) {
      out = sink;
    }
    ArrayList<Message> batch = new ArrayList<Message>();
    try {
      while (true) {
        boolean closeNow;
        int code;
        String reason;
        synchronized (this) {
          if (finished) {
            draining = false;
            return;
          }
          closeNow = queue.isEmpty() && closing;
          code = closeCode;
          reason = closeReason;
          if (queue.isEmpty() && !closing) {
            draining = false;
            return;
          }
          if (closing && out.timeout().timeoutNanos() == 0) {
            out.timeout().timeout(CLOSE_FLUSH_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
          }
          batch.clear();
          long batchBytes = 0;
          for (Message m : queue) {
            if (!batch.isEmpty() && batchBytes + m.byteCount() + 1 > MAX_BATCH_BYTES) break;
            batch.add(m);
            batchBytes += m.byteCount() + 1;
          }
        }
        if (closeNow) {
          if (finish()) {
            closeGracefully();
            try {
              listener.onClosed(this, code, reason);
            } catch (RuntimeException unexpected) {
              // See fail().
            }
          }
          return;
        }
        for (int i = 0, n = batch.size(); i < n; i++) {
          LineFraming.writeLine(out, batch.get(i).text());
        }
        out.flush();
        synchronized (this) {
          // Only this drain removes from the queue, and send() only appends: the batch is still
          // the queue's head.
          for (int i = 0, n = batch.size(); i < n; i++) {
            queueBytes -= queue.removeFirst().byteCount();
          }
        }
      }
    } catch (Throwable t) {
      synchronized (this) {
        draining = false;
      }
      fail(t);
    }
  }

  // ---- Outcome. ----

  /** Reports {@code error} once (unless closed or cancelled already) and releases the socket. */
  private void fail(Throwable error) {
    boolean report = finish(); // Before closing, so the reader's "socket closed" is not reported.
    connector.abort();
    if (!report) return;
    try {
      listener.onFailure(this, error, 0, -1);
    } catch (RuntimeException unexpected) {
      // The manager's listener only posts to the connection's lane, which does not throw (an
      // injected scheduler might). Swallowed so no pool or reader thread dies loudly.
    }
  }

  /** Decides the outcome; true for the one caller that then reports it. */
  private synchronized boolean finish() {
    if (finished) return false;
    finished = true;
    return true;
  }

  private synchronized boolean isFinished() {
    return finished;
  }

  /** After the last line was flushed: a TLS close_notify (for tcp+tls), then the TCP socket. */
  private void closeGracefully() {
    Socket s;
    synchronized (this) {
      s = socket;
    }
    Connector.closeQuietly(s);
    connector.abort();
  }

  @Override public String toString() {
    return "TcpTransport{" + Redact.url(url) + "}";
  }
}
