package dev.lifeline.sample;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.Assume;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Runs the shortened demo end to end on 127.0.0.1 (server restart, network loss, zombie, then the
 * idle-cut stage where an adaptive heartbeat learns the path's idle limit) and checks what its
 * summary claims. The same story over tcp:// is {@link DemoOverTcpTest}: a class of its own, so
 * the two runs take place side by side in the build's two test JVMs.
 */
public final class DemoTest {
  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  @Test(timeout = 60_000)
  public void quickDemoSurvivesEveryFaultAndLosesNothing() throws Exception {
    String text = runQuickDemo(tmp.getRoot().toPath(), "--quick");
    assertTrue(text, text.contains("1001 server restarting"));
  }

  /** Runs the demo, checks its exit code, summary and report; returns what it printed. */
  static String runQuickDemo(Path dir, String... flags) throws Exception {
    Path report = dir.resolve("report.html");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    long started = System.nanoTime();
    String[] args = Arrays.copyOf(flags, flags.length + 2);
    args[flags.length] = "--report";
    args[flags.length + 1] = report.toString();
    int code = Main.run(args,
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    long tookMillis = (System.nanoTime() - started) / 1_000_000;
    String text = out.toString(StandardCharsets.UTF_8);
    // Surefire keeps the timeline in the test's output file for whoever investigates a failure.
    System.out.println(text);

    assertEquals("exit code; stderr: " + err, Main.EXIT_OK, code);
    // About 19 s of story, 8 s of idle cut, 2 to 4 s of process death (a JVM starts), and load.
    assertTrue("took " + tookMillis + " ms", tookMillis < 45_000);
    assertTrue(text, number(text, "reconnects\\s+(\\d+)") > 0);
    assertTrue(text, number(text, "heartbeats\\s+(\\d+) sent") > 0);
    assertTrue(text, number(text, "zombies caught\\s+(\\d+)") > 0);
    assertEquals(text, 0, number(text, "messages\\s+\\d+ sent, \\d+ delivered \\(echoed\\),"
        + " \\d+ failed \\(reported\\), (\\d+) lost"));
    long sent = number(text, "messages\\s+(\\d+) sent");
    assertTrue(text, sent > 0);
    assertEquals(text, sent, number(text, "(\\d+) delivered"));
    assertTrue(text, text.contains("SERVER RESTART"));
    assertTrue(text, text.contains("PAUSED (NETWORK_DOWN)"));
    assertTrue(text, text.contains("SILENCE: nothing from the server"));
    assertTrue(text, text.contains("Lifeline held it until a connection could deliver it"));
    // At-least-once: the message written into the half-open socket came back after the reconnect.
    assertTrue(text, text.matches("(?s).*<- echo \"chat \\d+: sent into the half-open connection\".*"));

    // The idle-cut stage: cut at least twice at the start interval, lowered below the cut with
    // the core's reason, then a calm window without a cut.
    assertTrue(text, text.contains("IDLE CUT: reset a connection idle for"));
    Matcher change = Pattern.compile("HEARTBEAT INTERVAL 2 s -> ([0-9.]+) s: the path closes"
        + " connections idle for about").matcher(text);
    assertTrue(text, change.find());
    assertTrue(text, Double.parseDouble(change.group(1)) < 1.2);
    assertTrue(text, text.matches("(?s).*idle cut +heartbeat 2 s -> [0-9.]+ s against a 1.20 s"
        + " idle cut: [2-9] cut\\(s\\), \\d+ interval change\\(s\\); settled \\(no cut in the last .*"));

    // The process-death stage: killed mid-burst, restored from the journal, nothing lost.
    Matcher death = Pattern.compile("process death +killed \\(SIGKILL\\) mid-burst after"
        + " (\\d+) accepted; the next start restored (\\d+) from the journal \\(0 reported\\);"
        + " (\\d+) of (\\d+) accepted reached the server, \\d+ duplicate\\(s\\) dropped by id;"
        + " 0 lost").matcher(text);
    assertTrue(text, death.find());
    assertTrue(text, Long.parseLong(death.group(2)) > 0);
    assertEquals(text, death.group(1), death.group(3));
    assertEquals(text, death.group(1), death.group(4));

    String html = Files.readString(report);
    assertTrue("process-death phase shaded", html.contains("class=\"phaselabel\">process death<"));
    assertTrue("interval changes marked", html.contains("class=\"hbint\""));
    assertTrue("idle-cut phase shaded", html.contains("class=\"phaselabel\">idle cut<"));
    assertTrue(html.startsWith("<!DOCTYPE html>"));
    assertTrue(html.contains("<svg"));
    assertTrue("state bands", html.contains("fill=\"#2e9d57\""));
    assertTrue("reconnect markers", html.contains("class=\"rc\""));
    assertTrue("time axis", html.contains("seconds since start"));
    assertFalse("self-contained: no external resources",
        html.contains("src=") || html.contains("href=") || html.contains("@import")
            || Pattern.compile("url\\((?!#)").matcher(html).find());
    return text;
  }

  private static long number(String text, String regex) {
    Matcher m = Pattern.compile(regex).matcher(text);
    assertTrue("no match for /" + regex + "/ in:\n" + text, m.find());
    return Long.parseLong(m.group(1));
  }
}
