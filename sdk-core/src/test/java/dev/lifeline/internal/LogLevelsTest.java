package dev.lifeline.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.lifeline.HeartbeatPolicy;
import dev.lifeline.ReconnectPolicy;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.Test;

/**
 * Log levels match what happened (docs/behaviour.md, "Log levels"): up, waiting, paused and
 * closed are INFO; a lost connection or failed attempt INFO, WARN when it ends the connection or
 * keeps repeating; attempts and routine heartbeats DEBUG at most.
 */
public final class LogLevelsTest {
  private static final String URL = "ws://127.0.0.1:1/socket";
  private final Harness h = new Harness();

  @Test public void aLossAndItsReconnectAreInfoTheAttemptDebugAndTheAppsCloseInfo() {
    RealConnection c = h.connection(h.options().build());
    FakeTransport t = h.connectAndOpen(c);
    t.fails(new IOException("connection reset"));
    h.time.runUntilIdle();
    long delay = c.state().delayMillis();
    h.time.advanceBy(delay);
    h.transports.last().serverAccepts();
    h.time.runUntilIdle();
    c.close();
    h.time.runUntilIdle();

    assertEquals(Arrays.asList(
        "DEBUG " + URL + " → CONNECTING (attempt 0)",
        "INFO " + URL + " → CONNECTED",
        "INFO " + URL + ": connection lost: " + lostReason(),
        "INFO " + URL + " → WAITING_TO_RECONNECT (attempt 1 in " + seconds(delay) + "): "
            + lostReason(),
        "DEBUG " + URL + " → CONNECTING (attempt 1)",
        "INFO " + URL + " → CONNECTED",
        "INFO " + URL + " → CLOSED: closed by the app"), stateAndLossLines());
  }

  @Test public void failedAttemptsAreInfoUntilTheThirdInARowThenWarn() {
    RealConnection c = h.connection(h.options().build());
    c.connect();
    h.time.runUntilIdle();
    for (int i = 0; i < 4; i++) {
      h.transports.last().rejectsHandshake(503, -1);
      h.time.runUntilIdle();
      h.time.advanceBy(c.state().delayMillis());
    }
    List<String> failures = new ArrayList<>();
    for (String line : h.logs) {
      if (line.contains(" failed (")) failures.add(line.substring(0, line.indexOf("): ") + 2));
    }
    assertEquals(Arrays.asList(
        "INFO " + URL + ": attempt 0 failed (1 failure):",
        "INFO " + URL + ": attempt 1 failed (2 failures in a row):",
        "WARN " + URL + ": attempt 2 failed (3 failures in a row):",
        "WARN " + URL + ": attempt 3 failed (4 failures in a row):"), failures);
  }

  @Test public void aLossThatEndsTheConnectionIsWarnAndSoIsTheClosedItCauses() {
    RealConnection c = h.connection(h.options()
        .reconnect(ReconnectPolicy.builder().fatalCloseCodes(4001).build()).build());
    FakeTransport t = h.connectAndOpen(c);
    t.serverCloses(4001, "banned");
    h.time.runUntilIdle();
    List<String> lines = stateAndLossLines();
    String closed = lines.get(lines.size() - 1);
    String lost = lines.get(lines.size() - 2);
    assertTrue(lost, lost.startsWith("WARN " + URL + ": connection lost: "));
    assertTrue(closed, closed.startsWith("WARN " + URL + " → CLOSED: "));
  }

  @Test public void routineHeartbeatsLogNothingAboveDebug() {
    RealConnection c = h.connection(h.options().heartbeat(HeartbeatPolicy.builder()
        .consumeEchoes(true).build()).build());
    FakeTransport t = h.connectAndOpen(c);
    h.logs.clear();
    for (int i = 0; i < 5; i++) {
      h.time.advanceBy(HeartbeatPolicy.DEFAULT_INTERVAL_MILLIS);
      t.serverSends(HeartbeatPolicy.DEFAULT_PAYLOAD);
      t.serverPongs();
      h.time.runUntilIdle();
    }
    assertEquals(5, t.sentTexts().size());
    for (String line : h.logs) assertTrue(line, line.startsWith("DEBUG "));
  }

  private String lostReason() {
    for (String e : h.events) if (e.startsWith("disconnected ")) return e.substring(13);
    throw new AssertionError("no disconnect in " + h.events);
  }

  private List<String> stateAndLossLines() {
    List<String> lines = new ArrayList<>();
    for (String line : h.logs) {
      if (line.contains(" → ") || line.contains(": connection lost: ")) lines.add(line);
    }
    return lines;
  }

  private static String seconds(long millis) {
    return String.format(java.util.Locale.ROOT, "%.1f s", millis / 1000.0);
  }
}
