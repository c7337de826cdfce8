package dev.lifeline.internal.tcp;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.lifeline.Message;
import dev.lifeline.internal.RecordingTransportListener;
import dev.lifeline.internal.Transport;
import dev.lifeline.testing.Await;
import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIMatcher;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.StandardConstants;
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
 * The server name (SNI) a JVM TLS server sees from tcp+tls://: the host for a name, even one the
 * JDK would send none for by itself ("localhost" has no dot), and none for an IP literal. The
 * server asks an {@link SNIMatcher}, as a server that hosts several names does.
 */
public final class TcpTlsServerNameTest {
  private final HeldCertificate serverCertificate = new HeldCertificate.Builder()
      .addSubjectAlternativeName("localhost")
      .addSubjectAlternativeName("127.0.0.1")
      .build();
  private final HandshakeCertificates serverCertificates = new HandshakeCertificates.Builder()
      .heldCertificate(serverCertificate)
      .build();
  private final HandshakeCertificates clientCertificates = new HandshakeCertificates.Builder()
      .addTrustedCertificate(serverCertificate.certificate())
      .build();
  /** "localhost" is 127.0.0.1 only (never ::1), whatever the machine's hosts file says. */
  private final Dns loopbackDns = hostname ->
      Collections.singletonList(InetAddress.getByName("127.0.0.1"));
  private final RecordingTransportListener listener = new RecordingTransportListener();
  /** The names the server's SNIMatcher was asked about. */
  private final List<String> matched = new CopyOnWriteArrayList<>();
  /** The server's view once the handshake completed: the names the client requested, or the error. */
  private volatile String serverSaw;
  private SSLServerSocket server;
  private Thread serverThread;
  private Transport transport;
  private OkHttpClient client;

  @Before public void setUp() throws IOException {
    server = (SSLServerSocket) serverCertificates.sslContext().getServerSocketFactory()
        .createServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
    SSLParameters parameters = server.getSSLParameters();
    parameters.setSNIMatchers(Collections.<SNIMatcher>singletonList(
        new SNIMatcher(StandardConstants.SNI_HOST_NAME) {
          @Override public boolean matches(SNIServerName name) {
            matched.add(((SNIHostName) name).getAsciiName());
            return true;
          }
        }));
    server.setSSLParameters(parameters);
    serverThread = new Thread(this::serveOneEchoConnection, "TLS SNI echo server");
    serverThread.start();
  }

  @After public void tearDown() throws Exception {
    if (transport != null) transport.cancel();
    server.close();
    serverThread.join(5_000);
    if (client != null) client.dispatcher().executorService().shutdown();
  }

  /** Accepts one connection, records the requested names, echoes each line. */
  private void serveOneEchoConnection() {
    try (SSLSocket socket = (SSLSocket) server.accept()) {
      socket.setSoTimeout(5_000);
      socket.startHandshake();
      List<String> requested = new ArrayList<>();
      for (SNIServerName n : ((ExtendedSSLSession) socket.getSession()).getRequestedServerNames()) {
        requested.add(((SNIHostName) n).getAsciiName());
      }
      serverSaw = requested.toString();
      BufferedSource in = Okio.buffer(Okio.source(socket));
      BufferedSink out = Okio.buffer(Okio.sink(socket));
      String line;
      while ((line = in.readUtf8Line()) != null) out.writeUtf8("echo:" + line + "\n").flush();
    } catch (IOException e) {
      if (serverSaw == null) serverSaw = e.toString();
    }
  }

  private void open(String host) {
    client = new OkHttpClient.Builder()
        .sslSocketFactory(clientCertificates.sslSocketFactory(), clientCertificates.trustManager())
        .dns(loopbackDns)
        .connectTimeout(5, TimeUnit.SECONDS)
        .build();
    transport = new TcpTransport.Factory(client).open(new Transport.Request(
        "tcp+tls://" + host + ":" + server.getLocalPort(),
        Collections.<String, String>emptyMap(), 1024), listener);
  }

  @Test public void theServerSeesTheHostAsTheServerName() throws Exception {
    open("localhost");
    listener.expect("open");
    assertTrue(transport.send(Message.text("hi")));
    listener.expect("message echo:hi");
    assertEquals("[localhost]", serverSaw);
    assertEquals(Collections.singletonList("localhost"), matched);
  }

  @Test public void anIpLiteralSendsNoServerName() throws Exception {
    open("127.0.0.1");
    listener.expect("open");
    Await.until("the server finished its handshake", 5_000, () -> serverSaw != null);
    assertEquals("[]", serverSaw);
    assertEquals(Collections.emptyList(), matched);
  }
}
