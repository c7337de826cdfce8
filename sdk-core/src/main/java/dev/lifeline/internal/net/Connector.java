package dev.lifeline.internal.net;

import dev.lifeline.ConnectionOptions;
import dev.lifeline.internal.Durations;
import dev.lifeline.internal.Redact;
import dev.lifeline.internal.Transports;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.net.UnknownServiceException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import okhttp3.CipherSuite;
import okhttp3.ConnectionSpec;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.TlsVersion;

/**
 * Opens the socket of one TCP transport with the app's OkHttpClient: DNS lookup through its
 * {@link okhttp3.Dns}, TCP connect through its {@link javax.net.SocketFactory} (on Android, what
 * binds a socket to a network) trying each address in turn, and for tcp+tls its SSL socket
 * factory, connection specs, hostname verifier and certificate pinner. The connect timeout bounds
 * the TCP connect and each read of the TLS handshake, not the handshake as a whole (a server that
 * trickles bytes keeps it going): the connection manager's attempt deadline bounds the whole,
 * asking {@link #step()} for its reason, then calling {@link #abort()}.
 *
 * <p>The connector owns the TCP socket for the transport's whole life, so that one {@link
 * #abort()} ends whatever runs: a connect, a handshake, or the reads and writes after them.
 */
public final class Connector {
  /** What {@link #step()} says once the socket is ready for lines. */
  public static final String OPEN = "open";
  /** What {@link #step()} says once aborted. */
  public static final String FINISHED = "finished";

  /** Where to connect: a parsed {@code tcp://} or {@code tcp+tls://} URL. */
  public static final class Endpoint {
    /** The URL as the app gave it, redacted (docs/behaviour.md, "Secrets"), for messages. */
    public final String url;
    /** Host name or IP literal (IPv6 without brackets). */
    public final String host;
    /** The URL's port (always explicit: raw TCP has no default port). */
    public final int port;
    /** True for tcp+tls://. */
    public final boolean tls;

    private Endpoint(String url, String host, int port, boolean tls) {
      this.url = url;
      this.host = host;
      this.port = port;
      this.tls = tls;
    }

    /**
     * Parses a URL that {@link ConnectionOptions} already validated: {@code tcp://}, {@code
     * tcp+tls://} (port required), {@code ws://} (default port 80) or {@code wss://} (443).
     */
    public static Endpoint parse(String url) {
      String lower = url.toLowerCase(Locale.ROOT);
      boolean tls;
      String scheme;
      if (lower.startsWith(Transports.TCP_TLS_SCHEME + "://")) {
        tls = true;
        scheme = "https://";
      } else if (lower.startsWith(Transports.TCP_SCHEME + "://")) {
        tls = false;
        scheme = "http://";
      } else if (lower.startsWith("wss://")) {
        tls = true;
        scheme = "https://";
      } else if (lower.startsWith("ws://")) {
        tls = false;
        scheme = "http://";
      } else {
        throw new IllegalArgumentException("not a ws://, wss://, tcp:// or tcp+tls:// URL: "
            + Redact.url(url));
      }
      String rest = url.substring(url.indexOf("://") + 3);
      HttpUrl parsed = HttpUrl.parse(scheme + rest);
      if (parsed == null) throw new IllegalArgumentException("invalid URL: " + Redact.url(url));
      return new Endpoint(Redact.url(url), parsed.host(), parsed.port(), tls);
    }
  }

  /** The app's client: DNS, socket factory, connect timeout, TLS settings. */
  private final OkHttpClient client;
  /** Where to connect. */
  private final Endpoint endpoint;

  /**
   * What {@link #connect} is doing now, one of the {@link #step()} phrases. Volatile so {@link
   * #step()} reads it without the lock; written only under this, so an abort's {@link #FINISHED}
   * is never overwritten.
   */
  private volatile String step;
  /**
   * The TCP socket, once created (before it connects, so {@link #abort} can end the connect).
   * Aborts close this one, never the TLS socket above it: closing an {@link SSLSocket} writes a
   * close_notify and can block, and aborts run on the manager's scheduler. Guarded by this.
   */
  private Socket rawSocket;
  /** Set by {@link #abort}: every later step fails at once. Guarded by this. */
  private boolean aborted;

  public Connector(OkHttpClient client, Endpoint endpoint) {
    this.client = client;
    this.endpoint = endpoint;
    // The reader thread is about to look the host up: that is what runs until it says otherwise.
    this.step = "DNS lookup of " + endpoint.host;
  }

  /**
   * What runs now, never blocking: "DNS lookup of host", "TCP connect to ip:port", "TLS handshake
   * with host", then {@link #OPEN} or {@link #FINISHED}. No secrets: a tcp URL has no user info,
   * path or query.
   */
  public String step() {
    return step;
  }

