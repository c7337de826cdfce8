package dev.lifeline.sample;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/** {@code --url}: the same timeline against a server the sample did not script. */
public final class ExternalClientTest {
  private DemoServer server;

  @Before public void setUp() throws Exception {
    Timeline serverLog = new Timeline(new PrintStream(new ByteArrayOutputStream(), true));
    server = new DemoServer(new DemoServer.Config(5_000, 100, 200),
        DemoServer.Protocol.WEBSOCKET, serverLog);
    server.start();
  }

  @After public void tearDown() {
    server.close();
  }

  @Test(timeout = 20_000)
  public void connectsSendsHeartbeatsAndEndsAfterTheDuration() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = Main.run(new String[] {"--url", server.url(), "--heartbeat", "300ms",
            "--server-timeout", "2s", "--duration", "1.5s"},
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    String text = out.toString(StandardCharsets.UTF_8);
    assertEquals(text + err, Main.EXIT_OK, code);
    assertTrue(text, text.contains("client   CONNECTED"));
    assertTrue(text, text.contains("heartbeat sent {\"type\":\"ping\"}"));
    assertTrue(text, text.contains("closing gracefully"));
    assertTrue(text, text.contains("CLOSED: closed by the app"));
    assertTrue("server heartbeats shown as messages: " + text,
        text.contains("<- \"" + DemoServer.SERVER_HEARTBEAT + "\""));
    assertTrue(text, text.contains("=== Summary ==="));
    assertTrue("the server saw the heartbeats", server.heartbeatsReceived.get() > 0);
  }

  @Test(timeout = 20_000)
  public void linesFromStandardInputAreSentAndEchoed() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int code = Main.run(new String[] {"--url", server.url(), "--duration", "1.5s"},
        new java.io.ByteArrayInputStream("hello\n\nworld\n".getBytes(StandardCharsets.UTF_8)),
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    String text = out.toString(StandardCharsets.UTF_8);
    assertEquals(text, Main.EXIT_OK, code);
    assertTrue(text, text.contains("-> \"hello\""));
    assertTrue(text, text.contains("-> \"world\""));
    assertTrue(text, text.contains("<- echo \"hello\""));
    assertTrue(text, text.contains("<- echo \"world\""));
  }

  @Test(timeout = 20_000)
  public void absentServerEndsWithExitOneAndSaysItNeverConnected() throws Exception {
    int port;
    try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = free.getLocalPort(); // Closed again: connecting there is refused.
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int code = Main.run(new String[] {"--url", "ws://127.0.0.1:" + port + "/", "--duration", "1s"},
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    String text = out.toString(StandardCharsets.UTF_8);
    assertEquals(text, Main.EXIT_FAILED, code);
    assertTrue(text, text.contains("result          FAILED: never connected in 1"));
    assertTrue(text, text.contains("(last: connect failed: connection refused by 127.0.0.1:" + port));
  }

  @Test(timeout = 20_000)
  public void handshakeRefusedForGoodEndsWithExitOne() throws Exception {
    // A server that answers every request with 403: Lifeline stops at once (no credentials).
    try (ServerSocket forbidding = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
      Thread t = new Thread(() -> {
        while (!forbidding.isClosed()) {
          try (Socket s = forbidding.accept()) {
            s.getOutputStream().write(("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n"
                + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
          } catch (IOException closed) {
            return;
          }
        }
      }, "forbidding server");
      t.setDaemon(true);
      t.start();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      long started = System.nanoTime();
      int code = Main.run(new String[] {"--url",
              "ws://127.0.0.1:" + forbidding.getLocalPort() + "/chat", "--duration", "15s"},
          new PrintStream(out, true, StandardCharsets.UTF_8),
          new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
      String text = out.toString(StandardCharsets.UTF_8);
      assertEquals(text, Main.EXIT_FAILED, code);
      assertTrue(text, text.contains("CLOSED: HTTP 403"));
      assertTrue("ended without waiting for the duration",
          System.nanoTime() - started < 10_000_000_000L);
    }
  }
}
