package dev.lifeline;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import okhttp3.HttpUrl;

/**
 * Everything one connection needs: where to connect, and the policies that keep it alive. Build
 * with {@link #builder(String)}; every setter validates its argument at once with a message that
 * names the setting and the value.
 *
 * <pre>{@code
 * ConnectionOptions options = ConnectionOptions.builder("wss://chat.example.com/socket")
 *     .heartbeat(HeartbeatPolicy.builder().interval(25, SECONDS).build())
 *     .reconnect(ReconnectPolicy.builder().maxDelay(30, SECONDS).build())
 *     .build();
 * }</pre>
 */
public final class ConnectionOptions {
  /** The endpoint, validated. */
  private final String url;
  private final HeartbeatPolicy heartbeat;
  private final ReconnectPolicy reconnect;
  private final OutboxPolicy outbox;
  private final EnvironmentPolicy environment;
  /** Diagnostics; {@link EventListener#NONE} by default. */
  private final EventListener eventListener;
  /** Asked before every attempt, or null. */
  private final CredentialsProvider credentials;
  /** Fixed handshake headers, unmodifiable. */
  private final Map<String, String> headers;
  /** Recognises acknowledgements in at-least-once mode, or null for at-most-once. */
  private final AckMatcher ackMatcher;

  private ConnectionOptions(Builder b) {
    url = b.url;
    heartbeat = b.heartbeat;
    reconnect = b.reconnect;
    outbox = b.outbox;
    environment = b.environment;
    eventListener = b.eventListener;
    credentials = b.credentials;
    headers = Collections.unmodifiableMap(new LinkedHashMap<String, String>(b.headers));
    ackMatcher = b.ackMatcher;
  }

  /**
   * Starts options for {@code url}: {@code ws://} or {@code wss://}.
   *
   * @throws IllegalArgumentException for a malformed URL or an unsupported scheme.
   */
  public static Builder builder(String url) {
    return new Builder(url);
  }

  public String url() { return url; }
  public HeartbeatPolicy heartbeat() { return heartbeat; }
  public ReconnectPolicy reconnect() { return reconnect; }
  public OutboxPolicy outbox() { return outbox; }
  public EnvironmentPolicy environment() { return environment; }
  public EventListener eventListener() { return eventListener; }
  /** The credentials provider, or null. */
  public CredentialsProvider credentials() { return credentials; }
  public Map<String, String> headers() { return headers; }
  /** The at-least-once acknowledgement matcher, or null. */
  public AckMatcher ackMatcher() { return ackMatcher; }

  /** Builds {@link ConnectionOptions}. */
  public static final class Builder {
    private final String url;
    private HeartbeatPolicy heartbeat = HeartbeatPolicy.defaults();
    private ReconnectPolicy reconnect = ReconnectPolicy.defaults();
    private OutboxPolicy outbox = OutboxPolicy.defaults();
    private EnvironmentPolicy environment = EnvironmentPolicy.defaults();
    private EventListener eventListener = EventListener.NONE;
    private CredentialsProvider credentials;
    private final Map<String, String> headers = new LinkedHashMap<String, String>();
    private AckMatcher ackMatcher;

    Builder(String url) {
      this.url = validateUrl(url);
    }

    public Builder heartbeat(HeartbeatPolicy heartbeat) {
      this.heartbeat = Checks.notNull("heartbeat policy", heartbeat);
      return this;
    }

    public Builder reconnect(ReconnectPolicy reconnect) {
      this.reconnect = Checks.notNull("reconnect policy", reconnect);
      return this;
    }

    public Builder outbox(OutboxPolicy outbox) {
      this.outbox = Checks.notNull("outbox policy", outbox);
      return this;
    }

    public Builder environment(EnvironmentPolicy environment) {
      this.environment = Checks.notNull("environment policy", environment);
      return this;
    }

    public Builder eventListener(EventListener eventListener) {
      this.eventListener = Checks.notNull("event listener", eventListener);
      return this;
    }

    /** Asked for headers before every attempt (R5); null removes it. */
    public Builder credentials(CredentialsProvider credentials) {
      this.credentials = credentials;
      return this;
    }

    /** A fixed handshake header. */
    public Builder header(String name, String value) {
      Checks.notNull("header name", name);
      Checks.notNull("header value", value);
      if (name.isEmpty()) throw new IllegalArgumentException("header name is empty");
      headers.put(name, value);
      return this;
    }

    /**
     * At-least-once delivery (S2): messages with a key are held until acknowledged and resent in
     * order after a reconnect. Held messages count against the {@link OutboxPolicy} limits. Null
     * returns to the default, at-most-once: a message written to a socket that then dies is gone.
     */
    public Builder atLeastOnce(AckMatcher matcher) {
      this.ackMatcher = matcher;
      return this;
    }

    public ConnectionOptions build() {
      return new ConnectionOptions(this);
    }
  }

  static String validateUrl(String url) {
    Checks.notNull("url", url);
    int colon = url.indexOf("://");
    if (colon <= 0) {
      throw new IllegalArgumentException(
          "invalid URL '" + url + "': expected ws://host[:port]/path or wss://host[:port]/path");
    }
    String scheme = url.substring(0, colon).toLowerCase(Locale.ROOT);
    String rest = url.substring(colon + 3);
    String httpScheme;
    if (scheme.equals("ws")) {
      httpScheme = "http";
    } else if (scheme.equals("wss")) {
      httpScheme = "https";
    } else {
      throw new IllegalArgumentException("unsupported scheme '" + scheme + "' in '" + url
          + "': Lifeline connects to ws:// and wss:// URLs");
    }
    if (HttpUrl.parse(httpScheme + "://" + rest) == null || rest.isEmpty() || rest.startsWith("/")) {
      throw new IllegalArgumentException("invalid URL '" + url + "': no valid host");
    }
    return scheme + "://" + rest;
  }
}
