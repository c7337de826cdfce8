package dev.lifeline;

import org.jspecify.annotations.Nullable;

/**
 * Diagnostics for one connection, in the style of OkHttp's {@code EventListener}: what the
 * connection did and why, for logs and metrics. Every method does nothing by default.
 *
 * <p><b>Threads.</b> Methods run on Lifeline's own daemon "hook" threads, never on the scheduler:
 * per connection one at a time, in the order the events happened, after the fact (the connection
 * may have moved on by then). {@link #hookStuck} is the exception; see there. The connection's
 * {@link Logger} calls run in the same lane, so keep methods fast: a method may block, but it then
 * delays the connection's later events and log lines (never its messages, heartbeats or state),
 * and it is reported to the {@link Logger} as stuck after {@link
 * Lifeline.Builder#stuckHookThreshold}. An exception
 * thrown here is logged and ignored. A listener shared by several connections is called for them
 * concurrently.
 *
 * <p><b>No builder of lambdas</b>, unlike {@link ConnectionListener#builder()}: an event listener
 * feeds logs or metrics and usually records most of its methods, each with its own
 * parameters, so a builder would need a handler interface per method and would be no shorter
 * than the subclass. Override what you need:
 *
 * <pre>{@code
 * EventListener metrics = new EventListener() {
 *   @Override public void disconnected(Connection c, String reason, Throwable error) {
 *     disconnects.increment();
 *   }
 *
 *   @Override public void serverHeartbeatReceived(Connection c, Message heartbeat) {
 *     serverBeats.increment();
 *   }
 * };
 * }</pre>
 */
public abstract class EventListener {
  /** Discards every event. */
  public static final EventListener NONE = new EventListener() {};

  /**
   * A handshake starts; {@code attempt} counts the failures it follows (0: not a retry). {@code
   * url} is redacted ({@code wss://host/socket?access_token=██}): events often feed analytics and
   * crash reports, which are no place for tokens (docs/behaviour.md, "Secrets"). The app's own
   * URL is {@code connection.options().url()}.
   *
   * @param connection the connection it happened to
   * @param attempt failures this attempt follows; 0 for a first connect
   * @param url the URL, redacted
   */
  public void connectStart(Connection connection, int attempt, String url) {}

  /**
   * The handshake succeeded after {@code handshakeMillis}.
   *
   * @param connection the connection it happened to
   * @param attempt as in {@link #connectStart}
   * @param handshakeMillis how long the handshake took, in ms
   */
  public void connectEnd(Connection connection, int attempt, long handshakeMillis) {}

  /**
   * The handshake failed. {@code httpCode} is 0 when there was no HTTP response.
   *
   * @param connection the connection it happened to
   * @param attempt as in {@link #connectStart}
   * @param httpCode the HTTP status, or 0
   * @param reason what failed, for people
   * @param error the exception behind it, or null
   */
  public void connectFailed(Connection connection, int attempt, int httpCode, String reason,
      @Nullable Throwable error) {}

  /**
   * An open connection was lost (server close, network error, silence, failed probe).
   *
   * @param connection the connection it happened to
   * @param reason why, for people, e.g. "no data from server for 70 s (limit 70 s)"
   * @param error the exception behind it, or null
   */
  public void disconnected(Connection connection, String reason, @Nullable Throwable error) {}

  /**
   * A client heartbeat was handed to the transport (docs/behaviour.md, "Heartbeats").
   *
   * @param connection the connection it happened to
   * @param heartbeat the message sent
   */
  public void heartbeatSent(Connection connection, Message heartbeat) {}

  /**
   * An idle-only heartbeat was skipped: other traffic went out {@code sinceLastSendMillis} ago.
   *
   * @param connection the connection it happened to
   * @param sinceLastSendMillis how long ago other traffic went out, in ms
   */
  public void heartbeatSkipped(Connection connection, long sinceLastSendMillis) {}

  /**
   * The adaptive heartbeat (docs/behaviour.md, "Adaptive heartbeat") changed the interval from
   * {@code fromMillis} to {@code toMillis}; {@code why} says what it saw, e.g. "the path closes
   * connections idle for about 3.3 s to 4.9 s; heartbeat lowered from 5.0 s to 2.6 s". Also
   * logged at INFO.
   *
   * @param connection the connection it happened to
   * @param fromMillis the interval before, in ms
   * @param toMillis the interval now, in ms
   * @param why what the adaptive heartbeat saw, for people
   */
  public void heartbeatIntervalChanged(Connection connection, long fromMillis, long toMillis, String why) {}

  /**
   * A server heartbeat was answered by the {@link ServerHeartbeatResponder}.
   *
   * @param connection the connection it happened to
   * @param inbound the server's heartbeat
   * @param reply the responder's answer, sent
   */
  public void serverHeartbeatAnswered(Connection connection, Message inbound, Message reply) {}

