package dev.lifeline.internal.ws;

import dev.lifeline.Message;
import dev.lifeline.internal.Durations;
import dev.lifeline.internal.Redact;
import dev.lifeline.internal.Transport;
import dev.lifeline.internal.net.Connector;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownServiceException;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import okhttp3.ConnectionSpec;
import okhttp3.OkHttpClient;
import okio.AsyncTimeout;
import okio.BufferedSink;
import okio.BufferedSource;
import okio.ByteString;
import okio.ForwardingSink;
import okio.Okio;
import okio.Sink;
import org.jspecify.annotations.Nullable;

/**
 * A {@link Transport} over Lifeline's own WebSocket client (RFC 6455) for {@code ws://} and
 * {@code wss://}: {@link Connector} opens the socket with the app's OkHttpClient (DNS, socket
 * factory, TLS, pinning, timeouts), {@link Handshake} upgrades it, {@link FrameReader} and {@link
 * FrameWriter} carry the frames. OkHttp is used through its public API only.
 *
 * <p>Threads, as {@code TcpTransport}: one daemon reader thread per connection, named {@value
 * #READER_THREAD_PREFIX} + redacted URL, connects, handshakes, then reads frames until the end; it
 * always closes the socket on its way out. Writes run on the OkHttpClient's dispatcher pool, one
 * {@link #drain} task at a time per connection, so {@link #send} never blocks.
 *
 * <p>Control frames go first: pongs (answers to the server's pings) and our ping are written
 * before queued messages, and a close frame that answers the server or names its violation goes
 * before them too (those messages are then never written and stay in {@link #unsent()}). Messages
 * are never fragmented, so any frame boundary is a place for a control frame.
 */
public final class WebSocketTransport implements Transport {
  /** Name prefix of every reader thread; the redacted URL follows. */
  static final String READER_THREAD_PREFIX = "Lifeline WebSocket reader ";
  /** Payload bytes accepted by {@link #send} but not yet written before send() refuses. */
  public static final long MAX_QUEUE_BYTES = 16L * 1024 * 1024;
  /**
   * Most payload bytes written between two flushes: a batch of small messages reaches the socket in
   * one write (one Okio segment); a larger message is a batch of its own (see {@link #drain}).
   */
  static final long MAX_BATCH_BYTES = 8L * 1024;
  /**
   * Pongs queued and not yet written at which the reader stops reading: a server that floods pings
   * and never reads cannot grow memory (at most 64 pongs of 125 bytes). Against an honest server
   * the writer keeps the count near 0.
   */
  static final int MAX_QUEUED_PONGS = 64;
  /**
   * How long a graceful {@link #close} may take, from the call to the server's close frame: the
   * queued messages, our close frame, the server's answer. OkHttp's figure. Then the socket is
   * closed and onClosed reported anyway.
   */
  static final long CLOSE_TIMEOUT_MILLIS = 60_000L;
  /**
   * How long the reader waits for a close frame it must send (answering the server's close, or
   * naming the server's violation) to be written: enough for a live peer, short enough that a peer
   * that does not read cannot hold the reader.
   */
  static final long CLOSE_WRITE_WAIT_MILLIS = 1_000L;
  /** What {@link #handshakeStep()} says while the upgrade request awaits its answer. */
  static final String UPGRADE_STEP = "HTTP upgrade (no 101 Switching Protocols response yet)";
  /** Makes the handshake keys and seeds nothing else. */
  private static final SecureRandom KEYS = new SecureRandom();

  /** Opens WebSocket transports with the app's OkHttpClient; the entry point for Transports. */
  public static Transport.Factory factory(OkHttpClient client) {
    return factory(client, CLOSE_TIMEOUT_MILLIS);
  }

