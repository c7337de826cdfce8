package dev.lifeline.soak;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.lifeline.e2e.FaultProxy;
import java.io.File;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The resume soak (issue 18, "Proof"): a {@link StreamServer} numbers its messages and honours a
 * resume position; a child JVM follows the stream through a connection with a journal and stream
 * resume ({@link ResumeSoakChild}), behind a {@link FaultProxy}. The test alternates {@code kill
 * -9} of the child (started again on the same journal) and network cuts (every connection through
 * the proxy reset), {@value #EVENTS} in all, at random moments (the seed is printed, and quoted in
 * every failure: {@code -Dlifeline.soakSeed=N} replays it). The server keeps far more than a
 * normal absence costs, so it can always resume, except twice where the test forces it not to:
 * once while the child is dead, once while the network is cut, the stream jumps ahead by more
 * than the server keeps.
 *
 * <p>What must hold, from what the app's listener handled (the side files, in run order): with
 * repeats dropped (a restart resumes from the position last saved, which may trail what the
 * listener handled just before the kill), the app saw the server's messages in order, each once,
 * up to the last one the server made; every jump in what it saw is exactly one reported gap
 * ({@code streamGap(expected, received)}, with received the message it jumped to, and expected no
 * later than the message after the last one the app saw: the report covers every message the app
 * missed); the server really could not resume there; and there are jumps only where the test
 * forced them.
 */
public final class ResumeSoakTest {
  /** The seed of every random moment; printed, and quoted in failures. */
  private static final long SEED = Long.getLong("lifeline.soakSeed", System.nanoTime());
  /** Kills and cuts, alternating, starting with a kill. */
  private static final int EVENTS = 30;
  /** The event at which the stream jumps while the child is dead (a kill: even). */
  private static final int GAP_AT_KILL = 10;
  /** The event at which the stream jumps while the network is cut (a cut: odd). */
  private static final int GAP_AT_CUT = 21;
  /**
   * The server keeps this many positions, 20 s of its stream: a kill costs about a second of it,
   * a cut less (a slow start on a busy machine a few seconds); a resume after a forced jump sends
   * the app all of them.
   */
  private static final long KEEP = 10_000;
  /** A forced jump moves the stream on by this much: more than the server keeps. */
  private static final long JUMP = KEEP + 500;
  /** The server makes a message every this many ms. */
  private static final long PACE_MILLIS = 2;
  /** Between two events, up to this many ms after the app handled messages again. */
  private static final long EVENT_WINDOW_MILLIS = 120;
  /** How long the child may take to start and see messages: generous, for a busy machine. */
  private static final long PROGRESS_MILLIS = 20_000;
  /** The soak's hard bound. */
  private static final long SOAK_BOUND_MILLIS = 120_000;

  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  @Test public void appSeesEveryMessageOnceInOrderAndEveryJumpIsAReportedGap() throws Exception {
    File dir = tmp.newFolder("resume");
    Random random = new Random(SEED);
    Deadline deadline = new Deadline("the resume soak (seed " + SEED + ")", SOAK_BOUND_MILLIS);
    int kills = 0;
    int cuts = 0;
    int run = 0;
    long head;
    List<StreamServer.NotResumed> notResumed;
    int serverConnections;
    ChildJvm child = null;
    try (StreamServer server = new StreamServer(KEEP, PACE_MILLIS);
        FaultProxy proxy = new FaultProxy(server.address())) {
      String url = "ws://127.0.0.1:" + proxy.port() + "/stream";
      child = startAndAwaitMessages(url, dir, run, deadline);
      for (int event = 0; event < EVENTS; event++) {
        deadline.pause(random.nextInt((int) EVENT_WINDOW_MILLIS + 1));
        boolean forceGap = event == GAP_AT_KILL || event == GAP_AT_CUT;
        if (event % 2 == 0) {
          child.kill();
          kills++;
          if (forceGap) server.skip(JUMP);
          child = startAndAwaitMessages(url, dir, ++run, deadline);
        } else {
          long headAtCut;
          if (forceGap) {
            proxy.refuse(); // Reconnections fail until the stream has jumped.
            proxy.reset();
            server.skip(JUMP);
            headAtCut = server.head();
            proxy.pass();
          } else {
            headAtCut = server.head();
            proxy.reset();
          }
          cuts++;
          File handled = new File(dir, "handled-" + run);
          ChildJvm c = child;
          deadline.await("run " + run + " to handle a message made after cut " + cuts, PROGRESS_MILLIS,
              () -> last(handled) > headAtCut, c::tail);
        }
        if (forceGap) {
          File gaps = new File(dir, "gaps-" + run);
          ChildJvm c = child;
          deadline.await("run " + run + " to report the forced gap", PROGRESS_MILLIS,
              () -> SideFile.lastLine(gaps) != null, c::tail);
        }
      }
      server.stopMaking();
      head = server.head();
      File handled = new File(dir, "handled-" + run);
      ChildJvm c = child;
      long end = head;
      deadline.await("run " + run + " to handle the stream's last message, " + end,
          PROGRESS_MILLIS, () -> last(handled) >= end, c::tail);
      notResumed = server.notResumed();
      serverConnections = server.connections();
    } finally {
      if (child != null) child.close();
    }

    List<Long> seen = new ArrayList<>();
    List<long[]> gaps = new ArrayList<>();
    for (int r = 0; r <= run; r++) {
      for (String line : SideFile.read(new File(dir, "handled-" + r))) seen.add(Long.parseLong(line));
      for (String line : SideFile.read(new File(dir, "gaps-" + r))) {
        String[] words = line.split(" ");
        gaps.add(new long[] {Long.parseLong(words[0]), Long.parseLong(words[1])});
      }
    }
    List<long[]> jumps = new ArrayList<>(); // {from, to}: what the app saw jumped from, to.
    int repeats = walk(seen, jumps);
    String summary = String.format("resume soak (seed %d): %d kills, %d cuts, %d server"
            + " connections, stream of %d messages, %d handled by the app, %d repeats, jumps %s,"
            + " gaps reported (expected/received) %s, server could not resume %s, %d ms",
        SEED, kills, cuts, serverConnections, head, seen.size(), repeats, show(jumps, " -> "), show(gaps, "/"),
        notResumed, deadline.elapsedMillis());
    System.out.println(summary);

    assertEquals("the app's last message; " + summary, head, (long) seen.get(seen.size() - 1));
    assertEquals("jumps and reported gaps, one for one; " + summary, jumps.size(), gaps.size());
    for (int i = 0; i < jumps.size(); i++) {
      long from = jumps.get(i)[0];
      long to = jumps.get(i)[1];
      long expected = gaps.get(i)[0];
      long received = gaps.get(i)[1];
      assertEquals("gap " + i + ": the position received; " + summary, to, received);
      assertTrue("gap " + i + " says messages from " + expected + " never arrived, but the app"
          + " saw up to " + from + "; " + summary, expected <= from + 1);
      boolean serverSaysSo = false;
      for (StreamServer.NotResumed n : notResumed) {
        if (n.given == received && n.asked <= expected) serverSaysSo = true;
      }
      assertTrue("gap " + i + " (expected " + expected + ", received " + received + ") where the"
          + " server did not fail to resume; " + summary, serverSaysSo);
    }
    assertEquals("jumps: only where the test forced them; " + summary, 2, jumps.size());
    assertTrue(summary, serverConnections >= EVENTS);
  }

