package dev.lifeline;

/**
 * Answers heartbeats that the server sends, e.g. a server "ping" message answered with a "pong"
 * message (docs/behaviour.md, "Server heartbeat responder"). Called on the scheduler thread for
 * every inbound message before the app's listener sees it: keep it fast.
 *
 * <pre>{@code
 * ServerHeartbeatResponder pong = inbound ->
 *     inbound.isText() && inbound.text().equals("ping") ? Message.text("pong") : null;
 * }</pre>
 */
public interface ServerHeartbeatResponder {
  /**
   * Returns the reply to send for {@code inbound}, or null when {@code inbound} is not a server
   * heartbeat. Replies are sent at once, ahead of the outbox, and count as client activity.
   */
  Message replyTo(Message inbound);
}
