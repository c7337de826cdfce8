package dev.lifeline;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.File;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import dev.lifeline.internal.HeaderChecks;
import dev.lifeline.internal.Redact;
import dev.lifeline.internal.Transports;
import java.util.concurrent.TimeUnit;
import okhttp3.HttpUrl;
import org.jspecify.annotations.Nullable;

/**
 * Everything one connection needs: where to connect, and the policies that keep it alive. Build
 * with {@link #builder(String)}; every setter validates its argument at once with a message that
 * names the setting and the value.
 *
 * <p><b>Transports.</b> The URL's scheme chooses the transport; the same manager (heartbeats,
 * silence watch, reconnection, outbox, environment signals) runs above both:
 * <ul>
 *   <li>{@code ws://host[:port]/path}, {@code wss://…}: WebSocket over OkHttp. Text and binary
 *       messages; protocol pings; handshake headers and credentials are sent.
 *   <li>{@code tcp://host:port}, {@code tcp+tls://host:port}: newline-framed text, the protocol of
 *       many long-connection servers (often listening as {@code text://host:port}). Every message
 *       is one UTF-8 line ending in {@code \n}; {@code \r\n} is accepted inbound, and an empty line
 *       arrives as an empty message. The port is required, and there is no path. TLS uses the
 *       {@link okhttp3.OkHttpClient}'s SSL socket factory, hostname verifier and certificate
 *       pinner; the connect timeout (TLS handshake included) is the client's connect timeout and a
 *       write blocked longer than its write timeout fails the connection. There is no handshake
 *       ({@link Builder#build()} rejects headers and a credentials provider), no close code (the
 *       code passed to close never reaches the server) and no protocol ping: configure the
 *       heartbeat payload as a line your server recognises, and the server-silence watch
 *       (docs/behaviour.md, "Server-silence watch") if the server sends heartbeats. {@link
 *       Connection#send} throws {@link IllegalArgumentException} for a message that cannot be one
 *       line: binary, or text containing {@code \n}. An inbound line longer than {@link
 *       Builder#maxLineLength} [{@value #DEFAULT_MAX_LINE_LENGTH} bytes] closes the connection with
 *       a reason that names the limit, and a reconnect follows.
 * </ul>
 *
 * <pre>{@code
 * ConnectionOptions options = ConnectionOptions.builder("wss://chat.example.com/socket")
 *     .heartbeat(HeartbeatPolicy.builder().interval(25, SECONDS).build())
 *     .reconnect(ReconnectPolicy.builder().maxDelay(30, SECONDS).build())
 *     .build();
 *
 * // A line-based server that sends "PING" lines every 30 s and expects "HB" lines from us:
 * ConnectionOptions tcp = ConnectionOptions.builder("tcp+tls://push.example.com:7001")
 *     .heartbeat(HeartbeatPolicy.builder()
 *         .textPayload("HB")
 *         .expectServerHeartbeats(30, SECONDS)
 *         .build())
 *     .maxLineLength(64 * 1024)
 *     .build();
 * }</pre>
 */
public final class ConnectionOptions {
  /** 16 MiB, as OkHttp's own outbound queue: received bytes waiting for the listener. */
  public static final long DEFAULT_MAX_PENDING_INBOUND_BYTES = 16L * 1024 * 1024;
  /** Longest accepted inbound line on tcp:// and tcp+tls:// by default: 1 MiB. */
  public static final long DEFAULT_MAX_LINE_LENGTH = 1024L * 1024;
  /** The largest {@link Builder#maxLineLength} accepted: 1 GiB (a line becomes one String). */
  public static final long MAX_LINE_LENGTH_LIMIT = 1024L * 1024 * 1024;
  /** Largest inbound WebSocket message accepted by default: 16 MiB, as OkHttp's outbound queue. */
  public static final long DEFAULT_MAX_INBOUND_MESSAGE_BYTES = 16L * 1024 * 1024;
  /**
   * The largest {@link Builder#maxInboundMessageBytes} accepted: 1 GiB (a message becomes one
   * String or ByteString, which Java caps below 2 GiB).
   */
  public static final long MAX_INBOUND_MESSAGE_BYTES_LIMIT = 1024L * 1024 * 1024;
  /**
   * 30 s: how long one attempt may take, from its start to an open connection, credentials step,
   * DNS, TCP, TLS and the HTTP upgrade included.
   */
  public static final long DEFAULT_ATTEMPT_TIMEOUT_MILLIS = 30_000L;
  /**
   * 15 s: how long a message written in at-least-once mode may wait for its acknowledgement before
   * the connection is replaced and the message resent (docs/behaviour.md, "Sending and
   * delivery"). Well above a round trip on a poor mobile network plus a busy server, and above
   * OkHttp's default 10 s read and write timeouts; well below the 55–110 s the protocol ping
   * needs to notice a dead path.
   */
  public static final long DEFAULT_ACK_TIMEOUT_MILLIS = 15_000L;

