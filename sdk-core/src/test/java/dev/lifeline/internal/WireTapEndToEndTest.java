package dev.lifeline.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import dev.lifeline.Message;
import dev.lifeline.testing.Await;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.UnknownHostException;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.net.SocketFactory;
import okhttp3.Dns;
import okhttp3.OkHttpClient;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import okhttp3.internal.ws.RealWebSocket;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;
import okio.ByteString;
import org.junit.After;
import org.junit.Test;

/**
 * The {@link WireTap} on a real socket, against servers that misbehave on purpose: a message
 * announced larger than the limit, a ping flood from a server that never reads, and a normal
 * wss:// exchange through the tapped TLS socket.
 */
public final class WireTapEndToEndTest {
  private static final int KIB = 1024;

  private final RecordingTransportListener listener = new RecordingTransportListener();
  private OkHttpClient client = new OkHttpClient.Builder()
      .connectTimeout(5, TimeUnit.SECONDS)
      .readTimeout(0, TimeUnit.MILLISECONDS)
      .build();
  private RawWebSocketServer raw;
  private MockWebServer mock;
  private WebSocketTransport transport;

  @After public void tearDown() throws IOException {
    if (transport != null) transport.cancel();
    if (raw != null) raw.close();
    if (mock != null) mock.shutdown();
    client.dispatcher().executorService().shutdown();
    client.connectionPool().evictAll();
  }

  private WebSocketTransport open(String url, long maxMessageBytes) {
    transport = (WebSocketTransport) new WebSocketTransport.Factory(client).open(
        new Transport.Request(url, Collections.<String, String>emptyMap(),
            1024, maxMessageBytes), listener);
    return transport;
  }

  @Test public void aMessageAnnouncedAboveTheLimitFailsFromItsHeaderWithClose1009()
      throws Exception {
    List<Long> clientFrames = new CopyOnWriteArrayList<>();
    raw = new RawWebSocketServer(0, (socket, in, out) -> {
      // Announces 1 GiB and sends only 1 KiB of it: only the header can end this.
      RawWebSocketServer.header(out, FrameScanner.OPCODE_BINARY, true, 1L << 30);
      out.write(new byte[KIB]).flush();
      clientFrames.add(RawWebSocketServer.readClientFrame(in));
    });
    open(raw.url(), 64 * KIB);
    listener.expect("open");
    listener.expect("failure ProtocolException: server sent a message of at least 1024.0 MiB,"
        + " above the limit of 64.0 KiB (maxInboundMessageBytes); closed with 1009");
    Await.until("the server to read the close frame", 5_000, () -> !clientFrames.isEmpty());
    assertEquals("a close frame with code 1009", (8L << 32) | 1009, (long) clientFrames.get(0));
  }

  @Test public void aFragmentedMessageCountsAllItsFrames() throws Exception {
    raw = new RawWebSocketServer(0, (socket, in, out) -> {
      RawWebSocketServer.header(out, FrameScanner.OPCODE_TEXT, false, 40 * KIB);
      out.write(new byte[40 * KIB]);
      RawWebSocketServer.header(out, FrameScanner.OPCODE_PING, true, 0); // Between fragments.
      RawWebSocketServer.header(out, FrameScanner.OPCODE_CONTINUATION, true, 40 * KIB);
      out.write(new byte[40 * KIB]).flush();
      RawWebSocketServer.readClientFrame(in); // The pong.
      RawWebSocketServer.readClientFrame(in); // The close.
    });
    open(raw.url(), 64 * KIB);
    listener.expect("open");
    listener.expect("failure ProtocolException: server sent a message of at least 80.0 KiB,"
        + " above the limit of 64.0 KiB (maxInboundMessageBytes); closed with 1009");
  }

  @Test public void aMessageAtTheLimitIsDelivered() throws Exception {
    raw = new RawWebSocketServer(0, (socket, in, out) -> {
      RawWebSocketServer.header(out, FrameScanner.OPCODE_BINARY, true, 64 * KIB);
      out.write(new byte[64 * KIB]).flush();
      RawWebSocketServer.readClientFrame(in);
    });
    open(raw.url(), 64 * KIB);
    listener.expect("open");
    String message = listener.next();
    assertTrue(message, message.startsWith("message 0000"));
    assertEquals(64 * KIB * 2, message.length() - "message ".length());
  }

  @Test public void aPingFloodFromAServerThatNeverReadsPausesTheReader() throws Exception {
    raw = new RawWebSocketServer(4 * KIB, (socket, in, out) -> {
      byte[] payload = new byte[125]; // Pongs as large as they get: the buffers fill sooner.
      for (int i = 0; i < 200_000; i++) {
        RawWebSocketServer.header(out, FrameScanner.OPCODE_PING, true, payload.length);
        out.write(payload);
        if (i % 100 == 0) out.flush(); // Blocks once the client stops reading.
      }
      out.flush();
    });
    client = client.newBuilder().socketFactory(new SmallSendBuffers()).build();
    open(raw.url(), 64 * KIB);
    listener.expect("open");
    // Pongs flow until the buffers between client and server are full; then the reader stops.
    Await.until("the reader to stay paused for pongs", 10_000, () -> {
      WireTap tap = transport.wireTap();
      if (tap == null) return false;
      long read = tap.pingsRead();
      Thread.sleep(200);
      return read == tap.pingsRead()
          && read - tap.pongsWritten() >= WireTap.MAX_UNANSWERED_PINGS;
    });
    WireTap tap = transport.wireTap();
    RealWebSocket ws = (RealWebSocket) transport.webSocket();
    long read = tap.pingsRead();
    long queuedPongs = ws.receivedPingCount() - tap.pongsWritten();
    assertTrue("pongs queued in OkHttp: " + queuedPongs,
        queuedPongs <= WireTap.MAX_UNANSWERED_PINGS);
    assertTrue("pings read: " + read, read < 200_000);

    transport.cancel(); // Releases the paused reader.
    String failure = listener.next();
    assertTrue(failure, failure.startsWith("failure "));
  }

