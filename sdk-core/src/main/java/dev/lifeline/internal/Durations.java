package dev.lifeline.internal;

import java.util.Locale;

/** Durations as people read them in reasons and log lines. */
public final class Durations {
  private Durations() {}

  /** "70 s", "0.5 s", "70.3 s": whole seconds without a decimal, others with one. */
  public static String seconds(long millis) {
    if (millis % 1000 == 0) return (millis / 1000) + " s";
    return String.format(Locale.ROOT, "%.1f s", millis / 1000.0);
  }

  /** "30.0 s", "0.5 s": always one decimal, for measured times next to a limit. */
  public static String seconds1(long millis) {
    return String.format(Locale.ROOT, "%.1f s", millis / 1000.0);
  }
}
