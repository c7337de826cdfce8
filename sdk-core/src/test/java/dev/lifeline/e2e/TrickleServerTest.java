package dev.lifeline.e2e;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import dev.lifeline.testing.Await;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.Test;

/** The trickling test server itself: pace, the bytes and no more, and a bounded close. */
public final class TrickleServerTest {
  private static final long INTERVAL_MILLIS = 50;

  private static Socket connect(TrickleServer server) throws IOException {
    Socket client = new Socket("127.0.0.1", server.port());
    client.setSoTimeout(5_000);
    return client;
  }

  @Test public void sendsTheBytesOneByOneAndNothingMore() throws Exception {
    byte[] bytes = "abc".getBytes(StandardCharsets.US_ASCII);
    try (TrickleServer server = new TrickleServer(bytes, INTERVAL_MILLIS)) {
      long start = System.nanoTime(); // Before the first byte can be sent.
      try (Socket client = connect(server)) {
        client.getOutputStream().write("whatever the client says is discarded\n".getBytes(
            StandardCharsets.US_ASCII));
        InputStream in = client.getInputStream();
        for (byte b : bytes) assertEquals(b, in.read());
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue("3 bytes in " + tookMillis + " ms", tookMillis >= 2 * INTERVAL_MILLIS);
        client.setSoTimeout((int) (4 * INTERVAL_MILLIS));
        try {
          int extra = in.read();
          fail("read " + extra + " after the last byte");
        } catch (SocketTimeoutException expected) {
          // Silent after the last byte, the connection still open.
        }
      }
      assertEquals(1, server.accepted());
    }
  }

  // The explicit close() inside the try is what the test measures; the try only backs it up.
  @SuppressWarnings("try")
  @Test public void closeEndsConnectionsAndThreadsWithoutWaitingForTheNextByte() throws Exception {
    try (TrickleServer server = new TrickleServer(new byte[] {1, 2, 3}, 60_000);
        Socket client = connect(server)) {
      assertEquals(1, client.getInputStream().read());
      String writer = "TrickleServer " + server.port() + " writer";
      assertTrue(Await.threadAlive(writer));
      long start = System.nanoTime();
      server.close();
      long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      assertTrue("close took " + tookMillis + " ms", tookMillis < 5_000);
      assertFalse(Await.threadAlive(writer));
      assertFalse(Await.threadAlive("TrickleServer " + server.port() + " reader"));
      assertFalse(Await.threadAlive("TrickleServer " + server.port() + " accept"));
      try {
        assertEquals("EOF once the server closed", -1, client.getInputStream().read());
      } catch (IOException reset) {
        // A reset also shows the server end is gone.
      }
    }
  }

  @Test public void readyMadeSequencesStartAHandshakeThatNeverCompletes() {
    String http = new String(TrickleServer.httpUpgradeResponse(), StandardCharsets.US_ASCII);
    assertTrue(http.startsWith("HTTP/1.1 101 Switching Protocols\r\nX-Trickle: aaa"));
    assertFalse("the headers never end", http.contains("\r\n\r\n"));
    assertEquals("one line end: the status line's", http.indexOf("\r\n"), http.lastIndexOf("\r\n"));

    byte[] tls = TrickleServer.tlsServerHelloStart();
    assertArrayEquals("handshake record, TLS 1.2, 16 KiB; ServerHello",
        new byte[] {0x16, 0x03, 0x03, 0x40, 0x00, 0x02}, Arrays.copyOf(tls, 6));
    assertTrue("far less than the record announces", tls.length < 0x4000);
  }
}