  /** The same with another bound on a graceful close (for tests). */
  static Transport.Factory factory(final OkHttpClient client, final long closeTimeoutMillis) {
    return new Transport.Factory() {
      @Override public Transport open(Transport.Request request, Transport.Listener listener) {
        Connector connector = new Connector(client, Connector.Endpoint.parse(request.url));
        WebSocketTransport t = new WebSocketTransport(request, connector, client, listener,
            closeTimeoutMillis);
        request.readWaits.measured();
        Thread reader = new Thread(t::run, READER_THREAD_PREFIX + Redact.url(request.url));
        reader.setDaemon(true);
        reader.start();
        return t;
      }
    };
  }

  /** The URL, headers, inbound limit and read-wait counter of this attempt. */
  private final Transport.Request request;
  /** Opens the socket and owns it: every abort goes through it. */
  private final Connector connector;
  /** The app's client: read and write timeouts. */
  private final OkHttpClient client;
  /** The connection manager's end. */
  private final Transport.Listener listener;
  /** Runs {@link #drain}: the client's dispatcher pool. */
  private final Executor writerPool;
  /**
   * Held while a drain writes and flushes and removes what it wrote, so that {@link #cancel} can
   * wait out a write in progress: afterwards the counts are final.
   */
  private final Object writeLock = new Object();
  /**
   * Bounds each write to the socket by the client's write timeout: when one fires the connection
   * fails with a reason that names it (Okio's own socket timeout says only "timeout").
   */
  private final AsyncTimeout writeTimeout = new AsyncTimeout() {
    @Override protected void timedOut() {
      fail(writeTimedOut(), 0, -1);
    }

    @Override protected IOException newTimeoutException(@Nullable IOException cause) {
      SocketTimeoutException e = new SocketTimeoutException("timeout");
      if (cause != null) e.initCause(cause);
      return e;
    }
  };
  /** Bounds a graceful close ({@link #CLOSE_TIMEOUT_MILLIS}); closes the socket when it fires. */
  private final AsyncTimeout closeTimeout = new AsyncTimeout() {
    @Override protected void timedOut() {
      closeTimedOut();
    }
  };
  /** What {@link #handshakeStep()} says once the connector is done; null before. */
  private volatile @Nullable String step;

  /**
   * Messages accepted by {@link #send} and not yet written and flushed, oldest first: exactly
   * {@link #unsent()}. Guarded by this.
   */
  private final ArrayDeque<Message> queue = new ArrayDeque<Message>();
  /** Payload bytes of {@link #queue}. Guarded by this. */
  private long queueBytes;
  /** Messages {@link #send} accepted so far. Guarded by this. */
  private long accepted;
  /** See {@link Transport#settledCount()}: set when a message or pong arrives. Guarded by this. */
  private long settled;
  /** Pong payloads to write, oldest first. Guarded by this. */
  private final ArrayDeque<ByteString> pongs = new ArrayDeque<ByteString>();
  /** Pongs a drain took from {@link #pongs} and has not flushed yet. Guarded by this. */
  private int pongsInFlight;
  /** Ping numbers handed out so far: the last ping's number. Guarded by this. */
  private long pingsIssued;
  /** The number of the ping queued and not yet taken by a drain, or 0. Guarded by this. */
  private long pingQueued;
  /**
   * The number of the last ping a drain took to write, or 0: no pong can answer a later one. Set
   * before the flush, since a fast server's pong can arrive before the flush returns. Guarded by
   * this.
   */
  private long pingsSent;
  /** The highest ping number a pong echoed. Guarded by this. */
  private long answered;
  /** Writes frames to {@link #sink}; set once upgraded. Guarded by this. */
  private @Nullable FrameWriter writer;
  /** The buffered socket output the writer writes to; set with it. Guarded by this. */
  private @Nullable BufferedSink sink;
  /** The socket output under {@link #sink}, counting the bytes the socket took; set with it. */
  private @Nullable CountingStream wire;
  /** True while a {@link #drain} task is submitted or running. Guarded by this. */
  private boolean draining;
  /** Where the connection stands; changed before any call out. Guarded by this. */
  private State state = State.CONNECTING;
  /**
   * The close frame's code for {@link State#CLOSING} (ours) and {@link State#ANSWERING_CLOSE}
   * (the server's echoed, or its violation's). Guarded by this.
   */
  private int closeCode;
  /** The close frame's reason, with {@link #closeCode}. Guarded by this. */
  private String closeReason = "";

