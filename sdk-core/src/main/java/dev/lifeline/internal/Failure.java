package dev.lifeline.internal;

import java.net.UnknownServiceException;

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
   * network failure before ({@code wasOpen} false) or after the connection opened.
   */
  static Failure ofTransport(Throwable error, int httpCode, long retryAfterMillis,
      boolean wasOpen) {
    if (httpCode > 0) return httpStatus(httpCode, retryAfterMillis, error);
    String reason = (wasOpen ? "connection failed: " : "connect failed: ") + describe(error);
    if (error instanceof UnknownServiceException) {
      // The client itself refuses the connection (cleartext not permitted, no TLS connection
      // spec): every attempt would fail the same way until the app changes its configuration.
      return configuration(reason, error);
    }
    return transientFailure(reason, error);
  }

  /** A configuration or programming error: the connection ends at once. */
  static Failure configuration(String reason, Throwable cause) {
    return new Failure(Kind.CONFIGURATION, reason, cause, 0, -1, 0);
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
