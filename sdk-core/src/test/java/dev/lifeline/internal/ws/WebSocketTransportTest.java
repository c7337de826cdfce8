package dev.lifeline.internal.ws;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import dev.lifeline.Message;
import dev.lifeline.internal.RecordingTransportListener;
import dev.lifeline.internal.Transport;
import dev.lifeline.testing.Await;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.UnknownHostException;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.net.SocketFactory;
import okhttp3.Dns;
import okhttp3.OkHttpClient;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;
import okio.BufferedSink;
import okio.BufferedSource;
import okio.ByteString;
import org.junit.After;
import org.junit.Test;

/**
 * Lifeline's WebSocket transport on real sockets, against a hand-written server that speaks (and
 * breaks) RFC 6455 on purpose: pings and pongs, the pong bound, exact accounting, the closing
 * handshake, each frame-level violation, and wss:// through MockWebServer.
 */
public final class WebSocketTransportTest {
  private static final int KIB = 1024;
  private static final int OPCODE_CLOSE = 8;
  private static final int OPCODE_PING = 9;
  private static final int OPCODE_PONG = 10;

  private final RecordingTransportListener listener = new RecordingTransportListener();
  private OkHttpClient client = new OkHttpClient.Builder()
      .connectTimeout(5, TimeUnit.SECONDS)
      .readTimeout(5, TimeUnit.SECONDS)
      .build();
  private RawWebSocketServer raw;
  private MockWebServer mock;
  private WebSocketTransport transport;

  @After public void tearDown() throws IOException {
    if (transport != null) transport.cancel();
    if (raw != null) raw.close();
    if (mock != null) mock.shutdown();
    client.dispatcher().executorService().shutdown();
  }

  private WebSocketTransport open(String url, long maxMessageBytes) {
    transport = (WebSocketTransport) WebSocketTransport.factory(client).open(
        new Transport.Request(url, Collections.<String, String>emptyMap(), 1024, maxMessageBytes),
        listener);
    return transport;
  }

  /** One client frame as the server reads it: opcode, whether masked, unmasked payload. */
  static final class Frame {
    final int opcode;
    final boolean masked;
    final ByteString payload;

    Frame(int opcode, boolean masked, ByteString payload) {
      this.opcode = opcode;
      this.masked = masked;
      this.payload = payload;
    }

    int closeCode() {
      return ((payload.getByte(0) & 0xff) << 8) | (payload.getByte(1) & 0xff);
    }
  }

  static Frame readFrame(BufferedSource in) throws IOException {
    int b0 = in.readByte() & 0xff;
    int b1 = in.readByte() & 0xff;
    long length = b1 & 0x7f;
    if (length == 126) length = in.readShort() & 0xffff;
    else if (length == 127) length = in.readLong();
    byte[] mask = (b1 & 0x80) != 0 ? in.readByteArray(4) : new byte[4];
    byte[] payload = in.readByteArray(length);
    for (int i = 0; i < payload.length; i++) payload[i] ^= mask[i % 4];
    return new Frame(b0 & 0x0f, (b1 & 0x80) != 0, ByteString.of(payload));
  }

  static void controlFrame(BufferedSink out, int opcode, ByteString payload) throws IOException {
    RawWebSocketServer.header(out, opcode, true, payload.size());
    out.write(payload).flush();
  }

  // ---- Pings and pongs. ----

  @Test public void aPingCarriesItsNumberAndTheEchoingPongAnswersIt() throws Exception {
    List<Frame> frames = new CopyOnWriteArrayList<>();
    raw = new RawWebSocketServer(0, (socket, in, out) -> {
      Frame ping = readFrame(in);
      frames.add(ping);
      controlFrame(out, OPCODE_PONG, ByteString.of(new byte[] {0, 0, 0, 0, 0, 0, 0, 99}));
      controlFrame(out, OPCODE_PONG, ByteString.encodeUtf8("unsolicited"));
      controlFrame(out, OPCODE_PONG, ping.payload);
      while (true) frames.add(readFrame(in));
    });
    open(raw.url(), 64 * KIB);
    listener.expect("open");
    assertEquals(0, transport.answeredPing());
    assertEquals("nothing else was sent: the ping is the first frame", 1, transport.ping());
    Await.until("the pong to answer ping 1", 5_000, () -> transport.answeredPing() == 1);
    Frame ping = frames.get(0);
    assertEquals(OPCODE_PING, ping.opcode);
    assertTrue("client frames are masked", ping.masked);
    assertEquals(ByteString.of(new byte[] {0, 0, 0, 0, 0, 0, 0, 1}), ping.payload);
    assertEquals(2, transport.ping());
    Await.until("ping 2 at the server", 5_000, () -> frames.size() == 2);
    Thread.sleep(100);
    assertEquals("no pong echoed ping 2; 99 was never sent", 1, transport.answeredPing());
  }

