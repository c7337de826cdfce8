package dev.lifeline.internal.net;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import dev.lifeline.internal.net.Tls.ServerName;
import java.util.Collections;
import java.util.List;
import javax.net.ssl.HandshakeCompletedListener;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import org.junit.Test;

/**
 * How the connector sets the server name (SNI) on the TLS socket, with fake sockets that play
 * each platform: Android API 21–23's Conscrypt (a public {@code setHostname}, no {@code
 * SNIHostName} on the platform), Android 24+ and the JVM ({@code SSLParameters}).
 */
public final class TlsServerNameTest {
  private static final String HOST = "chat.example.com";

  @Test public void onApi21To23TheNameGoesThroughSetHostnameWithSessionTickets() {
    ConscryptSocket ssl = new ConscryptSocket();
    assertEquals(ServerName.SET_HOSTNAME, Tls.setServerName(ssl, HOST, false));
    assertEquals(HOST, ssl.hostname);
    assertEquals(Boolean.TRUE, ssl.sessionTickets);
    assertNull("SSLParameters untouched", ssl.parameters.getServerNames());
  }

  @Test public void onApi24AndTheJvmTheNameGoesThroughSslParameters() {
    PlainSocket ssl = new PlainSocket();
    assertEquals(ServerName.SSL_PARAMETERS, Tls.setServerName(ssl, HOST, true));
    assertEquals(Collections.singletonList(HOST), names(ssl.parameters));
  }

  @Test public void aConscryptSocketOnApi24UsesThePublicApiNotItsHiddenMethod() {
    ConscryptSocket ssl = new ConscryptSocket();
    assertEquals(ServerName.SSL_PARAMETERS, Tls.setServerName(ssl, HOST, true));
    assertEquals(Collections.singletonList(HOST), names(ssl.parameters));
    assertNull(ssl.hostname);
    assertNull(ssl.sessionTickets);
  }

  @Test public void theSocketsOwnClassNeedNotBePublic() {
    HiddenConscryptSocket ssl = new HiddenConscryptSocket();
    assertEquals(ServerName.SET_HOSTNAME, Tls.setServerName(ssl, HOST, false));
    assertEquals(HOST, ssl.hostname);
  }

  @Test public void aSocketThatRefusesSslParametersGetsTheNameThroughSetHostname() {
    ConscryptSocket ssl = new ConscryptSocket() {
      @Override public void setSSLParameters(SSLParameters p) {
        throw new UnsupportedOperationException("not on this socket");
      }
    };
    assertEquals(ServerName.SET_HOSTNAME, Tls.setServerName(ssl, HOST, true));
    assertEquals(HOST, ssl.hostname);
  }

  @Test public void anIpLiteralNeverGetsAName() {
    for (String ip : new String[] {"127.0.0.1", "10.0.0.7", "::1", "2001:db8::7"}) {
      ConscryptSocket old = new ConscryptSocket();
      assertEquals(ip, ServerName.NONE, Tls.setServerName(old, ip, false));
      assertNull(ip, old.hostname);
      assertNull(ip, old.sessionTickets);
      PlainSocket modern = new PlainSocket();
      assertEquals(ip, ServerName.NONE, Tls.setServerName(modern, ip, true));
      assertNull(ip, modern.parameters.getServerNames());
    }
  }

  @Test public void withNeitherWayTheHandshakeGoesOnWithoutAName() {
    PlainSocket ssl = new PlainSocket();
    assertEquals(ServerName.NONE, Tls.setServerName(ssl, HOST, false));
    assertNull(ssl.parameters.getServerNames());
  }

  @Test public void aHostWithoutADotIsANameToo() {
    PlainSocket ssl = new PlainSocket(); // The JDK sends none for "localhost" by itself.
    assertEquals(ServerName.SSL_PARAMETERS, Tls.setServerName(ssl, "localhost", true));
    assertEquals(Collections.singletonList("localhost"), names(ssl.parameters));
  }

  @Test public void ipLiterals() {
    assertTrue(Tls.isIpLiteral("127.0.0.1"));
    assertTrue(Tls.isIpLiteral("::1"));
    assertFalse(Tls.isIpLiteral("localhost"));
    assertFalse(Tls.isIpLiteral("1.2.3"));
    assertFalse(Tls.isIpLiteral("1.2.3.4.example"));
    assertFalse(Tls.isIpLiteral("a1.b2.c3.d4"));
  }

  private static List<String> names(SSLParameters parameters) {
    List<SNIServerName> names = parameters.getServerNames();
    assertEquals(1, names.size());
    return Collections.singletonList(((SNIHostName) names.get(0)).getAsciiName());
  }

  /** An SSL socket that connects nowhere and keeps the SSLParameters set on it. */
  public static class PlainSocket extends SSLSocket {
    SSLParameters parameters = new SSLParameters();

    @Override public SSLParameters getSSLParameters() {
      SSLParameters copy = new SSLParameters();
      if (parameters.getServerNames() != null) copy.setServerNames(parameters.getServerNames());
      return copy;
    }

    @Override public void setSSLParameters(SSLParameters p) {
      parameters = p;
    }

    @Override public String[] getSupportedCipherSuites() { return new String[0]; }
    @Override public String[] getEnabledCipherSuites() { return new String[0]; }
    @Override public void setEnabledCipherSuites(String[] suites) {}
    @Override public String[] getSupportedProtocols() { return new String[0]; }
    @Override public String[] getEnabledProtocols() { return new String[0]; }
    @Override public void setEnabledProtocols(String[] protocols) {}
    @Override public SSLSession getSession() { return null; }
    @Override public void addHandshakeCompletedListener(HandshakeCompletedListener l) {}
    @Override public void removeHandshakeCompletedListener(HandshakeCompletedListener l) {}
    @Override public void startHandshake() {}
    @Override public void setUseClientMode(boolean mode) {}
    @Override public boolean getUseClientMode() { return true; }
    @Override public void setNeedClientAuth(boolean need) {}
    @Override public boolean getNeedClientAuth() { return false; }
    @Override public void setWantClientAuth(boolean want) {}
    @Override public boolean getWantClientAuth() { return false; }
    @Override public void setEnableSessionCreation(boolean flag) {}
    @Override public boolean getEnableSessionCreation() { return true; }
  }

  /** Android's OpenSSLSocketImpl as of API 21–23: SNI only after setHostname. */
  public static class ConscryptSocket extends PlainSocket {
    String hostname;
    Boolean sessionTickets;

    public void setHostname(String hostname) {
      this.hostname = hostname;
    }

    public void setUseSessionTickets(boolean useSessionTickets) {
      this.sessionTickets = useSessionTickets;
    }
  }

  /** A platform's wrapper class that is not public, above a public Conscrypt class. */
  private static final class HiddenConscryptSocket extends ConscryptSocket {
    @Override public void setHostname(String hostname) {
      super.setHostname(hostname);
    }
  }
}
