package dev.lifeline.bench;

import java.util.List;

/**
 * One group of rows in the benchmark table. Each implementation starts the servers it needs on
 * 127.0.0.1, measures Lifeline and its raw anchor in the same run (see {@link Rounds}), stops
 * everything it started, and returns its rows. Add a new group by listing it in
 * {@link BenchMain#BENCHMARKS}.
 */
public interface Benchmark {
  /** A short name, used by {@code --only NAME} and in progress lines. */
  String name();

  /** Runs the measurements; {@code run.quick()} asks for the under-a-minute variant. */
  List<Row> run(BenchRun run) throws Exception;
}
