package dev.lifeline.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import dev.lifeline.Message;
import dev.lifeline.internal.tcp.TcpTransport;
import dev.lifeline.testing.Await;
import dev.lifeline.testing.ConnectProxy;
import dev.lifeline.testing.Socks5Proxy;
import dev.lifeline.testing.Stopping;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.net.ServerSocketFactory;
import okhttp3.Authenticator;
import okhttp3.Dns;
import okhttp3.OkHttpClient;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;
import okio.BufferedSink;
import okio.BufferedSource;
import okio.Okio;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * tcp:// and tcp+tls:// through proxies, as OkHttp's WebSocket went through them: an HTTP
 * proxy's CONNECT tunnel (with a 407 answered by the client's proxy authenticator), a SOCKS5
 * proxy that resolves the host, and a ProxySelector's list tried in order. Everything runs on
 * 127.0.0.1: the test proxies tunnel every host to 127.0.0.1, and the client's DNS knows no name,
 * which shows that the proxy, not the client, resolved it.
 */
public final class TcpProxyTest {
  private static final String HOST = "lifeline.test";
  /** Looks like a credential; must never appear in a failure. */
  private static final String SECRET = "cHJveHk6czNjcjN0";

  private final HeldCertificate serverCertificate = new HeldCertificate.Builder()
      .addSubjectAlternativeName(HOST)
      .build();
  private final HandshakeCertificates serverCertificates = new HandshakeCertificates.Builder()
      .heldCertificate(serverCertificate)
      .build();
  private final HandshakeCertificates clientCertificates = new HandshakeCertificates.Builder()
      .addTrustedCertificate(serverCertificate.certificate())
      .build();
  /** The client resolves nothing: only a proxy can reach "lifeline.test". */
  private final Dns noDns = hostname -> {
    throw new UnknownHostException("the test's client resolves no name: " + hostname);
  };
  private final RecordingTransportListener listener = new RecordingTransportListener();
  private final List<OkHttpClient> clients = new CopyOnWriteArrayList<>();
  private EchoServer echo;
  private ConnectProxy proxy;
  private Transport transport;
  private String url;

  @Before public void setUp() throws IOException {
    proxy = new ConnectProxy();
  }

  @After public void tearDown() throws Exception {
    if (transport != null) transport.cancel();
    if (url != null) Await.threadEnded(TcpTransport.READER_THREAD_PREFIX + url, 5_000);
    proxy.close();
    if (echo != null) echo.close();
    for (OkHttpClient c : clients) c.dispatcher().executorService().shutdown();
  }

  private OkHttpClient.Builder client() {
    return new OkHttpClient.Builder()
        .sslSocketFactory(clientCertificates.sslSocketFactory(), clientCertificates.trustManager())
        .dns(noDns)
        .connectTimeout(5, TimeUnit.SECONDS);
  }

  private Proxy httpProxy() {
    return new Proxy(Proxy.Type.HTTP, new InetSocketAddress("127.0.0.1", proxy.port()));
  }

  private String via() {
    return "127.0.0.1:" + proxy.port();
  }

  private void open(OkHttpClient.Builder builder, String url) {
    OkHttpClient c = builder.build();
    clients.add(c);
    this.url = url;
    transport = new TcpTransport.Factory(c).open(
        new Transport.Request(url, Collections.<String, String>emptyMap(), 1024), listener);
  }

  /** Opens, sends a line, expects its echo. */
  private void assertLinesFlow() throws Exception {
    listener.expect("open");
    assertTrue(transport.send(Message.text("through the proxy")));
    listener.expect("message echo:through the proxy");
  }

  /** The next failure's message; and that the connection manager words it without secrets. */
  private String failure() throws Exception {
    String failure = listener.next();
    assertTrue(failure, failure.startsWith("failure "));
    String reason = Failure.ofTransport(listener.failure, 0, -1,
        new Failure.Timing(false, 300, -1, false)).reason;
    assertFalse(reason, reason.contains(SECRET));
    assertFalse(failure, failure.contains(SECRET));
    return failure.substring("failure ".length());
  }

  // ---- HTTP proxies: CONNECT. ----

  @Test public void tcpThroughAnHttpProxyTunnel() throws Exception {
    echo = new EchoServer(null);
    open(client().proxy(httpProxy()), "tcp://" + HOST + ":" + echo.port());
    assertLinesFlow();
    String target = HOST + ":" + echo.port();
    assertEquals(Collections.singletonList("CONNECT " + target + " HTTP/1.1"),
        proxy.requestLines());
    String head = proxy.requests.get(0);
    assertEquals(target, ConnectProxy.header(head, "Host"));
    assertNull(ConnectProxy.header(head, "Proxy-Authorization"));
  }

