package dev.lifeline;

import java.util.concurrent.TimeUnit;

/** Argument checks with messages that name the setting and the offending value. */
final class Checks {
  private Checks() {}

  static <T> T notNull(String what, T value) {
    if (value == null) throw new NullPointerException(what + " == null");
    return value;
  }

  static long positiveMillis(String what, long amount, TimeUnit unit) {
    notNull(what + " unit", unit);
    if (amount <= 0) {
      throw new IllegalArgumentException(what + " must be positive, was " + amount + " " + unit);
    }
    long millis = unit.toMillis(amount);
    if (millis == 0) {
      throw new IllegalArgumentException(
          what + " must be at least 1 ms, was " + amount + " " + unit);
    }
    return millis;
  }

  static long nonNegativeMillis(String what, long amount, TimeUnit unit) {
    notNull(what + " unit", unit);
    if (amount < 0) {
      throw new IllegalArgumentException(what + " must not be negative, was " + amount + " " + unit);
    }
    return unit.toMillis(amount);
  }

  static long multiply(long a, long b) {
    long r = a * b;
    if (a != 0 && r / a != b) throw new IllegalArgumentException("value too large: " + a + " × " + b);
    return r;
  }
}
