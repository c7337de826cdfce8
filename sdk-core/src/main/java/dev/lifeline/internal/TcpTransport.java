package dev.lifeline.internal;

import dev.lifeline.ConnectionOptions;
import dev.lifeline.Message;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.UnknownHostException;
import java.net.UnknownServiceException;
import java.security.cert.Certificate;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import okhttp3.CipherSuite;
import okhttp3.ConnectionSpec;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.TlsVersion;
import okio.BufferedSink;
import okio.BufferedSource;
import okio.Okio;

/**
 * A {@link Transport} for newline-framed text over TCP ({@code tcp://host:port}) or TLS ({@code
 * tcp+tls://host:port}): every message is one UTF-8 line ending in {@code \n}; {@code \r\n} is
 * accepted inbound. There is no handshake beyond TCP (and TLS), no close frame and no protocol
 * ping, so {@link #receivedPongCount()} is -1 and the heartbeat (H1) and silence watch (H4) do all
 * the liveness work.
 *
 * <p>Threads. Java's blocking sockets have no way to wait for "readable" without a thread (NIO
 * selectors would, but {@link SSLSocket} and the app's {@link javax.net.SocketFactory} — which on
 * Android binds a socket to a network — are blocking-only), so each connection has one daemon
 * reader thread, named {@value #READER_THREAD_PREFIX} + URL. It connects, handshakes, then reads
 * lines until EOF, an error, {@link #close} or {@link #cancel}; it always closes the socket on its
 * way out. Writes run on the OkHttpClient's dispatcher pool, one drain task at a time per
 * connection, so {@link #send} never blocks the manager's scheduler and no thread idles between
 * messages.
 *
 * <p>{@link LineFraming} reads and writes the lines.
 */
final class TcpTransport implements Transport {
  /** Name prefix of every reader thread; the URL follows. */
  static final String READER_THREAD_PREFIX = "Lifeline TCP reader ";
  /** Bytes accepted by {@link #send} but not yet written before send() refuses, as OkHttp's. */
  static final long MAX_QUEUE_BYTES = 16L * 1024 * 1024;
  /** Bounds the final flush of a graceful close when the client has no write timeout. */
  static final long CLOSE_FLUSH_TIMEOUT_MILLIS = 60_000L;

  /** Opens TCP transports with the app's OkHttpClient settings (timeouts, DNS, sockets, TLS). */
  static final class Factory implements Transport.Factory {
    /** Source of the socket factory, DNS, TLS settings, timeouts and the writer pool. */
    private final OkHttpClient client;

    Factory(OkHttpClient client) {
      this.client = client;
    }

    @Override public Transport open(Transport.Request request, Transport.Listener listener) {
      Endpoint endpoint = Endpoint.parse(request.url);
      TcpTransport t = new TcpTransport(client, endpoint, request.maxLineLength, listener,
          client.dispatcher().executorService());
      Thread reader = new Thread(t::run, READER_THREAD_PREFIX + request.url);
      reader.setDaemon(true);
      reader.start();
      return t;
    }
  }

  /** Where to connect: a parsed {@code tcp://} or {@code tcp+tls://} URL. */
  static final class Endpoint {
    final String url;
    /** Host name or IP literal (IPv6 without brackets). */
    final String host;
    final int port;
    final boolean tls;

    private Endpoint(String url, String host, int port, boolean tls) {
      this.url = url;
      this.host = host;
      this.port = port;
      this.tls = tls;
    }

    /** Parses a URL that {@link ConnectionOptions} already validated. */
    static Endpoint parse(String url) {
      String lower = url.toLowerCase(Locale.ROOT);
      boolean tls = lower.startsWith(Transports.TCP_TLS_SCHEME + "://");
      if (!tls && !lower.startsWith(Transports.TCP_SCHEME + "://")) {
        throw new IllegalArgumentException("not a tcp:// or tcp+tls:// URL: " + url);
      }
      String rest = url.substring(url.indexOf("://") + 3);
      HttpUrl parsed = HttpUrl.parse("http://" + rest);
      if (parsed == null) throw new IllegalArgumentException("invalid URL: " + url);
      return new Endpoint(url, parsed.host(), parsed.port(), tls);
    }
  }

