package dev.lifeline;

import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * How a connection proves it is alive, and how it decides that the server is not.
 *
 * <p><b>Client heartbeat</b> (docs/behaviour.md, "Heartbeats"). Routers, NATs and carrier gateways
 * drop connections that stay silent for about a minute, and a typical long-connection server
 * closes a connection whose last <em>data message</em> is older than its limit (often 55–60 s,
 * checked every few seconds). So every {@link #DEFAULT_INTERVAL_MILLIS 55 s} the client sends an
 * ordinary application data message, unless something else was sent within the interval. A
 * WebSocket ping frame cannot do this job: the server's WebSocket layer answers pings itself and
 * its message handler never sees them.
 *
 * <p><b>Protocol ping</b> (docs/behaviour.md, "Protocol pings"). In addition, a WebSocket ping is
 * sent every {@link #protocolPingIntervalMillis()}; a pong still missing when the next ping is due
 * fails the connection, which is then replaced, provided the reader was free to read for that
 * whole interval (time in which a slow app held the reader, or a busy machine did not schedule
 * it, does not count). Every RFC 6455 server answers pings, so this
 * catches half-open ("zombie") connections without any server support.
 *
 * <p><b>Server-silence watch</b> (docs/behaviour.md, "Server-silence watch"). Off by default: a
 * server that never sends anything on an idle connection must not be disconnected every minute.
 * When the app says how often the server sends heartbeats ({@link
 * Builder#expectServerHeartbeats}), a connection that receives nothing at all (any frame counts)
 * for {@link #serverTimeoutMillis()} is declared dead and replaced. The server's cadence is its
 * own: it need not be related to the client's interval.
 *
 * <p><b>Server heartbeats and echoes</b> (docs/behaviour.md, "Server heartbeats and echoes").
 * Messages recognised by {@link Builder#serverHeartbeat} or, with {@link Builder#consumeEchoes},
 * echoes of the client's own fixed payload, count as liveness and do not reach {@link
 * ConnectionListener#onMessage}.
 *
 * <p><b>Wake-up probe</b> (docs/behaviour.md, "Wake-up probe"). After events that make a zombie
 * likely (screen on, foreground, sleep detected), a heartbeat is sent at once; when the server is
 * known to talk (the silence watch is on), any inbound data within {@link #probeTimeoutMillis()}
 * proves the connection.
 *
 * <p><b>One wake-up for all connections</b> (docs/behaviour.md, "Heartbeats"). Each wake-up
 * powers a phone's radio up, so the heartbeats of a client's connections share them: a beat due
 * within {@link #alignmentSlack()} of its interval goes early when any timer of the client wakes
 * it anyway, never late. Idle connections then beat more often, but the device wakes once for
 * several of them.
 *
 * <p><b>Adaptive heartbeat</b> (docs/behaviour.md, "Adaptive heartbeat"). Off by default. With
 * {@link Builder#adaptive}, the interval starts at {@link #intervalMillis()} and is tuned within
 * [{@link #adaptiveMinMillis()}, {@link #adaptiveMaxMillis()}]: lowered at once below an idle
 * limit the path is seen to enforce, raised carefully after many beats survived. What was learned
 * is kept per endpoint and network in the client's {@link HeartbeatStore}.
 *
 * <pre>{@code
 * // Send {"op":"hb"} after 25 s without outbound traffic, and replace the connection when the
 * // server, which sends its own heartbeat every 30 s, falls silent for several of its intervals.
 * HeartbeatPolicy heartbeat = HeartbeatPolicy.builder()
 *     .interval(25, SECONDS)
 *     .textPayload("{\"op\":\"hb\"}")
 *     .expectServerHeartbeats(30, SECONDS)
 *     .build();
 * }</pre>
 */
public final class HeartbeatPolicy {
  /**
   * 55 s: below the ~60 s idle limit of NATs and the 55–60 s limit common on servers. Against a
   * server that closes after more than 55 s of silence it works but has no margin.
   */
  public static final long DEFAULT_INTERVAL_MILLIS = 55_000L;
  /** The default heartbeat payload, a small JSON text message. */
  public static final String DEFAULT_PAYLOAD = "{\"type\":\"ping\"}";
  /** The silence limit is this many server heartbeat intervals. */
  public static final int DEFAULT_SERVER_TIMEOUT_INTERVALS = 2;
  /** How long a wake-up probe waits for inbound data before replacing the connection. */
  public static final long DEFAULT_PROBE_TIMEOUT_MILLIS = 10_000L;
  /**
   * 24 h: the longest server-silence limit accepted. A server quiet for longer than a day is not
   * sending heartbeats, and a watch that fires once a day finds nothing the protocol ping would not.
   */
  public static final long MAX_SERVER_TIMEOUT_MILLIS = 24L * 60 * 60 * 1000;
  /**
   * 0.5: a heartbeat may go up to half its interval early to ride another connection's wake-up,
   * like Android's inexact alarm windows. Enough for a 45 s and a 55 s beat to ride a 25 s one:
   * three connections at 25, 45 and 55 s wake the device 144 times an hour instead of about 289.
   */
  public static final double DEFAULT_ALIGNMENT_SLACK = 0.5;

  private static final HeartbeatPolicy DEFAULTS = new Builder().build();

  /** Client heartbeat interval in ms, > 0. */
  private final long intervalMillis;
  /** Supplies each heartbeat message. */
  private final HeartbeatPayload payload;
  /** True when a heartbeat is skipped if another message was sent within the interval. */
  private final boolean idleOnly;
  /** WebSocket ping interval in ms; 0 disables protocol pings. */
  private final long protocolPingIntervalMillis;
  /** Inbound silence limit in ms; 0 disables the watch. */
  private final long serverTimeoutMillis;
  /** Answers server heartbeats, or null. */
  private final @Nullable ServerHeartbeatResponder responder;
  /** Recognises server heartbeats to consume, or null. */
  private final @Nullable HeartbeatMatcher serverHeartbeat;
  /** True when echoes of the fixed payload are consumed. */
  private final boolean consumeEchoes;
  /** Wake-up probe deadline in ms, > 0. */
  private final long probeTimeoutMillis;
  /** Lowest adaptive interval in ms; 0 when the interval is fixed. */
  private final long adaptiveMinMillis;
  /** Highest adaptive interval in ms (below the server's own limit); 0 when fixed. */
  private final long adaptiveMaxMillis;
  /** True when the protocol ping interval was left at "same as the heartbeat interval". */
  private final boolean protocolPingFollowsInterval;
  /** How early, as a fraction of the interval, a beat may go to ride a wake-up; in [0, 1). */
  private final double alignmentSlack;

  private HeartbeatPolicy(Builder b) {
    this.intervalMillis = b.intervalMillis;
    this.payload = b.payload;
    this.idleOnly = b.idleOnly;
    this.protocolPingIntervalMillis =
        b.protocolPingIntervalMillis == Builder.SAME_AS_HEARTBEAT
            ? b.intervalMillis
            : b.protocolPingIntervalMillis;
    this.serverTimeoutMillis = b.serverTimeoutMillis;
    this.responder = b.responder;
    this.serverHeartbeat = b.serverHeartbeat;
    this.consumeEchoes = b.consumeEchoes;
    this.probeTimeoutMillis = b.probeTimeoutMillis;
    this.adaptiveMinMillis = b.adaptiveMinMillis;
    this.adaptiveMaxMillis = b.adaptiveMaxMillis;
    this.protocolPingFollowsInterval =
        b.protocolPingIntervalMillis == Builder.SAME_AS_HEARTBEAT;
    this.alignmentSlack = b.alignmentSlack;
  }

  /**
   * The defaults: 55 s data heartbeat, idle-only, 55 s protocol ping, no silence watch.
   *
   * @return the default policy
   */
  public static HeartbeatPolicy defaults() {
    return DEFAULTS;
  }

  /**
   * A builder starting from the defaults.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * A builder starting from this policy's values.
   *
   * @return a new builder
   */
  public Builder newBuilder() {
    return new Builder(this);
  }

  /**
   * The client heartbeat interval (the starting one when adaptive).
   *
   * @return the interval in ms
   */
  public long intervalMillis() { return intervalMillis; }
  /**
   * Supplies each heartbeat message.
   *
   * @return the supplier; a fixed one unless {@link Builder#payload} set another
   */
  public HeartbeatPayload payload() { return payload; }

  /**
   * The heartbeat message when it is the same every beat ({@link Builder#textPayload}, {@link
   * Builder#binaryPayload}, the default), or null when a {@link HeartbeatPayload} supplies one per
   * beat.
   *
   * @return the fixed message, or null
   */
  public @Nullable Message fixedPayload() {
    return payload instanceof FixedPayload ? ((FixedPayload) payload).message : null;
  }
  /**
   * Whether a heartbeat is skipped when another message went out within the interval.
   *
   * @return true for idle-only
   */
  public boolean idleOnly() { return idleOnly; }
  /**
   * The WebSocket protocol ping interval.
   *
   * @return the interval in ms, or 0 when protocol pings are off
   */
  public long protocolPingIntervalMillis() { return protocolPingIntervalMillis; }
  /**
   * The server-silence limit: the connection is replaced after this long without inbound data.
   *
   * @return the limit in ms, or 0 when the watch is off
   */
  public long serverTimeoutMillis() { return serverTimeoutMillis; }
  /**
   * The responder for server heartbeats, or null.
   *
   * @return the responder, or null
   */
  public @Nullable ServerHeartbeatResponder responder() { return responder; }

  /**
   * The app's matcher of server heartbeats to consume, or null.
   *
   * @return the matcher, or null
   */
  public @Nullable HeartbeatMatcher serverHeartbeat() { return serverHeartbeat; }

  /**
   * True when an inbound message equal to {@link #fixedPayload()} is consumed as an echo.
   *
   * @return true when echoes are consumed
   */
  public boolean consumeEchoes() { return consumeEchoes; }
  /**
   * How long a wake-up probe waits for inbound data.
   *
   * @return the timeout in ms
   */
  public long probeTimeoutMillis() { return probeTimeoutMillis; }

  /**
   * True when the interval is tuned within [{@link #adaptiveMinMillis}, {@link #adaptiveMaxMillis}].
   *
   * @return true when adaptive
   */
  public boolean isAdaptive() { return adaptiveMaxMillis != 0; }

  /**
   * The lowest interval the adaptive heartbeat may choose, in ms; 0 when it is off.
   *
   * @return the lowest interval in ms, or 0
   */
  public long adaptiveMinMillis() { return adaptiveMinMillis; }

  /**
   * The highest interval the adaptive heartbeat may choose, in ms; 0 when it is off.
   *
   * @return the highest interval in ms, or 0
   */
  public long adaptiveMaxMillis() { return adaptiveMaxMillis; }

  /**
   * True when the protocol ping interval was not set, so that it follows the heartbeat interval
   * (the adaptive one included) rather than staying at {@link #protocolPingIntervalMillis()}.
   *
   * @return true when the ping interval follows the heartbeat interval
   */
  public boolean protocolPingFollowsInterval() { return protocolPingFollowsInterval; }

  /**
   * How early a heartbeat (or a protocol ping on a cadence of its own) may go, as a fraction of
   * its interval, to ride a wake-up of another connection of the same client (docs/behaviour.md,
   * "Heartbeats"). An adaptive heartbeat never goes early, whatever this says.
   *
   * @return the fraction, in [0, 1); 0: never early
   */
  public double alignmentSlack() { return alignmentSlack; }

  /**
   * The settings, with units, e.g. {@code HeartbeatPolicy{interval=55000 ms, payload=text(15 chars),
   * idleOnly=true, protocolPing=55000 ms, serverTimeout=off, probeTimeout=10000 ms,
   * alignmentSlack=0.5}}. Payloads
   * are described by kind and size, never quoted: a heartbeat may carry a session token. App
   * hooks are named by their class only.
   */
  @Override public String toString() {
    Message fixed = fixedPayload();
    return "HeartbeatPolicy{interval=" + intervalMillis + " ms"
        + (isAdaptive() ? ", adaptive=[" + adaptiveMinMillis + " ms, " + adaptiveMaxMillis + " ms]"
            : "")
        + ", payload=" + (fixed == null ? "supplied by " + describe(payload)
            : fixed.isText() ? "text(" + fixed.text().length() + " chars)"
            : "binary(" + fixed.byteCount() + " bytes)")
        + ", idleOnly=" + idleOnly
        + ", protocolPing=" + (protocolPingIntervalMillis == 0 ? "off"
            : protocolPingIntervalMillis + " ms" + (protocolPingFollowsInterval
                ? " (follows the interval)" : ""))
        + ", serverTimeout=" + (serverTimeoutMillis == 0 ? "off" : serverTimeoutMillis + " ms")
        + ", probeTimeout=" + probeTimeoutMillis + " ms"
        + ", alignmentSlack=" + alignmentSlack
        + (responder != null ? ", responder=" + describe(responder) : "")
        + (serverHeartbeat != null ? ", serverHeartbeat=" + describe(serverHeartbeat) : "")
        + (consumeEchoes ? ", consumeEchoes=true" : "")
        + "}";
  }

  /**
   * Names app code by its class only: its own toString() might show what it holds (a credentials
   * provider, its token). A lambda is named after the class it was written in.
   */
  static String describe(Object hook) {
    String name = hook.getClass().getName();
    name = name.substring(name.lastIndexOf('.') + 1);
    int lambda = name.indexOf("$$Lambda");
    return lambda >= 0 ? "lambda in " + name.substring(0, lambda) : name;
  }

  /** Builds a {@link HeartbeatPolicy}; every setter validates its argument at once. */
  public static final class Builder {
    private static final long SAME_AS_HEARTBEAT = -1;

    private long intervalMillis = DEFAULT_INTERVAL_MILLIS;
    private HeartbeatPayload payload = fixed(Message.text(DEFAULT_PAYLOAD));
    private boolean idleOnly = true;
    private long protocolPingIntervalMillis = SAME_AS_HEARTBEAT;
    private long serverTimeoutMillis = 0;
    private @Nullable ServerHeartbeatResponder responder;
    private @Nullable HeartbeatMatcher serverHeartbeat;
    private boolean consumeEchoes;
    private long probeTimeoutMillis = DEFAULT_PROBE_TIMEOUT_MILLIS;
    private long adaptiveMinMillis = 0;
    private long adaptiveMaxMillis = 0;
    private double alignmentSlack = DEFAULT_ALIGNMENT_SLACK;

    Builder() {}

    Builder(HeartbeatPolicy p) {
      intervalMillis = p.intervalMillis;
      payload = p.payload;
      idleOnly = p.idleOnly;
      protocolPingIntervalMillis = p.protocolPingIntervalMillis;
      serverTimeoutMillis = p.serverTimeoutMillis;
      responder = p.responder;
      serverHeartbeat = p.serverHeartbeat;
      consumeEchoes = p.consumeEchoes;
      probeTimeoutMillis = p.probeTimeoutMillis;
      adaptiveMinMillis = p.adaptiveMinMillis;
      adaptiveMaxMillis = p.adaptiveMaxMillis;
      if (p.protocolPingFollowsInterval) protocolPingIntervalMillis = SAME_AS_HEARTBEAT;
      alignmentSlack = p.alignmentSlack;
    }

    /**
     * Client heartbeat interval [55 s]. Must be positive; keep it below the server's limit.
     *
     * @param interval the interval, > 0
     * @param unit its unit
     * @return this builder
     */
    public Builder interval(long interval, TimeUnit unit) {
      intervalMillis = Checks.positiveMillis("heartbeat interval", interval, unit);
      return this;
    }

    /**
     * A fixed text heartbeat payload.
     *
     * @param text the message sent as each heartbeat
     * @return this builder
     */
    public Builder textPayload(String text) {
      payload = fixed(Message.text(Checks.notNull("heartbeat payload", text)));
      return this;
    }

    /**
     * A fixed binary heartbeat payload.
     *
     * @param bytes the message sent as each heartbeat
     * @return this builder
     */
    public Builder binaryPayload(okio.ByteString bytes) {
      payload = fixed(Message.binary(Checks.notNull("heartbeat payload", bytes)));
      return this;
    }

    /**
     * A payload supplied per beat, on Lifeline's hook threads (see {@link HeartbeatPayload}).
     *
     * @param supplier asked for each heartbeat
     * @return this builder
     */
    public Builder payload(HeartbeatPayload supplier) {
      payload = Checks.notNull("heartbeat payload supplier", supplier);
      return this;
    }

    /**
     * Idle-only: skip the heartbeat when another message was sent within the interval [true].
     *
     * @param idleOnly true to skip heartbeats while other messages go out
     * @return this builder
     */
    public Builder idleOnly(boolean idleOnly) {
      this.idleOnly = idleOnly;
      return this;
    }

    /**
     * WebSocket protocol ping interval [the heartbeat interval]; a pong still missing when the
     * next ping is due fails the connection, once the reader was free to read for a whole
     * interval since the ping. Must be positive.
     *
     * @param interval the interval, > 0
     * @param unit its unit
     * @return this builder
     */
    public Builder protocolPingInterval(long interval, TimeUnit unit) {
      protocolPingIntervalMillis = Checks.positiveMillis("protocol ping interval", interval, unit);
      return this;
    }

    /**
     * No WebSocket protocol pings. The data heartbeat is unaffected.
     *
     * @return this builder
     */
    public Builder noProtocolPing() {
      protocolPingIntervalMillis = 0;
      return this;
    }

    /**
     * Turns the server-silence watch on, for a server that sends a heartbeat every {@code
     * serverInterval}: the silence limit becomes {@value #DEFAULT_SERVER_TIMEOUT_INTERVALS} × that
     * interval, which tolerates one lost or late server heartbeat. The server's cadence is
     * independent of the client's {@link #interval}: a server beating every 25 s is watched with
     * a 50 s limit whatever the client sends. Must be positive, and the limit at most {@link
     * #MAX_SERVER_TIMEOUT_MILLIS} (24 h).
     *
     * @param serverInterval how often the server sends its heartbeat, > 0
     * @param unit its unit
     * @return this builder
     */
    public Builder expectServerHeartbeats(long serverInterval, TimeUnit unit) {
      long millis = Checks.positiveMillis("server heartbeat interval", serverInterval, unit);
      if (millis > MAX_SERVER_TIMEOUT_MILLIS / DEFAULT_SERVER_TIMEOUT_INTERVALS) {
        throw new IllegalArgumentException("server heartbeat interval (" + millis
            + " ms) must be at most " + MAX_SERVER_TIMEOUT_MILLIS / DEFAULT_SERVER_TIMEOUT_INTERVALS
            + " ms: the silence limit, " + DEFAULT_SERVER_TIMEOUT_INTERVALS
            + " × the interval, must be at most " + MAX_SERVER_TIMEOUT_MILLIS + " ms (24 h)");
      }
      serverTimeoutMillis = millis * DEFAULT_SERVER_TIMEOUT_INTERVALS;
      return this;
    }

    /**
     * Turns the server-silence watch on with an explicit limit: the connection is replaced after
     * this long without any inbound data. Must be positive and at most {@link
     * #MAX_SERVER_TIMEOUT_MILLIS} (24 h). It is not compared with the client's interval; a server
     * that only answers our heartbeats is silent for up to an interval, so set the limit above it
     * for such a server (docs/behaviour.md, "Server-silence watch").
     *
     * @param timeout the silence limit, > 0
     * @param unit its unit
     * @return this builder
     */
    public Builder serverTimeout(long timeout, TimeUnit unit) {
      long millis = Checks.positiveMillis("server timeout", timeout, unit);
      if (millis > MAX_SERVER_TIMEOUT_MILLIS) {
        throw new IllegalArgumentException("server timeout (" + millis + " ms) must be at most "
            + MAX_SERVER_TIMEOUT_MILLIS + " ms (24 h)");
      }
      serverTimeoutMillis = millis;
      return this;
    }

    /**
     * Turns the server-silence watch off [default].
     *
     * @return this builder
     */
    public Builder noServerTimeout() {
      serverTimeoutMillis = 0;
      return this;
    }

    /**
     * Answers the server's own heartbeats; null removes the responder.
     *
     * @param responder the responder, or null
     * @return this builder
     */
    public Builder responder(@Nullable ServerHeartbeatResponder responder) {
      this.responder = responder;
      return this;
    }

    /**
     * Consumes the server heartbeats {@code matcher} recognises (docs/behaviour.md, "Server
     * heartbeats and echoes") [none]: they count as server activity (silence watch, wake-up
     * probe), are reported through {@link EventListener#serverHeartbeatReceived}, and do not reach
     * {@link ConnectionListener#onMessage}. Asked on the message-hook lane after the {@link
     * AckMatcher} and the {@link #responder}; see {@link HeartbeatMatcher}. Null removes it.
     *
     * @param matcher the matcher, or null
     * @return this builder
     */
    public Builder serverHeartbeat(@Nullable HeartbeatMatcher matcher) {
      this.serverHeartbeat = matcher;
      return this;
    }

    /**
     * Consumes inbound messages equal to the client's own fixed heartbeat payload (the default
     * {@value HeartbeatPolicy#DEFAULT_PAYLOAD}, or {@link #textPayload}/{@link #binaryPayload})
     * as a server heartbeat [false]: echoing servers send every heartbeat back, and they
     * should not reach {@link ConnectionListener#onMessage}. Compared by Lifeline itself on the
     * connection's lane, no app code runs. {@link #build()} refuses it with a {@link #payload}
     * supplier, whose beats differ: recognise their echoes with {@link #serverHeartbeat}.
     *
     * @param consume true to consume echoes
     * @return this builder
     */
    public Builder consumeEchoes(boolean consume) {
      this.consumeEchoes = consume;
      return this;
    }

    /**
     * How long a wake-up probe waits for inbound data [10 s]. Must be positive.
     *
     * @param timeout the timeout, > 0
     * @param unit its unit
     * @return this builder
     */
    public Builder probeTimeout(long timeout, TimeUnit unit) {
      probeTimeoutMillis = Checks.positiveMillis("probe timeout", timeout, unit);
      return this;
    }

    /**
     * Tunes the heartbeat interval within [{@code min}, {@code max}] (docs/behaviour.md,
     * "Adaptive heartbeat") [off: the interval is fixed]. It starts at {@link #interval} (or at
     * what was learned before on the same endpoint and network), drops below an idle limit the
     * path is seen to enforce as soon as the same limit cuts the connection twice, and climbs
     * towards {@code max} after many beats survived, backing off when a climb is cut. State the
     * server's own idle limit, when known, as {@code max}: Lifeline never goes above it. {@link
     * #build()} checks that {@code min <= interval <= max}. A protocol ping interval left at its
     * default follows the tuned interval.
     *
     * @param min the lowest interval, > 0
     * @param max the highest interval, ≥ {@code min}
     * @param unit their unit
     * @return this builder
     */
    public Builder adaptive(long min, long max, TimeUnit unit) {
      long minMillis = Checks.positiveMillis("adaptive heartbeat min", min, unit);
      long maxMillis = Checks.positiveMillis("adaptive heartbeat max", max, unit);
      if (maxMillis < minMillis) {
        throw new IllegalArgumentException("adaptive heartbeat max (" + maxMillis
            + " ms) must not be below its min (" + minMillis + " ms)");
      }
      adaptiveMinMillis = minMillis;
      adaptiveMaxMillis = maxMillis;
      return this;
    }

    /**
     * How early a beat may go to share a wake-up with the client's other connections, as a
     * fraction of its interval [{@value HeartbeatPolicy#DEFAULT_ALIGNMENT_SLACK}]
     * (docs/behaviour.md, "Heartbeats"). A heartbeat due at {@code due} goes at the first wake-up
     * of the client (any connection's timer firing) within [{@code due − slack × interval},
     * {@code due}], or at {@code due} if none comes: early, never late. 0 keeps each connection
     * on its own timer. Costs beats, not wake-ups: an idle connection may beat up to {@code 1 /
     * (1 − slack)} times as often. Ignored by an adaptive heartbeat, which never goes early.
     *
     * @param fraction the fraction of the interval, at least 0 and below 1
     * @return this builder
     * @throws IllegalArgumentException when {@code fraction} is not in [0, 1)
     */
    public Builder alignmentSlack(double fraction) {
      if (!(fraction >= 0 && fraction < 1)) {
        throw new IllegalArgumentException("heartbeat alignment slack (" + fraction
            + ") must be at least 0 and below 1: it is the fraction of the interval by which a"
            + " beat may go early (0 = never early)");
      }
      alignmentSlack = fraction;
      return this;
    }

    /**
     * Checks the settings together and builds the policy.
     *
     * @return the policy
     * @throws IllegalArgumentException when the interval lies outside the adaptive range, or
     *     echoes are to be consumed while a {@link HeartbeatPayload} supplies each beat.
     */
    public HeartbeatPolicy build() {
      if (adaptiveMaxMillis != 0
          && (intervalMillis < adaptiveMinMillis || intervalMillis > adaptiveMaxMillis)) {
        throw new IllegalArgumentException("heartbeat interval (" + intervalMillis
            + " ms) must lie within the adaptive range [" + adaptiveMinMillis + " ms, "
            + adaptiveMaxMillis + " ms]: it is where the tuning starts");
      }
      // The silence limit is not compared with the interval (it used to have to be above it):
      // it is about what the server sends, and a server beating every 25 s is dead after 50 s of
      // silence whatever the client's cadence (docs/behaviour.md, "Server-silence watch").
      if (consumeEchoes && !(payload instanceof FixedPayload)) {
        throw new IllegalArgumentException("consumeEchoes(true) needs a fixed heartbeat payload"
            + " (textPayload, binaryPayload or the default): a HeartbeatPayload supplier's beats"
            + " differ, so recognise their echoes with serverHeartbeat(HeartbeatMatcher)");
      }
      return new HeartbeatPolicy(this);
    }

    private static HeartbeatPayload fixed(Message message) {
      return new FixedPayload(message);
    }
  }

  /** The same message every beat; recognisable so options can validate it up front. */
  static final class FixedPayload implements HeartbeatPayload {
    final Message message;

    FixedPayload(Message message) {
      this.message = message;
    }

    @Override public Message next() {
      return message;
    }

    @Override public String toString() {
      return message.toString();
    }
  }
}
