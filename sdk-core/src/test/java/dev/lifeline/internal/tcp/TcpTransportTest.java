package dev.lifeline.internal.tcp;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import dev.lifeline.ConnectionOptions;
import dev.lifeline.Message;
import dev.lifeline.internal.RecordingTransportListener;
import dev.lifeline.internal.Transport;
import dev.lifeline.testing.Await;
import dev.lifeline.testing.UnconnectedSocketFactory;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.OkHttpClient;
import okio.BufferedSource;
import okio.ByteString;
import okio.Okio;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * The TCP transport against a raw socket on 127.0.0.1 that the test writes byte by byte: framing
 * edge cases, the line limit, EOF, graceful close and cancel, and that the socket is closed and
 * the reader thread ends on every path.
 */
public final class TcpTransportTest {
  /** Small, so limit tests are cheap; the default (1 MiB) is covered by the options tests. */
  private static final long LIMIT = 16;
  /** How long "nothing arrives" is watched, so that a split write really is read in two parts. */
  private static final long QUIET_MILLIS = 100;

  private final OkHttpClient client = new OkHttpClient.Builder()
      .connectTimeout(2, TimeUnit.SECONDS)
      .build();
  private final RecordingTransportListener listener = new RecordingTransportListener();
  private ServerSocket server;
  /** The accepted connection, server side. */
  private Socket peer;
  private OutputStream toClient;
  private BufferedSource fromClient;
  private Transport transport;
  private String url;

  @Before public void setUp() throws IOException {
    server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
    server.setSoTimeout(5_000);
    url = "tcp://127.0.0.1:" + server.getLocalPort();
  }

  @After public void tearDown() throws Exception {
    if (transport != null) transport.cancel();
    if (peer != null) peer.close();
    server.close();
    Await.threadEnded(readerThread(), 5_000);
    client.dispatcher().executorService().shutdown();
  }

  private String readerThread() {
    return TcpTransport.READER_THREAD_PREFIX + url;
  }

  /** Opens the transport with line limit {@code maxLineLength} and accepts it. */
  private void connect(long maxLineLength) throws Exception {
    transport = new TcpTransport.Factory(client).open(
        new Transport.Request(url, Collections.<String, String>emptyMap(), maxLineLength),
        listener);
    peer = server.accept();
    peer.setSoTimeout(5_000);
    toClient = peer.getOutputStream();
    fromClient = Okio.buffer(Okio.source(peer));
    listener.expect("open");
  }

  private void write(String s) throws IOException {
    write(s.getBytes(StandardCharsets.UTF_8));
  }

  private void write(byte[] bytes) throws IOException {
    toClient.write(bytes);
    toClient.flush();
  }

  private static String repeat(char c, long n) {
    char[] chars = new char[(int) n];
    Arrays.fill(chars, c);
    return new String(chars);
  }

  /** The client closed its end: the server reads EOF (or a reset). */
  private void assertClientClosedSocket() throws IOException {
    InputStream in = peer.getInputStream();
    try {
      byte[] skip = new byte[8192];
      while (in.read(skip) != -1) {
        // Discard what the client wrote before closing.
      }
    } catch (SocketTimeoutException e) {
      throw new AssertionError("client did not close its socket within 5 s", e);
    } catch (IOException reset) {
      // A reset also proves the client end is gone.
    }
  }

  @Test public void severalLinesInOneRead() throws Exception {
    connect(LIMIT);
    write("one\ntwo\nthree\n");
    listener.expect("message one");
    listener.expect("message two");
    listener.expect("message three");
  }

  @Test public void lineSplitAcrossReads() throws Exception {
    connect(LIMIT);
    write("hel");
    listener.expectNothingFor(QUIET_MILLIS);
    write("lo\nwor");
    listener.expect("message hello");
    listener.expectNothingFor(QUIET_MILLIS);
    write("ld\n");
    listener.expect("message world");
  }

