package dev.lifeline;

import org.jspecify.annotations.Nullable;

/**
 * Answers heartbeats that the server sends, e.g. a server "ping" message answered with a "pong"
 * message (docs/behaviour.md, "Server heartbeat responder").
 *
 * <p><b>Threads.</b> Called for every inbound message that is not an acknowledgement, in order,
 * before the app's listener sees it, on the connection's message-hook lane: Lifeline's own daemon
 * threads, never the scheduler, one call at a time, in line with the {@link AckMatcher} and the
 * {@link HeartbeatPayload} supplier. The connection's later inbound messages wait for it, so keep
 * it fast and non-blocking; a call running longer than {@link
 * Lifeline.Builder#stuckHookThreshold} is reported as stuck. If it throws, a WARN is logged and the message goes to the listener as usual. A
 * responder shared by several connections is called for them concurrently: keep it thread-safe.
 *
 * <pre>{@code
 * ServerHeartbeatResponder pong = inbound ->
 *     inbound.isText() && inbound.text().equals("ping") ? Message.text("pong") : null;
 * }</pre>
 */
public interface ServerHeartbeatResponder {
  /**
   * Returns the reply to send for {@code inbound}, or null when {@code inbound} is not a server
   * heartbeat. A reply is sent at once if the connection is still open, ahead of the outbox, and
   * counts as client activity; {@code inbound} then does not reach the listener. A reply the
   * transport cannot carry (binary, or text containing {@code \n}, on tcp://) ends the connection.
   *
   * @param inbound a message from the server
   * @return the reply, or null when {@code inbound} is not a server heartbeat
   */
  @Nullable Message replyTo(Message inbound);
}
