package dev.lifeline.internal.ws;

import dev.lifeline.internal.Redact;
import java.io.EOFException;
import java.io.IOException;
import java.net.ProtocolException;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import okhttp3.Cookie;
import okhttp3.CookieJar;
import okhttp3.Headers;
import okhttp3.HttpUrl;
import okio.Buffer;
import okio.BufferedSink;
import okio.BufferedSource;
import okio.ByteString;
import org.jspecify.annotations.Nullable;

/**
 * The client's side of the HTTP/1.1 upgrade (RFC 6455 section 4): writes the request and reads
 * and checks the server's answer, within bounds, so a hostile server can neither make it buffer
 * without limit nor open a WebSocket it did not agree to. Compression is never offered: a
 * compressed message's inflated size can't be bounded from its frame header
 * (docs/behaviour.md, "Inbound limits on the wire").
 */
final class Handshake {
  /** Longest status line or header line of the answer, CRLF excluded. */
  static final int MAX_LINE_BYTES = 8 * 1024;
  /** Longest answer head, every line and CRLF included. */
  static final int MAX_HEAD_BYTES = 64 * 1024;
  /** Most header lines in the answer. */
  static final int MAX_HEADERS = 100;
  /**
   * 24 h: the longest Retry-After taken from a server, so no arithmetic on it can overflow. The
   * reconnect policy caps it further ({@code ReconnectPolicy.maxRetryAfter}, 1 h by default).
   */
  static final long MAX_RETRY_AFTER_MILLIS = TimeUnit.HOURS.toMillis(24);
  /** Sent unless the app set its own User-Agent (OkHttp sent "okhttp/4.x"). */
  static final String USER_AGENT = "lifeline/1";
  /** Headers the handshake itself owns: an app's value for one of them is not sent. */
  private static final String[] OWN_HEADERS = {"Upgrade", "Connection", "Sec-WebSocket-Key",
      "Sec-WebSocket-Version", "Sec-WebSocket-Extensions"};

  /** The server answered the upgrade with another HTTP status: no WebSocket. */
  static final class Rejected extends ProtocolException {
    private static final long serialVersionUID = 1L;
    /** The answer's status code. */
    final int code;
    /** Its Retry-After in ms, at most {@link #MAX_RETRY_AFTER_MILLIS}; -1 when absent. */
    final long retryAfterMillis;

    Rejected(String statusLine, int code, long retryAfterMillis) {
      super("Expected HTTP 101 response but was '" + statusLine + "'"); // OkHttp's wording.
      this.code = code;
      this.retryAfterMillis = retryAfterMillis;
    }
  }

  /** The URL as given (user info, path and query are never shown unredacted). */
  private final String url;
  /** The URL parsed as http(s), for the request line and Host. */
  private final HttpUrl httpUrl;
  /** The app's headers (credentials included); validated by the engine. */
  private final Map<String, String> headers;
  /** Sec-WebSocket-Key: 16 random bytes, base64. */
  private final String key;
  /** The client's cookies for this URL, as OkHttp's own calls send them. */
  private final CookieJar cookies;

  Handshake(String url, Map<String, String> headers, CookieJar cookies, Random random) {
    this.url = url;
    String lower = url.toLowerCase(Locale.ROOT);
    HttpUrl parsed = HttpUrl.parse((lower.startsWith("wss:") ? "https:" : "http:")
        + url.substring(url.indexOf(':') + 1));
    if (parsed == null) throw new IllegalArgumentException("invalid URL: " + Redact.url(url));
    this.httpUrl = parsed;
    this.headers = headers;
    this.cookies = cookies;
    byte[] nonce = new byte[16];
    random.nextBytes(nonce);
    this.key = ByteString.of(nonce).base64();
  }

  /** Writes the upgrade request (not flushed). */
  void writeRequest(BufferedSink sink) throws IOException {
    Buffer request = new Buffer();
    String query = httpUrl.encodedQuery();
    request.writeUtf8("GET ").writeUtf8(httpUrl.encodedPath())
        .writeUtf8(query == null ? "" : "?" + query).writeUtf8(" HTTP/1.1\r\n");
    if (!hasAppHeader("Host")) header(request, "Host", hostHeader());
    header(request, "Upgrade", "websocket");
    header(request, "Connection", "Upgrade");
    header(request, "Sec-WebSocket-Key", key);
    header(request, "Sec-WebSocket-Version", "13");
    if (!hasAppHeader("User-Agent")) header(request, "User-Agent", USER_AGENT);
    if (!hasAppHeader("Cookie")) {
      List<Cookie> jar = cookies.loadForRequest(httpUrl);
      if (!jar.isEmpty()) header(request, "Cookie", cookieHeader(jar));
    }
    for (Map.Entry<String, String> h : headers.entrySet()) {
      if (!isOwn(h.getKey())) header(request, h.getKey(), h.getValue());
    }
    request.writeUtf8("\r\n");
    sink.writeAll(request);
  }

