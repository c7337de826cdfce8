package dev.lifeline.bench;

import java.util.Locale;

/**
 * One line of the table: what was measured for Lifeline and for its raw anchor, the comparison
 * (a ratio or a delta, from medians of per-round values), the bar it must meet and whether it did.
 */
public final class Row {
  /** What the row measures, e.g. "WebSocket send throughput, 32 B messages". */
  final String name;
  /** Lifeline's median value as printed, with its unit. */
  final String lifeline;
  /** The raw anchor's median value as printed, or "—" when the row has no anchor. */
  final String anchor;
  /** The comparison, e.g. "0.97×" or "+12 µs"; the median of per-round comparisons. */
  final String measured;
  /** The bar, e.g. "≥ 0.95×". */
  final String bar;
  /** Whether {@link #measured} meets {@link #bar}. */
  final boolean pass;
  /** Why it missed, the spread of rounds, or anything a reader needs; may be empty. */
  final String note;

  public Row(String name, String lifeline, String anchor, String measured, String bar,
      boolean pass, String note) {
    this.name = name;
    this.lifeline = lifeline;
    this.anchor = anchor;
    this.measured = measured;
    this.bar = bar;
    this.pass = pass;
    this.note = note == null ? "" : note;
  }

  /** A throughput-like row where higher is better: median per-round ratio must be ≥ {@code bar}. */
  public static Row ratioAtLeast(String name, String unit, Rounds.Result r, double bar) {
    double ratio = r.medianRatio();
    return new Row(name, fmt(r.medianLifeline()) + " " + unit, fmt(r.medianAnchor()) + " " + unit,
        String.format(Locale.ROOT, "%.2f×", ratio), String.format(Locale.ROOT, "≥ %.2f×", bar),
        ratio >= bar,
        String.format(Locale.ROOT, "rounds %.2f…%.2f×", r.minRatio(), r.maxRatio()));
  }

  /** A latency-like row where lower is better: median per-round delta must be ≤ {@code bar}. */
  public static Row deltaAtMost(String name, String unit, Rounds.Result r, double bar) {
    double delta = r.medianDelta();
    return new Row(name, fmt(r.medianLifeline()) + " " + unit, fmt(r.medianAnchor()) + " " + unit,
        signed(delta) + " " + unit, "≤ +" + fmt(bar) + " " + unit, delta <= bar,
        "rounds " + signed(r.minDelta()) + "…" + signed(r.maxDelta()) + " " + unit);
  }

  /** A row without an anchor, where the value must stay at or below {@code bar}. */
  public static Row valueAtMost(String name, String unit, double value, double bar, String note) {
    String u = unit.isEmpty() ? "" : " " + unit;
    String v = (unit.isEmpty() ? String.format(Locale.ROOT, "%.3f", value) : fmt(value)) + u;
    return new Row(name, v, "—", v, "≤ " + (unit.isEmpty()
        ? String.format(Locale.ROOT, "%.3f", bar) : fmt(bar)) + u,
        value <= bar, note);
  }

  static String fmt(double v) {
    if (Double.isNaN(v)) return "—";
    double a = Math.abs(v);
    if (a >= 1_000_000) return String.format(Locale.ROOT, "%.2fM", v / 1_000_000);
    if (a >= 10_000) return String.format(Locale.ROOT, "%.0fk", v / 1_000);
    if (a >= 100) return String.format(Locale.ROOT, "%.0f", v);
    if (a == Math.rint(a)) return String.format(Locale.ROOT, "%.0f", v);
    return String.format(Locale.ROOT, "%.1f", v);
  }

  static String signed(double v) {
    return (v >= 0 ? "+" : "") + String.format(Locale.ROOT, "%.1f", v);
  }
}