  /** Where a connection stands. Only moves down the list (FINISHED from anywhere). */
  private enum State {
    /** Connecting and upgrading: sends queue up; no frame can be written yet. */
    CONNECTING,
    /** Upgraded: frames flow both ways. */
    OPEN,
    /** {@link #close} was called: the queued messages, then our close frame. No sends, no pings. */
    CLOSING,
    /**
     * A close frame goes out before any queued message, which then stays unsent: the answer to
     * the server's close, or the code of the server's violation.
     */
    ANSWERING_CLOSE,
    /** Our close frame was flushed: nothing more is written; the server's close is awaited. */
    CLOSE_WRITTEN,
    /** The outcome (closed, failed, cancelled) is decided: no callback and no write follow. */
    FINISHED
  }

  private WebSocketTransport(Transport.Request request, Connector connector, OkHttpClient client,
      Transport.Listener listener, long closeTimeoutMillis) {
    this.request = request;
    this.connector = connector;
    this.client = client;
    this.listener = listener;
    this.writerPool = client.dispatcher().executorService();
    closeTimeout.timeout(closeTimeoutMillis, TimeUnit.MILLISECONDS);
  }

  // ---- Transport, called by the manager. ----

  @Override public boolean send(Message message) {
    synchronized (this) {
      if (state != State.CONNECTING && state != State.OPEN) return false;
      long bytes = message.byteCount();
      if (queueBytes + bytes > MAX_QUEUE_BYTES) return false;
      queue.addLast(message);
      queueBytes += bytes;
      accepted++;
      if (!claimDrain()) return true; // Drained once open, or by the running task.
    }
    startDrain();
    return true;
  }

  /**
   * Graceful close: the queued messages, then a close frame with {@code code} and {@code reason},
   * then the server's close frame, within {@link #CLOSE_TIMEOUT_MILLIS}; onClosed follows.
   */
  @Override public void close(int code, @Nullable String reason) {
    String why = reason == null ? "" : reason;
    boolean beforeOpen = false;
    synchronized (this) {
      if (state == State.CONNECTING) {
        beforeOpen = true;
        state = State.FINISHED; // Not upgraded yet: no close frame to send.
        notifyAll();
      } else if (state == State.OPEN) {
        state = State.CLOSING;
        closeCode = code;
        closeReason = why;
        closeTimeout.enter();
        if (!claimDrain()) return; // The running drain writes the close frame.
      } else {
        return;
      }
    }
    if (beforeOpen) {
      release();
      listener.onClosed(this, code, why);
    } else {
      startDrain();
    }
  }

  /** Aborts whatever runs; waits out a write in progress, so the counts are final. */
  @Override public void cancel() {
    finish(); // A reader waiting for pong room or a close frame gives up.
    release();
  }

  @Override public String handshakeStep() {
    String connecting = connector.step();
    String s = step;
    return s == null || connecting.equals(Connector.FINISHED) ? connecting : s;
  }

  /**
   * Queues a ping whose 8-byte payload is its number; the writer puts it before queued messages.
   * A ping still queued is not doubled: its number is returned.
   */
  @Override public long ping() {
    long number;
    synchronized (this) {
      if (state != State.OPEN) return -1;
      if (pingQueued > 0) return pingQueued;
      number = ++pingsIssued;
      pingQueued = number;
      if (!claimDrain()) return number;
    }
    startDrain();
    return number;
  }

