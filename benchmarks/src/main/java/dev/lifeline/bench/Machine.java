package dev.lifeline.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;

/** What the machine was doing: cores and load average, printed with the table. */
final class Machine {
  private Machine() {}

  static String describe() {
    String load;
    try {
      String[] parts = new String(Files.readAllBytes(Paths.get("/proc/loadavg")),
          StandardCharsets.US_ASCII).trim().split("\\s+");
      load = "load " + parts[0] + " / " + parts[1] + " / " + parts[2] + " (1/5/15 min)";
    } catch (Exception e) {
      load = "load unknown (no /proc/loadavg)";
    }
    return Runtime.getRuntime().availableProcessors() + " cores, " + load + ", Java "
        + System.getProperty("java.version") + ", " + System.getProperty("os.name") + " "
        + System.getProperty("os.arch");
  }
}
