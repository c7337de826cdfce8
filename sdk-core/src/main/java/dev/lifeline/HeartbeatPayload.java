package dev.lifeline;

/**
 * Supplies the message sent as each client heartbeat, for payloads that change per beat (a
 * sequence number, a timestamp).
 *
 * <p><b>Threads.</b> Asked once per beat that goes out (a skipped idle-only beat does not ask; a
 * wake-up probe does), on the connection's message-hook lane: Lifeline's own daemon threads, never
 * the scheduler, one call at a time, in line with the {@link AckMatcher} and the {@link
 * ServerHeartbeatResponder} (not with events or log lines). The beat is sent when it returns, if
 * the connection is still open. Keep it fast: a slow call delays the beat, and one running longer
 * than {@link Lifeline.Builder#stuckHookThreshold} is reported as stuck. If it throws or returns null, a WARN
 * is logged and {@link HeartbeatPolicy#DEFAULT_PAYLOAD} is sent instead; a payload the transport
 * cannot carry ends the connection. A supplier shared by several connections is called for them
 * concurrently: keep it thread-safe.
 *
 * <pre>{@code
 * AtomicLong seq = new AtomicLong();
 * HeartbeatPolicy.builder()
 *     .payload(() -> Message.text("{\"type\":\"ping\",\"seq\":" + seq.incrementAndGet() + "}"))
 *     .build();
 * }</pre>
 */
public interface HeartbeatPayload {
  /**
   * The next heartbeat message.
   *
   * @return the message to send, not null
   */
  Message next();
}
