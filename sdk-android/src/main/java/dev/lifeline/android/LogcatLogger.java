package dev.lifeline.android;

import android.util.Log;
import dev.lifeline.Logger;

/** Writes Lifeline's log lines to logcat under one tag, at or above a minimum level. */
final class LogcatLogger implements Logger {
  /** The logcat tag. */
  private final String tag;
  /** Lines below this level are dropped. */
  private final Level minLevel;

  LogcatLogger(String tag, Level minLevel) {
    this.tag = tag;
    this.minLevel = minLevel;
  }

  @Override public void log(Level level, String message, Throwable error) {
    if (level.ordinal() < minLevel.ordinal()) return;
    switch (level) {
      case DEBUG: Log.d(tag, message, error); break;
      case INFO: Log.i(tag, message, error); break;
      case WARN: Log.w(tag, message, error); break;
      default: Log.e(tag, message, error); break;
    }
  }
}
