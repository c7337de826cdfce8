package dev.lifeline;

/**
 * A monotonic time source in milliseconds. Deadlines (silence limits, retry deadlines, stable
 * periods) are measured with it, so on Android it must count deep sleep ({@code
 * SystemClock.elapsedRealtime()}); the JVM default is {@link System#nanoTime()}.
 */
public interface Clock {
  /**
   * Milliseconds since an arbitrary fixed origin; never decreases.
   *
   * @return the current time in ms
   */
  long elapsedMillis();
}