  /** The endpoint, validated. */
  private final String url;
  private final HeartbeatPolicy heartbeat;
  private final ReconnectPolicy reconnect;
  private final OutboxPolicy outbox;
  private final EnvironmentPolicy environment;
  /** Diagnostics; {@link EventListener#NONE} by default. */
  private final EventListener eventListener;
  /** Asked before every attempt, or null. */
  private final @Nullable CredentialsProvider credentials;
  /** Fixed handshake headers, unmodifiable; always empty for tcp:// and tcp+tls://. */
  private final Map<String, String> headers;
  /** Recognises acknowledgements in at-least-once mode, or null for at-most-once. */
  private final @Nullable AckMatcher ackMatcher;
  /** Received bytes that may wait for the listener before reading pauses. */
  private final long maxPendingInboundBytes;
  /** Longest inbound line in bytes, terminator excluded; tcp:// and tcp+tls:// only. */
  private final long maxLineLength;
  /** Largest inbound message in bytes; WebSocket only. */
  private final long maxInboundMessageBytes;
  /** The overall deadline of one attempt in ms, > 0. */
  private final long attemptTimeoutMillis;
  /** How long a written message may wait for its acknowledgement in ms, > 0. */
  private final long ackTimeoutMillis;
  /** Where the outbox is kept across restarts, or null for memory only. */
  private final @Nullable OutboxStore outboxStore;
  /** Inbound stream resume, or null. */
  private final @Nullable StreamResume resume;

  private ConnectionOptions(Builder b, String url, Map<String, String> headers) {
    this.url = url;
    heartbeat = b.heartbeat;
    reconnect = b.reconnect;
    outbox = b.outbox;
    environment = b.environment;
    eventListener = b.eventListener;
    credentials = b.credentials;
    this.headers = Collections.unmodifiableMap(headers);
    ackMatcher = b.ackMatcher;
    maxPendingInboundBytes = b.maxPendingInboundBytes;
    maxLineLength = b.maxLineLength;
    maxInboundMessageBytes = b.maxInboundMessageBytes;
    attemptTimeoutMillis = b.attemptTimeoutMillis;
    ackTimeoutMillis = b.ackTimeoutMillis;
    outboxStore = b.outboxStore;
    resume = b.resume;
  }

  /**
   * Where the outbox is kept across restarts (docs/behaviour.md, "Durable outbox").
   *
   * @return the store, or null when the outbox lives in memory only
   */
  public @Nullable OutboxStore outboxStore() { return outboxStore; }

  /**
   * Inbound stream resume (docs/behaviour.md, "Stream resume").
   *
   * @return the settings, or null when inbound positions are not tracked
   */
  public @Nullable StreamResume resume() { return resume; }

  /**
   * Starts options for {@code url}: {@code ws://host[:port]/path}, {@code wss://host[:port]/path},
   * {@code tcp://host:port} or {@code tcp+tls://host:port} (see the class documentation).
   * User info in a WebSocket URL ({@code wss://user:password@host/…}) is sent as an {@code
   * Authorization: Basic} header (RFC 7617, UTF-8); a tcp URL cannot carry it. Query values and
   * user info never appear in Lifeline's logs, events, reasons or exceptions (docs/behaviour.md,
   * "Secrets").
   *
   * @param url where to connect
   * @return a new builder
   * @throws IllegalArgumentException for a malformed URL or an unsupported scheme.
   */
  public static Builder builder(String url) {
    return new Builder(url);
  }