  @Test public void aPingGoesOutBeforeTheClientWroteAnyFrame() throws Exception {
    List<Long> frames = new CopyOnWriteArrayList<>();
    raw = new RawWebSocketServer(0, (socket, in, out) -> {
      while (true) frames.add(RawWebSocketServer.readClientFrame(in) >>> 32);
    });
    open(raw.url(), 64 * KIB);
    listener.expect("open");
    assertTrue(transport.ping() > 0); // Nothing else was sent: no frame of OkHttp's came first.
    Await.until("the server to read a ping frame", 5_000, () -> frames.contains(9L));
    // Counted once the write returned, which may be just after the server read it.
    Await.until("the ping to be counted", 5_000, () -> transport.wireTap().pingsWritten() == 1);
  }

  @Test public void writtenMessagesAreCountedExactly() throws Exception {
    List<Long> frames = new CopyOnWriteArrayList<>();
    Object go = new Object();
    raw = new RawWebSocketServer(4 * KIB, (socket, in, out) -> {
      synchronized (go) {
        try {
          go.wait(10_000); // Reads nothing until the client gave up.
        } catch (InterruptedException e) {
          return;
        }
      }
      while (true) frames.add(RawWebSocketServer.readClientFrame(in) >>> 32);
    });
    client = client.newBuilder().socketFactory(new SmallSendBuffers()).build();
    open(raw.url(), 64 * KIB);
    listener.expect("open");
    byte[] body = new byte[8 * KIB];
    int sent = 0;
    while (sent < 100 && transport.send(Message.binary(ByteString.of(body)))) sent++;
    Await.until("OkHttp's writer to block", 5_000,
        () -> transport.messagesWritten() > 0 && transport.webSocket().queueSize() > 0);
    transport.cancel();
    long written = transport.messagesWritten();
    List<Message> unsent = transport.unsent();
    synchronized (go) {
      go.notifyAll();
    }
    Await.until("the server to read all the client wrote", 5_000,
        () -> raw.outcome != null);
    assertEquals("complete frames the server received", written, frames.size());
    assertEquals(sent - written, unsent.size());
    assertTrue("some were not written: " + unsent.size(), unsent.size() > 0);
  }

  @Test public void wssWorksThroughTheTappedTlsSocketWithoutOfferingCompression()
      throws Exception {
    HeldCertificate certificate = new HeldCertificate.Builder().addSubjectAlternativeName(
        "localhost").build();
    HandshakeCertificates server = new HandshakeCertificates.Builder()
        .heldCertificate(certificate).build();
    HandshakeCertificates trusting = new HandshakeCertificates.Builder()
        .addTrustedCertificate(certificate.certificate()).build();
    mock = new MockWebServer();
    mock.useHttps(server.sslSocketFactory(), false);
    mock.enqueue(new MockResponse().withWebSocketUpgrade(new WebSocketListener() {
      @Override public void onMessage(WebSocket ws, String text) {
        ws.send("echo:" + text);
      }
    }));
    mock.start(InetAddress.getByName("127.0.0.1"), 0);
    client = client.newBuilder()
        .sslSocketFactory(trusting.sslSocketFactory(), trusting.trustManager())
        .dns(new Dns() {
          @Override public List<InetAddress> lookup(String host) throws UnknownHostException {
            return Collections.singletonList(InetAddress.getByName("127.0.0.1"));
          }
        })
        .build();
    open("wss://localhost:" + mock.getPort() + "/", 64 * KIB);
    listener.expect("open");
    assertTrue(transport.send(Message.text("hello")));
    listener.expect("message echo:hello");
    WireTap tap = transport.wireTap();
    assertNotNull("the TLS socket is tapped", tap);
    assertEquals(1, tap.messagesWritten());
    RecordedRequest upgrade = mock.takeRequest(5, TimeUnit.SECONDS);
    assertEquals("websocket", upgrade.getHeader("Upgrade"));
    assertEquals(null, upgrade.getHeader("Sec-WebSocket-Extensions"));
  }

  /** Client sockets with a small send buffer: a server that does not read blocks writes soon. */
  private static final class SmallSendBuffers extends SocketFactory {
    private Socket small(Socket s) throws IOException {
      s.setSendBufferSize(4 * KIB);
      return s;
    }

    @Override public Socket createSocket() throws IOException {
      return small(new Socket());
    }

    @Override public Socket createSocket(String host, int port) throws IOException {
      return small(new Socket(host, port));
    }

    @Override public Socket createSocket(String host, int port, InetAddress local, int localPort)
        throws IOException {
      return small(new Socket(host, port, local, localPort));
    }

    @Override public Socket createSocket(InetAddress address, int port) throws IOException {
      return small(new Socket(address, port));
    }

    @Override public Socket createSocket(InetAddress address, int port, InetAddress local,
        int localPort) throws IOException {
      return small(new Socket(address, port, local, localPort));
    }
  }
}
