package dev.lifeline;

import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * A connection's state with its reason. Immutable; every transition produces a new
 * value, delivered to {@link ConnectionListener#onStateChanged} and {@link StateObserver#onState}.
 */
public final class ConnectionState {
  /** The states a connection moves through. */
  public enum Kind {
    /** Created; {@link Connection#connect()} not called yet. */
    IDLE,
    /** A handshake is under way ({@link #attempt()} says which). */
    CONNECTING,
    /** Open: messages flow, heartbeats run. */
    CONNECTED,
    /** Lost and waiting {@link #delayMillis()} before attempt {@link #attempt()}. */
    WAITING_TO_RECONNECT,
    /** Not connected, and no attempt will be made until {@link #pauseReason()} clears. */
    PAUSED,
    /** Terminal: closed by the app, by a fatal outcome, or after the retry limits. */
    CLOSED
  }

  /** Why attempts are deferred in {@link Kind#PAUSED}. */
  public enum PauseReason {
    /** The network is known to be down. */
    NETWORK_DOWN,
    /** The host (laptop lid, process freeze) told the SDK it is suspended. */
    SUSPENDED,
    /** The app is in the background. */
    BACKGROUND,
    /** The screen is off. */
    SCREEN_OFF
  }

  private static final ConnectionState IDLE = new ConnectionState(Kind.IDLE, 0, 0, null, null, null);

  /** Which state. */
  private final Kind kind;
  /** The attempt number for CONNECTING and WAITING_TO_RECONNECT; 0 otherwise. */
  private final int attempt;
  /** The reconnect delay for WAITING_TO_RECONNECT; 0 otherwise. */
  private final long delayMillis;
  /** For PAUSED only. */
  private final @Nullable PauseReason pauseReason;
  /** Human-readable reason for this state, or null for IDLE and a normal CONNECTED. */
  private final @Nullable String reason;
  /** The failure behind this state, or null. */
  private final @Nullable Throwable cause;

  private ConnectionState(Kind kind, int attempt, long delayMillis,
      @Nullable PauseReason pauseReason, @Nullable String reason, @Nullable Throwable cause) {
    this.kind = kind;
    this.attempt = attempt;
    this.delayMillis = delayMillis;
    this.pauseReason = pauseReason;
    this.reason = reason;
    this.cause = cause;
  }

  /**
   * The state before {@link Connection#connect()}.
   *
   * @return the shared IDLE state
   */
  public static ConnectionState idle() {
    return IDLE;
  }

  /**
   * A handshake under way.
   *
   * @param attempt consecutive failures this attempt follows (see {@link #attempt()})
   * @return a CONNECTING state
   */
  public static ConnectionState connecting(int attempt) {
    return new ConnectionState(Kind.CONNECTING, attempt, 0, null, null, null);
  }

  /**
   * An open connection.
   *
   * @return a CONNECTED state without a reason
   */
  public static ConnectionState connected() {
    return new ConnectionState(Kind.CONNECTED, 0, 0, null, null, null);
  }

  /**
   * Lost, with the next attempt scheduled.
   *
   * @param attempt consecutive failures the next attempt follows (see {@link #attempt()})
   * @param delayMillis the chosen (jittered) delay before it, in ms
   * @param reason why the connection was lost, for people; may be null
   * @param cause the failure behind the reason, or null
   * @return a WAITING_TO_RECONNECT state
   */
  public static ConnectionState waitingToReconnect(
      int attempt, long delayMillis, @Nullable String reason, @Nullable Throwable cause) {
    return new ConnectionState(Kind.WAITING_TO_RECONNECT, attempt, delayMillis, null, reason, cause);
  }

  /**
   * Not connected while an environment condition holds.
   *
   * @param why the condition that defers attempts
   * @param reason the same for people, e.g. "network down"; may be null
   * @return a PAUSED state
   */
  public static ConnectionState paused(PauseReason why, @Nullable String reason) {
    return new ConnectionState(Kind.PAUSED, 0, 0, why, reason, null);
  }

  /**
   * Closed for good.
   *
   * @param reason why, for people, e.g. "closed by the app"; may be null
   * @param cause the failure behind the reason, or null
   * @return a CLOSED state
   */
  public static ConnectionState closed(@Nullable String reason, @Nullable Throwable cause) {
    return new ConnectionState(Kind.CLOSED, 0, 0, null, reason, cause);
  }

  /**
   * Which state this is.
   *
   * @return the kind, never null
   */
  public Kind kind() { return kind; }

  /**
   * While CONNECTING or WAITING_TO_RECONNECT: the number of consecutive failures this attempt
   * follows, so 0 is a first connect (or a reconnect after a stable connection that was not a
   * failure, e.g. after the network returned or the app came back to the foreground) and 1 the
   * first retry after a failure. 0 in every other state.
   *
   * @return the attempt number, or 0
   */
  public int attempt() { return attempt; }

  /**
   * The chosen (jittered) delay while WAITING_TO_RECONNECT; else 0.
   *
   * @return the delay in ms
   */
  public long delayMillis() { return delayMillis; }

  /**
   * Why attempts are deferred, for PAUSED; null otherwise.
   *
   * @return the pause reason, or null
   */
  public @Nullable PauseReason pauseReason() { return pauseReason; }

  /**
   * Why the connection is in this state, e.g. "server closed 1001 going away".
   *
   * @return the reason for people, or null (IDLE, CONNECTING, a normal CONNECTED)
   */
  public @Nullable String reason() { return reason; }

  /**
   * The exception behind the reason, if any.
   *
   * @return the cause, or null
   */
  public @Nullable Throwable cause() { return cause; }

  /**
   * Whether this state is final: CLOSED, after which the connection never connects again.
   *
   * @return true for CLOSED
   */
  public boolean isTerminal() {
    return kind == Kind.CLOSED;
  }

  @Override public String toString() {
    StringBuilder s = new StringBuilder(kind.name());
    switch (kind) {
      case CONNECTING:
        s.append(" (attempt ").append(attempt).append(')');
        break;
      case WAITING_TO_RECONNECT:
        s.append(" (attempt ").append(attempt).append(" in ")
            .append(String.format(Locale.ROOT, "%.1f s", delayMillis / 1000.0)).append(')');
        break;
      case PAUSED:
        s.append(" (").append(pauseReason).append(')');
        break;
      default:
        break;
    }
    if (reason != null) s.append(": ").append(reason);
    return s.toString();
  }
}
