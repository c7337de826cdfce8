package dev.lifeline.bench;

import java.io.PrintStream;

/** The knobs of one run, handed to every {@link Benchmark}: quick or full, and where to report. */
public final class BenchRun {
  /** True for {@code --quick}: fewer, shorter rounds so the whole table prints in under a minute. */
  private final boolean quick;
  /** Progress lines (not the table) go here. */
  private final PrintStream progress;

  BenchRun(boolean quick, PrintStream progress) {
    this.quick = quick;
    this.progress = progress;
  }

  public boolean quick() { return quick; }

  /** Interleaved rounds per row: each round measures Lifeline, then the anchor. */
  public int rounds() { return quick ? 5 : 15; }

  /** How long one throughput trial sends for. */
  public long trialMillis() { return quick ? 300 : 1_000; }

  /** Round trips timed per latency trial (after warm-up). */
  public int roundTrips() { return quick ? 2_000 : 10_000; }

  /** Prints one progress line, prefixed so it is not mistaken for a table row. */
  public void progress(String line) {
    progress.println("  .. " + line);
    progress.flush();
  }
}
