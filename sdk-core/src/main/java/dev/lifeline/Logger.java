package dev.lifeline;

import org.jspecify.annotations.Nullable;

/**
 * Where the SDK writes its own log lines; Lifeline never prints to stdout or stderr. The default
 * discards everything.
 *
 * <p><b>Threads.</b> Called on Lifeline's own daemon "hook" threads, never on the scheduler or an
 * app thread. A connection's lines arrive one at a time, in order, in the same lane as its {@link
 * EventListener} calls; client-wide lines (a failed scheduler task, a stuck call, shutdown) come
 * from other hook threads, so calls may overlap: implementations must be thread-safe. Keep it
 * fast: a slow call delays the connection's later events and log lines, and one running
 * longer than {@link Lifeline.Builder#stuckHookThreshold} is reported through {@link
 * EventListener#hookStuck}. Exceptions thrown here are ignored.
 *
 * <p><b>Adapters.</b> {@link JulLogger} writes to java.util.logging; sdk-android writes to logcat.
 * Any other library is one lambda, e.g. SLF4J: {@code (level, message, error) -> { if (level ==
 * Level.WARN) slf4j.warn(message, error); else ... }}. Levels: docs/behaviour.md, "Log levels".
 */
public interface Logger {
  /** Severity of a log line (docs/behaviour.md, "Log levels"). */
  enum Level {
    /** Detail for debugging Lifeline itself, e.g. each connection attempt starting. */
    DEBUG,
    /** What an app logging at INFO wants to see: connected, lost, reconnecting, paused. */
    INFO,
    /** What may need a person: a connection that ended for good, repeated failures, stuck code. */
    WARN,
    /** A failure of Lifeline itself, e.g. a scheduler task that threw. */
    ERROR
  }

  /**
   * Logs one line.
   *
   * @param level its severity
   * @param message the line, with secrets already redacted
   * @param error the exception behind it, or null
   */
  void log(Level level, String message, @Nullable Throwable error);

  /** Discards everything. */
  Logger NONE = new Logger() {
    @Override public void log(Level level, String message, @Nullable Throwable error) {}
  };
}
