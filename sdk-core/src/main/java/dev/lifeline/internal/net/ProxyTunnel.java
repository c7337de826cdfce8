package dev.lifeline.internal.net;

import dev.lifeline.internal.Durations;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.Charset;
import okhttp3.Headers;

/**
 * One HTTP CONNECT exchange with a proxy, on a socket connected to it: the request ({@code CONNECT
 * host:port HTTP/1.1}, {@code Host}, {@code Proxy-Connection}, and {@code Proxy-Authorization}
 * when the app's proxy authenticator gave one) and the head of the answer, read byte by byte so
 * that not one byte of the tunnel behind it is taken (TLS or the server's first line follows on
 * the same socket), and bounded by {@link #MAX_HEAD_BYTES} and the connect timeout per read.
 * What the answer means is decided by the {@link Connector}.
 */
final class ProxyTunnel {
  /** Most bytes of a proxy's answer head read before giving up, as the WebSocket path reads. */
  static final int MAX_HEAD_BYTES = 8 * 1024;
  /** Longest status line quoted in a reason; a proxy's text is not ours to print at length. */
  private static final int MAX_QUOTED = 200;
  private static final Charset UTF_8 = Charset.forName("UTF-8");

  /** A proxy's answer to CONNECT: its status and headers (the body is never read). */
  static final class Answer {
    /** The status code, e.g. 200 or 407. */
    final int code;
    /** The status line as sent, shortened and made printable, for reasons: "HTTP/1.1 403 Forbidden". */
    final String statusLine;
    /** The reason phrase ("Forbidden"), possibly empty. */
    final String message;
    /** The answer's headers (e.g. Proxy-Authenticate), for the proxy authenticator. */
    final Headers headers;

    Answer(int code, String statusLine, String message, Headers headers) {
      this.code = code;
      this.statusLine = statusLine;
      this.message = message;
      this.headers = headers;
    }
  }

  private ProxyTunnel() {}

  /**
   * Asks the proxy on {@code socket} ({@code proxy}: "127.0.0.1:3128", for messages) for a tunnel
   * to {@code target} ("example.com:443"), with {@code authorization} as Proxy-Authorization
   * unless null; returns its answer. Each read waits at most {@code timeoutMillis} (0: no limit).
   * The authorization never appears in an exception.
   */
  static Answer exchange(Socket socket, String proxy, String target, String authorization,
      int timeoutMillis) throws IOException {
    StringBuilder request = new StringBuilder()
        .append("CONNECT ").append(target).append(" HTTP/1.1\r\n")
        .append("Host: ").append(target).append("\r\n")
        // For HTTP/1.0 proxies such as old Squids, as OkHttp sends.
        .append("Proxy-Connection: Keep-Alive\r\n");
    if (authorization != null) {
      request.append("Proxy-Authorization: ").append(authorization).append("\r\n");
    }
    request.append("\r\n");
    OutputStream out = socket.getOutputStream();
    out.write(request.toString().getBytes(UTF_8));
    out.flush();
    socket.setSoTimeout(timeoutMillis);
    String head;
    try {
      head = readHead(socket.getInputStream(), proxy, target);
    } catch (SocketTimeoutException e) {
      SocketTimeoutException named = new SocketTimeoutException("proxy " + proxy + " did not answer"
          + " CONNECT " + target + " within " + Durations.seconds(timeoutMillis)
          + " (OkHttpClient connectTimeout)");
      named.initCause(e);
      throw named;
    }
    socket.setSoTimeout(0);
    return parse(head, proxy, target);
  }

  /** The answer's head up to its blank line (excluded), read without taking a byte more. */
  private static String readHead(InputStream in, String proxy, String target) throws IOException {
    byte[] head = new byte[MAX_HEAD_BYTES];
    int length = 0;
    while (true) {
      int b = in.read();
      if (b == -1) {
        throw new IOException("proxy " + proxy + " closed the connection before answering CONNECT "
            + target + (length == 0 ? "" : " (after " + length + " bytes of its answer)"));
      }
      if (length == MAX_HEAD_BYTES) {
        throw new IOException("proxy " + proxy + " answered CONNECT " + target + " with a head"
            + " longer than " + MAX_HEAD_BYTES + " bytes");
      }
      head[length++] = (byte) b;
      if (b == '\n' && endsWithBlankLine(head, length)) {
        return new String(head, 0, length, UTF_8);
      }
    }
  }

  /** True when {@code head[0, length)} ends with an empty line: "\n\n" or "\n\r\n". */
  private static boolean endsWithBlankLine(byte[] head, int length) {
    if (length >= 2 && head[length - 2] == '\n') return true;
    return length >= 3 && head[length - 2] == '\r' && head[length - 3] == '\n';
  }

  private static Answer parse(String head, String proxy, String target) throws IOException {
    String[] lines = head.split("\r?\n");
    String status = lines[0];
    // "HTTP/1.1 200 Connection established": version, code, optional reason phrase.
    int code = -1;
    String message = "";
    if (status.startsWith("HTTP/") && status.length() >= 12 && status.charAt(8) == ' ') {
      try {
        code = Integer.parseInt(status.substring(9, 12));
      } catch (NumberFormatException notANumber) {
        code = -1;
      }
      message = status.length() > 13 ? status.substring(13) : "";
    }
    if (code < 100) {
      throw new IOException("proxy " + proxy + " answered CONNECT " + target
          + " with something other than HTTP: " + quote(status));
    }
    Headers.Builder headers = new Headers.Builder();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      if (colon <= 0) continue; // Not a header; nothing Lifeline needs.
      try {
        headers.addUnsafeNonAscii(lines[i].substring(0, colon).trim(),
            lines[i].substring(colon + 1).trim());
      } catch (IllegalArgumentException invalidName) {
        // Skipped: only Proxy-Authenticate matters, for the authenticator.
      }
    }
    return new Answer(code, quote(status), message, headers.build());
  }

  /** {@code text} at most {@link #MAX_QUOTED} characters, control characters as '?'. */
  private static String quote(String text) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < text.length() && i < MAX_QUOTED; i++) {
      char c = text.charAt(i);
      s.append(c < 0x20 || c == 0x7f ? '?' : c);
    }
    if (text.length() > MAX_QUOTED) s.append('…');
    return s.toString();
  }
}