  /**
   * Reads the answer's head and returns when it is a valid 101 (the frames follow in {@code
   * source}); throws {@link Rejected} for another status, a ProtocolException for an answer that
   * is not a valid upgrade, or an EOFException when the server closed before the head ended.
   */
  void readResponse(BufferedSource source) throws IOException {
    long[] headBytes = {0};
    String statusLine = readLine(source, headBytes, "status line");
    int code = statusCode(statusLine);
    List<String> answer = new ArrayList<String>(); // Name, value, name, value, ...
    for (String line = readLine(source, headBytes, "header line"); !line.isEmpty();
        line = readLine(source, headBytes, "header line")) {
      if (answer.size() >= 2 * MAX_HEADERS) {
        throw new ProtocolException("the server's HTTP upgrade response has more than "
            + MAX_HEADERS + " header lines (Lifeline's limit)");
      }
      int colon = line.indexOf(':');
      if (colon <= 0) {
        throw new ProtocolException("malformed header line in the server's HTTP upgrade"
            + " response: '" + printable(line) + "'");
      }
      answer.add(line.substring(0, colon).trim());
      answer.add(line.substring(colon + 1).trim());
    }
    if (code != 101) {
      throw new Rejected(statusLine.substring(statusLine.indexOf(' ') + 1), code,
          retryAfterMillis(get(answer, "Retry-After")));
    }
    String upgrade = get(answer, "Upgrade");
    check("websocket".equalsIgnoreCase(upgrade), "Upgrade", shown(upgrade), "'websocket'");
    String connection = get(answer, "Connection");
    check(connection != null && connection.toLowerCase(Locale.ROOT).contains("upgrade"),
        "Connection", shown(connection), "a value containing 'Upgrade'");
    String accept = get(answer, "Sec-WebSocket-Accept");
    String expected = WebSocketProtocol.acceptHeader(key);
    check(expected.equals(accept), "Sec-WebSocket-Accept", shown(accept), "'" + expected + "'");
    String extensions = get(answer, "Sec-WebSocket-Extensions");
    check(extensions == null, "Sec-WebSocket-Extensions", shown(extensions),
        "none (Lifeline offered no extension)");
    String protocol = get(answer, "Sec-WebSocket-Protocol");
    String offered = appHeader("Sec-WebSocket-Protocol");
    if (protocol != null && offered == null) {
      check(false, "Sec-WebSocket-Protocol", shown(protocol), "none (none was offered)");
    } else if (protocol != null) {
      boolean wasOffered = false;
      for (String p : offered.split(",")) wasOffered |= p.trim().equals(protocol);
      // Apps carry tokens in subprotocols: neither side's value is shown.
      check(wasOffered, "Sec-WebSocket-Protocol", "a value the request did not offer",
          "one of the offered subprotocols (values not shown)");
    }
  }

  /** Fails unless {@code ok}, saying what was expected and what came. */
  private static void check(boolean ok, String name, String came, String expected)
      throws ProtocolException {
    if (ok) return;
    throw new ProtocolException("the server's 101 response is not a valid WebSocket upgrade: "
        + name + " was " + came + ", expected " + expected);
  }

  /** A server's header value for a message: quoted and printable, or "absent". */
  private static String shown(@Nullable String value) {
    return value == null ? "absent" : "'" + printable(value) + "'";
  }

  /** The first value of header {@code name} (case-insensitive) in name-value pairs, or null. */
  private static @Nullable String get(List<String> nameValues, String name) {
    for (int i = 0; i < nameValues.size(); i += 2) {
      if (nameValues.get(i).equalsIgnoreCase(name)) return nameValues.get(i + 1);
    }
    return null;
  }

