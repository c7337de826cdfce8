package dev.lifeline.sample;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/** The demo server's TCP text side: one message per line, same idle rule as WebSocket. */
public final class TcpTextEndpointTest {
  private DemoServer server;

  @Before public void setUp() throws Exception {
    server = new DemoServer(new DemoServer.Config(500, 50, 0), DemoServer.Protocol.TCP_TEXT,
        new Timeline(new PrintStream(new ByteArrayOutputStream(), true)));
    server.start();
  }

  @After public void tearDown() {
    server.close();
  }

  @Test(timeout = 10_000)
  public void echoesLinesIgnoresHeartbeatsAndClosesWhenSilent() throws Exception {
    assertTrue(server.url().startsWith("tcp://127.0.0.1:"));
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
      s.setSoTimeout(5_000);
      OutputStream out = s.getOutputStream();
      BufferedReader in = new BufferedReader(
          new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
      out.write(("hello\n" + DemoServer.CLIENT_HEARTBEAT + "\nsecond\n")
          .getBytes(StandardCharsets.UTF_8));
      out.flush();
      assertEquals("hello", in.readLine());
      assertEquals("second", in.readLine());
      // Then silence: the idle scan closes the socket.
      assertNull(in.readLine());
      assertEquals(1, server.idleClosed.get());
      assertEquals(1, server.heartbeatsReceived.get());
    }
  }
}