  /**
   * A builder that starts from these options, to derive options that differ in a few settings,
   * e.g. a library that adds its own {@link EventListener} around the app's. The URL is {@link
   * #url()} and the headers {@link #headers()} (user info already turned into its {@code
   * Authorization} header); {@link Builder#build()} checks everything again.
   *
   * @return a new builder with every setting of these options
   */
  public Builder newBuilder() {
    Builder b = new Builder(url);
    b.heartbeat = heartbeat;
    b.reconnect = reconnect;
    b.outbox = outbox;
    b.environment = environment;
    b.eventListener = eventListener;
    b.credentials = credentials;
    b.headers.putAll(headers);
    b.ackMatcher = ackMatcher;
    b.maxPendingInboundBytes = maxPendingInboundBytes;
    b.maxLineLength = maxLineLength;
    b.maxInboundMessageBytes = maxInboundMessageBytes;
    b.attemptTimeoutMillis = attemptTimeoutMillis;
    b.ackTimeoutMillis = ackTimeoutMillis;
    b.outboxStore = outboxStore;
    b.resume = resume;
    return b;
  }

  /**
   * The endpoint, validated, with the scheme in lower case and without user info: that is sent as
   * the {@code Authorization} header in {@link #headers()}.
   *
   * @return the URL
   */
  public String url() { return url; }
  /**
   * The heartbeat policy.
   *
   * @return the policy; {@link HeartbeatPolicy#defaults()} unless set
   */
  public HeartbeatPolicy heartbeat() { return heartbeat; }
  /**
   * The reconnect policy.
   *
   * @return the policy; {@link ReconnectPolicy#defaults()} unless set
   */
  public ReconnectPolicy reconnect() { return reconnect; }
  /**
   * The outbox policy.
   *
   * @return the policy; {@link OutboxPolicy#defaults()} unless set
   */
  public OutboxPolicy outbox() { return outbox; }
  /**
   * The environment policy.
   *
   * @return the policy; {@link EnvironmentPolicy#defaults()} unless set
   */
  public EnvironmentPolicy environment() { return environment; }
  /**
   * The diagnostics listener.
   *
   * @return the listener; {@link EventListener#NONE} unless set
   */
  public EventListener eventListener() { return eventListener; }
  /**
   * The credentials provider, or null.
   *
   * @return the provider, or null
   */
  public @Nullable CredentialsProvider credentials() { return credentials; }
  /**
   * The fixed handshake headers, including {@code Authorization} made from the URL's user info.
   *
   * @return the headers, unmodifiable; empty for tcp:// and tcp+tls://
   */
  public Map<String, String> headers() { return headers; }
  /**
   * The at-least-once acknowledgement matcher, or null.
   *
   * @return the matcher, or null
   */
  public @Nullable AckMatcher ackMatcher() { return ackMatcher; }
  /**
   * Received bytes that may wait for the listener before Lifeline stops reading the socket.
   *
   * @return the limit in bytes
   */
  public long maxPendingInboundBytes() { return maxPendingInboundBytes; }
  /**
   * Longest accepted inbound line in bytes, terminator excluded (tcp:// and tcp+tls:// only).
   *
   * @return the limit in bytes
   */
  public long maxLineLength() { return maxLineLength; }
  /**
   * Largest accepted inbound WebSocket message in bytes (ws:// and wss:// only).
   *
   * @return the limit in bytes
   */
  public long maxInboundMessageBytes() { return maxInboundMessageBytes; }
  /**
   * The overall deadline of one connection attempt.
   *
   * @return the deadline in ms
   */
  public long attemptTimeoutMillis() { return attemptTimeoutMillis; }
  /**
   * How long a written message may wait for its acknowledgement (at-least-once mode only).
   *
   * @return the timeout in ms
   */
  public long ackTimeoutMillis() { return ackTimeoutMillis; }