  @Test public void crlfAcceptedAndLoneCarriageReturnKept() throws Exception {
    connect(LIMIT);
    write("a\r\nb\nc\r\n");
    listener.expect("message a");
    listener.expect("message b");
    listener.expect("message c");
    write("x\ry\n");
    listener.expect("message x\ry");
    write("split\r"); // "\r\n" split across reads.
    listener.expectNothingFor(QUIET_MILLIS);
    write("\n");
    listener.expect("message split");
  }

  @Test public void emptyLinesAreEmptyMessages() throws Exception {
    connect(LIMIT);
    write("\n\r\n");
    listener.expect("message ");
    listener.expect("message ");
  }

  @Test public void lineExactlyAtLimitIsDelivered() throws Exception {
    connect(LIMIT);
    String atLimit = repeat('a', LIMIT);
    write(atLimit + "\n");
    listener.expect("message " + atLimit);
    String atLimitCrlf = repeat('b', LIMIT);
    write(atLimitCrlf + "\r\n"); // The terminator does not count.
    listener.expect("message " + atLimitCrlf);
    write("still open\n");
    listener.expect("message still open");
  }

  @Test public void lineOneByteOverLimitClosesConnection() throws Exception {
    connect(LIMIT);
    write("fine\n" + repeat('a', LIMIT + 1) + "\n");
    listener.expect("message fine");
    String failure = listener.next();
    assertTrue(failure, failure.startsWith("failure ProtocolException: inbound line exceeds the"
        + " maximum line length of 16 bytes (it has 17 bytes); raise"));
    assertTrue(failure, failure.contains("maxLineLength"));
    assertClientClosedSocket();
    Await.threadEnded(readerThread(), 5_000);
  }

  @Test public void lineOverLimitWithCrlfClosesConnection() throws Exception {
    connect(LIMIT);
    write(repeat('a', LIMIT + 1) + "\r\n");
    String failure = listener.next();
    // 17 bytes, then '\r' at index 17: no '\n' within 18 bytes, so no need to read further.
    assertTrue(failure, failure.startsWith("failure ProtocolException: inbound line exceeds the"
        + " maximum line length of 16 bytes (no '\\n' within the first 18 bytes)"));
  }

  @Test public void endlessLineFailsWithoutWaitingForNewline() throws Exception {
    long limit = 1024;
    connect(limit);
    try {
      for (int i = 0; i < 16; i++) write(repeat('x', 1024)); // 16 KiB, no '\n'.
    } catch (IOException clientAlreadyClosed) {
      // Expected once the client gave up on the line.
    }
    String failure = listener.next();
    assertTrue(failure, failure.startsWith("failure ProtocolException: inbound line exceeds the"
        + " maximum line length of 1024 bytes (no '\\n' within the first 1026 bytes)"));
    assertClientClosedSocket();
    Await.threadEnded(readerThread(), 5_000);
  }

  @Test public void multiByteUtf8SplitAcrossReads() throws Exception {
    String text = "h\u00e9llo \u20ac \uD83D\uDE00!"; // é (2 bytes), € (3), 😀 (4).
    byte[] bytes = (text + "\n").getBytes(StandardCharsets.UTF_8);
    connect(64);
    write(Arrays.copyOfRange(bytes, 0, 2)); // "h" and the first byte of "é".
    listener.expectNothingFor(QUIET_MILLIS);
    int inEmoji = bytes.length - 4; // Inside the 4-byte emoji.
    write(Arrays.copyOfRange(bytes, 2, inEmoji));
    listener.expectNothingFor(QUIET_MILLIS);
    write(Arrays.copyOfRange(bytes, inEmoji, bytes.length));
    listener.expect("message " + text);
  }

