package dev.lifeline;

/**
 * Where the SDK writes its own log lines; Lifeline never prints to stdout or stderr. The default
 * discards everything. Implementations must be thread-safe and fast.
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