  /**
   * Every setting, with units, for logs and bug reports; never a secret: the URL is redacted
   * ({@code wss://██@host/socket?access_token=██}, docs/behaviour.md, "Secrets"), headers show
   * their names only ({@code Authorization: ██}), and app code (credentials provider, ack
   * matcher, event listener) is named by its class, never by its own {@code toString()}.
   */
  @Override public String toString() {
    boolean tcp = url.startsWith(Transports.TCP_SCHEME + "://")
        || url.startsWith(Transports.TCP_TLS_SCHEME + "://");
    StringBuilder s = new StringBuilder("ConnectionOptions{url=").append(Redact.url(url));
    if (!headers.isEmpty()) {
      s.append(", headers=[");
      boolean first = true;
      for (String name : headers.keySet()) {
        if (!first) s.append(", ");
        s.append(name).append(": ").append(Redact.MASK);
        first = false;
      }
      s.append(']');
    }
    if (credentials != null) s.append(", credentials=").append(HeartbeatPolicy.describe(credentials));
    if (ackMatcher != null) {
      s.append(", atLeastOnce=").append(HeartbeatPolicy.describe(ackMatcher))
          .append(", ackTimeout=").append(ackTimeoutMillis).append(" ms");
    }
    if (outboxStore != null) s.append(", outboxStore=").append(HeartbeatPolicy.describe(outboxStore));
    if (resume != null) s.append(", resume=").append(resume);
    if (eventListener != EventListener.NONE) {
      s.append(", eventListener=").append(HeartbeatPolicy.describe(eventListener));
    }
    s.append(", attemptTimeout=").append(attemptTimeoutMillis).append(" ms")
        .append(", maxPendingInbound=").append(maxPendingInboundBytes).append(" bytes");
    if (tcp) {
      s.append(", maxLineLength=").append(maxLineLength).append(" bytes");
    } else {
      s.append(", maxInboundMessage=").append(maxInboundMessageBytes).append(" bytes");
    }
    return s.append(", heartbeat=").append(heartbeat)
        .append(", reconnect=").append(reconnect)
        .append(", outbox=").append(outbox)
        .append(", environment=").append(environment)
        .append('}').toString();
  }

  /** Builds {@link ConnectionOptions}. */
  public static final class Builder {
    private final String url;
    private HeartbeatPolicy heartbeat = HeartbeatPolicy.defaults();
    private ReconnectPolicy reconnect = ReconnectPolicy.defaults();
    private OutboxPolicy outbox = OutboxPolicy.defaults();
    private EnvironmentPolicy environment = EnvironmentPolicy.defaults();
    private EventListener eventListener = EventListener.NONE;
    private @Nullable CredentialsProvider credentials;
    private final Map<String, String> headers = new LinkedHashMap<String, String>();
    private @Nullable AckMatcher ackMatcher;
    private long maxPendingInboundBytes = DEFAULT_MAX_PENDING_INBOUND_BYTES;
    private long maxLineLength = DEFAULT_MAX_LINE_LENGTH;
    private long maxInboundMessageBytes = DEFAULT_MAX_INBOUND_MESSAGE_BYTES;
    private long attemptTimeoutMillis = DEFAULT_ATTEMPT_TIMEOUT_MILLIS;
    private long ackTimeoutMillis = DEFAULT_ACK_TIMEOUT_MILLIS;
    private @Nullable OutboxStore outboxStore;
    private @Nullable StreamResume resume;

    Builder(String url) {
      this.url = validateUrl(url);
    }

    /**
     * How the connection keeps itself alive [{@link HeartbeatPolicy#defaults()}].
     *
     * @param heartbeat the policy
     * @return this builder
     */
    public Builder heartbeat(HeartbeatPolicy heartbeat) {
      this.heartbeat = Checks.notNull("heartbeat policy", heartbeat);
      return this;
    }

    /**
     * How lost connections are retried [{@link ReconnectPolicy#defaults()}].
     *
     * @param reconnect the policy
     * @return this builder
     */
    public Builder reconnect(ReconnectPolicy reconnect) {
      this.reconnect = Checks.notNull("reconnect policy", reconnect);
      return this;
    }

