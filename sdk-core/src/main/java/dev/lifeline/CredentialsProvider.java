package dev.lifeline;

import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Supplies handshake headers (typically {@code Authorization}) before every connection attempt, so
 * expired tokens are replaced without tearing down the connection object
 * (docs/behaviour.md, "Failure classification").
 *
 * <p><b>Threads.</b> Called on the executor chosen with {@link Lifeline.Builder#blockingExecutor}
 * (by default daemon threads of Lifeline's own), never on the scheduler, one call at a time per
 * connection. It may block, e.g. to refresh a token over the network: the attempt waits for it,
 * within the attempt deadline ({@link ConnectionOptions.Builder#attemptTimeout}). A call still
 * running at the deadline fails that attempt, and the next attempt waits for the same call's
 * answer instead of starting another. A call running longer than {@link
 * Lifeline.Builder#stuckHookThreshold} (5 s by default) is reported as stuck ({@link
 * EventListener#hookStuck} and a WARN), even if it then returns normally.
 *
 * <pre>{@code
 * // current and refresh are the app's own, e.g. calls to its token endpoint that may block.
 * static CredentialsProvider bearer(Callable<String> current, Callable<String> refresh) {
 *   return (attempt, rejected) -> {
 *     String token = rejected ? refresh.call() : current.call();
 *     return token == null ? null : Collections.singletonMap("Authorization", "Bearer " + token);
 *   };
 * }
 * }</pre>
 */
public interface CredentialsProvider {
  /**
   * Returns the headers for the next attempt. When {@code rejected} is true the previous handshake
   * was answered 401 or 403: return fresh credentials, or null to give up — the connection then
   * closes for good with the HTTP status as its reason. Returning null when {@code rejected} is
   * false means "no extra headers". Throwing counts as a failed attempt and is retried after the
   * usual backoff. A header the handshake cannot carry ends the connection for good.
   *
   * @param attempt the attempt's number, as {@link ConnectionState#attempt()} reports it (0 for a
   *     first connect)
   * @param rejected whether the previous handshake was answered 401 or 403
   * @return header names and values for the handshake, or null
   * @throws Exception any failure; the attempt fails and is retried after the backoff
   */
  @Nullable Map<String, String> headers(int attempt, boolean rejected) throws Exception;
}
