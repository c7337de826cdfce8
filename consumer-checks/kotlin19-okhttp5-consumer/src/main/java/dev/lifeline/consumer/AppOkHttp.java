package dev.lifeline.consumer;

import dev.lifeline.Lifeline;
import java.security.cert.X509Certificate;
import okhttp3.OkHttp;
import okhttp3.OkHttpClient;
import okhttp3.tls.HandshakeCertificates;

/**
 * The app's own OkHttp 5 setup, in Java: the Kotlin code never names an OkHttp or Okio type, so
 * only this file depends on OkHttp's API (see the pom for why the Kotlin 1.9 compiler still needs
 * -Xskip-metadata-version-check with OkHttp 5 on the class path).
 */
public final class AppOkHttp implements AutoCloseable {
  private final OkHttpClient client;

  private AppOkHttp(OkHttpClient client) {
    this.client = client;
  }

  /** A default client: the JDK's trusted CAs. */
  public static AppOkHttp plain() {
    return new AppOkHttp(new OkHttpClient());
  }

  /** A client that trusts {@code serverCertificate} only, as apps with a private CA do. */
  public static AppOkHttp trusting(X509Certificate serverCertificate) {
    HandshakeCertificates trusted = new HandshakeCertificates.Builder()
        .addTrustedCertificate(serverCertificate)
        .build();
    return new AppOkHttp(new OkHttpClient.Builder()
        .sslSocketFactory(trusted.sslSocketFactory(), trusted.trustManager())
        .build());
  }

  /** A Lifeline builder that shares this OkHttpClient. */
  public Lifeline.Builder lifeline() {
    return Lifeline.builder().okHttpClient(client);
  }

  /** The OkHttp version the app runs on. */
  public static String version() {
    return OkHttp.VERSION;
  }

  /** Lifeline leaves an app's OkHttpClient running: the app stops it. */
  @Override public void close() {
    client.dispatcher().executorService().shutdown();
    client.connectionPool().evictAll();
  }
}