    /**
     * What is held while not connected [{@link OutboxPolicy#defaults()}].
     *
     * @param outbox the policy
     * @return this builder
     */
    public Builder outbox(OutboxPolicy outbox) {
      this.outbox = Checks.notNull("outbox policy", outbox);
      return this;
    }

    /**
     * How the connection reacts to screen, lifecycle and sleep [{@link EnvironmentPolicy#defaults()}].
     *
     * @param environment the policy
     * @return this builder
     */
    public Builder environment(EnvironmentPolicy environment) {
      this.environment = Checks.notNull("environment policy", environment);
      return this;
    }

    /**
     * Receives diagnostics events [{@link EventListener#NONE}].
     *
     * @param eventListener the listener
     * @return this builder
     */
    public Builder eventListener(EventListener eventListener) {
      this.eventListener = Checks.notNull("event listener", eventListener);
      return this;
    }

    /**
     * Asked for handshake headers before every attempt; null removes it.
     *
     * @param credentials the provider, or null
     * @return this builder
     */
    public Builder credentials(@Nullable CredentialsProvider credentials) {
      this.credentials = credentials;
      return this;
    }

    /**
     * A fixed handshake header.
     *
     * @param name the header's name
     * @param value its value
     * @return this builder
     * @throws IllegalArgumentException for a name or value the handshake cannot carry (control
     *     characters such as CR or LF, non-ASCII): the message names the header and the offending
     *     character, never the value, which may be a secret.
     */
    public Builder header(String name, String value) {
      Checks.notNull("header name", name);
      Checks.notNull("header value", value);
      if (name.isEmpty()) throw new IllegalArgumentException("header name is empty");
      String invalid = HeaderChecks.whyInvalid(name, value);
      if (invalid != null) throw new IllegalArgumentException(invalid);
      headers.put(name, value);
      return this;
    }

    /**
     * The overall deadline of one connection attempt [{@value
     * ConnectionOptions#DEFAULT_ATTEMPT_TIMEOUT_MILLIS} ms]: the credentials provider, DNS, TCP
     * connect, TLS and the HTTP upgrade together. Per-read timeouts cannot stop a server that
     * trickles its answer a byte at a time; this deadline does. An attempt still unfinished when
     * it passes is abandoned as a failed attempt, with a reason naming the slow step (see
     * docs/behaviour.md, "Attempt deadline"). Must be positive.
     *
     * @param timeout the deadline, > 0
     * @param unit its unit
     * @return this builder
     */
    public Builder attemptTimeout(long timeout, TimeUnit unit) {
      attemptTimeoutMillis = Checks.positiveMillis("attempt timeout", timeout, unit);
      return this;
    }

    /**
     * At-least-once delivery (docs/behaviour.md, "Sending and delivery"): messages with a key are
     * held until acknowledged and resent in order after a reconnect or an {@link #ackTimeout}.
     * Held messages count against the {@link OutboxPolicy} limits; a key already held is rejected
     * at {@code send()}. Null returns to the default, at-most-once: a message written to a socket
     * that then dies before the server was heard from again is reported through {@link
     * ConnectionListener#onSendFailed} as "may not have been delivered", never sent twice.
     *
     * @param matcher recognises the server's acknowledgements
     * @return this builder
     */
    public Builder atLeastOnce(@Nullable AckMatcher matcher) {
      this.ackMatcher = matcher;
      return this;
    }

    /**
     * Keeps the outbox in {@code store}, so that what {@link Connection#send} accepted survives
     * the process (docs/behaviour.md, "Durable outbox") [none: memory only]. Each message is
     * recorded before {@code send()} returns true and forgotten once settled; a connection created
     * with a store first restores what the store holds, in order and before anything new. One
     * store serves one connection at a time: give each connection its own.
     *
     * @param store the store, or null for memory only
     * @return this builder
     */
    public Builder outboxStore(@Nullable OutboxStore store) {
      this.outboxStore = store;
      return this;
    }

