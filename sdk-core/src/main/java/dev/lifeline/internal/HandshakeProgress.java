package dev.lifeline.internal;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.Collections;
import java.util.List;
import javax.net.SocketFactory;
import javax.net.ssl.HandshakeCompletedListener;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.X509TrustManager;
import okhttp3.Dispatcher;
import okhttp3.Dns;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.internal.platform.Platform;

/**
 * Follows one WebSocket handshake through OkHttp, so that an attempt that outlives its deadline
 * can say which step was slow: waiting for a dispatcher thread, DNS, TCP connect, TLS, or the
 * HTTP upgrade. OkHttp gives WebSocket calls no event listener, so the steps are read from the
 * parts of this attempt's own {@link OkHttpClient} (a {@code newBuilder()} of the app's, sharing
 * its pool and dispatcher): a first application interceptor, the {@link Dns}, the {@link
 * SocketFactory} and, for {@code wss://}, the {@link SSLSocketFactory}, each delegating to the
 * app's. Every field is written by OkHttp's threads and read by {@link #step()} from any thread.
 *
 * <p>The same parts put a {@link WireTap} on the socket OkHttp reads and writes frames on: the
 * plain socket for {@code ws://}, the TLS socket for {@code wss://} (docs/behaviour.md, "Inbound
 * limits on the wire"). The handshake does not offer {@code permessage-deflate}: a compressed
 * message's size in memory cannot be bounded from its frames.
 */
final class HandshakeProgress {
  /** The only protocol OkHttp speaks for a WebSocket. */
  private static final List<Protocol> HTTP_1_1_ONLY = Collections.singletonList(Protocol.HTTP_1_1);
  /** The URL's host, as people wrote it. */
  private final String host;
  /** The URL's port. */
  private final int port;
  /** True for {@code wss://}. */
  private final boolean tls;
  /** The app's client: its dispatcher's load explains a call that has not started. */
  private final OkHttpClient client;
  /** Set when the call got a dispatcher thread and entered the interceptor chain. */
  private volatile boolean started;
  /** Set while the {@link Dns} lookup runs. */
  private volatile boolean dnsRunning;
  /** The TCP socket OkHttp is connecting or connected; null before. */
  private volatile Socket socket;
  /** Set when the TLS handshake completed. */
  private volatile boolean tlsDone;
  /** Largest inbound message, for each socket's {@link WireTap}. */
  private final long maxInboundMessageBytes;
  /** The transport the taps report to. */
  private final WireTap.Peer peer;

  HandshakeProgress(String host, int port, boolean tls, OkHttpClient client,
      long maxInboundMessageBytes, WireTap.Peer peer) {
    this.host = host;
    this.port = port;
    this.tls = tls;
    this.client = client;
    this.maxInboundMessageBytes = maxInboundMessageBytes;
    this.peer = peer;
  }

  /** What the handshake is doing now; see {@link Transport#handshakeStep()}. */
  String step() {
    if (!started) return dispatcherFull();
    if (dnsRunning) return "DNS lookup of " + host;
    Socket s = socket;
    if (s == null) return "OkHttp interceptors and route selection, before connecting";
    if (!s.isConnected()) return "TCP connect to " + host + ":" + port;
    if (tls && !tlsDone) return "TLS handshake with " + host;
    return "HTTP upgrade (no 101 Switching Protocols response yet)";
  }

  /**
   * {@code error}, explained when it is a handshake timeout: OkHttp's bare "timeout" or "connect
   * timed out" does not say what was awaited or which limit ran out. Call once the handshake
   * failed (the steps no longer change). Anything else is returned as it is.
   */
  Throwable explainTimeout(Throwable error) {
    if (!(error instanceof InterruptedIOException)) return error;
    Socket s = socket;
    String what;
    if (!started) {
      return error; // The call never ran: OkHttp's callTimeout, if the app set one.
    } else if (s == null || !s.isConnected()) {
      what = "TCP connect to " + host + ":" + port + " timed out (OkHttpClient connectTimeout "
          + Durations.seconds(client.connectTimeoutMillis()) + ")";
    } else if (tls && !tlsDone) {
      what = "TLS handshake with " + host + ": no data from the server for "
          + Durations.seconds(client.readTimeoutMillis()) + " (OkHttpClient readTimeout)";
    } else {
      what = "no answer to the HTTP upgrade request: no data from the server for "
          + Durations.seconds(client.readTimeoutMillis()) + " (OkHttpClient readTimeout)";
    }
    SocketTimeoutException explained = new SocketTimeoutException(what);
    explained.initCause(error);
    return explained;
  }

  /**
   * Why the call has not started: OkHttp's dispatcher limit, which counts every open WebSocket
   * for its whole life (its reader loop runs on the call's dispatcher thread). OkHttp 4.12 gives
   * each WebSocket call a per-host count of its own, so {@code maxRequestsPerHost} never holds
   * one back; {@code maxRequests} does.
   */
  private String dispatcherFull() {
    Dispatcher d = client.dispatcher();
    return "waiting for a free OkHttp dispatcher slot (" + d.runningCallsCount() + " calls"
        + " running, Dispatcher.maxRequests " + d.getMaxRequests() + "; each open WebSocket holds"
        + " one for its life, maxRequestsPerHost " + d.getMaxRequestsPerHost() + " does not apply"
        + " to WebSockets: raise maxRequests)";
  }

