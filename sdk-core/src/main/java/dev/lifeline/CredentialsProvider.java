package dev.lifeline;

import java.util.Map;

/**
 * Supplies handshake headers (typically {@code Authorization}) before every connection attempt, so
 * expired tokens are replaced without tearing down the connection object
 * (docs/behaviour.md, "Failure classification"). Called on a background thread: it may block, e.g.
 * to refresh a token over the network.
 *
 * <pre>{@code
 * CredentialsProvider auth = (attempt, rejected) -> {
 *   String token = rejected ? tokens.refresh() : tokens.current();
 *   return token == null ? null : Collections.singletonMap("Authorization", "Bearer " + token);
 * };
 * }</pre>
 */
public interface CredentialsProvider {
  /**
   * Returns the headers for the next attempt. When {@code rejected} is true the previous handshake
   * was answered 401 or 403: return fresh credentials, or null to give up — the connection then
   * closes for good with the HTTP status as its reason. Returning null when {@code rejected} is
   * false means "no extra headers". Throwing counts as a failed attempt and is retried.
   */
  Map<String, String> headers(int attempt, boolean rejected) throws Exception;
}
