package dev.lifeline.internal.tcp;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import dev.lifeline.e2e.TrackingSocketFactory;
import dev.lifeline.e2e.TrickleServer;
import dev.lifeline.internal.RecordingTransportListener;
import dev.lifeline.internal.Transport;
import dev.lifeline.testing.Await;
import dev.lifeline.testing.UnconnectedSocketFactory;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import okhttp3.Dns;
import okhttp3.OkHttpClient;
import org.junit.After;
import org.junit.Test;

/**
 * What a connecting TCP transport says it is doing ({@link Transport#handshakeStep()}), step by
 * step, and that {@link Transport#cancel()} ends each step: the connection manager asks for the
 * step when an attempt's deadline passes, then cancels. Everything runs on 127.0.0.1 or on sockets
 * that never reach the network.
 */
public final class TcpHandshakeStepTest {
  /** Bound of every wait for something that should happen promptly. */
  private static final long PROMPTLY_MILLIS = 5_000;
  /** How long "no callback follows" is watched. */
  private static final long QUIET_MILLIS = 100;

  private final RecordingTransportListener listener = new RecordingTransportListener();
  /** Released by the test or by tearDown: lets a blocked DNS lookup return. */
  private final CountDownLatch releaseDns = new CountDownLatch(1);
  /** The clients the test built, their dispatchers shut down after it. */
  private final List<OkHttpClient> clients = new CopyOnWriteArrayList<>();
  private Transport transport;
  private String url;

  @After public void tearDown() throws Exception {
    if (transport != null) transport.cancel();
    releaseDns.countDown();
    if (url != null) Await.threadEnded(readerThread(), PROMPTLY_MILLIS);
    for (OkHttpClient c : clients) c.dispatcher().executorService().shutdown();
  }

  private String readerThread() {
    return TcpTransport.READER_THREAD_PREFIX + url;
  }

  private Transport open(OkHttpClient.Builder client, String url) {
    OkHttpClient c = client.build();
    clients.add(c);
    this.url = url;
    return new TcpTransport.Factory(c).open(
        new Transport.Request(url, Collections.<String, String>emptyMap(), 1024), listener);
  }

  private void awaitStep(String step) throws Exception {
    Await.until("handshakeStep() = \"" + step + "\" (it is \"" + transport.handshakeStep() + "\")",
        PROMPTLY_MILLIS, () -> transport.handshakeStep().equals(step));
  }

  /** Cancels, then checks that the reader thread ends promptly and no callback follows. */
  private void cancelAndAssertSilentEnd() throws Exception {
    transport.cancel();
    Await.threadEnded(readerThread(), PROMPTLY_MILLIS);
    listener.expectNothingFor(QUIET_MILLIS);
    assertEquals("finished", transport.handshakeStep());
  }

  @Test public void dnsLookupIsTheStepWhileItBlocksAndCancelIsHonouredWhenItReturns()
      throws Exception {
    CountDownLatch lookupStarted = new CountDownLatch(1);
    Dns blocking = hostname -> {
      lookupStarted.countDown();
      try {
        releaseDns.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return Collections.singletonList(InetAddress.getByName("127.0.0.1"));
    };
    TrackingSocketFactory sockets = new TrackingSocketFactory();
    transport = open(new OkHttpClient.Builder().dns(blocking).socketFactory(sockets),
        "tcp://slow-dns.test:7");
    assertTrue(lookupStarted.await(PROMPTLY_MILLIS, TimeUnit.MILLISECONDS));
    assertEquals("DNS lookup of slow-dns.test", transport.handshakeStep());

    transport.cancel();
    assertEquals("finished", transport.handshakeStep());
    assertTrue("a lookup cannot be interrupted", Await.threadAlive(readerThread()));
    releaseDns.countDown();
    Await.threadEnded(readerThread(), PROMPTLY_MILLIS);
    listener.expectNothingFor(QUIET_MILLIS);
    for (Socket s : sockets.sockets) assertFalse("connected after cancel", s.isConnected());
    assertTrue(sockets.allClosed());
  }

  @Test public void tcpConnectIsTheStepWithTheAddressTriedNowAndCancelAbortsIt() throws Exception {
    HangingConnects sockets = new HangingConnects();
    Dns twoAddresses = hostname -> Arrays.asList(
        InetAddress.getByName("127.0.0.1"), InetAddress.getByName("127.0.0.2"));
    transport = open(new OkHttpClient.Builder().dns(twoAddresses).socketFactory(sockets),
        "tcp://two-addresses.test:7");
    // The first address refuses; the second never answers.
    awaitStep("TCP connect to 127.0.0.2:7");
    assertEquals(2, sockets.created.size());
    assertTrue(sockets.created.get(0).isClosed());

    cancelAndAssertSilentEnd();
    assertTrue("cancel closed the connecting socket", sockets.created.get(1).isClosed());
  }

  @Test public void trickledTlsHandshakeOutlastsTheConnectTimeoutUntilCancelled()
      throws Exception {
    // One byte of a ServerHello every 250 ms: each read takes far less than the 2 s connect
    // timeout, so only an overall deadline (the manager's) can end this handshake.
    long connectTimeoutMillis = 2_000;
    try (TrickleServer server = new TrickleServer(TrickleServer.tlsServerHelloStart(), 250)) {
      transport = open(new OkHttpClient.Builder()
          .connectTimeout(connectTimeoutMillis, TimeUnit.MILLISECONDS),
          "tcp+tls://127.0.0.1:" + server.port());
      awaitStep("TLS handshake with 127.0.0.1");
      String event = listener.events.poll(connectTimeoutMillis + 500, TimeUnit.MILLISECONDS);
      assertNull("the trickled handshake outlasts the " + connectTimeoutMillis + " ms connect"
          + " timeout: every read gets a byte in time", event);
      assertEquals("TLS handshake with 127.0.0.1", transport.handshakeStep());
      assertEquals(1, server.accepted());

      cancelAndAssertSilentEnd();
    }
  }

  // The accepted peer is held open (and closed) by the try; the body never reads it.
  @SuppressWarnings("try")
  @Test public void openOnceConnected() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
      server.setSoTimeout((int) PROMPTLY_MILLIS);
      transport = open(new OkHttpClient.Builder(), "tcp://127.0.0.1:" + server.getLocalPort());
      try (Socket peer = server.accept()) {
        listener.expect("open");
        assertEquals("open", transport.handshakeStep());
        cancelAndAssertSilentEnd();
      }
    }
  }

  /**
   * Sockets for a host whose first address refuses at once and whose other addresses never
   * answer: their connect blocks until the socket is closed, as a connect to a silent host does.
   */
  private static final class HangingConnects extends UnconnectedSocketFactory {
    /** Every socket created, in order. */
    final List<Socket> created = new CopyOnWriteArrayList<>();

    @Override public Socket createSocket() {
      final boolean refuse = created.isEmpty();
      final CountDownLatch closed = new CountDownLatch(1);
      Socket socket = new Socket() {
        @Override public void connect(SocketAddress endpoint, int timeout) throws IOException {
          if (refuse) throw new ConnectException("refused by the test: " + endpoint);
          try {
            if (!closed.await(30, TimeUnit.SECONDS)) throw new InterruptedIOException("test bound");
          } catch (InterruptedException e) {
            throw new InterruptedIOException();
          }
          throw new SocketException("Socket closed");
        }

        @Override public synchronized void close() throws IOException {
          closed.countDown();
          super.close();
        }
      };
      created.add(socket);
      return socket;
    }
  }
}
