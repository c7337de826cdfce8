package dev.lifeline.consumer;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.ArrayList;
import java.util.List;
import okhttp3.OkHttpClient;
import org.junit.Test;

/**
 * Runs the Kotlin 1.9 app with OkHttp 5 on its classpath (not Lifeline's 4.12) against echo
 * servers on 127.0.0.1, over ws:// and over wss:// with a certificate only the app's
 * OkHttpClient trusts.
 */
public final class KotlinOkHttp5ConsumerTest {
  private static final int MESSAGES = 50;

  @Test public void theAppRunsOnOkHttp5() {
    assertTrue("OkHttp at run time: " + AppOkHttp.version(), AppOkHttp.version().startsWith("5."));
    String jar = OkHttpClient.class.getProtectionDomain().getCodeSource().getLocation().getPath();
    assertTrue("OkHttpClient loaded from " + jar,
        jar.endsWith("/okhttp-jvm-" + AppOkHttp.version() + ".jar"));
    // And on the kotlin-stdlib OkHttp 5 asks for, as Gradle resolves it, not Kotlin 1.9's.
    assertTrue("kotlin-stdlib at run time: " + kotlin.KotlinVersion.CURRENT,
        kotlin.KotlinVersion.CURRENT.isAtLeast(2, 1));
  }

  @Test public void echoesOverWs() throws Exception {
    try (TlsWebSocketEchoServer server = new TlsWebSocketEchoServer(false);
         AppOkHttp okHttp = AppOkHttp.plain()) {
      assertEquals(messages("ws"),
          KotlinOkHttp5ConsumerApp.echo(okHttp, server.url("ws"), messages("ws")));
    }
  }

  @Test public void echoesOverWssWithTheAppsTrustedCertificate() throws Exception {
    try (TlsWebSocketEchoServer server = new TlsWebSocketEchoServer(true);
         AppOkHttp okHttp = AppOkHttp.trusting(server.certificate().certificate())) {
      assertEquals(messages("wss"),
          KotlinOkHttp5ConsumerApp.echo(okHttp, server.url("wss"), messages("wss")));
    }
  }

  private static List<String> messages(String scheme) {
    List<String> messages = new ArrayList<>();
    for (int i = 0; i < MESSAGES; i++) messages.add(scheme + " message " + i + " from kotlin");
    return messages;
  }
}
