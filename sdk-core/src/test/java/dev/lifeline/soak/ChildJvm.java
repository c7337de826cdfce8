package dev.lifeline.soak;

import static java.util.concurrent.TimeUnit.MILLISECONDS;

import dev.lifeline.e2e.chaos.ForkedJvm;
import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * One soak child: a main class of the test sources in a JVM of its own, started to be killed with
 * {@code kill -9} ({@link Process#destroyForcibly()} sends SIGKILL on Linux) at a moment the test
 * picks. Its output is read as it comes: the lines the test waits for ({@link #awaitLine}) and
 * the last {@value #KEPT_LINES} for a failure message.
 *
 * <p>A child never outlives its test: {@link #watchParent} (called first in every child main)
 * halts it when its standard input ends, which it does when the test's JVM dies, and after a
 * lifetime cap; {@link #close()} kills it.
 */
final class ChildJvm implements Closeable {
  /**
   * Fast start for a short-lived child: C1 only, the serial collector, a small heap and no perf
   * data file. About 0.6 s from spawn to a connected Lifeline on a 2-core machine.
   */
  private static final List<String> JVM_OPTIONS = Arrays.asList("-XX:TieredStopAtLevel=1",
      "-XX:+UseSerialGC", "-Xmx96m", "-Xss512k", "-XX:-UsePerfData");
  /** Output lines kept for a failure message. */
  private static final int KEPT_LINES = 60;
  /** How long a SIGKILLed child may take to be gone. */
  private static final long KILL_WAIT_MILLIS = 10_000;

  /** The child's name in messages, e.g. "run 7". */
  private final String name;
  /** The process. */
  private final Process process;
  /** Reads the child's output until it ends. */
  private final Thread reader;
  /** The last {@link #KEPT_LINES} lines of output; guarded by itself. */
  private final ArrayDeque<String> lastLines = new ArrayDeque<>();
  /** Every line that started with one of the awaited prefixes; guarded by {@link #lastLines}. */
  private final List<String> marks = new ArrayList<>();
  /** The prefixes of lines kept in {@link #marks}. */
  private final List<String> markPrefixes;

  private ChildJvm(String name, Process process, List<String> markPrefixes) {
    this.name = name;
    this.process = process;
    this.markPrefixes = markPrefixes;
    this.reader = new Thread(this::readOutput, "soak child output " + name);
    reader.setDaemon(true);
    reader.start();
  }

  /**
   * Starts {@code main} with {@code args}.
   *
   * @param markPrefixes output lines starting with one of these can be awaited
   */
  static ChildJvm start(String name, Class<?> main, List<String> markPrefixes, String... args)
      throws IOException {
    Process p = new ProcessBuilder(ForkedJvm.command(JVM_OPTIONS, main, args))
        .redirectErrorStream(true).start();
    return new ChildJvm(name, p, markPrefixes);
  }

  private void readOutput() {
    try (BufferedReader in = new BufferedReader(
        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        synchronized (lastLines) {
          if (lastLines.size() == KEPT_LINES) lastLines.removeFirst();
          lastLines.addLast(line);
          for (String prefix : markPrefixes) if (line.startsWith(prefix)) marks.add(line);
        }
      }
    } catch (IOException ended) {
      // The child is gone.
    }
  }

  /**
   * Waits until the child printed a line starting with {@code prefix} (one of the mark prefixes)
   * and returns it.
   *
   * @throws AssertionError after {@code timeoutMillis}, or when the child ended without it,
   *     quoting the child's last lines
   */
  String awaitLine(String prefix, long timeoutMillis) {
    long deadline = System.nanoTime() + MILLISECONDS.toNanos(timeoutMillis);
    while (true) {
      String line = mark(prefix);
      if (line != null) return line;
      if (!process.isAlive() && !reader.isAlive()) {
        throw new AssertionError(name + " ended (exit " + process.exitValue() + ") without a '"
            + prefix + "' line; " + tail());
      }
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError(name + " printed no '" + prefix + "' line within "
            + timeoutMillis + " ms; " + tail());
      }
      LockSupport.parkNanos(MILLISECONDS.toNanos(2));
    }
  }

  /** The first mark line starting with {@code prefix}, or null. */
  String mark(String prefix) {
    synchronized (lastLines) {
      for (String line : marks) if (line.startsWith(prefix)) return line;
    }
    return null;
  }

  /**
   * Waits for the child to exit by itself.
   *
   * @return its exit code
   * @throws AssertionError after {@code timeoutMillis} (the child is then killed)
   */
  int awaitExit(long timeoutMillis) throws InterruptedException {
    if (!process.waitFor(timeoutMillis, MILLISECONDS)) {
      String tail = tail();
      kill();
      throw new AssertionError(name + " did not exit within " + timeoutMillis + " ms; " + tail);
    }
    reader.join(KILL_WAIT_MILLIS);
    return process.exitValue();
  }

  /** SIGKILL, and waits until the process is gone and its output read. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(KILL_WAIT_MILLIS, MILLISECONDS)) {
      throw new AssertionError(name + " still runs " + KILL_WAIT_MILLIS + " ms after SIGKILL");
    }
    reader.join(KILL_WAIT_MILLIS);
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** The child's last output lines, for a failure message. */
  String tail() {
    synchronized (lastLines) {
      return name + "'s last " + lastLines.size() + " lines:\n    "
          + String.join("\n    ", lastLines);
    }
  }

  /** Kills the child if it still runs. */
  @Override public void close() throws IOException {
    try {
      if (process.isAlive()) kill();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(name + ": interrupted while killing it", e);
    }
  }

  /**
   * For a child's main, first: halts the JVM when the parent goes (standard input ends) or after
   * {@code lifetimeMillis}, whichever comes first, so that no child outlives a test that died.
   */
  static void watchParent(long lifetimeMillis) {
    Thread stdin = new Thread(() -> {
      try {
        while (System.in.read() != -1) {
          // The parent writes nothing; -1 means it is gone.
        }
      } catch (IOException gone) {
        // Same.
      }
      Runtime.getRuntime().halt(3);
    }, "soak child parent watch");
    stdin.setDaemon(true);
    stdin.start();
    Thread cap = new Thread(() -> {
      long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(lifetimeMillis);
      for (long left; (left = end - System.nanoTime()) > 0; ) LockSupport.parkNanos(left);
      System.out.println("LIFETIME cap of " + lifetimeMillis + " ms reached: halting");
      System.out.flush();
      Runtime.getRuntime().halt(4);
    }, "soak child lifetime cap");
    cap.setDaemon(true);
    cap.start();
  }
}