  @Test public void aServersPingIsAnsweredWithAPongEchoingItsPayload() throws Exception {
    List<Frame> frames = new CopyOnWriteArrayList<>();
    raw = new RawWebSocketServer(0, (socket, in, out) -> {
      controlFrame(out, OPCODE_PING, ByteString.encodeUtf8("are you there"));
      frames.add(readFrame(in));
    });
    open(raw.url(), 64 * KIB);
    listener.expect("open");
    Await.until("the pong", 5_000, () -> !frames.isEmpty());
    assertEquals(OPCODE_PONG, frames.get(0).opcode);
    assertEquals("are you there", frames.get(0).payload.utf8());
  }

  @Test public void aPingOvertakesQueuedMessages() throws Exception {
    List<Integer> opcodes = new CopyOnWriteArrayList<>();
    Object go = new Object();
    raw = new RawWebSocketServer(4 * KIB, (socket, in, out) -> {
      synchronized (go) {
        try {
          go.wait(10_000); // Reads nothing until the client queued its ping.
        } catch (InterruptedException e) {
          return;
        }
      }
      while (true) opcodes.add(readFrame(in).opcode);
    });
    client = client.newBuilder().socketFactory(new SmallSendBuffers()).build();
    open(raw.url(), 64 * KIB);
    listener.expect("open");
    int sent = 0;
    while (sent < 100 && transport.send(Message.binary(ByteString.of(new byte[8 * KIB])))) sent++;
    Await.until("the writer to block", 5_000, () -> transport.unsent().size() < 100);
    assertEquals(1, transport.ping());
    assertEquals("a queued ping is not doubled", 1, transport.ping());
    synchronized (go) {
      go.notifyAll();
    }
    Await.until("every frame at the server", 10_000, () -> opcodes.size() == 101);
    int ping = opcodes.indexOf(OPCODE_PING);
    assertTrue("the ping went out before the queued messages, at " + ping, ping < 90);
    Await.until("the last flush to return", 5_000, () -> transport.unsent().isEmpty());
    assertEquals(100, transport.acceptedCount());
  }

  @Test public void aPingFloodFromAServerThatNeverReadsPausesTheReader() throws Exception {
    int[] pingsWritten = {0};
    raw = new RawWebSocketServer(4 * KIB, (socket, in, out) -> {
      byte[] payload = new byte[125]; // Pongs as large as they get: the buffers fill sooner.
      for (int i = 0; i < 200_000; i++) {
        RawWebSocketServer.header(out, OPCODE_PING, true, payload.length);
        out.write(payload);
        if (i % 100 == 0) out.flush(); // Blocks once the client stops reading.
        pingsWritten[0] = i;
      }
      out.flush();
    });
    client = client.newBuilder().socketFactory(new SmallSendBuffers()).build();
    open(raw.url(), 64 * KIB);
    listener.expect("open");
    Await.until("the reader to stay paused with the pong queue full", 10_000, () -> {
      int pongs = transport.unwrittenPongs();
      int server = pingsWritten[0];
      Thread.sleep(200);
      return pongs == WebSocketTransport.MAX_QUEUED_PONGS && server == pingsWritten[0];
    });
    assertTrue("pings the server got out: " + pingsWritten[0], pingsWritten[0] < 199_999);
    assertTrue(transport.unwrittenPongs() <= WebSocketTransport.MAX_QUEUED_PONGS);

    String reader = WebSocketTransport.READER_THREAD_PREFIX + raw.url();
    assertTrue(Await.threadAlive(reader));
    transport.cancel(); // Releases the paused reader: no callback, the thread ends.
    Await.threadEnded(reader, 5_000);
    listener.expectNothingFor(100);
  }

  // ---- Accounting. ----

