package dev.lifeline.sample;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.junit.Test;

/** Flags: bad ones give the usage text and exit code 2, never a stack trace. */
public final class MainTest {
  /** What one {@link Main#run} call printed and returned. */
  private static final class Outcome {
    int code;
    String out;
    String err;
  }

  private static Outcome run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Outcome o = new Outcome();
    o.code = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    o.out = out.toString(StandardCharsets.UTF_8);
    o.err = err.toString(StandardCharsets.UTF_8);
    return o;
  }

  private static void assertUsage(String expectedProblem, String... args) {
    Outcome o = run(args);
    assertEquals("exit code for " + String.join(" ", args), Main.EXIT_USAGE, o.code);
    assertTrue(o.err, o.err.startsWith("lifeline-sample: "));
    assertTrue("problem named: " + o.err, o.err.contains(expectedProblem));
    assertTrue("usage printed: " + o.err, o.err.contains("Usage: lifeline-sample"));
    assertFalse("no stack trace: " + o.err, o.err.contains("\tat ") || o.err.contains("Exception"));
    assertEquals("nothing on stdout", "", o.out);
  }

  @Test public void unknownFlag() {
    assertUsage("unknown option '--bogus'", "--bogus");
  }

  @Test public void strayArgument() {
    assertUsage("unexpected argument 'hello'", "hello");
  }

  @Test public void missingValue() {
    assertUsage("--duration needs a value", "--duration");
    assertUsage("--report needs a file name", "--report=");
  }

  @Test public void reportGoesUnderTargetByDefault() throws Exception {
    // Maven runs the demo in the repository's root: a bare name must not land there.
    assertEquals(Paths.get("target", CommandLine.DEFAULT_REPORT),
        CommandLine.parse(new String[] {"--report"}).report);
    assertEquals(Paths.get("target", CommandLine.DEFAULT_REPORT),
        CommandLine.parse(new String[] {"--report", "--quick"}).report);
    assertEquals(Paths.get("target", "run.html"),
        CommandLine.parse(new String[] {"--report", "run.html"}).report);
    Path absolute = Paths.get("/tmp/run.html").toAbsolutePath();
    assertEquals(absolute,
        CommandLine.parse(new String[] {"--report", absolute.toString()}).report);
  }

  @Test public void badTimes() {
    assertUsage("'soon' is not a time", "--duration", "soon");
    assertUsage("--duration must be a positive time", "--duration", "-5");
    assertUsage("--heartbeat must be a positive time", "--url", "ws://127.0.0.1:1/", "--heartbeat",
        "0");
  }

  @Test public void demoTooShortToFitItsFaults() {
    assertUsage("--duration must be at least", "--duration", "5s");
  }

  @Test public void badTransport() {
    assertUsage("--transport must be ws or tcp", "--transport", "udp");
  }

  @Test public void clientFlagsNeedUrl() {
    assertUsage("go with --url", "--heartbeat", "10");
  }

  @Test public void demoFlagsRefusedWithUrl() {
    assertUsage("not with --url", "--url", "ws://127.0.0.1:1/", "--quick");
  }

  /** Lifeline's own validation message reaches the user. */
  @Test public void badUrlScheme() {
    assertUsage("unsupported scheme 'ftp'", "--url", "ftp://example.com/x");
  }

  @Test public void malformedUrl() {
    assertUsage("invalid URL", "--url", "not a url");
  }

  @Test public void serverTimeoutIsBounded() {
    assertUsage("server timeout (90000000 ms) must be at most 86400000 ms (24 h)", "--url",
        "ws://127.0.0.1:1/", "--heartbeat", "10s", "--server-timeout", "1500m");
  }

  @Test public void helpGoesToStdoutWithExitZero() {
    Outcome o = run("--help");
    assertEquals(Main.EXIT_OK, o.code);
    assertTrue(o.out, o.out.startsWith("Usage: lifeline-sample"));
    assertTrue(o.out, o.out.contains("--report [FILE.html]"));
    assertEquals("", o.err);
  }

  @Test public void timeParsing() throws Exception {
    assertEquals(2_000, CommandLine.time("--x", "2"));
    assertEquals(2_500, CommandLine.time("--x", "2.5"));
    assertEquals(500, CommandLine.time("--x", "500ms"));
    assertEquals(3_000, CommandLine.time("--x", "3s"));
    assertEquals(60_000, CommandLine.time("--x", "1m"));
  }

  @Test public void equalsFormAccepted() throws Exception {
    CommandLine c = CommandLine.parse(new String[] {"--duration=45s", "--report=out.html"});
    assertEquals(45_000, c.durationMillis);
    assertEquals(Paths.get("target", "out.html"), c.report);
  }
}
