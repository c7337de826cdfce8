package dev.lifeline.sample;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/** The proxy really goes silent: no bytes and no close pass, and both sockets stay open. */
public final class FlakyNetworkTest {
  private ServerSocket echo;
  private FlakyNetwork network;

  @Before public void setUp() throws IOException {
    echo = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
    Thread t = new Thread(() -> {
      while (!echo.isClosed()) {
        try {
          Socket s = echo.accept();
          Thread pump = new Thread(() -> {
            try (s) {
              s.getInputStream().transferTo(s.getOutputStream());
            } catch (IOException ignored) {
              // Done.
            }
          });
          pump.setDaemon(true);
          pump.start();
        } catch (IOException closed) {
          return;
        }
      }
    });
    t.setDaemon(true);
    t.start();
    network = new FlakyNetwork(echo.getLocalPort(),
        new Timeline(new PrintStream(new ByteArrayOutputStream(), true)));
  }

  @After public void tearDown() throws IOException {
    network.close();
    echo.close();
  }

  private Socket connect() throws IOException {
    Socket s = new Socket(InetAddress.getLoopbackAddress(), network.port());
    s.setSoTimeout(2_000);
    return s;
  }

  private static void roundTrip(Socket s, int b) throws IOException {
    s.getOutputStream().write(b);
    assertEquals(b, s.getInputStream().read());
  }

  @Test(timeout = 15_000)
  public void zombifiedConnectionSwallowsEverythingAndStaysOpen() throws Exception {
    try (Socket zombie = connect()) {
      roundTrip(zombie, 1);
      network.zombify();
      OutputStream out = zombie.getOutputStream();
      InputStream in = zombie.getInputStream();
      out.write(2); // Accepted by the socket, as on a real half-open connection.
      out.flush();
      zombie.setSoTimeout(300);
      try {
        int got = in.read();
        throw new AssertionError("expected silence, read " + got);
      } catch (SocketTimeoutException expected) {
        // Silence: neither data nor an end of stream.
      }
      assertTrue(Poll.until(() -> network.droppedBytes.get() >= 1, 2_000));
      try (Socket fresh = connect()) {
        roundTrip(fresh, 3); // New connections are unaffected.
      }
    }
  }

  @Test(timeout = 15_000)
  public void networkDownRefusesNewConnectionsUntilItIsUp() throws Exception {
    network.down();
    assertRefused();
    network.up();
    try (Socket fine = connect()) {
      roundTrip(fine, 4);
    }
  }

  /** A stopped server behind the proxy looks like a stopped server: connection refused. */
  @Test(timeout = 15_000)
  public void stoppedServerRefusesLikeWithoutTheProxy() throws Exception {
    network.serverStopped();
    assertRefused();
    network.serverStarted();
    try (Socket fine = connect()) {
      roundTrip(fine, 5);
    }
  }

  private void assertRefused() throws IOException {
    try {
      connect().close();
      throw new AssertionError("connection to port " + network.port() + " was accepted");
    } catch (ConnectException expected) {
      // Refused.
    }
  }
}