  /** One line of the head, without its CRLF (or bare LF), within the limits. */
  private static String readLine(BufferedSource source, long[] headBytes, String what)
      throws IOException {
    long limit = Math.min(MAX_LINE_BYTES + 2L, MAX_HEAD_BYTES - headBytes[0]);
    long newline = source.indexOf((byte) '\n', 0, limit);
    if (newline < 0) {
      if (source.getBuffer().size() >= limit) {
        if (limit < MAX_LINE_BYTES + 2L) {
          throw new ProtocolException("the server's HTTP upgrade response head exceeds "
              + MAX_HEAD_BYTES + " bytes (Lifeline's limit)");
        }
        throw new ProtocolException("the server's HTTP upgrade response has a " + what
            + " longer than " + MAX_LINE_BYTES + " bytes (Lifeline's limit)");
      }
      throw new EOFException("the server closed the connection before the end of its HTTP"
          + " upgrade response (" + (headBytes[0] + source.getBuffer().size()) + " bytes read)");
    }
    headBytes[0] += newline + 1;
    String line = source.readUtf8(newline);
    source.skip(1);
    return line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
  }

  /** The status code of "HTTP/1.1 101 Switching Protocols". */
  private static int statusCode(String statusLine) throws ProtocolException {
    if (statusLine.startsWith("HTTP/1.") && statusLine.length() >= 12
        && statusLine.charAt(8) == ' ' && (statusLine.length() == 12
            || statusLine.charAt(12) == ' ')) {
      try {
        return Integer.parseInt(statusLine.substring(9, 12));
      } catch (NumberFormatException fallThrough) {
        // Not digits: reported below.
      }
    }
    throw new ProtocolException("the server's answer to the HTTP upgrade does not start with an"
        + " HTTP/1.x status line: '" + printable(statusLine) + "'");
  }

  /** Retry-After as delta-seconds or an HTTP date, at most 24 h; -1 when absent or unreadable. */
  static long retryAfterMillis(@Nullable String value) {
    if (value == null) return -1;
    value = value.trim();
    if (!value.isEmpty() && value.length() <= 32 && value.matches("[0-9]+")) {
      // Any number of digits: a value beyond a long is still "very long", not unreadable.
      long seconds = value.length() > 18 ? Long.MAX_VALUE : Long.parseLong(value);
      return Math.min(MAX_RETRY_AFTER_MILLIS, TimeUnit.SECONDS.toMillis(seconds));
    }
    Date date;
    try {
      date = Headers.of("Retry-After", value).getDate("Retry-After");
    } catch (IllegalArgumentException notAHeaderValue) {
      return -1;
    }
    if (date == null) return -1;
    return Math.min(MAX_RETRY_AFTER_MILLIS,
        Math.max(0, date.getTime() - System.currentTimeMillis()));
  }

  /** Host, with the port only when it is not the scheme's default; IPv6 in brackets. */
  private String hostHeader() {
    String host = httpUrl.host().contains(":") ? "[" + httpUrl.host() + "]" : httpUrl.host();
    return httpUrl.port() == HttpUrl.defaultPort(httpUrl.scheme())
        ? host : host + ":" + httpUrl.port();
  }

  /** "a=1; b=2", as OkHttp's BridgeInterceptor writes it. */
  private static String cookieHeader(List<Cookie> cookies) {
    StringBuilder b = new StringBuilder();
    for (Cookie c : cookies) {
      if (b.length() > 0) b.append("; ");
      b.append(c.name()).append('=').append(c.value());
    }
    return b.toString();
  }

  private boolean hasAppHeader(String name) {
    return appHeader(name) != null;
  }

  /** The app's value of header {@code name} (case-insensitive), or null. */
  private @Nullable String appHeader(String name) {
    for (Map.Entry<String, String> h : headers.entrySet()) {
      if (h.getKey().equalsIgnoreCase(name)) return h.getValue();
    }
    return null;
  }

  private static boolean isOwn(String name) {
    for (String own : OWN_HEADERS) {
      if (own.equalsIgnoreCase(name)) return true;
    }
    return false;
  }

  private static void header(Buffer out, String name, String value) {
    out.writeUtf8(name).writeUtf8(": ").writeUtf8(value).writeUtf8("\r\n");
  }

  /** At most 200 characters of {@code s}, control and non-ASCII characters escaped. */
  static String printable(String s) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length() && b.length() < 200; i++) {
      char c = s.charAt(i);
      if (c >= ' ' && c < 0x7f) {
        b.append(c);
      } else {
        b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
      }
    }
    return s.length() > b.length() && b.length() >= 200 ? b + "…" : b.toString();
  }

  @Override public String toString() {
    return "Handshake{" + Redact.url(url) + "}";
  }
}
