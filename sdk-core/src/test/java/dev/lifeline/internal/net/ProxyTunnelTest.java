package dev.lifeline.internal.net;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import dev.lifeline.testing.Stopping;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * The CONNECT exchange on its own, against a scripted proxy on 127.0.0.1: the request it writes,
 * the answer head it reads (and not one byte more), and the bounds.
 */
public final class ProxyTunnelTest {
  private ServerSocket server;
  private Socket client;
  private Socket proxySide;

  @Before public void setUp() throws IOException {
    server = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"));
    server.setSoTimeout(5_000);
    client = new Socket(server.getInetAddress(), server.getLocalPort());
    proxySide = server.accept();
    proxySide.setSoTimeout(5_000);
  }

  @After public void tearDown() {
    Stopping.closeQuietly(client);
    Stopping.closeQuietly(proxySide);
    Stopping.closeQuietly(server);
  }

  /** The proxy's answer, written in one go before the client asks (the bytes wait in the socket). */
  private void proxyAnswers(String bytes) throws IOException {
    proxySide.getOutputStream().write(bytes.getBytes(StandardCharsets.UTF_8));
    proxySide.getOutputStream().flush();
  }

  /** What the client wrote, up to its blank line. */
  private String requestHead() throws IOException {
    InputStream in = proxySide.getInputStream();
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b == -1) throw new IOException("EOF");
      head.append((char) b);
    }
    return head.toString();
  }

  @Test public void theRequestAndAnAnswerThatLeavesTheTunnelsFirstBytesUnread() throws Exception {
    proxyAnswers("HTTP/1.1 200 Connection established\r\n\r\nhello from the server\n");
    ProxyTunnel.Answer answer =
        ProxyTunnel.exchange(client, "127.0.0.1:3128", "example.com:443", null, 5_000);
    assertEquals(200, answer.code);
    assertEquals("HTTP/1.1 200 Connection established", answer.statusLine);
    assertEquals("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n"
        + "Proxy-Connection: Keep-Alive\r\n\r\n", requestHead());
    byte[] rest = new byte["hello from the server\n".length()];
    int n = 0;
    while (n < rest.length) n += client.getInputStream().read(rest, n, rest.length - n);
    assertEquals("hello from the server\n", new String(rest, StandardCharsets.UTF_8));
    assertEquals("reads block again after the head", 0, client.getSoTimeout());
  }

  @Test public void a407CarriesItsChallengeAndTheRetryCarriesTheAuthorization() throws Exception {
    proxyAnswers("HTTP/1.0 407 Proxy Authentication Required\n"
        + "Proxy-Authenticate: Basic realm=\"corp\"\n\n");
    ProxyTunnel.Answer answer =
        ProxyTunnel.exchange(client, "127.0.0.1:3128", "[::1]:443", "Basic dXNlcjpwdw==", 5_000);
    assertEquals(407, answer.code);
    assertEquals("Proxy Authentication Required", answer.message);
    assertEquals("Basic realm=\"corp\"", answer.headers.get("Proxy-Authenticate"));
    assertTrue(requestHead().contains("\r\nProxy-Authorization: Basic dXNlcjpwdw==\r\n"));
  }

  @Test public void anAnswerThatIsNotHttpIsNamed() throws Exception {
    proxyAnswers("SSH-2.0-OpenSSH_9.6\r\n\r\n");
    try {
      ProxyTunnel.exchange(client, "127.0.0.1:3128", "example.com:443", null, 5_000);
      fail();
    } catch (IOException expected) {
      assertEquals("proxy 127.0.0.1:3128 answered CONNECT example.com:443 with something other"
          + " than HTTP: SSH-2.0-OpenSSH_9.6", expected.getMessage());
    }
  }

  @Test public void eofBeforeTheHeadEndsIsNamed() throws Exception {
    proxyAnswers("HTTP/1.1 200 OK\r\n");
    proxySide.shutdownOutput();
    try {
      ProxyTunnel.exchange(client, "127.0.0.1:3128", "example.com:443", null, 5_000);
      fail();
    } catch (IOException expected) {
      assertEquals("proxy 127.0.0.1:3128 closed the connection before answering CONNECT"
          + " example.com:443 (after 17 bytes of its answer)", expected.getMessage());
    }
  }

  @Test public void aHeadLongerThanTheBoundIsRefused() throws Exception {
    StringBuilder answer = new StringBuilder("HTTP/1.1 200 OK\r\n");
    while (answer.length() <= ProxyTunnel.MAX_HEAD_BYTES) answer.append("X-Filler: 0123456789\r\n");
    proxyAnswers(answer.toString());
    try {
      ProxyTunnel.exchange(client, "127.0.0.1:3128", "example.com:443", null, 5_000);
      fail();
    } catch (IOException expected) {
      assertEquals("proxy 127.0.0.1:3128 answered CONNECT example.com:443 with a head longer"
          + " than 8192 bytes", expected.getMessage());
    }
  }
}
