package dev.lifeline.sample;

import dev.lifeline.ConnectionState;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Everything that happened during a run, with times relative to its start: printed live as one
 * readable line per event, and kept for the summary and the HTML report. Thread-safe: the client,
 * the demo server, the network simulator and the scenario all write here.
 */
final class Timeline {
  /** What an {@link Event} is, which decides where the report draws it. */
  enum Type {
    /** A scenario phase begins or ends; see {@link Phase}. */
    SCENARIO,
    /** The connection changed state; see {@link Band}. */
    STATE,
    HEARTBEAT_SENT,
    HEARTBEAT_SKIPPED,
    /** The adaptive heartbeat changed its interval; {@code value} is the new one in ms. */
    HEARTBEAT_INTERVAL,
    SERVER_HEARTBEAT,
    CHAT_SENT,
    CHAT_ECHOED,
    SEND_FAILED,
    DISCONNECTED,
    /** {@code value} is the delay, {@code attempt} the attempt number. */
    RECONNECT_SCHEDULED,
    SILENCE_DETECTED,
    SIGNAL,
    SERVER,
    NETWORK,
    INFO
  }

  /** One thing that happened. */
  record Event(long atMillis, Type type, String source, String text, long value, int attempt) {}

  /** A stretch of time the connection spent in one state. {@code endMillis} is -1 while open. */
  record Band(long startMillis, long endMillis, ConnectionState.Kind kind, String label) {}

  /** A stretch of the scripted scenario (a fault being induced), for the report's background. */
  record Phase(long startMillis, long endMillis, String name) {}

  /** Where live lines go. */
  private final PrintStream out;
  /** Origin of every timestamp, from {@link System#nanoTime()}. */
  private final long startNanos;
  /** Guarded by this. */
  private final List<Event> events = new ArrayList<>();
  /** Guarded by this. */
  private final List<Band> bands = new ArrayList<>();
  /** Guarded by this. */
  private final List<Phase> phases = new ArrayList<>();
  /** Guarded by this; -1 until the run ends. */
  private long endMillis = -1;

  Timeline(PrintStream out) {
    this.out = out;
    this.startNanos = System.nanoTime();
  }

  /** Milliseconds since the start. */
  long now() {
    return (System.nanoTime() - startNanos) / 1_000_000L;
  }

  void log(Type type, String source, String text) {
    record(type, source, text, 0, 0, true);
  }

  /** Records without printing: for frequent events that would drown the timeline. */
  void quiet(Type type, String source, String text) {
    record(type, source, text, 0, 0, false);
  }

  synchronized void record(Type type, String source, String text, long value, int attempt,
      boolean print) {
    long at = now();
    events.add(new Event(at, type, source, text, value, attempt));
    if (print) {
      out.printf(Locale.ROOT, "%9s  %-8s %s%n", clock(at), source, text);
      out.flush();
    }
  }

  /** The connection entered {@code state}; closes the previous band. */
  synchronized void state(ConnectionState state, String source, String line) {
    long at = now();
    closeBand(at);
    bands.add(new Band(at, -1, state.kind(), source + ": " + state));
    record(Type.STATE, source, line, state.delayMillis(), state.attempt(), true);
  }

  synchronized void phaseStart(String name, String line) {
    phases.add(new Phase(now(), -1, name));
    out.println();
    record(Type.SCENARIO, "scenario", "=== " + line + " ===", 0, 0, true);
  }

  synchronized void phaseEnd() {
    int last = phases.size() - 1;
    if (last >= 0 && phases.get(last).endMillis() < 0) {
      Phase p = phases.get(last);
      phases.set(last, new Phase(p.startMillis(), now(), p.name()));
    }
  }

  /** Ends the run: open bands and phases are closed now. */
  synchronized void finish() {
    if (endMillis >= 0) return;
    phaseEnd();
    endMillis = now();
    closeBand(endMillis);
  }

  private void closeBand(long at) {
    int last = bands.size() - 1;
    if (last >= 0 && bands.get(last).endMillis() < 0) {
      Band b = bands.get(last);
      bands.set(last, new Band(b.startMillis(), at, b.kind(), b.label()));
    }
  }

  synchronized List<Event> events() {
    return new ArrayList<>(events);
  }

  synchronized List<Band> bands() {
    return new ArrayList<>(bands);
  }

  synchronized List<Phase> phases() {
    return new ArrayList<>(phases);
  }

  /** The run's length; {@link #now()} while it runs. */
  synchronized long endMillis() {
    return endMillis >= 0 ? endMillis : now();
  }

  synchronized long count(Type type) {
    return events.stream().filter(e -> e.type() == type).count();
  }

  /** Time spent in {@code kind} between the first band and the end. */
  synchronized long timeIn(ConnectionState.Kind kind) {
    long end = endMillis();
    long sum = 0;
    for (Band b : bands) {
      if (b.kind() == kind) sum += (b.endMillis() < 0 ? end : b.endMillis()) - b.startMillis();
    }
    return sum;
  }

  /** From the first state change (connect()) to the end. */
  synchronized long observedMillis() {
    return bands.isEmpty() ? 0 : endMillis() - bands.get(0).startMillis();
  }

  /** "+12.345s". */
  static String clock(long millis) {
    return String.format(Locale.ROOT, "+%.3fs", millis / 1000.0);
  }

  /** "0.75 s", "2 s": a duration as people read it. */
  static String seconds(long millis) {
    if (millis % 1000 == 0) return (millis / 1000) + " s";
    if (millis < 10_000) return String.format(Locale.ROOT, "%.2f s", millis / 1000.0);
    return String.format(Locale.ROOT, "%.1f s", millis / 1000.0);
  }
}
