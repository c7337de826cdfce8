package dev.lifeline.internal.net;

import dev.lifeline.ConnectionOptions;
import dev.lifeline.internal.Durations;
import dev.lifeline.internal.Redact;
import dev.lifeline.internal.Transports;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.UnknownServiceException;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import okhttp3.Address;
import okhttp3.CipherSuite;
import okhttp3.ConnectionSpec;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.Route;
import okhttp3.TlsVersion;

/**
 * Opens the socket of one TCP transport with the app's OkHttpClient: its proxy or proxy selector
 * (direct, SOCKS, or an HTTP proxy's CONNECT tunnel with its proxy authenticator), DNS lookup
 * through its {@link okhttp3.Dns}, TCP connect through its {@link javax.net.SocketFactory} (on
 * Android, what binds a socket to a network) trying each address in turn, and for tcp+tls its SSL
 * socket factory, connection specs, the server name (SNI, {@link Tls}), hostname verifier and
 * certificate pinner. The connect timeout bounds
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
    // The reader thread is about to look the host up (the usual first step; through a proxy the
    // next step replaces it at once): that is what runs until it says otherwise.
    this.step = "DNS lookup of " + endpoint.host;
  }

  /**
   * What runs now, never blocking: "DNS lookup of host", "TCP connect to ip:port", "TLS handshake
   * with host", then {@link #OPEN} or {@link #FINISHED}; through a proxy also "DNS lookup of proxy
   * host", "TCP connect to proxy ip:port", "CONNECT through proxy ip:port" or "SOCKS connect to
   * host:port through proxy ip:port". No secrets: hosts, addresses and ports only.
   */
  public String step() {
    return step;
  }

  /**
   * Connects (and handshakes) with the client's connect timeout; returns the socket lines travel
   * on: the TLS socket for tcp+tls, else the TCP socket. Blocks; runs on the reader thread.
   *
   * <p>Proxies as OkHttp chooses them: the client's {@link OkHttpClient#proxy()} if set, else what
   * its {@link OkHttpClient#proxySelector()} selects for the endpoint (as an http:// or https://
   * URI), tried in order until one connects; none selected means a direct connection. A direct
   * connection tries each of the host's addresses in turn; a SOCKS proxy resolves the host itself;
   * an HTTP proxy is asked for a CONNECT tunnel ({@link ProxyTunnel}).
   */
  public Socket connect() throws IOException {
    if (endpoint.tls) checkTlsAllowed(); // Before any connection: no proxy or address changes it.
    URI uri = selectorUri();
    List<Proxy> proxies = proxies(uri);
    for (int i = 0; ; i++) {
      Proxy proxy = proxies.get(i);
      try {
        Socket lines = connectVia(proxy);
        enter(OPEN, null);
        return lines;
      } catch (IOException e) {
        if (isAborted()) throw e;
        if (proxy.type() != Proxy.Type.DIRECT && client.proxy() == null) {
          connectFailed(uri, proxy, e);
        }
        // The next proxy, as OkHttp's route selection tries it; not for what no proxy changes.
        if (i == proxies.size() - 1 || !anotherProxyMayHelp(e)) throw e;
      }
    }
  }

  /** The URI a ProxySelector is asked about: http:// for ws and tcp, https:// for wss, tcp+tls. */
  private URI selectorUri() {
    return new HttpUrl.Builder()
        .scheme(endpoint.tls ? "https" : "http")
        .host(endpoint.host)
        .port(endpoint.port)
        .build()
        .uri();
  }

  /** The proxies to try, in order: never empty (a direct connection when there is none). */
  private List<Proxy> proxies(URI uri) {
    Proxy proxy = client.proxy();
    if (proxy != null) return Collections.singletonList(proxy);
    List<Proxy> selected = client.proxySelector().select(uri);
    if (selected == null || selected.isEmpty()) return Collections.singletonList(Proxy.NO_PROXY);
    return new ArrayList<Proxy>(selected);
  }

  /** Tells the client's ProxySelector that {@code proxy} failed, as OkHttp does. */
  private void connectFailed(URI uri, Proxy proxy, IOException e) {
    try {
      if (proxy.address() != null) client.proxySelector().connectFailed(uri, proxy.address(), e);
    } catch (RuntimeException ignored) {
      // The app's selector: a complaint from it changes nothing about this failure.
    }
  }

  /**
   * False for failures that another proxy would meet the same way: the client's own refusal
   * (cleartext-only), or the server's certificate rejected by the client's trust manager,
   * hostname verifier or certificate pinner.
   */
  private static boolean anotherProxyMayHelp(IOException e) {
    return !(e instanceof UnknownServiceException || e instanceof SSLPeerUnverifiedException
        || (e instanceof SSLHandshakeException && e.getCause() instanceof CertificateException));
  }

  /** Connects through {@code proxy} (or directly), then TLS for tcp+tls. */
  private Socket connectVia(Proxy proxy) throws IOException {
    int timeout = client.connectTimeoutMillis();
    Socket raw;
    switch (proxy.type()) {
      case DIRECT:
        raw = direct(timeout);
        break;
      case SOCKS:
        raw = socks(proxy, timeout);
        break;
      default:
        raw = httpTunnel(proxy, timeout);
        break;
    }
    if (!endpoint.tls) return raw;
    enter("TLS handshake with " + endpoint.host, null);
    return handshake(raw, timeout);
  }

  /** Without a proxy: the host's addresses, each in turn. */
  private Socket direct(int timeout) throws IOException {
    enter("DNS lookup of " + endpoint.host, null);
    // The lookup cannot be interrupted; an abort meanwhile is honoured as soon as it returns.
    List<InetAddress> addresses = client.dns().lookup(endpoint.host);
    return tcpConnect(addresses, endpoint.host, endpoint.port, "", timeout);
  }

  /**
   * A TCP connection to {@code port} at the first of {@code addresses} (of {@code host}) that
   * accepts, through the client's socket factory; {@code what} ("" or "proxy ") names it in
   * steps and failures.
   */
  private Socket tcpConnect(List<InetAddress> addresses, String host, int port, String what,
      int timeout) throws IOException {
    IOException last = null;
    for (InetAddress address : addresses) {
      Socket raw = client.socketFactory().createSocket();
      String to = what + address.getHostAddress() + ":" + port;
      enter("TCP connect to " + to, raw);
      try {
        raw.connect(new InetSocketAddress(address, port), timeout);
      } catch (IOException e) {
        closeQuietly(raw);
        if (isAborted()) throw e;
        last = named(e, to, timeout);
        continue; // Try the host's next address, as OkHttp does.
      }
      raw.setTcpNoDelay(true);
      return raw;
    }
    if (last != null) throw last;
    throw new UnknownHostException("no address for " + what + host);
  }

  /**
   * Through a SOCKS proxy, which resolves the host itself (the address is left unresolved, as
   * OkHttp leaves it). The socket is the JDK's SOCKS socket, not one from the client's socket
   * factory: OkHttp makes the same choice.
   */
  private Socket socks(Proxy proxy, int timeout) throws IOException {
    Socket raw = new Socket(proxy);
    String via = describe(proxy.address());
    enter("SOCKS connect to " + hostAndPort() + " through proxy " + via, raw);
    try {
      raw.connect(InetSocketAddress.createUnresolved(endpoint.host, endpoint.port), timeout);
    } catch (IOException e) {
      closeQuietly(raw);
      if (isAborted()) throw e;
      IOException named = e instanceof SocketTimeoutException
          ? new SocketTimeoutException("SOCKS connect to " + hostAndPort() + " through proxy " + via
              + " timed out (OkHttpClient connectTimeout " + Durations.seconds(timeout) + ")")
          : new SocketException("SOCKS proxy " + via + " could not connect to " + hostAndPort()
              + ": " + e.getMessage());
      named.initCause(e);
      throw named;
    }
    raw.setTcpNoDelay(true);
    return raw;
  }

  /**
   * Through an HTTP proxy: a TCP connection to it, then a CONNECT tunnel to the endpoint. A 407
   * asks the client's proxy authenticator once for a Proxy-Authorization and tries again on a new
   * connection; any answer but 200 then fails the attempt, naming the proxy's answer (never the
   * credentials).
   */
  private Socket httpTunnel(Proxy proxy, int timeout) throws IOException {
    if (!(proxy.address() instanceof InetSocketAddress)) {
      throw new IOException("HTTP proxy " + proxy + " has no InetSocketAddress");
    }
    InetSocketAddress proxyAddress = (InetSocketAddress) proxy.address();
    List<InetAddress> addresses;
    if (proxyAddress.getAddress() != null) {
      addresses = Collections.singletonList(proxyAddress.getAddress());
    } else {
      enter("DNS lookup of proxy " + proxyAddress.getHostString(), null);
      addresses = client.dns().lookup(proxyAddress.getHostString());
    }
    String target = hostAndPort();
    String authorization = null;
    for (int round = 0; ; round++) {
      Socket raw = tcpConnect(addresses, proxyAddress.getHostString(), proxyAddress.getPort(),
          "proxy ", timeout);
      String via = raw.getInetAddress().getHostAddress() + ":" + proxyAddress.getPort();
      enter("CONNECT through proxy " + via, null);
      ProxyTunnel.Answer answer = ProxyTunnel.exchange(raw, via, target, authorization, timeout);
      if (answer.code == 200) return raw;
      closeQuietly(raw); // A new connection for the retry: the answer's body is never read.
      if (answer.code != 407) {
        throw new IOException("proxy " + via + " refused the tunnel to " + target + ": "
            + answer.statusLine);
      }
      if (round > 0) {
        throw new IOException("proxy " + via + " refused the credentials from the OkHttpClient's"
            + " proxyAuthenticator for the tunnel to " + target + ": " + answer.statusLine);
      }
      InetSocketAddress connected = new InetSocketAddress(raw.getInetAddress(), proxyAddress.getPort());
      authorization = proxyAuthorization(proxy, connected, answer);
      if (authorization == null) {
        throw new IOException("proxy " + via + " requires authentication for the tunnel to "
            + target + " (" + answer.statusLine + ") and the OkHttpClient's proxyAuthenticator"
            + " gave no Proxy-Authorization");
      }
    }
  }

  /**
   * What the client's proxy authenticator answers to the proxy's 407, as OkHttp asks it: a route
   * through the proxy and the answer as a {@link Response} to a CONNECT request. Null: none.
   */
  private String proxyAuthorization(Proxy proxy, InetSocketAddress proxyAddress,
      ProxyTunnel.Answer answer) throws IOException {
    Address address = new Address(endpoint.host, endpoint.port, client.dns(),
        client.socketFactory(), endpoint.tls ? client.sslSocketFactory() : null,
        endpoint.tls ? client.hostnameVerifier() : null,
        endpoint.tls ? client.certificatePinner() : null, client.proxyAuthenticator(),
        client.proxy(), client.protocols(), client.connectionSpecs(), client.proxySelector());
    Request connect = new Request.Builder()
        .url(address.url())
        .method("CONNECT", null)
        .header("Host", hostAndPort())
        .header("Proxy-Connection", "Keep-Alive")
        .build();
    Response challenge = new Response.Builder()
        .request(connect)
        .protocol(Protocol.HTTP_1_1)
        .code(answer.code)
        .message(answer.message)
        .headers(answer.headers)
        .build();
    Request authenticated = client.proxyAuthenticator()
        .authenticate(new Route(address, proxy, proxyAddress), challenge);
    return authenticated == null ? null : authenticated.header("Proxy-Authorization");
  }

  /** "example.com:443", "[::1]:443": the CONNECT target and Host. */
  private String hostAndPort() {
    String host = endpoint.host.indexOf(':') >= 0 ? "[" + endpoint.host + "]" : endpoint.host;
    return host + ":" + endpoint.port;
  }

  /** "127.0.0.1:1080" for a proxy's address, without a reverse lookup. */
  private static String describe(SocketAddress address) {
    if (!(address instanceof InetSocketAddress)) return String.valueOf(address);
    InetSocketAddress a = (InetSocketAddress) address;
    return a.getHostString() + ":" + a.getPort();
  }

  /**
   * A failed TCP connect that names the address {@code to} ("10.0.0.7:443", "proxy
   * 127.0.0.1:3128") and, for a timeout, the limit: the JDK's "Connection refused" or "connect
   * timed out" says neither. The original stays the cause.
   */
  private static IOException named(IOException e, String to, int timeoutMillis) {
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

  /** Refuses a tcp+tls or wss endpoint when the client is cleartext-only. */
  private void checkTlsAllowed() throws UnknownServiceException {
    boolean tlsAllowed = false;
    for (ConnectionSpec spec : client.connectionSpecs()) tlsAllowed |= spec.isTls();
    if (!tlsAllowed) {
      throw new UnknownServiceException("cannot connect to " + endpoint.url + ": the OkHttpClient"
          + " is cleartext-only (no TLS connection spec); add ConnectionSpec.MODERN_TLS");
    }
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
