package dev.lifeline.bench;

import java.io.PrintStream;
import java.util.List;

/** Prints rows as a Markdown table, so the README can quote a run as is. */
final class Table {
  private Table() {}

  static void print(List<Row> rows, PrintStream out) {
    out.println("| metric | Lifeline | raw anchor | measured | bar | result | note |");
    out.println("| --- | --- | --- | --- | --- | --- | --- |");
    for (Row r : rows) {
      // A row shown only for comparison (another strategy than the default) has no verdict.
      String result = "comparison".equals(r.bar) ? "—" : r.pass ? "PASS" : "FAIL";
      out.println("| " + r.name + " | " + r.lifeline + " | " + r.anchor + " | " + r.measured
          + " | " + r.bar + " | " + result + " | " + r.note + " |");
    }
  }
}