  @Test public void limitCountsUtf8BytesNotChars() throws Exception {
    String nineBytes = "\u00e9\u20ac\uD83D\uDE00"; // 2 + 3 + 4 bytes, 4 chars.
    connect(9);
    write(nineBytes + "\n");
    listener.expect("message " + nineBytes);
    write(nineBytes + "a\n");
    String failure = listener.next();
    assertTrue(failure, failure.contains("inbound line exceeds the maximum line length of 9 bytes"
        + " (it has 10 bytes)"));
  }

  @Test public void eofAtLineBoundaryReportsServerClosed() throws Exception {
    connect(LIMIT);
    write("last\n");
    peer.close();
    listener.expect("message last");
    listener.expect("failure EOFException: server closed the connection (EOF)");
    Await.threadEnded(readerThread(), 5_000);
  }

  @Test public void eofMidLineReportsDiscardedBytes() throws Exception {
    connect(LIMIT);
    write("whole\npartial");
    peer.shutdownOutput();
    listener.expect("message whole");
    listener.expect("failure EOFException: server closed the connection (EOF) in the middle of"
        + " a line: 7 bytes without a terminating '\\n' were discarded");
    assertClientClosedSocket();
    Await.threadEnded(readerThread(), 5_000);
  }

  @Test public void sendWritesOneUtf8LinePerMessage() throws Exception {
    connect(LIMIT);
    assertTrue(transport.send(Message.text("hello")));
    assertTrue(transport.send(Message.text("w\u00f6rld")));
    assertTrue(transport.send(Message.text("")));
    assertEquals("hello", fromClient.readUtf8LineStrict());
    assertEquals("w\u00f6rld", fromClient.readUtf8LineStrict());
    assertEquals("", fromClient.readUtf8LineStrict());
    Await.until("all lines written", 5_000, () -> transport.unsent().isEmpty());
  }

