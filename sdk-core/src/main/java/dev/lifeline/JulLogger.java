package dev.lifeline;

import org.jspecify.annotations.Nullable;

/**
 * Writes Lifeline's log lines to {@code java.util.logging}, which every JVM and Android has, so
 * it adds no dependency. Levels map as DEBUG → {@code FINE}, INFO → {@code INFO}, WARN → {@code
 * WARNING}, ERROR → {@code SEVERE}; a line below the JUL logger's level is dropped before
 * anything is built. Handlers, formatting and bridges (SLF4J's {@code jul-to-slf4j}, Log4j's
 * JUL adapter) are configured as for any JUL logger.
 *
 * <pre>{@code
 * Lifeline lifeline = Lifeline.builder()
 *     .logger(JulLogger.named("dev.lifeline"))
 *     .build();
 * }</pre>
 *
 * <p>{@code System.Logger} (Java 9+) has no adapter here, because the core runs on Java 8 and
 * Android; {@link Logger} is one method, so on Java 9+ it is one lambda (README, "Logging").
 */
public final class JulLogger implements Logger {
  /** Where the lines go. */
  private final java.util.logging.Logger jul;

  private JulLogger(java.util.logging.Logger jul) {
    this.jul = jul;
  }

  /**
   * Logs to {@code java.util.logging.Logger.getLogger(name)}.
   *
   * @param name the java.util.logging logger's name
   * @return the adapter
   */
  public static JulLogger named(String name) {
    return new JulLogger(java.util.logging.Logger.getLogger(Checks.notNull("logger name", name)));
  }

  /**
   * Logs to {@code logger}.
   *
   * @param logger the java.util.logging logger
   * @return the adapter
   */
  public static JulLogger of(java.util.logging.Logger logger) {
    return new JulLogger(Checks.notNull("logger", logger));
  }

  /** The JUL level for a Lifeline level. */
  static java.util.logging.Level julLevel(Level level) {
    switch (level) {
      case DEBUG:
        return java.util.logging.Level.FINE;
      case INFO:
        return java.util.logging.Level.INFO;
      case WARN:
        return java.util.logging.Level.WARNING;
      default:
        return java.util.logging.Level.SEVERE;
    }
  }

  @Override public void log(Level level, String message, @Nullable Throwable error) {
    java.util.logging.Level to = julLevel(level);
    if (!jul.isLoggable(to)) return;
    // The logger's name as the source: JUL would otherwise name this class and method.
    jul.logp(to, jul.getName(), null, message, error);
  }

  @Override public String toString() {
    return "JulLogger{" + jul.getName() + "}";
  }
}
