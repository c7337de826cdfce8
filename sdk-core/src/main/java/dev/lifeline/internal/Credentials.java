package dev.lifeline.internal;

import dev.lifeline.ConnectionOptions;
import dev.lifeline.CredentialsProvider;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The credentials step of an attempt: asks the app's {@link CredentialsProvider} on the
 * connection's credentials lane (it may block, e.g. to refresh a token), judges the answer on the
 * connection's lane, then opens the transport with the headers. After a 401 or 403 the provider
 * is asked for fresh credentials; no answer, or exactly the credentials just rejected, ends the
 * connection (retrying could only loop). A call that has not returned is never doubled: a later
 * attempt waits for its answer instead of stacking calls (and threads) behind a stuck provider.
 * Lane-confined.
 */
final class Credentials {
  private final ConnectionEngine c;
  private final ConnectionOptions options;
  private final AppCalls app;
  private final SerialLane lane;
  /** True while the provider is being asked. */
  private boolean inFlight;
  /** The 401/403 of the last rejected handshake, until the provider answered it; else 0. */
  private int rejectedStatus;
  /** The headers the provider gave the rejected attempt (null: none). */
  private Map<String, String> rejectedHeaders;

  Credentials(ConnectionEngine c, ConnectionOptions options, AppCalls app, SerialLane lane) {
    this.c = c;
    this.options = options;
    this.app = app;
    this.lane = lane;
  }

  /** Attempt {@code a} starts: its transport opens once the headers are known. */
  void start(Attempt a) {
    CredentialsProvider provider = options.credentials();
    if (provider == null) {
      c.openTransport(a, options.headers());
      return;
    }
    if (!inFlight) ask(provider, a.number, rejectedStatus != 0);
    // Else the previous call has not returned; its answer serves this attempt.
  }

  /** {@code a} ended with {@code failure}: a 401/403 means the next answer must be fresh. */
  void lost(Attempt a, Failure failure) {
    if (!Reconnection.rejectsCredentials(failure) || options.credentials() == null) return;
    rejectedStatus = failure.httpCode;
    rejectedHeaders = a.providedHeaders;
  }

  private void ask(CredentialsProvider provider, int attempt, boolean rejected) {
    inFlight = true;
    AtomicBoolean ran = new AtomicBoolean();
    app.credentials.execute("CredentialsProvider.headers", () -> {
      ran.set(true);
      Map<String, String> headers = null;
      Throwable error = null;
      try {
        headers = provider.headers(attempt, rejected);
      } catch (Throwable t) {
        error = t;
      }
      answer(rejected, headers, error);
    }, () -> {
      if (!ran.get()) {
        answer(rejected, null, new RejectedExecutionException(
            "the blocking executor refused to run the credentials provider"));
      }
    });
  }

  /** Posts the provider's answer to the connection's lane. */
  private void answer(boolean rejected, Map<String, String> headers, Throwable error) {
    lane.execute(() -> answered(rejected, headers, error));
  }

  private void answered(boolean rejected, Map<String, String> headers, Throwable error) {
    inFlight = false;
    Attempt a = c.attempt();
    if (a == null || a.phase != Attempt.Phase.CREDENTIALS) return; // Nobody waits any more.
    if (error != null) {
      // An Error (a library the provider uses is missing a piece) would recur on every retry.
      c.lose(error instanceof Error
          ? Failure.ofError("credentials provider failed: ", (Error) error)
          : Failure.transientFailure("credentials provider failed: " + error, error),
          ConnectionEngine.Release.CANCEL);
      return;
    }
    if (rejected) {
      String status = "HTTP " + rejectedStatus + " at handshake";
      if (headers == null) {
        c.lose(Failure.fatal(status + " and the credentials provider has no new credentials",
            null), ConnectionEngine.Release.CANCEL);
        return;
      }
      if (orEmpty(headers).equals(orEmpty(rejectedHeaders))) {
        c.lose(Failure.fatal(status + " and the credentials provider returned the same"
            + " credentials that were just rejected; retrying them would only loop", null),
            ConnectionEngine.Release.CANCEL);
        return;
      }
    }
    rejectedStatus = 0;
    if (headers != null) {
      for (Map.Entry<String, String> h : headers.entrySet()) {
        String invalid = HeaderChecks.whyInvalid(h.getKey(), h.getValue());
        if (invalid != null) {
          c.lose(Failure.configuration("the credentials provider returned an invalid header: "
              + invalid, null), ConnectionEngine.Release.CANCEL);
          return;
        }
      }
    }
    a.providedHeaders = headers;
    Map<String, String> all = new LinkedHashMap<String, String>(options.headers());
    if (headers != null) all.putAll(headers);
    c.openTransport(a, all);
  }

  private static Map<String, String> orEmpty(Map<String, String> headers) {
    return headers == null ? Collections.<String, String>emptyMap() : headers;
  }
}
