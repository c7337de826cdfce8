package dev.lifeline.android;

import android.os.SystemClock;
import dev.lifeline.Clock;

/**
 * {@link SystemClock#elapsedRealtime()}: unlike {@code System.nanoTime()} and {@code
 * uptimeMillis()}, it keeps counting while the CPU is in deep sleep. Deadlines measured with it
 * stay true to the wall (a server dropped us after 55 s of real time, asleep or not), and a timer
 * scheduled on a non-sleeping clock that fires "late" against it reveals the sleep
 * (docs/behaviour.md, "Environment reactions").
 */
final class ElapsedRealtimeClock implements Clock {
  static final ElapsedRealtimeClock INSTANCE = new ElapsedRealtimeClock();

  private ElapsedRealtimeClock() {}

  @Override public long elapsedMillis() {
    return SystemClock.elapsedRealtime();
  }

  @Override public String toString() {
    return "SystemClock.elapsedRealtime()";
  }
}
