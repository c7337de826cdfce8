package dev.lifeline.internal;

import dev.lifeline.ConnectionState.PauseReason;
import dev.lifeline.ReconnectPolicy;
import java.util.Random;

/**
 * What follows the loss of a connection or a failed attempt, as a pure decision: {@link
 * #afterLoss} answers terminate, pause or wait-then-retry, and keeps only the counters the policy
 * needs (consecutive failures, since when, the jitter's history). No timers, no I/O, no app code:
 * the connection carries the decision out. The rules are in docs/behaviour.md, "Reconnection" and
 * "Failure classification". Confined to the connection's lane.
 */
final class Reconnection {
  /** One decision. */
  static final class Decision {
    enum Kind {
      /** End the connection for good with {@link #reason}. */
      TERMINATE,
      /** Make no attempt until {@link #pauseReason} clears. */
      PAUSE,
      /** Wait {@link #delayMillis}, then attempt again. */
      WAIT
    }

    final Kind kind;
    /** The terminal reason, or the cause of the wait or pause. */
    final String reason;
    /** For WAIT: how long. */
    final long delayMillis;
    /** For WAIT: the attempt number that follows (consecutive failures so far). */
    final int attempt;
    /** For PAUSE: why. */
    final PauseReason pauseReason;

    private Decision(Kind kind, String reason, long delayMillis, int attempt, PauseReason pause) {
      this.kind = kind;
      this.reason = reason;
      this.delayMillis = delayMillis;
      this.attempt = attempt;
      this.pauseReason = pause;
    }

    static Decision terminate(String reason) {
      return new Decision(Kind.TERMINATE, reason, 0, 0, null);
    }

    static Decision pause(PauseReason why, String cause) {
      return new Decision(Kind.PAUSE, cause, 0, 0, why);
    }

    static Decision waitThenRetry(long delayMillis, int attempt, String cause) {
      return new Decision(Kind.WAIT, cause, delayMillis, attempt, null);
    }

    @Override public String toString() {
      switch (kind) {
        case TERMINATE: return "terminate: " + reason;
        case PAUSE: return "pause " + pauseReason;
        default: return "wait " + delayMillis + " ms, then attempt " + attempt;
      }
    }
  }

  /** The rules. */
  private final ReconnectPolicy policy;
  /** True when a credentials provider can answer a 401/403 with fresh credentials. */
  private final boolean canRefreshCredentials;
  /** Delay math, with the decorrelated jitter's history. */
  private final Backoff backoff;
  /** Consecutive failures since the last stable connection: the next attempt's number. */
  private int failures;
  /** When the current streak of failures began, or -1. */
  private long failingSinceMillis = -1;

  Reconnection(ReconnectPolicy policy, boolean canRefreshCredentials, Random random) {
    this.policy = policy;
    this.canRefreshCredentials = canRefreshCredentials;
    this.backoff = new Backoff(policy, random);
  }

  /**
   * Decides what follows {@code failure} at {@code nowMillis}. {@code paused} is why the
   * environment forbids attempts now, or null. Counts the failure unless it ends the connection.
   */
  Decision afterLoss(Failure failure, long nowMillis, PauseReason paused) {
    String fatal = whyFatal(failure);
    if (fatal != null) return Decision.terminate(fatal);
    failures++;
    if (failingSinceMillis < 0) failingSinceMillis = nowMillis;
    String reason = failure.reason;
    if (policy.maxAttempts() > 0 && failures > policy.maxAttempts()) {
      int max = policy.maxAttempts();
      return Decision.terminate("gave up after " + max + " reconnect attempt"
          + (max == 1 ? "" : "s") + "; last: " + reason);
    }
    if (paused != null) return Decision.pause(paused, reason);
    long delay = backoff.delayMillis(failures);
    if (failure.retryAfterMillis >= 0) {
      // Honour the server's Retry-After, with jitter on top so a fleet does not return at once.
      long retryAfter = Math.min(failure.retryAfterMillis, policy.maxRetryAfterMillis());
      delay = Math.max(delay, retryAfter + backoff.uniform(0, policy.baseDelayMillis()));
    }
    long limit = policy.maxRetryDurationMillis();
    if (limit > 0 && nowMillis + delay - failingSinceMillis > limit) {
      return Decision.terminate("gave up: still failing after "
          + Durations.seconds(nowMillis - failingSinceMillis) + " (retry limit "
          + Durations.seconds(limit) + "); last: " + reason);
    }
    return Decision.waitThenRetry(delay, failures, reason);
  }

  /** The terminal reason when retrying cannot help, or null when it can. */
  private String whyFatal(Failure f) {
    switch (f.kind) {
      case CONFIGURATION:
      case FATAL:
        return f.reason;
      case HTTP_STATUS:
        int code = f.httpCode;
        if ((code == 401 || code == 403) && !canRefreshCredentials) {
          return f.reason + " (" + (code == 401 ? "Unauthorized" : "Forbidden")
              + "); configure a CredentialsProvider to refresh credentials";
        }
        if (code >= 400 && code < 500 && code != 401 && code != 403 && code != 408
            && code != 429) {
          return f.reason + ": the server rejects this request, retrying cannot help";
        }
        return null;
      case SERVER_CLOSE:
        if (policy.fatalCloseCodes().contains(f.closeCode)) {
          return f.reason + " (close code " + f.closeCode + " is configured as fatal)";
        }
        return null;
      default:
        return null;
    }
  }

  /** The connection stayed up for the stable period: the next failure is a first retry again. */
  void stable() {
    failures = 0;
    failingSinceMillis = -1;
    backoff.reset();
  }

  /** Consecutive failures so far: the number of the next attempt. */
  int attempt() {
    return failures;
  }

  /** The short random delay before reconnecting once conditions improved. */
  long resumeDelayMillis() {
    return backoff.uniform(0, policy.resumeJitterMillis());
  }

  /** True when {@code f} rejected the credentials and a provider may have fresh ones. */
  static boolean rejectsCredentials(Failure f) {
    return f.kind == Failure.Kind.HTTP_STATUS && (f.httpCode == 401 || f.httpCode == 403);
  }
}