  /**
   * Connects (and handshakes) with the client's connect timeout; returns the socket lines travel
   * on: the TLS socket for tcp+tls, else the TCP socket. Blocks; runs on the reader thread.
   */
  public Socket connect() throws IOException {
    // The lookup cannot be interrupted; an abort meanwhile is honoured as soon as it returns.
    List<InetAddress> addresses = client.dns().lookup(endpoint.host);
    int timeout = client.connectTimeoutMillis();
    IOException last = null;
    for (InetAddress address : addresses) {
      Socket raw = client.socketFactory().createSocket();
      enter("TCP connect to " + address.getHostAddress() + ":" + endpoint.port, raw);
      try {
        raw.connect(new InetSocketAddress(address, endpoint.port), timeout);
      } catch (IOException e) {
        closeQuietly(raw);
        if (isAborted()) throw e;
        last = named(e, address, timeout);
        continue; // Try the host's next address, as OkHttp does.
      }
      raw.setTcpNoDelay(true);
      Socket lines = raw;
      if (endpoint.tls) {
        enter("TLS handshake with " + endpoint.host, null);
        lines = handshake(raw, timeout);
      }
      enter(OPEN, null);
      return lines;
    }
    if (last != null) throw last;
    throw new UnknownHostException("no address for " + endpoint.host);
  }

  /**
   * A failed TCP connect that names the address and, for a timeout, the limit: the JDK's
   * "Connection refused" or "connect timed out" says neither. The original stays the cause.
   */
  private IOException named(IOException e, InetAddress address, int timeoutMillis) {
    String to = address.getHostAddress() + ":" + endpoint.port;
    IOException named;
    if (e instanceof SocketTimeoutException) {
      named = new SocketTimeoutException("TCP connect to " + to + " timed out (OkHttpClient"
          + " connectTimeout " + Durations.seconds(timeoutMillis) + ")");
    } else if (e instanceof ConnectException) {
      named = new ConnectException("Failed to connect to " + to); // OkHttp's wording.
    } else {
      return e;
    }
    named.initCause(e);
    return named;
  }

  /**
   * Ends whatever runs: closes the TCP socket, unblocking a connect, a TLS handshake, reads and
   * writes; a DNS lookup in progress is honoured when it returns. Never blocks. Idempotent.
   */
  public void abort() {
    Socket s;
    synchronized (this) {
      aborted = true;
      step = FINISHED;
      s = rawSocket;
    }
    closeQuietly(s);
  }

  /**
   * Starts the next step, and records {@code socket} (if any) as the one {@link #abort} closes;
   * when aborted already, closes {@code socket} and throws instead.
   */
  private void enter(String nextStep, Socket socket) throws IOException {
    synchronized (this) {
      if (!aborted) {
        step = nextStep;
        if (socket != null) rawSocket = socket;
        return;
      }
    }
    closeQuietly(socket);
    throw new IOException("canceled"); // Never reported: the transport finished first.
  }

  private synchronized boolean isAborted() {
    return aborted;
  }

  /**
   * TLS over {@code raw} with the client's settings: its SSL socket factory (and so its trust
   * manager), its connection specs (TLS versions, cipher suites), the host as the server name
   * (SNI, unless an IP literal), then its hostname verifier and certificate pinner. Each
   * handshake read is bounded by the connect timeout.
   */
  private Socket handshake(Socket raw, int timeout) throws IOException {
    boolean tlsAllowed = false;
    for (ConnectionSpec spec : client.connectionSpecs()) tlsAllowed |= spec.isTls();
    if (!tlsAllowed) {
      throw new UnknownServiceException("cannot connect to " + endpoint.url + ": the OkHttpClient"
          + " is cleartext-only (no TLS connection spec); add ConnectionSpec.MODERN_TLS");
    }
    // autoClose: closing the TLS socket closes the TCP socket too.
    SSLSocket ssl = (SSLSocket) client.sslSocketFactory()
        .createSocket(raw, endpoint.host, endpoint.port, true);
    applyConnectionSpec(ssl);
    Tls.setServerName(ssl, endpoint.host); // SNI, on every platform (see Tls).
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

  /** The server certificate's subject and names, for a hostname mismatch. */
  private static String describe(SSLSession session) {
    try {
      Certificate[] chain = session.getPeerCertificates();
      if (chain.length > 0 && chain[0] instanceof X509Certificate) {
        X509Certificate leaf = (X509Certificate) chain[0];
        return "(subject " + leaf.getSubjectX500Principal().getName()
            + ", subjectAltNames " + leaf.getSubjectAlternativeNames() + ")";
      }
    } catch (Exception ignored) {
      // Fall through: describe what we can.
    }
    return "(no X.509 certificate)";
  }

  /** Closes {@code s} if there is one; closing is best effort. */
  public static void closeQuietly(Socket s) {
    if (s == null) return;
    try {
      s.close();
    } catch (IOException ignored) {
      // The socket is unusable either way.
    }
  }
}
