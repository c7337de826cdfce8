package dev.lifeline.internal;

import dev.lifeline.Message;
import dev.lifeline.internal.tcp.LineFraming;
import dev.lifeline.internal.tcp.TcpTransport;
import dev.lifeline.internal.ws.WebSocketTransport;
import java.util.Locale;
import okhttp3.OkHttpClient;

/** Chooses the transport for a URL's scheme. */
public final class Transports {
  /** Newline-framed text over plain TCP: {@code tcp://host:port}. */
  public static final String TCP_SCHEME = "tcp";
  /** Newline-framed text over TLS: {@code tcp+tls://host:port}. */
  public static final String TCP_TLS_SCHEME = "tcp+tls";

  private Transports() {}

  /**
   * The factory for every scheme Lifeline speaks: ws and wss over Lifeline's own WebSocket client,
   * tcp and tcp+tls as newline-framed text. Both use {@code okHttp}'s timeouts, DNS, socket
   * factory, TLS settings and dispatcher pool, through its public API.
   */
  public static Transport.Factory factory(OkHttpClient okHttp) {
    final Transport.Factory webSocket = WebSocketTransport.factory(okHttp);
    final Transport.Factory tcp = new TcpTransport.Factory(okHttp);
    return new Transport.Factory() {
      @Override public Transport open(Transport.Request request, Transport.Listener listener) {
        return isLineProtocol(request.url)
            ? tcp.open(request, listener)
            : webSocket.open(request, listener);
      }
    };
  }

  /** True for tcp:// and tcp+tls:// URLs: one text message per {@code \n}-terminated line. */
  public static boolean isLineProtocol(String url) {
    String lower = url.toLowerCase(Locale.ROOT);
    return lower.startsWith(TCP_SCHEME + "://") || lower.startsWith(TCP_TLS_SCHEME + "://");
  }

  /**
   * Checks, on the app's {@code send()} path, that {@code message} can travel on {@code url}.
   *
   * @throws IllegalArgumentException for a binary message, or text containing {@code \n}, on a
   *     tcp:// or tcp+tls:// URL.
   */
  public static void checkSendable(String url, Message message) {
    String invalid = whyNotSendable(url, message);
    if (invalid != null) throw new IllegalArgumentException(invalid);
  }

  /**
   * Why {@code message} is not the kind of message {@code url} carries (binary or multi-line on a
   * line protocol), or null: a programming error, thrown at {@code send()}.
   */
  static String whyNotSendable(String url, Message message) {
    return isLineProtocol(url) ? LineFraming.whyNotALine(Redact.url(url), message) : null;
  }

  /**
   * The largest message, in payload bytes, a transport for {@code url} can ever take: the most it
   * queues for writing ({@link WebSocketTransport#MAX_QUEUE_BYTES}, {@link
   * TcpTransport#MAX_QUEUE_BYTES}). A larger one would be refused forever and block every message
   * behind it.
   */
  static long maxMessageBytes(String url) {
    return isLineProtocol(url) ? TcpTransport.MAX_QUEUE_BYTES : WebSocketTransport.MAX_QUEUE_BYTES;
  }

  /**
   * Why {@code message} is too large to ever travel on {@code url}, or null. Data the app may
   * legitimately produce, so {@code send()} reports it ({@code false} and {@code onSendFailed})
   * instead of throwing.
   */
  static String whyTooLarge(String url, Message message) {
    long max = maxMessageBytes(url);
    if (message.byteCount() <= max) return null;
    return "message of " + message.byteCount() + " bytes exceeds " + max + " bytes, the most a "
        + (isLineProtocol(url) ? "tcp:// connection" : "WebSocket connection")
        + " can queue for writing; it can never be sent";
  }
}
