package dev.lifeline.internal.tcp;

import static org.junit.Assert.assertTrue;

import dev.lifeline.Message;
import dev.lifeline.internal.RecordingTransportListener;
import dev.lifeline.internal.Transport;
import dev.lifeline.testing.Await;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import okhttp3.ConnectionSpec;
import okhttp3.Dns;
import okhttp3.OkHttpClient;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;
import okio.BufferedSink;
import okio.BufferedSource;
import okio.Okio;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * tcp+tls:// against a local TLS server with a test certificate for {@code lifeline.test}. A test
 * DNS maps the names to 127.0.0.1, so hostname verification runs on real names.
 */
public final class TcpTlsTest {
  private static final String HOST = "lifeline.test";

  private final HeldCertificate serverCertificate = new HeldCertificate.Builder()
      .addSubjectAlternativeName(HOST)
      .build();
  private final HandshakeCertificates serverCertificates = new HandshakeCertificates.Builder()
      .heldCertificate(serverCertificate)
      .build();
  private final HandshakeCertificates clientCertificates = new HandshakeCertificates.Builder()
      .addTrustedCertificate(serverCertificate.certificate())
      .build();
  /** Every name resolves to loopback. */
  private final Dns loopbackDns = new Dns() {
    @Override public List<InetAddress> lookup(String hostname) throws UnknownHostException {
      return Collections.singletonList(InetAddress.getByName("127.0.0.1"));
    }
  };
  private final RecordingTransportListener listener = new RecordingTransportListener();
  private SSLServerSocket server;
  private Thread serverThread;
  /** The server's view of the handshake: "ok" or the exception. */
  private volatile String serverOutcome;
  private Transport transport;
  private OkHttpClient client;

  @Before public void setUp() throws IOException {
    server = (SSLServerSocket) serverCertificates.sslContext().getServerSocketFactory()
        .createServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
    serverThread = new Thread(this::serveOneEchoConnection, "TLS echo server");
    serverThread.start();
  }

  @After public void tearDown() throws Exception {
    if (transport != null) transport.cancel();
    server.close();
    serverThread.join(5_000);
    if (client != null) client.dispatcher().executorService().shutdown();
  }

  /** Accepts one connection, completes the handshake, echoes each line as "echo:" + line. */
  private void serveOneEchoConnection() {
    try (SSLSocket socket = (SSLSocket) server.accept()) {
      socket.setSoTimeout(5_000);
      socket.startHandshake();
      serverOutcome = "ok";
      BufferedSource in = Okio.buffer(Okio.source(socket));
      BufferedSink out = Okio.buffer(Okio.sink(socket));
      String line;
      while ((line = in.readUtf8Line()) != null) {
        out.writeUtf8("echo:" + line + "\n").flush();
      }
    } catch (IOException e) {
      serverOutcome = e.toString();
    }
  }

  private Transport open(OkHttpClient c, String host) {
    client = c;
    String url = "tcp+tls://" + host + ":" + server.getLocalPort();
    return new TcpTransport.Factory(c).open(
        new Transport.Request(url, Collections.<String, String>emptyMap(), 1024), listener);
  }

  private OkHttpClient trustingClient() {
    return new OkHttpClient.Builder()
        .sslSocketFactory(clientCertificates.sslSocketFactory(), clientCertificates.trustManager())
        .dns(loopbackDns)
        .connectTimeout(5, TimeUnit.SECONDS)
        .build();
  }

  @Test public void hostnameVerifiedAndLinesFlow() throws Exception {
    transport = open(trustingClient(), HOST);
    listener.expect("open");
    assertTrue(transport.send(Message.text("hello over tls")));
    listener.expect("message echo:hello over tls");
    transport.close(1000, "done");
    listener.expect("closed 1000 done");
    Await.threadEnded(TcpTransport.READER_THREAD_PREFIX + "tcp+tls://" + HOST + ":"
        + server.getLocalPort(), 5_000);
  }

  @Test public void wrongHostRejected() throws Exception {
    // The certificate is trusted but names lifeline.test, not other.test.
    transport = open(trustingClient(), "other.test");
    String failure = listener.next();
    assertTrue(failure, failure.startsWith(
        "failure SSLPeerUnverifiedException: hostname other.test not verified"));
    assertTrue(failure, failure.contains(HOST));
    Await.threadEnded(TcpTransport.READER_THREAD_PREFIX + "tcp+tls://other.test:"
        + server.getLocalPort(), 5_000);
    listener.expectNothingFor(100);
  }

  @Test public void cleartextOnlyClientRefusesTls() throws Exception {
    OkHttpClient cleartext = trustingClient().newBuilder()
        .connectionSpecs(Collections.singletonList(ConnectionSpec.CLEARTEXT))
        .build();
    transport = open(cleartext, HOST);
    String failure = listener.next();
    assertTrue(failure, failure.startsWith("failure UnknownServiceException: cannot connect to"
        + " tcp+tls://" + HOST + ":" + server.getLocalPort() + ": the OkHttpClient is"
        + " cleartext-only (no TLS connection spec)"));
  }

  @Test public void untrustedCertificateRejected() throws Exception {
    OkHttpClient systemTrust = new OkHttpClient.Builder()
        .dns(loopbackDns)
        .connectTimeout(5, TimeUnit.SECONDS)
        .build();
    transport = open(systemTrust, HOST);
    String failure = listener.next();
    assertTrue(failure, failure.startsWith("failure SSLHandshakeException"));
    Await.until("server saw the handshake fail", 5_000, () -> serverOutcome != null);
    assertTrue(serverOutcome, !serverOutcome.equals("ok"));
  }
}
