package dev.lifeline.internal.ws;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import dev.lifeline.e2e.RawHttpServer;
import dev.lifeline.internal.RecordingTransportListener;
import dev.lifeline.internal.Transport;
import dev.lifeline.testing.Await;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import org.junit.After;
import org.junit.Test;

/**
 * The HTTP/1.1 upgrade against servers that answer on purpose in ways a valid upgrade must not:
 * each attempt fails with a reason that says what was expected and what came.
 */
public final class HandshakeTest {
  private final RecordingTransportListener listener = new RecordingTransportListener();
  private OkHttpClient client = new OkHttpClient.Builder()
      .connectTimeout(5, TimeUnit.SECONDS)
      .readTimeout(5, TimeUnit.SECONDS)
      .build();
  /** The request heads the server read. */
  private final List<String> requests = new CopyOnWriteArrayList<>();
  private RawHttpServer server;
  private Transport transport;

  @After public void tearDown() throws IOException {
    if (transport != null) transport.cancel();
    if (server != null) server.close();
    client.dispatcher().executorService().shutdown();
  }

  /** Serves {@code answer(requestHead)} to every connection, then holds the socket open. */
  private interface Answer {
    String to(String requestHead) throws Exception;
  }

  private void serve(Answer answer) throws IOException {
    server = new RawHttpServer((index, socket, head) -> {
      requests.add(head);
      OutputStream out = socket.getOutputStream();
      out.write(answer.to(head).getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      socket.getInputStream().read(); // Until the client closes.
    });
  }

  private void open(String path, Map<String, String> headers) {
    transport = WebSocketTransport.factory(client).open(new Transport.Request(
        "ws://127.0.0.1:" + server.port() + path, headers, 1024, 64 * 1024), listener);
  }

  private void open() {
    open("/socket", new LinkedHashMap<String, String>());
  }

  /** A valid 101 for {@code head} with {@code extraHeaders} ("Name: value\r\n"...) added. */
  private static String upgrade(String head, String extraHeaders) throws Exception {
    String valid = new String(RawHttpServer.upgradeResponse(head), StandardCharsets.ISO_8859_1);
    return valid.substring(0, valid.length() - 2) + extraHeaders + "\r\n";
  }

  private static String key(String head) {
    for (String line : head.split("\r\n")) {
      if (line.toLowerCase().startsWith("sec-websocket-key:")) return line.substring(18).trim();
    }
    throw new AssertionError("no key in " + head);
  }

  @Test public void theRequestCarriesPathQueryAndHeadersButNoExtensions() throws Exception {
    serve(head -> upgrade(head, ""));
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Authorization", "Bearer s3cret");
    open("/chat/room?token=abc&v=2", headers);
    listener.expect("open");
    String head = requests.get(0);
    assertTrue(head, head.startsWith("GET /chat/room?token=abc&v=2 HTTP/1.1\r\n"));
    assertTrue(head, head.contains("\r\nHost: 127.0.0.1:" + server.port() + "\r\n"));
    assertTrue(head, head.contains("\r\nUpgrade: websocket\r\n"));
    assertTrue(head, head.contains("\r\nConnection: Upgrade\r\n"));
    assertTrue(head, head.contains("\r\nSec-WebSocket-Version: 13\r\n"));
    assertTrue(head, head.contains("\r\nUser-Agent: " + Handshake.USER_AGENT + "\r\n"));
    assertTrue(head, head.contains("\r\nAuthorization: Bearer s3cret\r\n"));
    assertEquals(16, okio.ByteString.decodeBase64(key(head)).size());
    assertFalse(head, head.toLowerCase().contains("sec-websocket-extensions"));
    assertFalse(head, head.contains("okhttp"));
  }

  @Test public void aClientWithoutCleartextRefusesWsBeforeConnecting() throws Exception {
    serve(head -> upgrade(head, ""));
    client = client.newBuilder()
        .connectionSpecs(java.util.Collections.singletonList(okhttp3.ConnectionSpec.MODERN_TLS))
        .build();
    open("/socket?token=s3cret", new LinkedHashMap<String, String>());
    listener.expect("failure UnknownServiceException: cannot connect to ws://127.0.0.1:"
        + server.port() + "/socket?token=██: CLEARTEXT communication not enabled for client (its"
        + " connection specs have no ConnectionSpec.CLEARTEXT); use wss:// or add it");
    assertEquals(0, server.accepted.get());
  }

  @Test public void theClientsCookieJarIsSentAsOkHttpsOwnCallsSendIt() throws Exception {
    serve(head -> upgrade(head, ""));
    client = client.newBuilder().cookieJar(new okhttp3.CookieJar() {
      @Override public void saveFromResponse(okhttp3.HttpUrl url, List<okhttp3.Cookie> cookies) {}

      @Override public List<okhttp3.Cookie> loadForRequest(okhttp3.HttpUrl url) {
        return java.util.Arrays.asList(
            new okhttp3.Cookie.Builder().domain(url.host()).name("session").value("abc").build(),
            new okhttp3.Cookie.Builder().domain(url.host()).name("theme").value("dark").build());
      }
    }).build();
    open();
    listener.expect("open");
    String head = requests.get(0);
    assertTrue(head, head.contains("\r\nCookie: session=abc; theme=dark\r\n"));
  }

  @Test public void aWrongAcceptKeyFailsSayingWhatWasExpected() throws Exception {
    serve(head -> "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
        + "Connection: Upgrade\r\nSec-WebSocket-Accept: bm90IHRoZSBrZXk=\r\n\r\n");
    open();
    String expected = WebSocketProtocol.acceptHeader(key(awaitRequest()));
    listener.expect("failure ProtocolException: the server's 101 response is not a valid"
        + " WebSocket upgrade: Sec-WebSocket-Accept was 'bm90IHRoZSBrZXk=', expected '"
        + expected + "'");
  }

  @Test public void anExtensionInThe101FailsTheUpgrade() throws Exception {
    serve(head -> upgrade(head, "Sec-WebSocket-Extensions: permessage-deflate\r\n"));
    open();
    listener.expect("failure ProtocolException: the server's 101 response is not a valid"
        + " WebSocket upgrade: Sec-WebSocket-Extensions was 'permessage-deflate', expected none"
        + " (Lifeline offered no extension)");
  }

  @Test public void anUnrequestedSubprotocolFailsTheUpgrade() throws Exception {
    serve(head -> upgrade(head, "Sec-WebSocket-Protocol: chat\r\n"));
    open();
    listener.expect("failure ProtocolException: the server's 101 response is not a valid"
        + " WebSocket upgrade: Sec-WebSocket-Protocol was 'chat', expected none (none was"
        + " offered)");
  }

  @Test public void anUnofferedSubprotocolFailsWithoutShowingEitherValue() throws Exception {
    serve(head -> upgrade(head, "Sec-WebSocket-Protocol: token.s3cret2\r\n"));
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Sec-WebSocket-Protocol", "chat, token.s3cret");
    open("/socket", headers);
    listener.expect("failure ProtocolException: the server's 101 response is not a valid"
        + " WebSocket upgrade: Sec-WebSocket-Protocol was a value the request did not offer,"
        + " expected one of the offered subprotocols (values not shown)");
  }

  @Test public void anOfferedSubprotocolIsAccepted() throws Exception {
    serve(head -> upgrade(head, "Sec-WebSocket-Protocol: chat\r\n"));
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Sec-WebSocket-Protocol", "v2.chat, chat");
    open("/socket", headers);
    listener.expect("open");
    String head = requests.get(0);
    assertTrue(head, head.contains("\r\nSec-WebSocket-Protocol: v2.chat, chat\r\n"));
  }

  @Test public void aMissingUpgradeHeaderFailsTheUpgrade() throws Exception {
    serve(head -> upgrade(head, "").replace("Upgrade: websocket\r\n", ""));
    open();
    listener.expect("failure ProtocolException: the server's 101 response is not a valid"
        + " WebSocket upgrade: Upgrade was absent, expected 'websocket'");
  }

  @Test public void aHeaderLineAbove8KiBFailsNamingTheLimit() throws Exception {
    StringBuilder big = new StringBuilder("X-Big: ");
    while (big.length() <= Handshake.MAX_LINE_BYTES) big.append('x');
    serve(head -> upgrade(head, big + "\r\n"));
    open();
    listener.expect("failure ProtocolException: the server's HTTP upgrade response has a header"
        + " line longer than 8192 bytes (Lifeline's limit)");
  }

  @Test public void moreThan100HeadersFailNamingTheLimit() throws Exception {
    StringBuilder many = new StringBuilder();
    for (int i = 0; i < 101; i++) many.append("X-H").append(i).append(": v\r\n");
    serve(head -> upgrade(head, many.toString()));
    open();
    listener.expect("failure ProtocolException: the server's HTTP upgrade response has more than"
        + " 100 header lines (Lifeline's limit)");
  }

  @Test public void aHeadAbove64KiBFailsNamingTheLimit() throws Exception {
    StringBuilder lines = new StringBuilder();
    StringBuilder value = new StringBuilder();
    while (value.length() < 8000) value.append('v');
    for (int i = 0; i < 9; i++) lines.append("X-H").append(i).append(": ").append(value)
        .append("\r\n");
    serve(head -> upgrade(head, lines.toString()));
    open();
    listener.expect("failure ProtocolException: the server's HTTP upgrade response head exceeds"
        + " 65536 bytes (Lifeline's limit)");
  }

  @Test public void a503FailsWithItsStatusAndRetryAfter() throws Exception {
    serve(head -> "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 120\r\n"
        + "Content-Length: 0\r\n\r\n");
    open();
    listener.expect("failure Rejected: Expected HTTP 101 response but was"
        + " '503 Service Unavailable'");
    assertEquals(503, listener.httpCode);
    assertEquals(120_000, listener.retryAfterMillis);
    assertTrue(listener.failure instanceof java.net.ProtocolException);
  }

  @Test public void notHttpFailsQuotingWhatCame() throws Exception {
    serve(head -> "SSH-2.0-OpenSSH_9.6\r\n\r\n");
    open();
    listener.expect("failure ProtocolException: the server's answer to the HTTP upgrade does not"
        + " start with an HTTP/1.x status line: 'SSH-2.0-OpenSSH_9.6'");
  }

  @Test public void theStepNamesTheUpgradeUntilTheAnswerArrives() throws Exception {
    server = new RawHttpServer((index, socket, head) -> {
      requests.add(head);
      socket.getInputStream().read(); // Never answers.
    });
    open();
    awaitRequest();
    Await.until("the upgrade step", 5_000,
        () -> transport.handshakeStep().equals(WebSocketTransport.UPGRADE_STEP));
    transport.cancel();
    assertEquals("finished", transport.handshakeStep());
  }

  private String awaitRequest() throws Exception {
    Await.until("the upgrade request", 5_000, () -> !requests.isEmpty());
    return requests.get(0);
  }

}
