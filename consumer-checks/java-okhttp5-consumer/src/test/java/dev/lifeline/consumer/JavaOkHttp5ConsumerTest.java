package dev.lifeline.consumer;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttp;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import org.junit.After;
import org.junit.Test;

/**
 * Runs the Java app with OkHttp 5 on its classpath (not Lifeline's 4.12) against echo servers on
 * 127.0.0.1, over ws:// and over wss:// with a certificate only the app's OkHttpClient trusts.
 */
public final class JavaOkHttp5ConsumerTest {
  private static final int MESSAGES = 50;
  private OkHttpClient okHttp;

  @After public void stopTheAppsClient() {
    if (okHttp != null) {
      okHttp.dispatcher().executorService().shutdown();
      okHttp.connectionPool().evictAll();
    }
  }

  @Test public void theAppRunsOnOkHttp5() {
    assertTrue("OkHttp at run time: " + OkHttp.VERSION, OkHttp.VERSION.startsWith("5."));
    String jar = OkHttpClient.class.getProtectionDomain().getCodeSource().getLocation().getPath();
    assertTrue("OkHttpClient loaded from " + jar, jar.endsWith("/okhttp-jvm-" + OkHttp.VERSION + ".jar"));
  }

  @Test public void echoesOverWs() throws Exception {
    try (TlsWebSocketEchoServer server = new TlsWebSocketEchoServer(false)) {
      okHttp = new OkHttpClient();
      assertEquals(messages("ws"), JavaOkHttp5ConsumerApp.echo(okHttp, server.url("ws"), messages("ws")));
    }
  }

  @Test public void echoesOverWssWithTheAppsTrustedCertificate() throws Exception {
    try (TlsWebSocketEchoServer server = new TlsWebSocketEchoServer(true)) {
      okHttp = JavaOkHttp5ConsumerApp.okHttpClientTrusting(server.certificate().certificate());
      assertEquals(messages("wss"),
          JavaOkHttp5ConsumerApp.echo(okHttp, server.url("wss"), messages("wss")));
    }
  }

  /**
   * The control: OkHttp 5 alone, with the same client and server, echoes over wss://. When the
   * test above fails and this one passes, the fault is Lifeline's, not the server's or the
   * certificate's.
   */
  @Test public void plainOkHttp5EchoesOverWssWithTheSameClientAndServer() throws Exception {
    try (TlsWebSocketEchoServer server = new TlsWebSocketEchoServer(true)) {
      okHttp = JavaOkHttp5ConsumerApp.okHttpClientTrusting(server.certificate().certificate());
      BlockingQueue<String> replies = new LinkedBlockingQueue<>();
      WebSocket webSocket = okHttp.newWebSocket(
          new Request.Builder().url(server.url("wss").replace("wss:", "https:")).build(),
          new WebSocketListener() {
            @Override public void onMessage(WebSocket ws, String text) {
              replies.add(text);
            }

            @Override public void onFailure(WebSocket ws, Throwable t, Response response) {
              replies.add("failure " + t);
            }
          });
      webSocket.send("plain okhttp");
      assertEquals("plain okhttp", replies.poll(10, TimeUnit.SECONDS));
      webSocket.close(1000, null);
    }
  }

  private static List<String> messages(String scheme) {
    List<String> messages = new ArrayList<>();
    for (int i = 0; i < MESSAGES; i++) messages.add(scheme + " message " + i + " from java");
    return messages;
  }
}