  @Test public void writtenMessagesAreCountedExactly() throws Exception {
    List<Integer> opcodes = new CopyOnWriteArrayList<>();
    Object go = new Object();
    raw = new RawWebSocketServer(4 * KIB, (socket, in, out) -> {
      synchronized (go) {
        try {
          go.wait(10_000); // Reads nothing until the client gave up.
        } catch (InterruptedException e) {
          return;
        }
      }
      while (true) opcodes.add(readFrame(in).opcode);
    });
    client = client.newBuilder().socketFactory(new SmallSendBuffers()).build();
    open(raw.url(), 64 * KIB);
    listener.expect("open");
    int sent = 0;
    while (sent < 100 && transport.send(Message.binary(ByteString.of(new byte[8 * KIB])))) sent++;
    Await.until("the writer to block with some written", 5_000,
        () -> transport.unsent().size() < 100 && transport.hasUnwritten());
    transport.cancel();
    List<Message> unsent = transport.unsent();
    long written = transport.acceptedCount() - unsent.size();
    synchronized (go) {
      go.notifyAll();
    }
    Await.until("the server to read all the client wrote", 5_000, () -> raw.outcome != null);
    // The frame the cancelled write cut may have reached the socket only in part: it counts as
    // written (never sent twice), though the server cannot have received it whole.
    assertTrue("complete frames the server received: " + opcodes.size() + ", written " + written,
        opcodes.size() == written || opcodes.size() == written - 1);
    assertTrue("some were not written: " + unsent.size(), unsent.size() > 0);
    assertEquals("final after cancel", unsent, transport.unsent());
    assertFalse(transport.send(Message.text("late")));
  }

