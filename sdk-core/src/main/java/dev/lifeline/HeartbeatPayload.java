package dev.lifeline;

/**
 * Supplies the message sent as each client heartbeat, for payloads that change per beat (a
 * sequence number, a timestamp). Called on the scheduler thread: keep it fast and non-blocking.
 *
 * <pre>{@code
 * AtomicLong seq = new AtomicLong();
 * HeartbeatPolicy.builder()
 *     .payload(() -> Message.text("{\"type\":\"ping\",\"seq\":" + seq.incrementAndGet() + "}"))
 *     .build();
 * }</pre>
 */
public interface HeartbeatPayload {
  /** The next heartbeat message; must not be null. */
  Message next();
}
