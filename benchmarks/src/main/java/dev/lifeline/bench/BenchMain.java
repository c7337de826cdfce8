package dev.lifeline.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Runs every {@link Benchmark} and prints one table with the bar and PASS/FAIL per row.
 *
 * <pre>
 *   mvn -o -q -B -pl benchmarks -am compile -Pbench -Dexec.args="--quick"
 *   mvn -o -q -B -pl benchmarks -am compile -Pbench,okhttp5 -Dexec.args="--quick"  # on OkHttp 5
 * </pre>
 *
 * Flags: {@code --quick} (under a minute), {@code --only NAME} (run the benchmarks whose name
 * contains NAME: {@code wire}, {@code keepalive}, {@code storm}, {@code deadserver}, {@code
 * netreturn}, {@code idle}, {@code journal}). Exit status 1 when a row fails, so a script can tell.
 */
public final class BenchMain {
  /** Every benchmark, in table order. Add new groups here. */
  static final List<Benchmark> BENCHMARKS = Arrays.<Benchmark>asList(
      new WireBenchmarks(),
      new KeepAliveBenchmarks(),
      new StormBenchmark(),
      new DeadServerBenchmark(),
      new NetworkReturnBenchmark(),
      new IdleConnectionsBenchmark(),
      new JournalBenchmarks());

  private BenchMain() {}

  public static void main(String[] args) throws Exception {
    boolean quick = false;
    String only = null;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--quick")) quick = true;
      else if (args[i].equals("--only") && i + 1 < args.length) only = args[++i];
      else throw new IllegalArgumentException("unknown argument '" + args[i]
          + "'; use --quick and/or --only NAME");
    }
    PrintStream out = System.out;
    BenchRun run = new BenchRun(quick, out);
    out.println("Lifeline benchmarks (" + (quick ? "quick" : "full") + "), OkHttp "
        + okHttpVersion() + ", " + Machine.describe());
    long start = System.nanoTime();
    List<Row> rows = new ArrayList<>();
    for (Benchmark b : BENCHMARKS) {
      if (only != null && !b.name().contains(only)) continue;
      run.progress(b.name() + "…");
      rows.addAll(b.run(run));
    }
    out.println();
    Table.print(rows, out);
    out.println();
    out.printf("OkHttp %s, %s; took %.1f s%n", okHttpVersion(), Machine.describe(),
        (System.nanoTime() - start) / 1e9);
    out.flush();
    boolean allPass = true;
    for (Row r : rows) allPass &= r.pass;
    System.exit(allPass ? 0 : 1);
  }

  /**
   * The OkHttp on the class path at run time (4.12 by default, 5.x with {@code -Pokhttp5}), read
   * reflectively: {@code okhttp3.OkHttp.VERSION} is a compile-time constant, so naming it in code
   * would print the version these classes were compiled against.
   */
  static String okHttpVersion() {
    try {
      return String.valueOf(Class.forName("okhttp3.OkHttp").getField("VERSION").get(null));
    } catch (ReflectiveOperationException | LinkageError e) {
      return "unknown (" + e + ")";
    }
  }
}