    /**
     * Keeps the outbox in Lifeline's journal {@code name} in {@code directory}: the same as
     * {@code outboxStore(OutboxJournal.builder(directory, name).build())}, at the {@link
     * OutboxJournal.Durability#PROCESS_DEATH} level (use {@link OutboxJournal#builder} and {@link
     * #outboxStore} for {@link OutboxJournal.Durability#POWER_LOSS}). On Android, {@code
     * LifelineAndroid.journal} picks the directory.
     *
     * @param directory where the journal's files go; created when missing
     * @param name the journal's name, 1 to 64 characters of {@code [A-Za-z0-9._-]}, the same across
     *     restarts and different for each connection
     * @return this builder
     * @throws IllegalArgumentException when the name is not valid
     */
    public Builder journal(File directory, String name) {
      return outboxStore(OutboxJournal.builder(directory, name).build());
    }

    /**
     * Tracks where inbound messages stand in the server's stream and resumes it after every
     * reconnect (docs/behaviour.md, "Stream resume") [none]. The position of the last message the
     * listener handled is kept (in the {@link #outboxStore} too, when there is one) and handed to
     * the resume hook before each attempt's handshake.
     *
     * @param resume the settings, or null for none
     * @return this builder
     */
    public Builder resume(@Nullable StreamResume resume) {
      this.resume = resume;
      return this;
    }

    /**
     * In at-least-once mode, how long a written message may wait for its acknowledgement [{@value
     * ConnectionOptions#DEFAULT_ACK_TIMEOUT_MILLIS} ms]. When the oldest one has waited this long
     * on the current connection, the connection is presumed to have lost it and is replaced (a
     * failure counted like any other, with backoff); every unacknowledged message is sent again,
     * in order, on the next one. Counted from when the message was handed to the socket. Set it
     * above your server's slowest acknowledgement: too short resends messages that were merely
     * slow. Without {@link #atLeastOnce} it has no effect. Must be positive.
     *
     * @param timeout the timeout, > 0
     * @param unit its unit
     * @return this builder
     */
    public Builder ackTimeout(long timeout, TimeUnit unit) {
      ackTimeoutMillis = Checks.positiveMillis("ack timeout", timeout, unit);
      return this;
    }

    /**
     * The longest inbound line accepted on tcp:// and tcp+tls://, in bytes of UTF-8 without the
     * {@code \n} or {@code \r\n} terminator [{@value ConnectionOptions#DEFAULT_MAX_LINE_LENGTH}].
     * A longer line closes the connection instead of growing memory. Ignored for WebSocket URLs.
     *
     * @param bytes the limit in bytes
     * @return this builder
     * @throws IllegalArgumentException unless 1 ≤ {@code bytes} ≤ {@value
     *     ConnectionOptions#MAX_LINE_LENGTH_LIMIT}.
     */
    public Builder maxLineLength(long bytes) {
      if (bytes < 1 || bytes > MAX_LINE_LENGTH_LIMIT) {
        throw new IllegalArgumentException("max line length must be between 1 and "
            + MAX_LINE_LENGTH_LIMIT + " bytes, was " + bytes);
      }
      maxLineLength = bytes;
      return this;
    }

    /**
     * The largest message accepted from a WebSocket server, in bytes of its payload (all its
     * frames together) [{@value ConnectionOptions#DEFAULT_MAX_INBOUND_MESSAGE_BYTES}]. OkHttp
     * holds a whole message in memory before delivering it; a larger one fails the connection as
     * soon as its frame header announces the size, before any of it is buffered: Lifeline sends a
     * close with code 1009 ("message too big") and reconnects after the usual backoff, with a
     * reason that names this setting (docs/behaviour.md, "Inbound limits on the wire"). Ignored
     * for tcp:// and tcp+tls://, where {@link #maxLineLength} bounds a message.
     *
     * @param bytes the limit in bytes
     * @return this builder
     * @throws IllegalArgumentException unless 1 ≤ {@code bytes} ≤ {@value
     *     ConnectionOptions#MAX_INBOUND_MESSAGE_BYTES_LIMIT}.
     */
    public Builder maxInboundMessageBytes(long bytes) {
      if (bytes < 1 || bytes > MAX_INBOUND_MESSAGE_BYTES_LIMIT) {
        throw new IllegalArgumentException("max inbound message bytes must be between 1 and "
            + MAX_INBOUND_MESSAGE_BYTES_LIMIT + " bytes, was " + bytes);
      }
      maxInboundMessageBytes = bytes;
      return this;
    }