  /**
   * A server heartbeat, or an echo of the client's own, was recognised and consumed ({@link
   * HeartbeatPolicy.Builder#serverHeartbeat}, {@link HeartbeatPolicy.Builder#consumeEchoes}): it
   * counted as server activity and did not reach {@link ConnectionListener#onMessage}. Count these
   * calls to see how often the server beats (docs/behaviour.md, "Server heartbeats and echoes").
   * Heartbeats answered by the responder are reported by {@link #serverHeartbeatAnswered} instead.
   *
   * @param connection the connection it happened to
   * @param heartbeat the message consumed
   */
  public void serverHeartbeatReceived(Connection connection, Message heartbeat) {}

  /**
   * The server-silence watch fired: nothing arrived for {@code silentMillis}, at or past {@code
   * limitMillis}; the connection is declared dead.
   *
   * @param connection the connection it happened to
   * @param silentMillis how long nothing arrived, in ms
   * @param limitMillis the silence limit, in ms
   */
  public void serverSilence(Connection connection, long silentMillis, long limitMillis) {}

  /**
   * A wake-up probe (docs/behaviour.md, "Wake-up probe") started because of {@code trigger}.
   *
   * @param connection the connection it happened to
   * @param trigger what caused the probe, for people
   */
  public void probeStarted(Connection connection, String trigger) {}

  /**
   * Data arrived {@code afterMillis} into the probe: the connection is alive.
   *
   * @param connection the connection it happened to
   * @param afterMillis how long into the probe data arrived, in ms
   */
  public void probeSucceeded(Connection connection, long afterMillis) {}

  /**
   * A timer fired {@code lateByMillis} late: the device slept or the process was frozen.
   *
   * @param connection the connection it happened to
   * @param lateByMillis how late the timer fired, in ms
   */
  public void sleepDetected(Connection connection, long lateByMillis) {}

  /**
   * Attempt {@code attempt} will start in {@code delayMillis} because of {@code cause}.
   *
   * @param connection the connection it happened to
   * @param attempt the number of the attempt to come
   * @param delayMillis the chosen (jittered) delay, in ms
   * @param cause why the connection was lost, for people
   */
  public void reconnectScheduled(Connection connection, int attempt, long delayMillis, String cause) {}

  /**
   * An environment signal reached the connection (network, screen, lifecycle, suspend).
   *
   * @param connection the connection it happened to
   * @param signal the signal
   */
  public void signalReceived(Connection connection, EnvironmentSignals.Signal signal) {}

  /**
   * With {@link StreamResume.Builder#consecutive}: a message from the server skipped positions.
   * The previous message was at {@code expected - 1}; this one is at {@code received}, so {@code
   * received - expected} messages never arrived (typically: the server could not resume from
   * where the app stopped). The message still reaches {@link ConnectionListener#onMessage}.
   * Reported in the order the messages arrived, and logged at WARN.
   *
   * @param connection the connection it happened to
   * @param expected the position that should have come next
   * @param received the position that came, greater than {@code expected}
   */
  public void streamGap(Connection connection, long expected, long received) {}

  /**
   * App code of this connection has been running for {@code runningMillis}, past {@link
   * Lifeline.Builder#stuckHookThreshold}: {@code hook} names it, e.g. {@code
   * "ConnectionListener.onMessage"} or {@code "CredentialsProvider.headers"}. Until it returns,
   * the calls queued behind it in its lane wait (see that hook's documentation); other
   * connections, this connection's state changes and timers, {@code close()} and {@code
   * Lifeline.shutdown()} do not. Reported once per stuck call, on a hook thread of its own outside
   * the order of the other methods, so it may run while another method of this listener runs; a
   * stuck event listener is reported to the {@link Logger} only.
   *
   * @param connection the connection it happened to
   * @param hook which app code, e.g. {@code "ConnectionListener.onMessage"}
   * @param runningMillis how long it has been running, in ms
   */
  public void hookStuck(Connection connection, String hook, long runningMillis) {}

  /**
   * The connection's outbox store ({@link ConnectionOptions.Builder#outboxStore}) was read when the
   * connection was created, before {@link Lifeline#newConnection} returned (docs/behaviour.md,
   * "Durable outbox"). {@code restored} messages an earlier process accepted and did not settle
   * are back in the outbox, oldest first, and go out before anything sent later; {@code reported}
   * others were handed to {@link ConnectionListener#onSendFailed} instead (expired, beyond the
   * outbox limits, or at-most-once messages the process was sending when it ended) and removed.
   * Also logged: INFO with the counts when either is non-zero, WARN when the store found damage.
   *
   * @param connection the connection it happened to
   * @param restored messages put back in the outbox, ≥ 0
   * @param reported messages reported instead, ≥ 0
   * @param damage what the store found damaged and skipped, for people (from {@link
   *     OutboxStore.Contents#damage()}), or null when it read cleanly
   */
  public void outboxRestored(Connection connection, int restored, int reported,
      @Nullable String damage) {}
}