  /** The app's client: socket factory, DNS, timeouts, TLS settings. */
  private final OkHttpClient client;
  private final Endpoint endpoint;
  /** Longest accepted inbound line in bytes, terminator excluded. */
  private final long maxLineLength;
  /** The connection manager's end. */
  private final Transport.Listener listener;
  /** Runs {@link #drain}; the client's dispatcher pool. */
  private final Executor writerPool;

  /**
   * Messages accepted by {@link #send} and not yet written and flushed, oldest first: exactly
   * {@link #unsent()}. A message leaves only after its bytes were flushed to the socket. Guarded by
   * this.
   */
  private final ArrayDeque<Message> queue = new ArrayDeque<Message>();
  /** UTF-8 size of {@link #queue}. Guarded by this. */
  private long queueBytes;
  /**
   * The TCP socket, once created (before it connects, so {@link #cancel} can abort the connect).
   * Aborts close this one, never the TLS socket above it: closing an {@link SSLSocket} writes a
   * close_notify and can block, and aborts run on the manager's scheduler. Guarded by this.
   */
  private Socket rawSocket;
  /** The socket lines travel on (the TLS socket for tcp+tls), once connected. Guarded by this. */
  private Socket socket;
  /** Writes to {@link #socket}; set once the connection is established. Guarded by this. */
  private BufferedSink sink;
  /** True while a {@link #drain} task is submitted or running. Guarded by this. */
  private boolean draining;
  /** Set by {@link #close}: drain, then shut the socket. Guarded by this. */
  private boolean closing;
  /** The code and reason of {@link #close}, reported in onClosed. Guarded by this. */
  private int closeCode;
  private String closeReason = "";
  /**
   * True once the outcome (closed, failed, cancelled) is decided: no callback and no write follow.
   * Guarded by this.
   */
  private boolean finished;