    /**
     * How many received bytes may wait for the {@link ConnectionListener} before Lifeline stops
     * reading the socket [{@value ConnectionOptions#DEFAULT_MAX_PENDING_INBOUND_BYTES}]. A flood
     * of messages, or a listener slower than the network, then slows the server down through
     * TCP's flow control instead of filling memory. Each message counts 128 bytes on top of its
     * payload, what it costs in memory while it waits, so a flood of empty messages is bounded
     * too. A single larger message is still delivered.
     * While reading is paused, WebSocket pongs are not read either: a listener stuck for longer
     * than two protocol ping intervals gets its connection replaced. Messages waiting for the
     * listener count as server activity for the silence watch.
     *
     * @param bytes the limit in bytes
     * @return this builder
     */
    public Builder maxPendingInboundBytes(long bytes) {
      if (bytes <= 0) {
        throw new IllegalArgumentException("max pending inbound bytes must be positive, was " + bytes);
      }
      maxPendingInboundBytes = bytes;
      return this;
    }

    /**
     * Checks the settings against each other and builds the options.
     *
     * @return the options.
     * @throws IllegalArgumentException for a tcp:// or tcp+tls:// URL with headers or a credentials
     *     provider (there is no handshake to carry them), or whose fixed heartbeat payload cannot
     *     be one line (binary, or text containing {@code \n}); for a URL with user info and also an
     *     {@code Authorization} header or a credentials provider (which credentials to send would
     *     be a guess); for a tcp:// or tcp+tls:// URL with {@link StreamResume#queryParameter} or
     *     {@link StreamResume#header} as the resume hook.
     */
    public ConnectionOptions build() {
      if (Transports.isLineProtocol(url) && (!headers.isEmpty() || credentials != null)) {
        throw new IllegalArgumentException((headers.isEmpty() ? "a credentials provider" :
            "headers " + headers.keySet()) + " cannot be used with " + Redact.url(url)
            + ": newline-framed TCP has no handshake to carry them; send credentials as a message instead");
      }
      if (Transports.isLineProtocol(url) && resume != null && resume.hookNeedsHandshake()) {
        throw new IllegalArgumentException("resume hook '" + resume.hook() + "' cannot be used"
            + " with " + Redact.url(url) + ": newline-framed TCP has no handshake to carry it;"
            + " send the position with ResumeRequest.firstMessage() instead");
      }
      if (heartbeat.payload() instanceof HeartbeatPolicy.FixedPayload) {
        Message beat = ((HeartbeatPolicy.FixedPayload) heartbeat.payload()).message;
        try {
          Transports.checkSendable(url, beat);
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("heartbeat payload: " + e.getMessage(), e);
        }
      }
      Map<String, String> sent = new LinkedHashMap<String, String>(headers);
      String endpoint = withBasicAuth(sent);
      return new ConnectionOptions(this, endpoint, sent);
    }

    /**
     * The URL to connect to, without its user info: {@code user:password@} becomes an {@code
     * Authorization: Basic} header in {@code sent} (RFC 7617, UTF-8), because OkHttp sends nothing
     * for it and the credentials would silently go nowhere. Credentials given twice are ambiguous
     * and refused.
     */
    private String withBasicAuth(Map<String, String> sent) {
      int at = userInfoEnd(url);
      if (at < 0) return url; // tcp:// URLs never get here with user info: validateUrl refused it.
      String shown = Redact.url(url);
      boolean authorizationHeader = false;
      for (String name : headers.keySet()) authorizationHeader |= name.equalsIgnoreCase("Authorization");
      if (credentials != null || authorizationHeader) {
        throw new IllegalArgumentException("user info in '" + shown + "' and "
            + (credentials != null ? "a credentials provider" : "an Authorization header")
            + " both give credentials: use one of them (user info is sent as Authorization:"
            + " Basic)");
      }
      String scheme = url.substring(0, url.indexOf("://"));
      HttpUrl parsed = HttpUrl.parse((scheme.equals("wss") ? "https" : "http")
          + url.substring(scheme.length()));
      if (parsed == null || (parsed.username().isEmpty() && parsed.password().isEmpty())) {
        throw new IllegalArgumentException("invalid URL '" + shown
            + "': empty user info before '@'");
      }
      sent.put("Authorization",
          okhttp3.Credentials.basic(parsed.username(), parsed.password(), UTF_8));
      return scheme + "://" + url.substring(at + 1);
    }
  }

