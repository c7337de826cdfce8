package dev.lifeline;

/**
 * Recognises the server's heartbeats, or its echoes of ours, so that they count as liveness and
 * do not reach {@link ConnectionListener#onMessage} (docs/behaviour.md, "Server heartbeats and
 * echoes"). Set with {@link HeartbeatPolicy.Builder#serverHeartbeat}; to consume echoes of the
 * client's own fixed heartbeat payload, {@link HeartbeatPolicy.Builder#consumeEchoes} needs no
 * matcher at all.
 *
 * <p>A recognised message refreshes the server-silence watch and completes a wake-up probe like
 * any other inbound message, is reported through {@link EventListener#serverHeartbeatReceived},
 * and is then dropped.
 *
 * <p><b>Threads.</b> Called for every inbound message that is neither an acknowledgement nor
 * answered by the {@link ServerHeartbeatResponder}, in order, before the app's listener sees it,
 * on the connection's message-hook lane: Lifeline's own daemon threads, never the scheduler, in
 * line with the {@link AckMatcher} and the responder. The connection's later inbound messages
 * wait for it, so keep it fast; a call running longer than {@link
 * Lifeline.Builder#stuckHookThreshold} is reported as stuck. If it throws, the message is not a
 * heartbeat and goes to the listener as usual; the first exception per connection is logged
 * (WARN), later ones are not, so a broken matcher does not flood the log. A matcher shared by
 * several connections is called for them concurrently: keep it thread-safe.
 *
 * <pre>{@code
 * // The server sends {"type":"heartbeat"} every 25 s and echoes our {"type":"ping"}.
 * HeartbeatPolicy heartbeat = HeartbeatPolicy.builder()
 *     .serverHeartbeat(in -> in.isText() && in.text().equals("{\"type\":\"heartbeat\"}"))
 *     .consumeEchoes(true)
 *     .expectServerHeartbeats(25, SECONDS)
 *     .build();
 * }</pre>
 */
public interface HeartbeatMatcher {
  /**
   * True when {@code inbound} is a server heartbeat (or an echo of ours) and not app data.
   *
   * @param inbound a message from the server
   * @return true to consume it as a heartbeat
   */
  boolean isHeartbeat(Message inbound);
}