  TcpTransport(OkHttpClient client, Endpoint endpoint, long maxLineLength,
      Transport.Listener listener, Executor writerPool) {
    this.client = client;
    this.endpoint = endpoint;
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
    String invalid = LineFraming.whyNotALine(endpoint.url, message);
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
      closeQuietly();
      listener.onClosed(this, code, closeReason);
    }
  }

  @Override public void cancel() {
    synchronized (this) {
      finished = true;
    }
    closeQuietly();
  }

  @Override public String handshakeStep() {
    return "connecting";
  }

  @Override public long receivedPongCount() {
    return -1; // No protocol pings on a line protocol.
  }

  @Override public synchronized List<Message> unsent() {
    return new ArrayList<Message>(queue);
  }

  // ---- Reader thread. ----

  /** The reader thread: connects, then reads lines until the end. Always closes the socket. */
  private void run() {
    try {
      Socket connected = connect();
      BufferedSource source = Okio.buffer(Okio.source(connected));
      BufferedSink out = Okio.buffer(Okio.sink(connected));
      long writeTimeout = client.writeTimeoutMillis();
      if (writeTimeout > 0) out.timeout().timeout(writeTimeout, TimeUnit.MILLISECONDS);
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
      readLines(source);
    } catch (Throwable t) {
      fail(t);
    } finally {
      closeQuietly();
    }
  }

  /** Connects (and handshakes) with the client's connect timeout; returns the socket to use. */
  private Socket connect() throws IOException {
    // The lookup cannot be interrupted; a cancel() meanwhile is honoured as soon as it returns.
    List<InetAddress> addresses = client.dns().lookup(endpoint.host);
    int timeout = (int) Math.min(Integer.MAX_VALUE, client.connectTimeoutMillis());
    IOException last = null;
    for (InetAddress address : addresses) {
      Socket raw = client.socketFactory().createSocket();
      if (!setSocket(raw)) throw new IOException("canceled"); // Never reported: finished.
      try {
        raw.connect(new InetSocketAddress(address, endpoint.port), timeout);
      } catch (IOException e) {
        closeQuietly();
        if (isFinished()) throw e;
        last = e;
        continue; // Try the host's next address, as OkHttp does.
      }
      raw.setTcpNoDelay(true);
      return endpoint.tls ? handshake(raw, timeout) : raw;
    }
    if (last != null) throw last;
    throw new UnknownHostException("no address for " + endpoint.host);
  }

  /**
   * TLS over {@code raw} with the client's settings: its SSL socket factory (and so its trust
   * manager), its connection specs (TLS versions, cipher suites), then its hostname verifier and
   * certificate pinner. The handshake is bounded by the connect timeout.
   */
  private Socket handshake(Socket raw, int timeout) throws IOException {
    boolean tlsAllowed = false;
    for (ConnectionSpec spec : client.connectionSpecs()) tlsAllowed |= spec.isTls();
    if (!tlsAllowed) {
      throw new UnknownServiceException("cannot connect to " + endpoint.url + ": the OkHttpClient"
          + " is cleartext-only (no TLS connection spec); add ConnectionSpec.MODERN_TLS");
    }
    SSLSocketFactory factory = client.sslSocketFactory();
    // autoClose: closing the TLS socket closes the TCP socket too.
    SSLSocket ssl = (SSLSocket) factory.createSocket(raw, endpoint.host, endpoint.port, true);
    applyConnectionSpec(ssl);
    ssl.setSoTimeout(timeout);
    ssl.startHandshake();
    ssl.setSoTimeout(0); // Reads then block until data, EOF or close; the silence watch decides.
    SSLSession session = ssl.getSession();
    if (!client.hostnameVerifier().verify(endpoint.host, session)) {
      throw new SSLPeerUnverifiedException("hostname " + endpoint.host
          + " not verified by the server's certificate " + describe(session));
    }
    List<Certificate> chain = Arrays.asList(session.getPeerCertificates());
    client.certificatePinner().check(endpoint.host, chain);
    return ssl;
  }

  /**
   * Restricts {@code ssl} to the first of the client's TLS connection specs that it supports, as
   * OkHttp does for HTTPS (without its fallback retries).
   */
  private void applyConnectionSpec(SSLSocket ssl) throws IOException {
    for (ConnectionSpec spec : client.connectionSpecs()) {
      if (!spec.isTls() || !spec.isCompatible(ssl)) continue;
      List<TlsVersion> versions = spec.tlsVersions();
      if (versions != null) {
        List<String> names = new ArrayList<String>();
        for (TlsVersion v : versions) names.add(v.javaName());
        ssl.setEnabledProtocols(intersect(ssl.getEnabledProtocols(), names));
      }
      List<CipherSuite> suites = spec.cipherSuites();
      if (suites != null) {
        List<String> names = new ArrayList<String>();
        for (CipherSuite c : suites) names.add(c.javaName());
        ssl.setEnabledCipherSuites(intersect(ssl.getEnabledCipherSuites(), names));
      }
      return;
    }
    throw new UnknownServiceException("cannot connect to " + endpoint.url + ": none of the"
        + " OkHttpClient's connection specs " + client.connectionSpecs() + " allows TLS with the"
        + " protocols and cipher suites this platform enables");
  }

  /** The entries of {@code enabled} that {@code allowed} names, in {@code enabled}'s order. */
  private static String[] intersect(String[] enabled, List<String> allowed) {
    List<String> result = new ArrayList<String>();
    for (String e : enabled) {
      if (allowed.contains(e)) result.add(e);
    }
    return result.toArray(new String[0]);
  }

  /** Reads lines until EOF or an error; returns only if the transport finished meanwhile. */
  private void readLines(BufferedSource source) throws IOException {
    while (true) {
      // EOF and over-long lines throw; so does a read on the socket that close() shut.
      String line = LineFraming.readLine(source, maxLineLength);
      if (isFinished()) return;
      listener.onMessage(this, Message.text(line));
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
   * Writes queued lines until the queue is empty, then either returns (the next send starts a new
   * drain) or, when closing, shuts the socket and reports onClosed. Runs on the pool, one drain
   * per transport at a time.
   */
  private void drain() {
    BufferedSink out;
    synchronized (this) {
      out = sink;
    }
    try {
      while (true) {
        Message next;
        boolean closeNow;
        int code;
        String reason;
        synchronized (this) {
          if (finished) {
            draining = false;
            return;
          }
          next = queue.peekFirst();
          closeNow = next == null && closing;
          code = closeCode;
          reason = closeReason;
          if (next == null && !closing) {
            draining = false;
            return;
          }
          if (closing && out.timeout().timeoutNanos() == 0) {
            out.timeout().timeout(CLOSE_FLUSH_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
          }
        }
        if (closeNow) {
          if (finish()) {
            closeGracefully();
            try {
              listener.onClosed(this, code, reason);
            } catch (RuntimeException shutDown) {
              // See fail(): the manager is gone; nothing to tell.
            }
          }
          return;
        }
        // One flush per line, as OkHttp does per frame: a line leaves unsent() only once the
        // socket took all of it, so a failure requeues exactly the lines not fully written.
        LineFraming.writeLine(out, next.text());
        out.flush();
        synchronized (this) {
          queueBytes -= queue.removeFirst().byteCount();
        }
      }
    } catch (Throwable t) {
      synchronized (this) {
        draining = false;
      }
      fail(t);
    }
  }

  // ---- Plumbing. ----

  /** Reports {@code error} once (unless closed or cancelled already) and releases the socket. */
  private void fail(Throwable error) {
    boolean report = finish(); // Before closing, so the reader's "socket closed" is not reported.
    closeQuietly();
    if (!report) return;
    try {
      listener.onFailure(this, error, 0, -1);
    } catch (RuntimeException shutDown) {
      // The manager's listener only posts to its scheduler, which throws only once the client
      // was shut down: no one is left to tell. Swallowed so no pool or reader thread dies loudly.
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

  /** Records the TCP socket being connected; false (and closes it) when already finished. */
  private boolean setSocket(Socket s) {
    synchronized (this) {
      if (!finished) {
        rawSocket = s;
        return true;
      }
    }
    closeQuietly(s);
    return false;
  }

  /** Aborts: closes the TCP socket, unblocking the reader and any write. Idempotent. */
  private void closeQuietly() {
    Socket s;
    synchronized (this) {
      s = rawSocket;
    }
    closeQuietly(s);
  }

  /** After the last line was flushed: a TLS close_notify (for tcp+tls), then the TCP socket. */
  private void closeGracefully() {
    Socket s;
    synchronized (this) {
      s = socket;
    }
    closeQuietly(s);
    closeQuietly();
  }

  private static void closeQuietly(Socket s) {
    if (s == null) return;
    try {
      s.close();
    } catch (IOException ignored) {
      // Closing is best effort; the socket is unusable either way.
    }
  }

  private static String describe(SSLSession session) {
    try {
      Certificate[] chain = session.getPeerCertificates();
      if (chain.length > 0 && chain[0] instanceof java.security.cert.X509Certificate) {
        java.security.cert.X509Certificate leaf = (java.security.cert.X509Certificate) chain[0];
        return "(subject " + leaf.getSubjectX500Principal().getName()
            + ", subjectAltNames " + leaf.getSubjectAlternativeNames() + ")";
      }
    } catch (Exception ignored) {
      // Fall through: describe what we can.
    }
    return "(no X.509 certificate)";
  }

  @Override public String toString() {
    return "TcpTransport{" + endpoint.url + "}";
  }
}