  @Test public void queuedLinesGoOutInBatchesOfOneFlushEach() throws Exception {
    // The socket's connect waits until every line is queued, so the first drain finds them all;
    // its output stream counts the writes that reach the socket (one per flush).
    CountDownLatch allQueued = new CountDownLatch(1);
    AtomicInteger socketWrites = new AtomicInteger();
    OkHttpClient counting = client.newBuilder()
        .socketFactory(new UnconnectedSocketFactory() {
          @Override public Socket createSocket() {
            return new Socket() {
              @Override public void connect(SocketAddress endpoint, int timeout)
                  throws IOException {
                try {
                  allQueued.await(5, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                  throw new InterruptedIOException();
                }
                super.connect(endpoint, timeout);
              }

              @Override public OutputStream getOutputStream() throws IOException {
                OutputStream real = super.getOutputStream();
                return new FilterOutputStream(real) {
                  @Override public void write(byte[] b, int off, int len) throws IOException {
                    socketWrites.incrementAndGet();
                    real.write(b, off, len);
                  }
                };
              }
            };
          }
        })
        .build();
    transport = new TcpTransport.Factory(counting).open(
        new Transport.Request(url, Collections.<String, String>emptyMap(), LIMIT), listener);
    int count = 1_000;
    long bytes = 0;
    for (int i = 0; i < count; i++) {
      String line = "line " + i;
      assertTrue(transport.send(Message.text(line)));
      bytes += line.length() + 1;
    }
    assertEquals("queued until connected", count, transport.unsent().size());
    allQueued.countDown();
    peer = server.accept();
    peer.setSoTimeout(5_000);
    fromClient = Okio.buffer(Okio.source(peer));
    listener.expect("open");
    for (int i = 0; i < count; i++) assertEquals("line " + i, fromClient.readUtf8LineStrict());
    Await.until("all lines flushed", 5_000, () -> transport.unsent().isEmpty());
    long batches = (bytes + TcpTransport.MAX_BATCH_BYTES - 1) / TcpTransport.MAX_BATCH_BYTES;
    assertTrue(socketWrites.get() + " socket writes for " + count + " lines (" + bytes
        + " bytes): expected one per batch of up to " + TcpTransport.MAX_BATCH_BYTES + " bytes",
        socketWrites.get() <= batches + 1);
  }

  @Test public void gracefulCloseFlushesPendingLinesThenClosesSocket() throws Exception {
    connect(LIMIT);
    for (int i = 0; i < 500; i++) assertTrue(transport.send(Message.text("line " + i)));
    transport.close(1000, "bye");
    assertFalse("no sends while closing", transport.send(Message.text("late")));
    for (int i = 0; i < 500; i++) assertEquals("line " + i, fromClient.readUtf8LineStrict());
    assertTrue("EOF after the last line", fromClient.exhausted());
    listener.expect("closed 1000 bye");
    assertTrue(transport.unsent().isEmpty());
    Await.threadEnded(readerThread(), 5_000);
    listener.expectNothingFor(QUIET_MILLIS);
  }

  @Test public void unsentHoldsExactlyTheLinesNotYetWrittenAfterCancel() throws Exception {
    // Small socket buffers on both ends and a server that does not read: the writer blocks.
    server.close();
    server = new ServerSocket();
    server.setReceiveBufferSize(16 * 1024);
    server.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
    server.setSoTimeout(5_000);
    url = "tcp://127.0.0.1:" + server.getLocalPort();
    OkHttpClient smallBuffers = client.newBuilder()
        .socketFactory(new UnconnectedSocketFactory() {
          @Override public Socket createSocket() throws IOException {
            Socket s = new Socket();
            s.setSendBufferSize(16 * 1024);
            return s;
          }

        })
        .build();
    transport = new TcpTransport.Factory(smallBuffers).open(
        new Transport.Request(url, Collections.<String, String>emptyMap(), LIMIT), listener);
    peer = server.accept();
    fromClient = Okio.buffer(Okio.source(peer));
    listener.expect("open");

    int count = 100;
    String padding = repeat('x', 20_000); // 2 MB in all: far beyond the socket buffers.
    for (int i = 0; i < count; i++) assertTrue(transport.send(Message.text(i + ":" + padding)));
    Await.until("some lines written", 5_000, () -> transport.unsent().size() < count);
    transport.cancel();
    List<Message> unsent = transport.unsent();

    // What the server got: complete lines, then possibly part of one.
    List<String> received = new ArrayList<>();
    try {
      long newline;
      while ((newline = fromClient.indexOf((byte) '\n')) != -1) {
        received.add(fromClient.readUtf8(newline));
        fromClient.skip(1);
      }
    } catch (IOException reset) {
      // Whatever arrived before the reset was read.
    }
    assertFalse("the writer was blocked: lines remain unsent", unsent.isEmpty());
    int firstUnsent = Integer.parseInt(unsent.get(0).text().split(":")[0]);
    for (int i = 0; i < unsent.size(); i++) {
      assertEquals("unsent is the tail, in order", (firstUnsent + i) + ":" + padding,
          unsent.get(i).text());
    }
    assertEquals("the tail ends with the last message", count, firstUnsent + unsent.size());
    // Nothing lost: every line before the tail arrived whole (the tail's first may also have).
    assertTrue(received.size() + " received, first unsent " + firstUnsent,
        received.size() == firstUnsent || received.size() == firstUnsent + 1);
    for (int i = 0; i < received.size(); i++) assertEquals(i + ":" + padding, received.get(i));
    listener.expectNothingFor(QUIET_MILLIS);
  }

  @Test public void cancelClosesSocketWithoutCallback() throws Exception {
    connect(LIMIT);
    transport.cancel();
    assertTrue(fromClient.exhausted());
    Await.threadEnded(readerThread(), 5_000);
    listener.expectNothingFor(QUIET_MILLIS);
    assertFalse(transport.send(Message.text("after cancel")));
  }

  @Test public void textWithNewlineFailsConnectionInsteadOfSplitting() throws Exception {
    connect(LIMIT);
    assertFalse(transport.send(Message.text("two\nlines")));
    String failure = listener.next();
    assertTrue(failure, failure.startsWith("failure IllegalArgumentException: cannot send text"
        + " \"two\nlines\" on " + url + ": it contains '\\n' at index 3, which would split it"
        + " into two messages"));
    assertTrue("nothing was written", fromClient.exhausted());
    Await.threadEnded(readerThread(), 5_000);
  }

  @Test public void binaryMessageFailsConnection() throws Exception {
    connect(LIMIT);
    assertFalse(transport.send(Message.binary(ByteString.of((byte) 1, (byte) 2))));
    String failure = listener.next();
    assertTrue(failure, failure.startsWith("failure IllegalArgumentException: cannot send binary"
        + " (2 bytes) on " + url + ": newline-framed TCP carries UTF-8 text lines only"));
    assertTrue(fromClient.exhausted());
  }

  @Test public void connectRefusedIsAFailure() throws Exception {
    server.close();
    transport = new TcpTransport.Factory(client).open(
        new Transport.Request(url, Collections.<String, String>emptyMap(),
            ConnectionOptions.DEFAULT_MAX_LINE_LENGTH), listener);
    String failure = listener.next();
    assertTrue(failure, failure.startsWith("failure ConnectException"));
    Await.threadEnded(readerThread(), 5_000);
  }

  @Test public void closeBeforeConnectedReportsClosed() throws Exception {
    // The server never accepts: the connect completes in the backlog, or not at all; either way
    // close() must report onClosed once and release the socket and thread.
    transport = new TcpTransport.Factory(client).open(
        new Transport.Request(url, Collections.<String, String>emptyMap(), LIMIT), listener);
    transport.close(1000, "changed my mind");
    String first = listener.next();
    if (first.equals("open")) first = listener.next(); // Raced: opened before close() ran.
    assertEquals("closed 1000 changed my mind", first);
    Await.threadEnded(readerThread(), 5_000);
    listener.expectNothingFor(QUIET_MILLIS);
  }

  @Test public void connectUsesTheClientsSocketFactoryAndConnectTimeout() throws Exception {
    final AtomicInteger timeoutUsed = new AtomicInteger(-1);
    // On Android the app's socket factory is what binds a socket to a network: it must be used.
    OkHttpClient custom = client.newBuilder()
        .connectTimeout(1234, TimeUnit.MILLISECONDS)
        .socketFactory(new UnconnectedSocketFactory() {
          @Override public Socket createSocket() {
            return new Socket() {
              @Override public void connect(SocketAddress endpoint, int timeout) throws IOException {
                timeoutUsed.set(timeout);
                super.connect(endpoint, timeout);
              }
            };
          }

        })
        .build();
    transport = new TcpTransport.Factory(custom).open(
        new Transport.Request(url, Collections.<String, String>emptyMap(), LIMIT), listener);
    peer = server.accept();
    listener.expect("open");
    assertEquals(1234, timeoutUsed.get());
  }

  @Test public void tlsHandshakeBoundedByConnectTimeout() throws Exception {
    // A server that accepts TCP but never answers the TLS ClientHello.
    url = "tcp+tls://127.0.0.1:" + server.getLocalPort();
    OkHttpClient impatient = client.newBuilder().connectTimeout(300, TimeUnit.MILLISECONDS).build();
    long start = System.nanoTime();
    transport = new TcpTransport.Factory(impatient).open(
        new Transport.Request(url, Collections.<String, String>emptyMap(), LIMIT), listener);
    peer = server.accept();
    String failure = listener.next();
    long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertTrue(failure, failure.startsWith("failure SocketTimeoutException"));
    assertTrue("failed after " + tookMillis + " ms", tookMillis >= 250);
    assertClientClosedSocket();
    Await.threadEnded(readerThread(), 5_000);
  }

  @Test public void pongCountNotObservable() throws Exception {
    connect(LIMIT);
    assertEquals(-1, transport.answeredPing());
  }
}