  @Test public void messagesWrittenBeforeAServerMessageAreSettled() throws Exception {
    java.util.concurrent.CountDownLatch answer = new java.util.concurrent.CountDownLatch(1);
    raw = new RawWebSocketServer(0, (socket, in, out) -> {
      readFrame(in);
      readFrame(in);
      try {
        answer.await(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        return;
      }
      RawWebSocketServer.header(out, 1, true, 2);
      out.writeUtf8("ok").flush();
      readFrame(in);
    });
    open(raw.url(), 64 * KIB);
    listener.expect("open");
    assertTrue(transport.send(Message.text("one")));
    assertTrue(transport.send(Message.text("two")));
    // Written means the flush returned, which may be just after the server read the frame.
    Await.until("both flushed", 5_000, () -> !transport.hasUnwritten());
    assertEquals("nothing arrived yet", 0, transport.settledCount());
    answer.countDown();
    listener.expect("message ok");
    assertEquals(2, transport.settledCount());
    assertEquals(2, transport.acceptedCount());
  }

  // ---- Inbound limit. ----

  @Test public void aMessageAnnouncedAboveTheLimitFailsFromItsHeaderWithClose1009()
      throws Exception {
    List<Frame> frames = new CopyOnWriteArrayList<>();
    raw = new RawWebSocketServer(0, (socket, in, out) -> {
      // Announces 1 GiB and sends only 1 KiB of it: only the header can end this.
      RawWebSocketServer.header(out, 2, true, 1L << 30);
      out.write(new byte[KIB]).flush();
      frames.add(readFrame(in));
    });
    open(raw.url(), 64 * KIB);
    listener.expect("open");
    listener.expect("failure ProtocolViolation: server sent a message of at least 1024.0 MiB,"
        + " above the limit of 64.0 KiB (maxInboundMessageBytes); closed with 1009");
    Await.until("the server to read the close frame", 5_000, () -> !frames.isEmpty());
    assertEquals(OPCODE_CLOSE, frames.get(0).opcode);
    assertEquals(1009, frames.get(0).closeCode());
  }

  @Test public void aFragmentedMessageCountsAllItsFrames() throws Exception {
    raw = new RawWebSocketServer(0, (socket, in, out) -> {
      RawWebSocketServer.header(out, 1, false, 40 * KIB);
      out.write(new byte[40 * KIB]);
      RawWebSocketServer.header(out, OPCODE_PING, true, 0); // Between fragments.
      RawWebSocketServer.header(out, 0, true, 40 * KIB);
      out.write(new byte[40 * KIB]).flush();
      readFrame(in); // The pong.
      readFrame(in); // The close.
    });
    open(raw.url(), 64 * KIB);
    listener.expect("open");
    listener.expect("failure ProtocolViolation: server sent a message of at least 80.0 KiB,"
        + " above the limit of 64.0 KiB (maxInboundMessageBytes); closed with 1009");
  }

  @Test public void aMessageAtTheLimitIsDelivered() throws Exception {
    raw = new RawWebSocketServer(0, (socket, in, out) -> {
      RawWebSocketServer.header(out, 2, true, 64 * KIB);
      out.write(new byte[64 * KIB]).flush();
      readFrame(in);
    });
    open(raw.url(), 64 * KIB);
    listener.expect("open");
    String message = listener.next();
    assertTrue(message, message.startsWith("message 0000"));
    assertEquals(64 * KIB * 2, message.length() - "message ".length());
  }

  // ---- Frame-level violations: each fails with its name and closes with its code. ----

  /** Opens, lets {@code badFrame} write, and checks the failure and the close frame's code. */
  private void assertViolation(RawWebSocketServer.Script badFrame, String named, int code)
      throws Exception {
    List<Frame> frames = new CopyOnWriteArrayList<>();
    raw = new RawWebSocketServer(0, (socket, in, out) -> {
      badFrame.run(socket, in, out);
      out.flush();
      frames.add(readFrame(in));
    });
    open(raw.url(), 64 * KIB);
    listener.expect("open");
    String failure = listener.next();
    assertTrue(failure, failure.startsWith("failure ProtocolViolation: server sent"));
    assertTrue(failure + " names " + named, failure.contains(named));
    assertTrue(failure, failure.endsWith("; closed with " + code));
    Await.until("the server to read the close frame", 5_000, () -> !frames.isEmpty());
    assertEquals(OPCODE_CLOSE, frames.get(0).opcode);
    assertEquals(code, frames.get(0).closeCode());
    assertTrue("the reason a user reads names the violation",
        listener.failure instanceof ProtocolViolation);
  }

  @Test public void aReservedOpcodeFailsWith1002() throws Exception {
    assertViolation((s, in, out) -> RawWebSocketServer.header(out, 0x3, true, 0),
        "reserved opcode", 1002);
  }

  @Test public void aMaskedServerFrameFailsWith1002() throws Exception {
    assertViolation((s, in, out) -> out.writeByte(0x81).writeByte(0x80 | 1).writeInt(0x01020304)
        .writeByte('a'), "masked", 1002);
  }

  @Test public void aFragmentedControlFrameFailsWith1002() throws Exception {
    assertViolation((s, in, out) -> RawWebSocketServer.header(out, OPCODE_PING, false, 0),
        "fragmented", 1002);
  }

  @Test public void aControlFrameAbove125BytesFailsWith1002() throws Exception {
    assertViolation((s, in, out) -> {
      RawWebSocketServer.header(out, OPCODE_PING, true, 126);
      out.write(new byte[126]);
    }, "above the control frame limit of 125 bytes", 1002);
  }

  @Test public void rsv1WithoutAnExtensionFailsWith1002() throws Exception {
    assertViolation((s, in, out) -> out.writeByte(0x80 | 0x40 | 1).writeByte(1).writeByte('a'),
        "RSV1", 1002);
  }

  @Test public void anInvalidCloseCodeFailsWith1002() throws Exception {
    assertViolation((s, in, out) -> {
      RawWebSocketServer.header(out, OPCODE_CLOSE, true, 2);
      out.writeShort(1005); // Reserved: never on the wire.
    }, "invalid code", 1002);
  }

  @Test public void invalidUtf8InATextMessageFailsWith1007() throws Exception {
    assertViolation((s, in, out) -> {
      RawWebSocketServer.header(out, 1, true, 2);
      out.writeByte(0xc3).writeByte(0x28);
    }, "not valid UTF-8", 1007);
  }

  // ---- Closing. ----

  @Test public void theServersCloseIsAnsweredAndReported() throws Exception {
    List<Frame> frames = new CopyOnWriteArrayList<>();
    raw = new RawWebSocketServer(0, (socket, in, out) -> {
      RawWebSocketServer.header(out, OPCODE_CLOSE, true, 2 + 10);
      out.writeShort(1001).writeUtf8("going away").flush();
      frames.add(readFrame(in));
    });
    open(raw.url(), 64 * KIB);
    listener.expect("open");
    listener.expect("closing 1001 going away");
    listener.expect("closed 1001 going away");
    Await.until("the server to read the answer", 5_000, () -> !frames.isEmpty());
    assertEquals(OPCODE_CLOSE, frames.get(0).opcode);
    assertEquals(1001, frames.get(0).closeCode());
    assertFalse(transport.send(Message.text("late")));
    assertEquals(-1, transport.ping());
  }

  @Test public void aGracefulCloseWritesTheQueuedMessagesThenTheCloseFrame() throws Exception {
    List<Frame> frames = new CopyOnWriteArrayList<>();
    raw = new RawWebSocketServer(0, (socket, in, out) -> {
      for (Frame f = readFrame(in); ; f = readFrame(in)) {
        frames.add(f);
        if (f.opcode == OPCODE_CLOSE) break;
      }
      RawWebSocketServer.header(out, OPCODE_CLOSE, true, 2);
      out.writeShort(1000).flush();
    });
    open(raw.url(), 64 * KIB);
    listener.expect("open");
    assertTrue(transport.send(Message.text("one")));
    assertTrue(transport.send(Message.text("two")));
    transport.close(1000, "bye");
    assertFalse("no send after close", transport.send(Message.text("three")));
    listener.expect("closed 1000 ");
    assertEquals(3, frames.size());
    assertEquals("one", frames.get(0).payload.utf8());
    assertEquals("two", frames.get(1).payload.utf8());
    assertEquals(1000, frames.get(2).closeCode());
    assertEquals("bye", frames.get(2).payload.substring(2).utf8());
    assertTrue(transport.unsent().isEmpty());
  }

  @Test public void aCloseTheServerNeverAnswersEndsAtTheCloseTimeout() throws Exception {
    List<Frame> frames = new CopyOnWriteArrayList<>();
    raw = new RawWebSocketServer(0, (socket, in, out) -> {
      while (true) frames.add(readFrame(in)); // Reads, never answers; EOF ends it.
    });
    transport = (WebSocketTransport) WebSocketTransport.factory(client, 500).open(
        new Transport.Request(raw.url(), Collections.<String, String>emptyMap(), 1024, 64 * KIB),
        listener);
    listener.expect("open");
    transport.close(1000, "bye");
    Await.until("the close frame at the server", 5_000, () -> frames.size() == 1);
    listener.expectNothingFor(300); // Within the 500 ms bound: still waiting for the answer.
    listener.expect("closed 1000 bye");
    Await.until("the socket closed", 5_000, () -> raw.outcome != null);
  }

  @Test public void theAnswerToAServersCloseOvertakesQueuedMessagesWhichStayUnsent()
      throws Exception {
    List<Frame> frames = new CopyOnWriteArrayList<>();
    Object go = new Object();
    CountDownLatch queued = new CountDownLatch(1);
    raw = new RawWebSocketServer(4 * KIB, (socket, in, out) -> {
      try {
        // The close comes once the client queued its messages, however late its thread runs.
        if (!queued.await(10, TimeUnit.SECONDS)) return;
      } catch (InterruptedException e) {
        return;
      }
      RawWebSocketServer.header(out, OPCODE_CLOSE, true, 2);
      out.writeShort(1001).flush();
      synchronized (go) {
        try {
          go.wait(10_000); // Reads nothing until the client heard the close.
        } catch (InterruptedException e) {
          return;
        }
      }
      for (Frame f = readFrame(in); ; f = readFrame(in)) {
        frames.add(f);
        if (f.opcode == OPCODE_CLOSE) break;
      }
    });
    client = client.newBuilder().socketFactory(new SmallSendBuffers()).build();
    // Queued at once: most are still queued when the server's close is read.
    open(raw.url(), 64 * KIB);
    int sent = 0;
    while (sent < 100 && transport.send(Message.binary(ByteString.of(new byte[8 * KIB])))) sent++;
    assertEquals("all queued before the server's close", 100, sent);
    queued.countDown();
    listener.expect("open");
    listener.expect("closing 1001 ");
    synchronized (go) {
      go.notifyAll();
    }
    listener.expect("closed 1001 ");
    Await.until("the server to read up to the close frame", 5_000, () -> raw.outcome != null);
    Frame last = frames.get(frames.size() - 1);
    assertEquals(OPCODE_CLOSE, last.opcode);
    assertEquals("the server's code, echoed", 1001, last.closeCode());
    List<Message> unsent = transport.unsent();
    assertTrue("messages stayed unsent: " + unsent.size(), unsent.size() > 0);
    assertEquals("data frames before the close are exactly the written ones",
        sent - unsent.size(), frames.size() - 1);
  }

  @Test public void aWriteThatBlocksPastTheWriteTimeoutFailsNamingIt() throws Exception {
    raw = new RawWebSocketServer(4 * KIB, (socket, in, out) -> {
      try {
        Thread.sleep(10_000); // Never reads.
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    client = client.newBuilder().socketFactory(new SmallSendBuffers())
        .writeTimeout(300, TimeUnit.MILLISECONDS).build();
    open(raw.url(), 64 * KIB);
    listener.expect("open");
    int sent = 0;
    while (sent < 100 && transport.send(Message.binary(ByteString.of(new byte[8 * KIB])))) sent++;
    listener.expect("failure SocketTimeoutException: write timed out: the socket took nothing for"
        + " 0.3 s (OkHttpClient writeTimeout); the server or the network stopped reading");
    assertTrue("some stayed unsent: " + transport.unsent().size(), transport.unsent().size() > 0);
  }

  @Test public void anErrorThrownOnTheReaderThreadBecomesOneFailure() throws Exception {
    List<String> uncaught = new CopyOnWriteArrayList<>();
    Thread.UncaughtExceptionHandler previous = Thread.getDefaultUncaughtExceptionHandler();
    Thread.setDefaultUncaughtExceptionHandler((t, e) -> uncaught.add(t.getName() + ": " + e));
    try {
      raw = new RawWebSocketServer(0, (socket, in, out) -> {
        RawWebSocketServer.header(out, 1, true, 2);
        out.writeUtf8("hi").flush();
        readFrame(in);
      });
      transport = (WebSocketTransport) WebSocketTransport.factory(client).open(
          new Transport.Request(raw.url(), Collections.<String, String>emptyMap(), 1024, KIB),
          new Transport.Listener() {
            @Override public void onOpen(Transport t) {}

            @Override public void onMessage(Transport t, Message message) {
              // As when an app brings a library version without a method Lifeline calls.
              throw new NoSuchMethodError("okio.ByteString.example()");
            }

            @Override public void onClosing(Transport t, int code, String reason) {
              listener.onClosing(t, code, reason);
            }

            @Override public void onClosed(Transport t, int code, String reason) {
              listener.onClosed(t, code, reason);
            }

            @Override public void onFailure(Transport t, Throwable error, int httpCode,
                long retryAfter) {
              listener.onFailure(t, error, httpCode, retryAfter);
            }
          });
      listener.expect("failure NoSuchMethodError: okio.ByteString.example()");
      listener.expectNothingFor(200);
      assertEquals(new java.util.ArrayList<String>(), uncaught);
    } finally {
      Thread.setDefaultUncaughtExceptionHandler(previous);
    }
  }

  @Test public void aServerThatDropsTheSocketFailsWithEof() throws Exception {
    raw = new RawWebSocketServer(0, (socket, in, out) -> socket.close());
    open(raw.url(), 64 * KIB);
    listener.expect("open");
    String failure = listener.next();
    assertTrue(failure, failure.startsWith("failure EOFException"));
  }

  // ---- wss://. ----

  @Test public void wssWorksWithoutOfferingCompression() throws Exception {
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
    open("wss://localhost:" + mock.getPort() + "/chat?room=1", 64 * KIB);
    listener.expect("open");
    assertEquals("open", transport.handshakeStep());
    assertTrue(transport.send(Message.text("hello")));
    listener.expect("message echo:hello");
    assertEquals(1, transport.settledCount());
    RecordedRequest upgrade = mock.takeRequest(5, TimeUnit.SECONDS);
    assertEquals("GET /chat?room=1 HTTP/1.1", upgrade.getRequestLine());
    assertEquals("localhost:" + mock.getPort(), upgrade.getHeader("Host"));
    assertEquals("websocket", upgrade.getHeader("Upgrade"));
    assertEquals("13", upgrade.getHeader("Sec-WebSocket-Version"));
    assertEquals(Handshake.USER_AGENT, upgrade.getHeader("User-Agent"));
    assertEquals(null, upgrade.getHeader("Sec-WebSocket-Extensions"));
  }

  /** Client sockets with a small send buffer: a server that does not read blocks writes soon. */
  static final class SmallSendBuffers extends SocketFactory {
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
