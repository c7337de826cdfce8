package dev.lifeline.internal.net;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Collections;
import java.util.List;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * Sets the server name a TLS client sends (SNI), on every platform Lifeline runs on, without
 * OkHttp's internals. A server that hosts several names picks its certificate by it; without it,
 * such a server answers with its default certificate and hostname verification fails.
 *
 * <ul>
 *   <li>Java 8+ and Android API 24+: {@code SSLParameters.setServerNames(SNIHostName)}, the public
 *       API. The JDK sends no name for a host without a dot ("localhost") unless told; Android's
 *       Conscrypt turns it into its own {@code setHostname}.
 *   <li>Android API 21–23 have no {@code SNIHostName}; their Conscrypt socket sends a name only
 *       after its public {@code setHostname(String)} was called, which is called reflectively, with
 *       {@code setUseSessionTickets(true)} as Android's own HTTPS stack does.
 * </ul>
 *
 * <p>Both are looked up reflectively, as API 21 has neither (animal-sniffer holds the code to
 * it), and skipped quietly where missing: the handshake then goes as before, with whatever name
 * the platform sends by itself. The public API is preferred where it exists, so that no hidden
 * Android method is called where there is a public one (reflection on hidden methods warns from
 * API 28 and may be refused). An IP literal never gets a name: SNI carries host names only.
 */
final class Tls {
  /** {@code javax.net.ssl.SNIHostName(String)}, or null where missing (Android API 21–23). */
  private static final Constructor<?> SNI_HOST_NAME;
  /** {@code SSLParameters.setServerNames(List)}, or null where missing. */
  private static final Method SET_SERVER_NAMES;

  static {
    Constructor<?> hostName = null;
    Method setServerNames = null;
    try {
      hostName = Class.forName("javax.net.ssl.SNIHostName").getConstructor(String.class);
      setServerNames = SSLParameters.class.getMethod("setServerNames", List.class);
    } catch (ReflectiveOperationException | LinkageError missing) {
      hostName = null;
      setServerNames = null;
    }
    SNI_HOST_NAME = hostName;
    SET_SERVER_NAMES = setServerNames;
  }

  private Tls() {}

  /** How the server name was set, for tests. */
  enum ServerName {
    /** Through {@code SSLParameters.setServerNames}. */
    SSL_PARAMETERS,
    /** Through the socket's own {@code setHostname}. */
    SET_HOSTNAME,
    /** Not set: an IP literal, or the platform offers no way. */
    NONE
  }

  /** Sets {@code host} as the server name of {@code ssl}, before its handshake. */
  static ServerName setServerName(SSLSocket ssl, String host) {
    return setServerName(ssl, host, SNI_HOST_NAME != null);
  }

  /**
   * As {@link #setServerName(SSLSocket, String)}; {@code platformHasSni}: whether the platform
   * has {@code SNIHostName} (false on Android API 21–23), a parameter so tests can play both.
   */
  static ServerName setServerName(SSLSocket ssl, String host, boolean platformHasSni) {
    if (isIpLiteral(host)) return ServerName.NONE;
    if (platformHasSni && SNI_HOST_NAME != null && viaSslParameters(ssl, host)) {
      return ServerName.SSL_PARAMETERS;
    }
    Method setHostname = publicMethod(ssl, "setHostname", String.class);
    if (setHostname == null) return ServerName.NONE;
    Method setUseSessionTickets = publicMethod(ssl, "setUseSessionTickets", boolean.class);
    if (setUseSessionTickets != null) invokeQuietly(setUseSessionTickets, ssl, true);
    return invokeQuietly(setHostname, ssl, host) ? ServerName.SET_HOSTNAME : ServerName.NONE;
  }

  /** The public API of Java 8 and Android 24+; false when the socket refuses it. */
  private static boolean viaSslParameters(SSLSocket ssl, String host) {
    try {
      SSLParameters parameters = ssl.getSSLParameters();
      Object name = SNI_HOST_NAME.newInstance(host);
      SET_SERVER_NAMES.invoke(parameters, Collections.singletonList(name));
      ssl.setSSLParameters(parameters);
      return true;
    } catch (InvocationTargetException e) {
      rethrowError(e);
      return false; // Not a valid host name for SNI (e.g. "a..b"): none is sent.
    } catch (ReflectiveOperationException | RuntimeException refused) {
      return false;
    }
  }

  /**
   * {@code name(parameter)} as declared by the first public class in {@code target}'s hierarchy,
   * so that it can be invoked even when the socket's own class is not public; null if none.
   */
  private static Method publicMethod(Object target, String name, Class<?> parameter) {
    for (Class<?> c = target.getClass(); c != null; c = c.getSuperclass()) {
      if (!Modifier.isPublic(c.getModifiers())) continue;
      try {
        return c.getMethod(name, parameter);
      } catch (NoSuchMethodException | SecurityException notHere) {
        return null; // getMethod searched the superclasses too.
      }
    }
    return null;
  }

  /** Invokes {@code m}; false when it could not be called or threw an exception. */
  private static boolean invokeQuietly(Method m, Object target, Object argument) {
    try {
      m.invoke(target, argument);
      return true;
    } catch (InvocationTargetException e) {
      rethrowError(e);
      return false;
    } catch (IllegalAccessException | RuntimeException e) {
      return false;
    }
  }

  /** An Error inside the call is the app's library failing: it is reported, not hidden. */
  private static void rethrowError(InvocationTargetException e) {
    if (e.getCause() instanceof Error) throw (Error) e.getCause();
  }

  /**
   * True for an IPv4 or IPv6 literal as {@code HttpUrl.host()} gives them: four dotted decimals,
   * or anything with a colon (IPv6, without brackets). SNI carries only host names (RFC 6066).
   */
  static boolean isIpLiteral(String host) {
    if (host.indexOf(':') >= 0) return true;
    String[] parts = host.split("\\.", -1);
    if (parts.length != 4) return false;
    for (String p : parts) {
      if (p.isEmpty() || p.length() > 3) return false;
      for (int i = 0; i < p.length(); i++) {
        if (p.charAt(i) < '0' || p.charAt(i) > '9') return false;
      }
    }
    return true;
  }
}
