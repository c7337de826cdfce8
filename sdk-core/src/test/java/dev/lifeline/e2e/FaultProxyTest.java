package dev.lifeline.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import dev.lifeline.testing.Await;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/** Each fault of {@link FaultProxy}, seen by a raw client and an echo server on 127.0.0.1. */
public final class FaultProxyTest {
  private ServerSocket echo;
  private Thread echoThread;
  private FaultProxy proxy;

  @Before public void setUp() throws IOException {
    echo = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
    echoThread = new Thread(() -> {
      while (true) {
        try {
          Socket s = echo.accept();
          Thread t = new Thread(() -> echoLoop(s), "echo connection");
          t.setDaemon(true);
          t.start();
        } catch (IOException closed) {
          return;
        }
      }
    }, "echo accept");
    echoThread.setDaemon(true);
    echoThread.start();
    proxy = new FaultProxy(new InetSocketAddress("127.0.0.1", echo.getLocalPort()));
  }

  private static void echoLoop(Socket s) {
    byte[] b = new byte[1024];
    try (Socket socket = s) {
      InputStream in = socket.getInputStream();
      OutputStream out = socket.getOutputStream();
      int n;
      while ((n = in.read(b)) != -1) out.write(b, 0, n);
    } catch (IOException ignored) {
      // Reset by the proxy.
    }
  }

  @After public void tearDown() throws Exception {
    proxy.close();
    echo.close();
    echoThread.join(5_000);
    Await.until("no proxy thread left", 5_000, () -> {
      for (Thread t : Thread.getAllStackTraces().keySet()) {
        if (t.getName().startsWith("FaultProxy " + proxy.port())) return false;
      }
      return true;
    });
  }

  private Socket client() throws IOException {
    Socket s = new Socket("127.0.0.1", proxy.port());
    s.setSoTimeout(3_000);
    return s;
  }

  /** Sends one byte and returns the echoed byte, or -1 if nothing came within {@code millis}. */
  private static int roundTrip(Socket s, int b, int millis) throws IOException {
    s.setSoTimeout(millis);
    s.getOutputStream().write(b);
    s.getOutputStream().flush();
    try {
      return s.getInputStream().read();
    } catch (SocketTimeoutException e) {
      return -1;
    }
  }

  @Test public void passForwardsBothWays() throws IOException {
    try (Socket s = client()) {
      assertEquals('a', roundTrip(s, 'a', 3_000));
    }
  }

  @Test public void latencyDelaysEachChunk() throws IOException {
    try (Socket s = client()) {
      assertEquals('a', roundTrip(s, 'a', 3_000));
      proxy.latency(150);
      long start = System.nanoTime();
      assertEquals('b', roundTrip(s, 'b', 3_000));
      long millis = (System.nanoTime() - start) / 1_000_000;
      assertTrue("round trip took " + millis + " ms", millis >= 300); // 150 ms each way.
    }
  }

  @Test public void pauseHoldsTrafficAndResumeDeliversIt() throws IOException {
    try (Socket s = client()) {
      assertEquals('a', roundTrip(s, 'a', 3_000));
      proxy.pause();
      assertEquals(-1, roundTrip(s, 'b', 300));
      proxy.pass();
      s.setSoTimeout(3_000);
      assertEquals('b', s.getInputStream().read());
    }
  }

  @Test public void blackholeMakesLiveConnectionsZombiesForGoodAndPassesNewOnesAfter() throws IOException {
    try (Socket s = client()) {
      assertEquals('a', roundTrip(s, 'a', 3_000));
      proxy.blackhole();
      assertEquals(-1, roundTrip(s, 'b', 300));
      try (Socket during = client()) {
        assertEquals(-1, roundTrip(during, 'c', 300));
      }
      proxy.pass();
      assertEquals(-1, roundTrip(s, 'd', 300)); // A zombie for good: no stream with a gap.
      try (Socket after = client()) {
        assertEquals('e', roundTrip(after, 'e', 3_000));
      }
    }
  }

  @Test public void resetAbortsLiveConnections() throws Exception {
    try (Socket s = client()) {
      assertEquals('a', roundTrip(s, 'a', 3_000));
      proxy.reset();
      Await.until("no live connection", 3_000, () -> proxy.liveConnections() == 0);
      try {
        int r = s.getInputStream().read();
        fail("read " + r + " after a reset");
      } catch (SocketException expected) {
        assertTrue(expected.getMessage(), expected.getMessage().contains("reset"));
      }
    }
  }

  @Test public void closeConnectionsSendsAFin() throws IOException {
    try (Socket s = client()) {
      assertEquals('a', roundTrip(s, 'a', 3_000));
      proxy.closeConnections();
      assertEquals(-1, s.getInputStream().read()); // EOF, not a reset.
    }
  }

  @Test public void refuseResetsNewConnectionsAndKeepsLiveOnes() throws IOException {
    try (Socket live = client()) {
      assertEquals('a', roundTrip(live, 'a', 3_000));
      proxy.refuse();
      try (Socket refused = client()) {
        refused.getInputStream().read();
        fail("a refused connection stayed open");
      } catch (SocketException expected) {
        // Reset at accept.
      }
      assertEquals('b', roundTrip(live, 'b', 3_000));
      proxy.pass();
      try (Socket again = client()) {
        assertEquals('c', roundTrip(again, 'c', 3_000));
      }
      assertFalse(proxy.mode() == FaultProxy.Mode.REFUSE);
    }
  }
}
