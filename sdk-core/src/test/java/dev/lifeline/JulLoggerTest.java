package dev.lifeline;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertSame;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.Test;

/** {@link JulLogger}: Lifeline's levels map onto java.util.logging's, and its threshold holds. */
public final class JulLoggerTest {
  @Test public void levelsMapAndTheLoggersThresholdHolds() {
    java.util.logging.Logger jul = java.util.logging.Logger.getLogger("dev.lifeline.test.jul");
    List<LogRecord> records = new ArrayList<>();
    Handler handler = new Handler() {
      @Override public void publish(LogRecord r) {
        records.add(r);
      }

      @Override public void flush() { }

      @Override public void close() { }
    };
    handler.setLevel(Level.ALL);
    jul.setUseParentHandlers(false);
    jul.addHandler(handler);
    try {
      jul.setLevel(Level.ALL);
      Logger logger = JulLogger.named("dev.lifeline.test.jul");
      IllegalStateException boom = new IllegalStateException("boom");
      logger.log(Logger.Level.DEBUG, "d", null);
      logger.log(Logger.Level.INFO, "i {0}", null); // Not a format: no parameters are passed.
      logger.log(Logger.Level.WARN, "w", boom);
      logger.log(Logger.Level.ERROR, "e", null);
      assertEquals(Arrays.asList(Level.FINE, Level.INFO, Level.WARNING, Level.SEVERE),
          levels(records));
      assertEquals("i {0}", records.get(1).getMessage());
      assertSame(boom, records.get(2).getThrown());
      assertEquals("dev.lifeline.test.jul", records.get(2).getSourceClassName());

      records.clear();
      jul.setLevel(Level.INFO); // The app's configuration decides, as for any JUL logger.
      logger.log(Logger.Level.DEBUG, "dropped", null);
      logger.log(Logger.Level.INFO, "kept", null);
      assertEquals(Arrays.asList(Level.INFO), levels(records));
      assertEquals("JulLogger{dev.lifeline.test.jul}", logger.toString());
    } finally {
      jul.removeHandler(handler);
      jul.setUseParentHandlers(true);
      jul.setLevel(null);
    }
  }

  private static List<Level> levels(List<LogRecord> records) {
    List<Level> out = new ArrayList<>();
    for (LogRecord r : records) out.add(r.getLevel());
    return out;
  }
}