  /**
   * Walks what the app saw: a position seen before is a repeat (counted); a new one must be the
   * next after the highest so far, or a jump forward (added to {@code jumps} as {from, to});
   * anything else is out of order, and fails.
   *
   * @return the repeats
   */
  private static int walk(List<Long> seen, List<long[]> jumps) {
    Set<Long> before = new HashSet<>();
    long highest = 0;
    int repeats = 0;
    for (int i = 0; i < seen.size(); i++) {
      long p = seen.get(i);
      if (!before.add(p)) {
        repeats++;
        continue;
      }
      if (p < highest) {
        throw new AssertionError("the app saw " + p + " for the first time after " + highest
            + " (message " + i + " of " + seen.size() + "; around it: "
            + seen.subList(Math.max(0, i - 3), Math.min(seen.size(), i + 3)) + ", seed " + SEED
            + ")");
      }
      if (p > highest + 1) jumps.add(new long[] {highest, p});
      highest = p;
    }
    return repeats;
  }

  private static ChildJvm startAndAwaitMessages(String url, File dir, int run, Deadline deadline)
      throws Exception {
    ChildJvm child = ChildJvm.start("run " + run + " (resume, seed " + SEED + ")",
        ResumeSoakChild.class, Collections.singletonList("STARTED"), url, dir.getPath(),
        Integer.toString(run));
    File handled = new File(dir, "handled-" + run);
    try {
      deadline.await("run " + run + " to handle a message", PROGRESS_MILLIS,
          () -> handled.exists() && handled.length() > 0, child::tail);
    } catch (AssertionError | RuntimeException e) {
      child.close();
      throw e;
    }
    return child;
  }

  /** The last position in {@code file}, or -1. */
  private static long last(File file) throws Exception {
    String line = SideFile.lastLine(file);
    return line == null ? -1 : Long.parseLong(line);
  }

  private static String show(List<long[]> pairs, String between) {
    List<String> out = new ArrayList<>();
    for (long[] p : pairs) out.add(p[0] + between + p[1]);
    return out.toString();
  }
}
