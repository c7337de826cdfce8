package dev.lifeline.internal;

import java.io.EOFException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.net.UnknownServiceException;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * Why a connection attempt or an open connection ended, classified once, where it happened: the
 * one value that travels from a transport callback, a timer or a configuration check to the
 * reconnection decision ({@link Reconnection#afterLoss}) and into the connection's state.
 * Immutable.
 */
final class Failure {
  /** What kind of failure, which decides whether retrying can help. */
  enum Kind {
    /** The network or the server failed (refused, reset, EOF, timeout, silence): retry. */
    TRANSIENT,
    /** The server answered the handshake with HTTP {@link #httpCode} instead of upgrading. */
    HTTP_STATUS,
    /** The server closed the connection with close code {@link #closeCode}. */
    SERVER_CLOSE,
    /** A configuration or programming error: retrying would fail the same way. Never retried. */
    CONFIGURATION,
    /** Retrying cannot help for the stated reason (e.g. rejected credentials). Never retried. */
    FATAL
  }

  final Kind kind;
  /** What happened, for people: the connection state's reason. */
  final String reason;
  /** The exception behind it, or null. */
  final Throwable cause;
  /** The handshake's HTTP status for {@link Kind#HTTP_STATUS}, else 0. */
  final int httpCode;
  /** The server's Retry-After in ms, or -1 when it gave none. */
  final long retryAfterMillis;
  /** The server's close code for {@link Kind#SERVER_CLOSE}, else 0. */
  final int closeCode;

  private Failure(Kind kind, String reason, Throwable cause, int httpCode, long retryAfterMillis,
      int closeCode) {
    this.kind = kind;
    this.reason = reason;
    this.cause = cause;
    this.httpCode = httpCode;
    this.retryAfterMillis = retryAfterMillis;
    this.closeCode = closeCode;
  }

  /** A network or server failure worth retrying. */
  static Failure transientFailure(String reason, Throwable cause) {
    return new Failure(Kind.TRANSIENT, reason, cause, 0, -1, 0);
  }

  /** The handshake was answered {@code httpCode}; {@code retryAfterMillis} -1 when absent. */
  static Failure httpStatus(int httpCode, long retryAfterMillis, Throwable cause) {
    return new Failure(Kind.HTTP_STATUS, "HTTP " + httpCode + " at handshake", cause, httpCode,
        retryAfterMillis, 0);
  }

  /** The server closed with {@code code} and {@code reason} (may be null or empty). */
  static Failure serverClose(int code, String reason) {
    String why = "server closed the connection: " + code
        + (reason == null || reason.isEmpty() ? "" : " " + reason);
    return new Failure(Kind.SERVER_CLOSE, why, null, 0, -1, code);
  }

  /**
   * A transport's own failure: an HTTP answer to the handshake when {@code httpCode} > 0, else a
   * network failure before or after the connection opened, told in words: what happened, after
   * how long, and for how long nothing had arrived (docs/behaviour.md, "Failure classification").
   * The exception stays the cause.
   */
  static Failure ofTransport(Throwable error, int httpCode, long retryAfterMillis,
      Timing timing) {
    Error fault = LibraryError.find(error);
    if (fault != null) return ofError("", fault);
    if (httpCode > 0) return httpStatus(httpCode, retryAfterMillis, error);
    String reason = explain(error, timing);
    if (error instanceof UnknownServiceException) {
      // The client itself refuses the connection (cleartext not permitted, no TLS connection
      // spec): every attempt would fail the same way until the app changes its configuration.
      return configuration(reason, error);
    }
    return transientFailure(reason, error);
  }

  /** When a transport failed, for the reason: how long it was open (or trying), how long silent. */
  static final class Timing {
    /** True when the transport had opened. */
    final boolean wasOpen;
    /** Open: since it opened; not open: since the attempt started. */
    final long elapsedMillis;
    /** Open: since anything last arrived; -1 when unknown. */
    final long silentMillis;
    /** Protocol pongs arrived after the last message (when exactly is unknown). */
    final boolean pongsSince;

    Timing(boolean wasOpen, long elapsedMillis, long silentMillis, boolean pongsSince) {
      this.wasOpen = wasOpen;
      this.elapsedMillis = elapsedMillis;
      this.silentMillis = silentMillis;
      this.pongsSince = pongsSince;
    }

    /** Lane: the timing of attempt {@code a} now; {@code keepAlive} knows what arrived when. */
    static Timing of(Attempt a, KeepAlive keepAlive, long nowMillis) {
      if (!a.isOpen() || !keepAlive.isRunning()) {
        return new Timing(false, nowMillis - a.startedAtMillis, -1, false);
      }
      return new Timing(true, nowMillis - keepAlive.openedAtMillis(),
          nowMillis - keepAlive.lastReceivedAtMillis(), keepAlive.pongsSinceLastReceived());
    }

    /** " after 4.4 s open (no data for 4.4 s)". */
    String afterOpen() {
      String silence = silentMillis < 0 ? ""
          : pongsSince ? " (no message for " + Durations.seconds1(silentMillis) + ", pongs arrived)"
          : " (no data for " + Durations.seconds1(silentMillis) + ")";
      return " after " + Durations.seconds1(elapsedMillis) + " open" + silence;
    }

    /** " after 0.3 s". */
    String afterStart() {
      return " after " + Durations.seconds1(elapsedMillis);
    }
  }

  /** The reason for a network failure: recognised causes in words, others by their exception. */
  static String explain(Throwable error, Timing timing) {
    boolean open = timing.wasOpen;
    Throwable tls = find(error, SSLException.class);
    if (!open && tls != null && !isReset(tls)) {
      return "connect failed: TLS handshake failed" + (tls instanceof SSLPeerUnverifiedException
          ? " (the server's certificate was not accepted): " : ": ") + message(tls);
    }
    if (!open && find(error, NoRouteToHostException.class) != null) {
      String to = address(error.getMessage());
      return "connect failed: no route to host" + (to == null ? "" : " " + to) + " (unreachable)";
    }
    ConnectException refused = find(error, ConnectException.class);
    if (!open && refused != null) return "connect failed: " + connectFailure(error, refused);
    UnknownHostException unknown = find(error, UnknownHostException.class);
    if (!open && unknown != null) {
      return "connect failed: unknown host (DNS lookup found no address: " + message(unknown) + ")";
    }
    if (isEof(error)) {
      if (!open) {
        return "connect failed: server closed the connection during the handshake"
            + timing.afterStart();
      }
      String ours = error.getMessage(); // tcp://: LineFraming says what was cut off.
      int eof = ours == null ? -1 : ours.indexOf("(EOF)");
      if (eof >= 0) return ours.substring(0, eof + 5) + timing.afterOpen() + ours.substring(eof + 5);
      return "server closed the connection without a close frame" + timing.afterOpen();
    }
    if (isReset(error)) {
      String what = contains(error, "Broken pipe")
          ? "connection broken while writing (broken pipe: the server or the network dropped it)"
          : "connection reset by the server or the network";
      return open ? what + timing.afterOpen()
          : "connect failed: " + what + " during the handshake" + timing.afterStart();
    }
    InterruptedIOException timeout = find(error, InterruptedIOException.class);
    if (timeout != null && isBareTimeout(timeout.getMessage())) {
      return open ? "read timed out" + timing.afterOpen()
          : "connect failed: timed out" + timing.afterStart() + " (" + describe(timeout) + ")";
    }
    if (timeout != null) {
      // Already self-explaining: OkHttp's missing pong, or a handshake step Lifeline named.
      return (open ? "connection failed" + timing.afterOpen() + ": " : "connect failed: ")
          + timeout.getMessage();
    }
    return (open ? "connection failed" + timing.afterOpen() + ": " : "connect failed: ")
        + describe(error);
  }

  /** "connection refused by 127.0.0.1:9 (nothing listening)" and its kin. */
  private static String connectFailure(Throwable error, ConnectException e) {
    String to = address(error.getMessage());
    if (to == null) to = address(e.getMessage());
    String where = to == null ? "" : " " + to;
    if (contains(error, "refused")) {
      return "connection refused by" + (where.isEmpty() ? " the server" : where)
          + " (nothing listening)";
    }
    if (contains(error, "unreachable")) {
      return "network unreachable" + (where.isEmpty() ? "" : " for" + where);
    }
    if (contains(error, "timed out")) return "TCP connect to" + where + " timed out";
    return "could not connect" + (where.isEmpty() ? "" : " to" + where) + ": " + message(e);
  }

  /** "127.0.0.1:9" from OkHttp's "Failed to connect to /127.0.0.1:9"; null if none. */
  private static String address(String message) {
    String marker = "Failed to connect to ";
    if (message == null || !message.startsWith(marker)) return null;
    String a = message.substring(marker.length());
    return a.startsWith("/") ? a.substring(1) : a;
  }

  /**
   * True when {@code error} is how a path ends an idle connection: EOF or a reset (an adaptive
   * heartbeat learns from these, docs/behaviour.md, "Adaptive heartbeat").
   */
  static boolean isCut(Throwable error) {
    return error != null && (isEof(error) || isReset(error));
  }

  /** The server or a middlebox ended the stream: EOF, or OkHttp's "unexpected end of stream". */
  private static boolean isEof(Throwable t) {
    return find(t, EOFException.class) != null || contains(t, "unexpected end of stream");
  }

  private static boolean isReset(Throwable t) {
    return contains(t, "Connection reset") || contains(t, "Broken pipe");
  }

  /** The JDK's and OkHttp's timeouts that say nothing about what was awaited. */
  private static boolean isBareTimeout(String m) {
    return m == null || m.equals("timeout") || m.equalsIgnoreCase("Read timed out")
        || m.equalsIgnoreCase("connect timed out");
  }

  /** The first of {@code t} and its causes that is a {@code type}, or null. */
  private static <T extends Throwable> T find(Throwable t, Class<T> type) {
    for (int depth = 0; t != null && depth < 10; t = t.getCause(), depth++) {
      if (type.isInstance(t)) return type.cast(t);
    }
    return null;
  }

  /** True when the message of {@code t} or of one of its causes contains {@code text}. */
  private static boolean contains(Throwable t, String text) {
    for (int depth = 0; t != null && depth < 10; t = t.getCause(), depth++) {
      String m = t.getMessage();
      if (m != null && m.contains(text)) return true;
    }
    return false;
  }

  private static String message(Throwable t) {
    return t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
  }

  /** A configuration or programming error: the connection ends at once. */
  static Failure configuration(String reason, Throwable cause) {
    return new Failure(Kind.CONFIGURATION, reason, cause, 0, -1, 0);
  }

  /**
   * An {@link Error} raised in an attempt or on an open connection: in the transport factory,
   * the connector, a transport's reader or writer, or the credentials provider; {@code context}
   * ("credentials provider failed: ") goes first. Never retried, as retrying runs the same code.
   *
   * <p>A {@link LinkageError} (NoSuchMethodError, NoClassDefFoundError, ...) or any other Error
   * is a configuration error whose reason names the library and what is missing ({@link
   * LibraryError}): the app resolved a version Lifeline was not built for. A {@link
   * VirtualMachineError} (OutOfMemoryError, StackOverflowError) is no configuration problem but
   * the JVM failing: the connection ends too (fatal), with the error in the reason, as its cause
   * and in the WARN log of the end, and is not rethrown: on a reader thread that would reach the
   * uncaught-exception handler, which on Android ends the app.
   */
  static Failure ofError(String context, Error e) {
    if (e instanceof VirtualMachineError) {
      return fatal(context + "the JVM failed: " + describe(e) + " (a VirtualMachineError; the"
          + " connection is not retried, as the JVM may not recover)", e);
    }
    return configuration(context + LibraryError.explain(e), e);
  }

  /** Retrying cannot help: the connection ends at once. */
  static Failure fatal(String reason, Throwable cause) {
    return new Failure(Kind.FATAL, reason, cause, 0, -1, 0);
  }

  /** "IOException: connection refused", or the class name alone when there is no message. */
  static String describe(Throwable t) {
    if (t == null) return "unknown error";
    String m = t.getMessage();
    return m == null ? t.getClass().getSimpleName() : t.getClass().getSimpleName() + ": " + m;
  }

  @Override public String toString() {
    return kind + ": " + reason;
  }
}
