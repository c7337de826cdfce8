package dev.lifeline.consumer;

import java.io.Closeable;
import java.net.InetAddress;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;

/**
 * A WebSocket echo server on 127.0.0.1, OkHttp 5's MockWebServer: ws:// as it comes, wss:// with
 * a fresh self-signed certificate for 127.0.0.1 ({@link #certificate()}) that no JDK trusts.
 */
final class TlsWebSocketEchoServer implements Closeable {
  private final MockWebServer server = new MockWebServer();
  private final HeldCertificate certificate;

  TlsWebSocketEchoServer(boolean tls) throws Exception {
    certificate = new HeldCertificate.Builder()
        .commonName("127.0.0.1")
        .addSubjectAlternativeName("127.0.0.1")
        .build();
    if (tls) {
      HandshakeCertificates serverCertificates = new HandshakeCertificates.Builder()
          .heldCertificate(certificate)
          .build();
      server.useHttps(serverCertificates.sslSocketFactory());
    }
    server.setDispatcher(new Dispatcher() {
      @Override public MockResponse dispatch(RecordedRequest request) {
        return new MockResponse.Builder().webSocketUpgrade(new WebSocketListener() {
          @Override public void onMessage(WebSocket webSocket, String text) {
            webSocket.send(text);
          }

          @Override public void onClosing(WebSocket webSocket, int code, String reason) {
            webSocket.close(1000, null); // OkHttp answers a close frame only when told to
          }
        }).build();
      }
    });
    server.start(InetAddress.getByName("127.0.0.1"), 0);
  }

  HeldCertificate certificate() {
    return certificate;
  }

  /** ws://127.0.0.1:port/echo or wss://127.0.0.1:port/echo. */
  String url(String scheme) {
    return scheme + "://127.0.0.1:" + server.getPort() + "/echo";
  }

  @Override public void close() {
    server.close();
  }
}