  /** The index of the '@' ending the user info of a validated {@code url}, or -1. */
  private static int userInfoEnd(String url) {
    int start = url.indexOf("://") + 3;
    int end = start;
    while (end < url.length() && "/?#".indexOf(url.charAt(end)) < 0) end++;
    return url.lastIndexOf('@', end - 1) >= start ? url.lastIndexOf('@', end - 1) : -1;
  }

  static String validateUrl(String url) {
    Checks.notNull("url", url);
    int colon = url.indexOf("://");
    String shown = Redact.url(url); // The URL may carry a token or a password.
    if (colon <= 0) {
      throw new IllegalArgumentException("invalid URL '" + shown + "': expected ws://host[:port]/path,"
          + " wss://host[:port]/path, tcp://host:port or tcp+tls://host:port");
    }
    String scheme = url.substring(0, colon).toLowerCase(Locale.ROOT);
    String rest = url.substring(colon + 3);
    String httpScheme;
    if (scheme.equals("ws")) {
      httpScheme = "http";
    } else if (scheme.equals("wss")) {
      httpScheme = "https";
    } else if (scheme.equals(Transports.TCP_SCHEME) || scheme.equals(Transports.TCP_TLS_SCHEME)) {
      return scheme + "://" + validateTcpAuthority(shown, scheme, rest);
    } else {
      throw new IllegalArgumentException("unsupported scheme '" + scheme + "' in '" + shown
          + "': Lifeline connects to ws://, wss://, tcp:// and tcp+tls:// URLs");
    }
    if (HttpUrl.parse(httpScheme + "://" + rest) == null || rest.isEmpty() || rest.startsWith("/")) {
      throw new IllegalArgumentException("invalid URL '" + shown + "': no valid host");
    }
    return scheme + "://" + rest;
  }

  /**
   * Checks the {@code host:port} of a tcp URL; returns it without a trailing slash. {@code url} is
   * the redacted URL, for messages.
   */
  private static String validateTcpAuthority(String url, String scheme, String rest) {
    String expected = "expected " + scheme + "://host:port";
    String authority = rest.endsWith("/") ? rest.substring(0, rest.length() - 1) : rest;
    for (char c : new char[] {'/', '?', '#', '@'}) {
      if (authority.indexOf(c) >= 0) {
        throw new IllegalArgumentException("invalid URL '" + url + "': " + expected
            + " (a " + scheme + " URL has no user info, path, query or fragment"
            + (c == '@' ? ": newline-framed TCP has no handshake to carry credentials; send them"
                + " as a message instead)" : ")"));
      }
    }
    int portColon = authority.lastIndexOf(':');
    if (authority.isEmpty() || portColon < 0 || portColon < authority.lastIndexOf(']')) {
      throw new IllegalArgumentException("invalid URL '" + url + "': " + expected
          + " (the port is required; there is no default port for a raw TCP protocol)");
    }
    String port = authority.substring(portColon + 1);
    int number = -1;
    if (!port.isEmpty() && port.length() <= 5) {
      try {
        number = Integer.parseInt(port);
      } catch (NumberFormatException e) {
        number = -1;
      }
    }
    if (number < 1 || number > 65535 || !port.matches("[0-9]+")) {
      throw new IllegalArgumentException("invalid URL '" + url + "': port '" + port
          + "' is not a number from 1 to 65535");
    }
    if (portColon == 0 || HttpUrl.parse("http://" + authority) == null) {
      throw new IllegalArgumentException("invalid URL '" + url + "': no valid host");
    }
    return authority;
  }
}
