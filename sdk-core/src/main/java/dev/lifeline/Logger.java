package dev.lifeline;

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
  /** Severity of a log line. */
  enum Level { DEBUG, INFO, WARN, ERROR }

  /** Logs one line; {@code error} may be null. */
  void log(Level level, String message, Throwable error);

  /** Discards everything. */
  Logger NONE = new Logger() {
    @Override public void log(Level level, String message, Throwable error) {}
  };
}
