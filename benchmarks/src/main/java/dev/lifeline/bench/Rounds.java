package dev.lifeline.bench;

import java.util.Arrays;

/**
 * Interleaved rounds: Lifeline, anchor, Lifeline, anchor… Each round yields one value per side and
 * one per-round ratio and delta; the row reports medians of those. On a machine shared with other
 * work, a burst of load hits both sides of the same round, so the per-round comparison survives it
 * where comparing two separate medians would not.
 */
public final class Rounds {
  /** One timed trial returning a value (messages per second, microseconds…). */
  public interface Trial {
    double run() throws Exception;
  }

  private Rounds() {}

  /** Runs {@code warmups} unrecorded rounds, then {@code rounds} recorded ones. */
  public static Result interleave(int warmups, int rounds, Trial lifeline, Trial anchor)
      throws Exception {
    for (int i = 0; i < warmups; i++) {
      lifeline.run();
      anchor.run();
    }
    double[] l = new double[rounds];
    double[] a = new double[rounds];
    for (int i = 0; i < rounds; i++) {
      l[i] = lifeline.run();
      a[i] = anchor.run();
    }
    return new Result(l, a);
  }

  /** The recorded values of both sides, round by round. */
  public static final class Result {
    /** Lifeline's value in each round. */
    final double[] lifeline;
    /** The anchor's value in each round. */
    final double[] anchor;

    Result(double[] lifeline, double[] anchor) {
      this.lifeline = lifeline;
      this.anchor = anchor;
    }

    public double medianLifeline() { return median(lifeline); }
    public double medianAnchor() { return median(anchor); }
    public double medianRatio() { return median(ratios()); }
    public double minRatio() { return sorted(ratios())[0]; }
    public double maxRatio() { double[] s = sorted(ratios()); return s[s.length - 1]; }
    public double medianDelta() { return median(deltas()); }
    public double minDelta() { return sorted(deltas())[0]; }
    public double maxDelta() { double[] s = sorted(deltas()); return s[s.length - 1]; }

    double[] ratios() {
      double[] r = new double[lifeline.length];
      for (int i = 0; i < r.length; i++) r[i] = lifeline[i] / anchor[i];
      return r;
    }

    double[] deltas() {
      double[] d = new double[lifeline.length];
      for (int i = 0; i < d.length; i++) d[i] = lifeline[i] - anchor[i];
      return d;
    }
  }

  public static double median(double[] values) {
    double[] s = sorted(values);
    int n = s.length;
    return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  }

  /** The p-th percentile (0..100) of nanosecond samples, in microseconds. */
  public static double percentileMicros(long[] nanos, double p) {
    long[] s = nanos.clone();
    Arrays.sort(s);
    int i = (int) Math.min(s.length - 1, Math.max(0, Math.ceil(p / 100.0 * s.length) - 1));
    return s[i] / 1_000.0;
  }

  private static double[] sorted(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s;
  }
}