  @Test public void tcpTlsThroughAnHttpProxyTunnelVerifiesTheHost() throws Exception {
    echo = new EchoServer(serverCertificates);
    open(client().proxy(httpProxy()), "tcp+tls://" + HOST + ":" + echo.port());
    assertLinesFlow();
    assertEquals(Collections.singletonList("CONNECT " + HOST + ":" + echo.port() + " HTTP/1.1"),
        proxy.requestLines());
    assertEquals(Collections.singletonList(HOST), echo.serverNames);
  }

  @Test public void aProxyGivenByNameIsLookedUpWithTheClientsDns() throws Exception {
    echo = new EchoServer(null);
    List<String> lookups = new CopyOnWriteArrayList<>();
    Dns proxyOnly = hostname -> {
      lookups.add(hostname);
      if (!hostname.equals("proxy.test")) throw new UnknownHostException(hostname);
      return Collections.singletonList(InetAddress.getByName("127.0.0.1"));
    };
    Proxy byName = new Proxy(Proxy.Type.HTTP,
        InetSocketAddress.createUnresolved("proxy.test", proxy.port()));
    open(client().dns(proxyOnly).proxy(byName), "tcp://" + HOST + ":" + echo.port());
    assertLinesFlow();
    assertEquals(Collections.singletonList("proxy.test"), lookups);
  }

  @Test public void a407IsAnsweredOnceWithTheProxyAuthenticatorsCredentials() throws Exception {
    echo = new EchoServer(null);
    proxy.requiredAuthorization = "Basic " + SECRET;
    List<String> challenges = new CopyOnWriteArrayList<>();
    Authenticator authenticator = (route, response) -> {
      challenges.add(response.code() + " " + response.header("Proxy-Authenticate") + " via "
          + route.proxy().address() + " for " + response.request().header("Host"));
      return response.request().newBuilder()
          .header("Proxy-Authorization", "Basic " + SECRET)
          .build();
    };
    open(client().proxy(httpProxy()).proxyAuthenticator(authenticator),
        "tcp://" + HOST + ":" + echo.port());
    assertLinesFlow();
    String target = HOST + ":" + echo.port();
    assertEquals(Collections.singletonList("407 Basic realm=\"lifeline-test\" via /127.0.0.1:"
        + proxy.port() + " for " + target), challenges);
    assertEquals(2, proxy.requests.size());
    assertNull(ConnectProxy.header(proxy.requests.get(0), "Proxy-Authorization"));
    assertEquals("Basic " + SECRET,
        ConnectProxy.header(proxy.requests.get(1), "Proxy-Authorization"));
  }

  @Test public void a407WithoutAnAuthenticatorFailsNamingTheAnswer() throws Exception {
    proxy.requiredAuthorization = "Basic " + SECRET;
    open(client().proxy(httpProxy()), "tcp://" + HOST + ":7");
    assertEquals("IOException: proxy " + via() + " requires authentication for the tunnel to "
        + HOST + ":7 (HTTP/1.1 407 Proxy Authentication Required) and the OkHttpClient's"
        + " proxyAuthenticator gave no Proxy-Authorization", failure());
    assertEquals(1, proxy.requests.size());
  }

  @Test public void credentialsRefusedAgainFailWithoutShowingThem() throws Exception {
    proxy.requiredAuthorization = "Basic the-right-one";
    List<Integer> asked = new CopyOnWriteArrayList<>();
    open(client().proxy(httpProxy()).proxyAuthenticator((route, response) -> {
      asked.add(response.code());
      return response.request().newBuilder()
          .header("Proxy-Authorization", "Basic " + SECRET).build();
    }), "tcp://" + HOST + ":7");
    assertEquals("IOException: proxy " + via() + " refused the credentials from the"
        + " OkHttpClient's proxyAuthenticator for the tunnel to " + HOST + ":7: HTTP/1.1 407 Proxy"
        + " Authentication Required", failure());
    assertEquals(Collections.singletonList(407), asked);
    assertEquals(2, proxy.requests.size());
  }

  @Test public void aRefusedTunnelNamesTheProxysAnswer() throws Exception {
    proxy.mode = ConnectProxy.Mode.REFUSE;
    proxy.refusal = "HTTP/1.1 403 Forbidden";
    open(client().proxy(httpProxy()), "tcp+tls://" + HOST + ":5222");
    assertEquals("IOException: proxy " + via() + " refused the tunnel to " + HOST + ":5222:"
        + " HTTP/1.1 403 Forbidden", failure());
    String reason = Failure.ofTransport(listener.failure, 0, -1,
        new Failure.Timing(false, 300, -1, false)).reason;
    assertEquals("connect failed: IOException: proxy " + via() + " refused the tunnel to " + HOST
        + ":5222: HTTP/1.1 403 Forbidden", reason);
  }