  /** A builder of the client for this attempt: {@code base} with every step observed. */
  OkHttpClient.Builder instrument(OkHttpClient base) {
    OkHttpClient.Builder b = base.newBuilder()
        .dns(new ObservedDns(base.dns()))
        .socketFactory(new ObservedSocketFactory(base.socketFactory()));
    b.interceptors().add(0, chain -> {
      started = true;
      // OkHttp offers permessage-deflate on every WebSocket; withdraw the offer (see the class
      // comment). A server that compresses anyway is refused by the tap.
      okhttp3.Request request = chain.request().newBuilder()
          .removeHeader("Sec-WebSocket-Extensions")
          .build();
      try {
        return chain.proceed(request);
      } catch (IOException e) {
        throw e;
      } catch (RuntimeException e) {
        throw insideOkHttp(e);
      }
    });
    X509TrustManager trust = base.x509TrustManager();
    if (tls && trust != null) b.sslSocketFactory(new ObservedTls(base.sslSocketFactory()), trust);
    return b;
  }

  /**
   * An exception OkHttp (or an app interceptor) threw while it made the handshake, turned into an
   * IOException. On a dispatcher thread OkHttp reports only IOExceptions as the call's failure;
   * anything else it rethrows to the thread's uncaught-exception handler after the callback, which
   * kills an Android app. OkHttp 4.12 throws such an exception for a hostile answer: a 503 or 408
   * whose {@code Retry-After} exceeds 2^31 s ({@code NumberFormatException} in its retry logic).
   * As an IOException it becomes a failed attempt with this reason, retried as usual.
   */
  static IOException insideOkHttp(RuntimeException e) {
    return new Failure.ExplainedException("OkHttp failed while handling the handshake: "
        + Failure.describe(e)
        + " (a hostile or malformed server answer, or an interceptor bug)", e);
  }

  /** The app's DNS; marks the lookup while it runs. */
  private final class ObservedDns implements Dns {
    private final Dns delegate;

    ObservedDns(Dns delegate) {
      this.delegate = delegate;
    }

    @Override public List<InetAddress> lookup(String hostname) throws UnknownHostException {
      dnsRunning = true;
      try {
        return delegate.lookup(hostname);
      } finally {
        dnsRunning = false;
      }
    }
  }

  /** The app's socket factory; remembers the socket OkHttp connects. */
  private final class ObservedSocketFactory extends SocketFactory {
    private final SocketFactory delegate;

    ObservedSocketFactory(SocketFactory delegate) {
      this.delegate = delegate;
    }

    private Socket observe(Socket s) {
      socket = s;
      // For wss:// the frames travel inside TLS: the TLS socket is tapped instead.
      return tls ? s : new TappedSocket(s, new WireTap(maxInboundMessageBytes, peer, s));
    }

    @Override public Socket createSocket() throws IOException {
      return observe(delegate.createSocket());
    }

    @Override public Socket createSocket(String host, int port) throws IOException {
      return observe(delegate.createSocket(host, port));
    }

    @Override public Socket createSocket(String host, int port, InetAddress local, int localPort)
        throws IOException {
      return observe(delegate.createSocket(host, port, local, localPort));
    }

    @Override public Socket createSocket(InetAddress address, int port) throws IOException {
      return observe(delegate.createSocket(address, port));
    }

    @Override public Socket createSocket(InetAddress address, int port, InetAddress local,
        int localPort) throws IOException {
      return observe(delegate.createSocket(address, port, local, localPort));
    }
  }

  /** The app's TLS socket factory; learns when the handshake completed. */
  private final class ObservedTls extends SSLSocketFactory {
    private final SSLSocketFactory delegate;
    /** Marks the handshake done; the platform calls it once the handshake completed. */
    private final HandshakeCompletedListener done = event -> tlsDone = true;

    ObservedTls(SSLSocketFactory delegate) {
      this.delegate = delegate;
    }

    private Socket observe(Socket s) {
      if (s instanceof SSLSocket) ((SSLSocket) s).addHandshakeCompletedListener(done);
      return s;
    }

    @Override public String[] getDefaultCipherSuites() {
      return delegate.getDefaultCipherSuites();
    }

    @Override public String[] getSupportedCipherSuites() {
      return delegate.getSupportedCipherSuites();
    }

    /** The one OkHttp uses: TLS over the TCP socket {@code s} it connected. */
    @Override public Socket createSocket(Socket s, String host, int port, boolean autoClose)
        throws IOException {
      Socket created = observe(delegate.createSocket(s, host, port, autoClose));
      if (!(created instanceof SSLSocket)) return created;
      SSLSocket real = (SSLSocket) created;
      // OkHttp's Android platform sets SNI and session tickets (before Android 10, by reflection)
      // only on the platform's own socket class, which the tapped socket is not: set them on the
      // real socket here. OkHttp's own call on the tapped socket then changes nothing or repeats
      // the same SSL parameters.
      Platform.Companion.get().configureTlsExtensions(real, host, HTTP_1_1_ONLY);
      return new TappedSslSocket(real, new WireTap(maxInboundMessageBytes, peer, s));
    }

    @Override public Socket createSocket(String host, int port) throws IOException {
      return observe(delegate.createSocket(host, port));
    }

    @Override public Socket createSocket(String host, int port, InetAddress local, int localPort)
        throws IOException {
      return observe(delegate.createSocket(host, port, local, localPort));
    }

    @Override public Socket createSocket(InetAddress address, int port) throws IOException {
      return observe(delegate.createSocket(address, port));
    }

    @Override public Socket createSocket(InetAddress address, int port, InetAddress local,
        int localPort) throws IOException {
      return observe(delegate.createSocket(address, port, local, localPort));
    }
  }
}
