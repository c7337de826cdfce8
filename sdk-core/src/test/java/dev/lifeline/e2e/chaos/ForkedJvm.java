package dev.lifeline.e2e.chaos;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * Runs a main class of the test sources in a JVM of its own (this JVM's {@code java}, the test
 * classpath, the options given) and collects its output, bounded in time.
 *
 * <p>The classpath: surefire may start tests with a manifest-only jar ({@code useManifestOnlyJar},
 * its default), so {@code java.class.path} can be that one jar, whose manifest lists the real
 * entries; {@code surefire.test.class.path} then holds them. Either works for the child: java reads
 * a jar's {@code Class-Path} manifest entry too.
 */
public final class ForkedJvm {
  /** What the child did. */
  static final class Result {
    /** The exit code, or null if it was killed at the timeout. */
    final Integer exitCode;
    final List<String> output;
    final long wallMillis;

    Result(Integer exitCode, List<String> output, long wallMillis) {
      this.exitCode = exitCode;
      this.output = output;
      this.wallMillis = wallMillis;
    }

    /** The {@code RESULT key=value} lines. */
    Map<String, String> results() {
      Map<String, String> out = new HashMap<>();
      for (String line : output) {
        if (!line.startsWith("RESULT ")) continue;
        int eq = line.indexOf('=');
        out.put(line.substring(7, eq), line.substring(eq + 1));
      }
      return out;
    }

    /** The lines starting with {@code prefix + " "}, without it. */
    List<String> lines(String prefix) {
      List<String> out = new ArrayList<>();
      for (String line : output) {
        if (line.startsWith(prefix + " ")) out.add(line.substring(prefix.length() + 1));
      }
      return out;
    }

    boolean mentions(String text) {
      for (String line : output) if (line.contains(text)) return true;
      return false;
    }

    @Override public String toString() {
      return "exit " + exitCode + " after " + wallMillis + " ms; output:\n  "
          + String.join("\n  ", output);
    }
  }

  private ForkedJvm() {}

  /** The classpath the child gets: this JVM's test classpath. */
  public static String classPath() {
    String surefire = System.getProperty("surefire.test.class.path");
    return surefire != null && !surefire.isEmpty() ? surefire : System.getProperty("java.class.path");
  }

  /** The command line that runs {@code main} with {@code jvmOptions} and {@code args}. */
  public static List<String> command(List<String> jvmOptions, Class<?> main, String... args) {
    List<String> command = new ArrayList<>();
    command.add(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
    command.addAll(jvmOptions);
    command.add("-cp");
    command.add(classPath());
    command.add(main.getName());
    command.addAll(Arrays.asList(args));
    return command;
  }

  /** Runs {@code main} with {@code jvmOptions} and {@code args}; kills it after the timeout. */
  static Result run(List<String> jvmOptions, Class<?> main, long timeoutMillis, String... args)
      throws IOException, InterruptedException {
    long start = System.nanoTime();
    Process process = new ProcessBuilder(command(jvmOptions, main, args))
        .redirectErrorStream(true).start();
    List<String> output = new CopyOnWriteArrayList<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(
          new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = in.readLine()) != null) {
          if (output.size() < 2_000) output.add(line);
        }
      } catch (IOException ended) {
        // The child is gone.
      }
    }, "ForkedJvm output " + main.getSimpleName());
    reader.setDaemon(true);
    reader.start();
    Integer exit = null;
    if (process.waitFor(timeoutMillis, TimeUnit.MILLISECONDS)) {
      exit = process.exitValue();
    } else {
      process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    }
    reader.join(5_000);
    return new Result(exit, output, (System.nanoTime() - start) / 1_000_000);
  }
}
