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
      out.println("| " + r.name + " | " + r.lifeline + " | " + r.anchor + " | " + r.measured
          + " | " + r.bar + " | " + (r.pass ? "PASS" : "FAIL") + " | " + r.note + " |");
    }
  }
}