  @Test public void anEndlessAnswerHeadIsCutAtItsBound() throws Exception {
    proxy.mode = ConnectProxy.Mode.ENDLESS_HEAD;
    open(client().proxy(httpProxy()), "tcp://" + HOST + ":7");
    assertEquals("IOException: proxy " + via() + " answered CONNECT " + HOST + ":7 with a head"
        + " longer than 8192 bytes", failure());
  }

  @Test public void theStepNamesTheProxyWhileItDoesNotAnswer() throws Exception {
    proxy.mode = ConnectProxy.Mode.SILENT;
    open(client().proxy(httpProxy()), "tcp://" + HOST + ":7");
    String step = "CONNECT through proxy " + via();
    Await.until("step " + step, 5_000, () -> transport.handshakeStep().equals(step));
    transport.cancel();
    Await.threadEnded(TcpTransport.READER_THREAD_PREFIX + url, 5_000);
    listener.expectNothingFor(100);
    assertEquals("finished", transport.handshakeStep());
  }

  @Test public void aSilentProxyTimesOutNamingTheLimit() throws Exception {
    proxy.mode = ConnectProxy.Mode.SILENT;
    open(client().proxy(httpProxy()).connectTimeout(200, TimeUnit.MILLISECONDS),
        "tcp://" + HOST + ":7");
    assertEquals("SocketTimeoutException: proxy " + via() + " did not answer CONNECT " + HOST
        + ":7 within 0.2 s (OkHttpClient connectTimeout)", failure());
  }

  @Test public void aProxyThatRefusesTheTcpConnectIsNamed() throws Exception {
    int deadPort = closedPort();
    open(client().proxy(new Proxy(Proxy.Type.HTTP, new InetSocketAddress("127.0.0.1", deadPort))),
        "tcp://" + HOST + ":7");
    failure();
    assertEquals("connect failed: connection refused by proxy 127.0.0.1:" + deadPort
        + " (nothing listening)", Failure.ofTransport(listener.failure, 0, -1,
        new Failure.Timing(false, 300, -1, false)).reason);
  }

  // ---- ProxySelector. ----

  @Test public void theSelectorsProxiesAreTriedInOrder() throws Exception {
    echo = new EchoServer(serverCertificates);
    int deadPort = closedPort();
    Proxy dead = new Proxy(Proxy.Type.HTTP, new InetSocketAddress("127.0.0.1", deadPort));
    RecordingSelector selector = new RecordingSelector(Arrays.asList(dead, httpProxy()));
    open(client().proxySelector(selector), "tcp+tls://" + HOST + ":" + echo.port());
    assertLinesFlow();
    assertEquals(Collections.singletonList(
        URI.create("https://" + HOST + ":" + echo.port() + "/")), selector.asked);
    assertEquals(1, selector.failed.size());
    assertTrue(selector.failed.get(0), selector.failed.get(0).startsWith(
        "/127.0.0.1:" + deadPort + " ConnectException: Failed to connect to proxy 127.0.0.1:"
            + deadPort));
    assertEquals(1, proxy.requests.size());
  }

  @Test public void aSelectorWithNoProxyConnectsDirectly() throws Exception {
    echo = new EchoServer(null);
    RecordingSelector selector =
        new RecordingSelector(Collections.singletonList(Proxy.NO_PROXY));
    open(client().dns(hostname -> Collections.singletonList(InetAddress.getByName("127.0.0.1")))
        .proxySelector(selector), "tcp://" + HOST + ":" + echo.port());
    assertLinesFlow();
    assertEquals(Collections.singletonList(URI.create("http://" + HOST + ":" + echo.port() + "/")),
        selector.asked);
    assertTrue(proxy.requests.isEmpty());
  }

  @Test public void whenEveryProxyFailsTheLastFailureIsReported() throws Exception {
    int deadPort = closedPort();
    proxy.mode = ConnectProxy.Mode.REFUSE;
    Proxy dead = new Proxy(Proxy.Type.HTTP, new InetSocketAddress("127.0.0.1", deadPort));
    RecordingSelector selector = new RecordingSelector(Arrays.asList(dead, httpProxy()));
    open(client().proxySelector(selector), "tcp://" + HOST + ":7");
    assertEquals("IOException: proxy " + via() + " refused the tunnel to " + HOST + ":7:"
        + " HTTP/1.1 403 Forbidden", failure());
    assertEquals(2, selector.failed.size());
  }

  // ---- SOCKS. ----