  @Override public synchronized long answeredPing() {
    return answered;
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

  /** Pongs queued or being written, not yet flushed (for tests of the pong bound). */
  synchronized int unwrittenPongs() {
    return pongs.size() + pongsInFlight;
  }

  // ---- Reader thread. ----

  /** The reader thread: connects, upgrades, reads frames to the end. Always closes the socket. */
  private void run() {
    try {
      checkCleartextAllowed();
      Socket socket = connector.connect();
      BufferedSource source =
          Okio.buffer(Okio.source(request.readWaits.watch(socket.getInputStream())));
      CountingStream counted = new CountingStream(socket.getOutputStream());
      BufferedSink out = Okio.buffer(timedWrites(counted));
      if (client.writeTimeoutMillis() > 0) {
        writeTimeout.timeout(client.writeTimeoutMillis(), TimeUnit.MILLISECONDS);
      }
      step = UPGRADE_STEP;
      upgrade(socket, source, out);
      FrameReader frames = new FrameReader(source, request.maxInboundMessageBytes, new Frames());
      boolean drainNow;
      synchronized (this) {
        if (state != State.CONNECTING) return;
        state = State.OPEN;
        writer = new FrameWriter(out, new SecureRandom());
        sink = out;
        wire = counted;
        drainNow = !queue.isEmpty() && claimDrain();
      }
      step = Connector.OPEN;
      listener.onOpen(this);
      if (drainNow) startDrain();
      while (true) {
        try {
          frames.readFrame();
        } catch (ProtocolViolation v) {
          failForViolation(v);
          return;
        }
        if (state() == State.FINISHED) return;
      }
    } catch (Handshake.Rejected rejected) {
      fail(rejected, rejected.code, rejected.retryAfterMillis);
    } catch (Throwable t) {
      if (!closedAfterOurCloseFrame()) fail(t, 0, -1);
    } finally {
      connector.abort();
    }
  }

  /**
   * For ws://, the client must allow cleartext, as OkHttp's own calls require: an app that took
   * {@link ConnectionSpec#CLEARTEXT} out of its connection specs asked for TLS only. (Android's
   * network security policy, which OkHttp also consulted, is not checked here.)
   */
  private void checkCleartextAllowed() throws UnknownServiceException {
    if (request.url.regionMatches(true, 0, "wss:", 0, 4)) return;
    if (client.connectionSpecs().contains(ConnectionSpec.CLEARTEXT)) return;
    throw new UnknownServiceException("cannot connect to " + Redact.url(request.url)
        + ": CLEARTEXT communication not enabled for client (its connection specs have no"
        + " ConnectionSpec.CLEARTEXT); use wss:// or add it");
  }

  /** Writes the upgrade request and reads its answer within the client's read timeout. */
  private void upgrade(Socket socket, BufferedSource source, BufferedSink sink) throws IOException {
    Handshake handshake = new Handshake(request.url, request.headers, client.cookieJar(), KEYS);
    handshake.writeRequest(sink);
    sink.flush();
    int readTimeout = client.readTimeoutMillis();
    socket.setSoTimeout(readTimeout);
    try {
      handshake.readResponse(source);
    } catch (SocketTimeoutException e) {
      SocketTimeoutException named = new SocketTimeoutException("no answer to the HTTP upgrade"
          + " request: no data from the server for " + Durations.seconds(readTimeout)
          + " (OkHttpClient readTimeout)");
      named.initCause(e);
      throw named;
    }
    // From now on reads block until data, EOF or close: the keep-alive decides what is silence.
    socket.setSoTimeout(0);
  }

  /** The reader's frames, on the reader thread. */
  private final class Frames implements FrameReader.Callback {
    @Override public void onMessage(Message message) throws IOException {
      if (state() == State.FINISHED) throw new IOException("canceled"); // Never reported.
      settle();
      listener.onMessage(WebSocketTransport.this, message);
    }

    @Override public void onPing(ByteString payload) throws IOException {
      if (queuePong(payload)) startDrain();
    }

    @Override public void onPong(ByteString payload) {
      synchronized (WebSocketTransport.this) {
        settle();
        if (payload.size() != 8) return; // Not one of ours: answers nothing.
        long number = 0;
        for (int i = 0; i < 8; i++) number = (number << 8) | (payload.getByte(i) & 0xff);
        if (number > 0 && number <= pingsSent && number > answered) answered = number;
      }
    }

    @Override public void onClose(int code, String reason) throws IOException {
      serverClosed(code, reason);
    }
  }

  /** A message or a pong arrived: every message flushed so far is settled. */
  private synchronized void settle() {
    settled = accepted - queue.size();
  }

  /**
   * Queues the pong for {@code payload} once fewer than {@link #MAX_QUEUED_PONGS} are unwritten,
   * waiting until then; true when a drain must start. No pong follows a close frame.
   */
  private synchronized boolean queuePong(ByteString payload) throws IOException {
    while ((state == State.OPEN || state == State.CLOSING)
        && pongs.size() + pongsInFlight >= MAX_QUEUED_PONGS) {
      try {
        wait();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while waiting for pongs to be written", e);
      }
    }
    if (state == State.FINISHED) throw new IOException("canceled"); // Never reported.
    if (state != State.OPEN && state != State.CLOSING) return false;
    pongs.addLast(payload);
    return claimDrain();
  }

  /**
   * The server's close frame: reports onClosing when the server started the close, answers with
   * a close frame ahead of any queued message (unless ours went out already), waits a moment for
   * it, and reports onClosed.
   */
  private void serverClosed(int code, String reason) {
    boolean drainNow = false;
    boolean peerStarted;
    synchronized (this) {
      if (state == State.FINISHED) return;
      peerStarted = state == State.OPEN;
      if (state == State.OPEN || state == State.CLOSING) {
        state = State.ANSWERING_CLOSE;
        closeCode = code == WebSocketProtocol.CLOSE_NO_STATUS
            ? WebSocketProtocol.CLOSE_NORMAL : code;
        closeReason = "";
        drainNow = claimDrain();
      }
    }
    if (peerStarted) listener.onClosing(this, code, reason);
    if (drainNow) startDrain();
    awaitCloseWritten();
    if (finish()) {
      release();
      listener.onClosed(this, code, reason);
    }
  }

  /**
   * The server broke the protocol: a close frame with the violation's code goes ahead of any
   * queued message, then the connection fails with a reason that names the violation and says
   * whether the close frame was written.
   */
  private void failForViolation(ProtocolViolation v) {
    boolean ours = false; // False when a close frame went out or was queued already.
    boolean drainNow = false;
    synchronized (this) {
      if (state == State.OPEN || state == State.CLOSING) {
        ours = true;
        state = State.ANSWERING_CLOSE;
        closeCode = v.closeCode;
        closeReason = v.getMessage() == null ? "" : v.getMessage();
        drainNow = claimDrain();
      }
    }
    if (drainNow) startDrain();
    String outcome = !ours ? ""
        : awaitCloseWritten() ? "; closed with " + v.closeCode
        : "; the close frame " + v.closeCode + " could not be written within "
            + CLOSE_WRITE_WAIT_MILLIS + " ms";
    ProtocolViolation named = new ProtocolViolation(v.closeCode, v.getMessage() + outcome);
    named.initCause(v);
    fail(named, 0, -1);
  }

  /** Waits up to {@link #CLOSE_WRITE_WAIT_MILLIS} for a close frame to be flushed. */
  private synchronized boolean awaitCloseWritten() {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CLOSE_WRITE_WAIT_MILLIS);
    while (state == State.ANSWERING_CLOSE) {
      long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
      if (left <= 0) break;
      try {
        wait(left);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    return state == State.CLOSE_WRITTEN;
  }

  /**
   * The reader failed after the close frame of a graceful {@link #close} went out (the only close
   * frame after which the reader reads on): the server dropped the socket instead of answering.
   * The close is complete as far as it can be; true when that was reported.
   */
  private boolean closedAfterOurCloseFrame() {
    if (state() != State.CLOSE_WRITTEN) return false;
    closeTimedOut();
    return true;
  }

  /**
   * Okio's watchdog: the graceful close took {@link #CLOSE_TIMEOUT_MILLIS}. Reports onClosed with
   * the close frame's code, unless the transport ended already.
   */
  private void closeTimedOut() {
    int code;
    String reason;
    synchronized (this) {
      code = closeCode;
      reason = closeReason;
    }
    if (!finish()) return;
    release();
    listener.onClosed(this, code, reason);
  }

  // ---- Writer, on the pool. ----

  /** True when the caller must start a drain: none runs and a writer exists. Guarded by this. */
  private boolean claimDrain() {
    if (draining || writer == null || state == State.FINISHED) return false;
    draining = true;
    return true;
  }

  private void startDrain() {
    try {
      writerPool.execute(this::drain);
    } catch (RejectedExecutionException e) {
      synchronized (this) {
        draining = false;
      }
      fail(new IOException("cannot write: the OkHttpClient's dispatcher executor rejected the"
          + " writer task (was it shut down?)", e), 0, -1);
    }
  }

  /**
   * Writes until there is nothing left, one batch and one flush at a time: the pongs, the ping,
   * then either a close frame or the messages queued when the batch starts, up to {@link
   * #MAX_BATCH_BYTES} (a larger message alone). Flushing per message cost a system call each and
   * capped a busy connection's throughput. A batch's messages stay in {@link #queue} (so in
   * {@link #unsent()}) until the flush that carried them returned, then leave together; if it
   * fails, those whose frames the socket may have taken leave as written ({@link CountingStream})
   * and the rest stay. Runs under {@link #writeLock} per batch, so an ending transport can wait
   * it out and report final counts.
   */
  private void drain() {
    FrameWriter out;
    BufferedSink buffered;
    CountingStream socketOut;
    synchronized (this) {
      out = writer;
      buffered = sink;
      socketOut = wire;
    }
    List<ByteString> pongBatch = new ArrayList<ByteString>();
    List<Message> batch = new ArrayList<Message>();
    try {
      while (true) {
        long ping;
        int closeWith = 0;
        String closeWhy = "";
        synchronized (this) {
          pongBatch.clear();
          batch.clear();
          if (state == State.FINISHED || state == State.CLOSE_WRITTEN || out == null
              || buffered == null || socketOut == null) {
            draining = false;
            return;
          }
          pongBatch.addAll(pongs);
          pongs.clear();
          pongsInFlight = pongBatch.size();
          ping = pingQueued;
          pingQueued = 0;
          if (ping != 0) pingsSent = ping;
          if (state == State.ANSWERING_CLOSE || (state == State.CLOSING && queue.isEmpty())) {
            closeWith = closeCode;
            closeWhy = closeReason;
          } else {
            long batchBytes = 0;
            for (Message m : queue) {
              if (!batch.isEmpty() && batchBytes + m.byteCount() > MAX_BATCH_BYTES) break;
              batch.add(m);
              batchBytes += m.byteCount();
            }
          }
          if (pongBatch.isEmpty() && ping == 0 && closeWith == 0 && batch.isEmpty()) {
            draining = false;
            return;
          }
        }
        synchronized (writeLock) {
          if (state() == State.FINISHED) continue; // Cancelled meanwhile: the loop returns.
          int n = batch.size();
          // Where each message's frame ends in the socket's byte count: a flush that fails may
          // have put frames on the socket first. Those the socket may have taken count as
          // written (see CountingStream), so none is ever sent twice.
          long[] ends = new long[n];
          Arrays.fill(ends, Long.MAX_VALUE);
          IOException failed = null;
          try {
            for (int i = 0; i < pongBatch.size(); i++) out.writePong(pongBatch.get(i));
            if (ping != 0) out.writePing(pingPayload(ping));
            if (closeWith != 0) {
              out.writeClose(closeWith, closeWhy);
            } else {
              for (int i = 0; i < n; i++) {
                out.writeMessage(batch.get(i));
                ends[i] = socketOut.count + buffered.getBuffer().size();
              }
            }
            out.flush();
          } catch (IOException e) {
            failed = e;
          }
          int written = 0;
          while (written < n && ends[written] <= socketOut.attempted) written++;
          synchronized (this) {
            // Only this drain removes from the queue, and send() only appends: the batch is still
            // the queue's head.
            for (int i = 0; i < written; i++) queueBytes -= queue.removeFirst().byteCount();
            pongsInFlight = 0;
            if (failed == null && closeWith != 0 && state != State.FINISHED) {
              state = State.CLOSE_WRITTEN;
            }
            notifyAll(); // Pong room, or a close frame the reader waits for.
          }
          if (failed != null) throw failed;
        }
      }
    } catch (Throwable t) {
      synchronized (this) {
        draining = false;
        pongsInFlight = 0;
        notifyAll();
      }
      fail(t, 0, -1);
    }
  }

  /** Why the write timeout fired: what happened and the limit. */
  private SocketTimeoutException writeTimedOut() {
    return new SocketTimeoutException("write timed out: the socket took nothing for "
        + Durations.seconds(client.writeTimeoutMillis())
        + " (OkHttpClient writeTimeout); the server or the network stopped reading");
  }

  /**
   * The socket's output, counting the bytes handed to it. A write that returned put all its bytes
   * on the socket; one that threw may have put any prefix of them there, so a frame that ends
   * within it may have reached the server whole: {@link #attempted} includes it. Counting such a
   * frame as written makes its message "may not have been delivered" at worst, never sent twice
   * (docs/behaviour.md, "Sending and delivery"). Written by one writer at a time (the reader for
   * the upgrade request, then the drains under {@link #writeLock}).
   */
  private static final class CountingStream extends FilterOutputStream {
    /** Bytes the socket surely took: every write up to here returned. */
    long count;
    /** Bytes handed to the socket, the write that failed (if one did) included. */
    long attempted;

    CountingStream(OutputStream out) {
      super(out);
    }

    @Override public void write(byte[] b, int off, int len) throws IOException {
      attempted = count + len;
      out.write(b, off, len);
      count = attempted;
    }

    @Override public void write(int b) throws IOException {
      attempted = count + 1;
      out.write(b);
      count = attempted;
    }
  }

  /**
   * The socket's output with each write bounded by {@link #writeTimeout}, and flushes not: a
   * socket's stream holds nothing back, so its flush returns at once, and timing it too would
   * wake Okio's watchdog thread a second time for every batch (a measured 1.4-2.0 wake-ups per
   * round trip against raw OkHttp's 1.0, at about 13-20 us each on a 2-core machine).
   */
  private Sink timedWrites(final CountingStream counted) {
    return new ForwardingSink(writeTimeout.sink(Okio.sink(counted))) {
      @Override public void flush() throws IOException {
        counted.flush();
      }
    };
  }

  /** The 8-byte payload of ping {@code number}: the number, big-endian. */
  static ByteString pingPayload(long number) {
    byte[] payload = new byte[8];
    for (int i = 7; i >= 0; i--, number >>>= 8) payload[i] = (byte) number;
    return ByteString.of(payload);
  }

  // ---- Outcome. ----

  /** Reports {@code error} once (unless ended already) and releases the socket. */
  private void fail(Throwable error, int httpCode, long retryAfterMillis) {
    boolean report = finish(); // Before closing, so the reader's "socket closed" is not reported.
    release();
    if (!report) return;
    try {
      listener.onFailure(this, error, httpCode, retryAfterMillis);
    } catch (RuntimeException unexpected) {
      // The manager's listener only posts to the connection's lane. Swallowed so no pool or
      // reader thread dies loudly.
    }
  }

  /**
   * After {@link #finish}: closes the socket, so that a write in progress ends at once, and waits
   * it out. Then {@link #unsent()} is final before any outcome is reported: the engine reads it
   * right away, and a batch whose flush returned a moment later would be sent twice.
   */
  private void release() {
    connector.abort();
    synchronized (writeLock) {
      closeTimeout.exit();
    }
  }

  /** Decides the outcome; true for the one caller that then reports it. */
  private synchronized boolean finish() {
    if (state == State.FINISHED) return false;
    state = State.FINISHED;
    notifyAll(); // A reader waiting for pong room or a close frame gives up.
    return true;
  }

  private synchronized State state() {
    return state;
  }

  @Override public String toString() {
    return "WebSocketTransport{" + Redact.url(request.url) + "}";
  }
}