  @Test public void tcpThroughSocks5LetsTheProxyResolveTheHost() throws Exception {
    echo = new EchoServer(null);
    try (Socks5Proxy socks = new Socks5Proxy()) {
      Proxy p = new Proxy(Proxy.Type.SOCKS, new InetSocketAddress("127.0.0.1", socks.port()));
      open(client().proxy(p), "tcp://" + HOST + ":" + echo.port());
      assertLinesFlow();
      assertEquals(Collections.singletonList("name " + HOST + ":" + echo.port()), socks.requested);
      transport.cancel();
      Await.threadEnded(TcpTransport.READER_THREAD_PREFIX + url, 5_000);
    }
  }

  @Test public void tcpTlsThroughSocks5() throws Exception {
    echo = new EchoServer(serverCertificates);
    try (Socks5Proxy socks = new Socks5Proxy()) {
      Proxy p = new Proxy(Proxy.Type.SOCKS, new InetSocketAddress("127.0.0.1", socks.port()));
      open(client().proxy(p), "tcp+tls://" + HOST + ":" + echo.port());
      assertLinesFlow();
      assertEquals(Collections.singletonList("name " + HOST + ":" + echo.port()), socks.requested);
      transport.cancel();
      Await.threadEnded(TcpTransport.READER_THREAD_PREFIX + url, 5_000);
    }
  }

  /** A port on 127.0.0.1 where nothing listens (bound, then closed). */
  private static int closedPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      return s.getLocalPort();
    }
  }

  /** A ProxySelector that answers a fixed list and records what it was asked and told. */
  private static final class RecordingSelector extends ProxySelector {
    final List<Proxy> proxies;
    final List<URI> asked = new CopyOnWriteArrayList<>();
    final List<String> failed = new CopyOnWriteArrayList<>();

    RecordingSelector(List<Proxy> proxies) {
      this.proxies = proxies;
    }

    @Override public List<Proxy> select(URI uri) {
      asked.add(uri);
      return proxies;
    }

    @Override public void connectFailed(URI uri, SocketAddress address, IOException e) {
      failed.add(address + " " + e.getClass().getSimpleName() + ": " + e.getMessage());
    }
  }

  /**
   * Echoes each line as "echo:" + line, on 127.0.0.1, for any number of connections; TLS with
   * {@code certificates} unless null, recording the server names (SNI) clients sent.
   */
  private static final class EchoServer implements AutoCloseable {
    final ServerSocket server;
    final Thread acceptor;
    final List<Socket> sockets = new CopyOnWriteArrayList<>();
    final List<Thread> threads = new CopyOnWriteArrayList<>();
    final List<String> serverNames = new CopyOnWriteArrayList<>();

    EchoServer(HandshakeCertificates certificates) throws IOException {
      ServerSocketFactory factory = certificates == null ? ServerSocketFactory.getDefault()
          : certificates.sslContext().getServerSocketFactory();
      server = factory.createServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
      acceptor = new Thread(this::acceptLoop, "TcpProxyTest echo");
      acceptor.setDaemon(true);
      acceptor.start();
    }

    int port() {
      return server.getLocalPort();
    }

    private void acceptLoop() {
      try {
        while (true) {
          Socket s = server.accept();
          sockets.add(s);
          Thread t = new Thread(() -> serve(s), "TcpProxyTest echo connection");
          t.setDaemon(true);
          threads.add(t);
          t.start();
        }
      } catch (IOException closed) {
        // close() ends the loop.
      }
    }

    private void serve(Socket s) {
      try {
        s.setSoTimeout(ConnectProxy.IDLE_MILLIS);
        if (s instanceof javax.net.ssl.SSLSocket) {
          javax.net.ssl.SSLSocket ssl = (javax.net.ssl.SSLSocket) s;
          ssl.startHandshake();
          for (javax.net.ssl.SNIServerName n
              : ((javax.net.ssl.ExtendedSSLSession) ssl.getSession()).getRequestedServerNames()) {
            serverNames.add(((javax.net.ssl.SNIHostName) n).getAsciiName());
          }
        }
        BufferedSource in = Okio.buffer(Okio.source(s));
        BufferedSink out = Okio.buffer(Okio.sink(s));
        String line;
        while ((line = in.readUtf8Line()) != null) out.writeUtf8("echo:" + line + "\n").flush();
      } catch (IOException e) {
        // The client went away.
      } finally {
        Stopping.closeQuietly(s);
      }
    }

    @Override public void close() throws IOException {
      Stopping.closeQuietly(server);
      for (Socket s : sockets) Stopping.closeQuietly(s);
      Stopping.join(acceptor, 5_000);
      for (Thread t : threads) Stopping.join(t, 5_000);
    }
  }
}
