package dev.lifeline.soak;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.lifeline.OutboxJournal;
import dev.lifeline.OutboxStore;
import java.io.File;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The kill soak (issue 18, "Proof"): a child JVM sends numbered messages through a connection
 * with a journal ({@link KillSoakChild}) and the test kills it with {@code kill -9} at random
 * moments, starting it again on the same journal each time; a last run sends nothing new and
 * exits once what it restored is settled. The seed of the moments is printed, and quoted in every
 * failure: {@code -Dlifeline.soakSeed=N} replays the same schedule.
 *
 * <p>What the server received, set against what {@code send()} accepted (the side files):
 * <ul>
 *   <li>at-least-once: every accepted id arrived (0 lost); what arrived more than once, or without
 *       being recorded as accepted, is an id {@code send()} was given (never an unknown one: a run
 *       may die after {@code send()} returned and before it recorded the id, so the one id after
 *       each run's last recorded one may arrive too); on each server-side connection the ids
 *       arrive in increasing order (a restart resends what was unacknowledged, in order, before
 *       anything new), and over all connections in accept order the first arrivals increase:
 *       with duplicates dropped, the server saw the messages in the order they were accepted;
 *   <li>at-most-once: every accepted id arrived or was reported through {@code onSendFailed};
 *       none arrived twice; the same order holds.
 * </ul>
 */
public final class KillSoakTest {
  /** The seed of every random moment; printed, and quoted in failures. */
  private static final long SEED = Long.getLong("lifeline.soakSeed", System.nanoTime());
  /** Kills in the at-least-once soak. */
  private static final int AT_LEAST_ONCE_KILLS = 30;
  /** Kills in the at-most-once soak. */
  private static final int AT_MOST_ONCE_KILLS = 10;
  /**
   * One kill in this many comes at a random moment of the child's start (the JVM's, the journal's
   * opening and restore); the others up to {@link #KILL_WINDOW_MILLIS} after it connected, while
   * it resends what it restored and sends more, so that every such run uses the network however
   * slow the machine is.
   */
  private static final int EARLY_KILL_EVERY = 5;
  /** A kill after the child connected comes up to this many ms after it said so. */
  private static final long KILL_WINDOW_MILLIS = 150;
  /** An early kill comes this many ms after the spawn at most. */
  private static final long EARLY_KILL_WINDOW_MILLIS = 700;
  /** The server answers each message this late, so kills find some unanswered. */
  private static final long ACK_DELAY_MILLIS = 20;
  /** How long a child may take to start and connect: generous, for a busy machine. */
  private static final long START_MILLIS = 20_000;
  /** Each soak's hard bound. */
  private static final long SOAK_BOUND_MILLIS = 150_000;

  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  @Test public void atLeastOnceLosesNothingAndKeepsOrderAcrossKills() throws Exception {
    Soak soak = run(true, AT_LEAST_ONCE_KILLS, OutboxJournal.Durability.PROCESS_DEATH);
    soak.assertNothingLost();
    soak.assertOnlyAcceptedIdsArrived();
    soak.assertOrderKept();
    assertTrue("nothing was ever restored: the kills never found an unacknowledged message; "
        + soak.summary, soak.restored > 0);
  }

  @Test public void atMostOnceAccountsForEveryMessageAndNeverDuplicatesAcrossKills()
      throws Exception {
    Soak soak = run(false, AT_MOST_ONCE_KILLS, OutboxJournal.Durability.POWER_LOSS);
    soak.assertNothingLost();
    soak.assertOnlyAcceptedIdsArrived();
    soak.assertOrderKept();
    Map<Long, String> firstArrival = new HashMap<>();
    List<String> twice = new ArrayList<>();
    for (int c = 0; c < soak.received.size(); c++) {
      List<Long> ids = soak.received.get(c);
      for (int i = 0; i < ids.size(); i++) {
        String here = "connection " + c + " #" + i;
        String first = firstArrival.putIfAbsent(ids.get(i), here);
        if (first != null && twice.size() < 20) {
          twice.add(ids.get(i) + " (" + first + ", " + here
              + (soak.reported.containsKey(ids.get(i)) ? ", also reported" : "") + ")");
        }
      }
    }
    assertTrue("ids the server received twice (first 20): " + twice + "; " + soak.summary,
        twice.isEmpty());
  }

  /** What one soak did and saw. */
  private static final class Soak {
    final String mode;
    final long seed;
    /** Ids send() accepted, per run. */
    final Map<Integer, List<Long>> accepted = new TreeMap<>();
    /** Per run, the id it may have had accepted without recording it: the one after its last. */
    final Set<Long> inDoubt = new HashSet<>();
    /** Ids reported through onSendFailed, with the reason, over all runs. */
    final Map<Long, String> reported = new LinkedHashMap<>();
    /** What the server received, per connection in accept order. */
    List<List<Long>> received;
    /** Kills, early ones (before the child said STARTED) among them. */
    int kills;
    int earlyKills;
    /** Messages the runs said they restored, in sum. */
    int restored;
    /** Messages the runs said they reported at the restore, in sum. */
    int restoredReported;
    long wallMillis;
    String summary = "";

    Soak(String mode, long seed) {
      this.mode = mode;
      this.seed = seed;
    }

    Set<Long> allAccepted() {
      Set<Long> all = new HashSet<>();
      for (List<Long> ids : accepted.values()) all.addAll(ids);
      return all;
    }

    Set<Long> allReceived() {
      Set<Long> all = new HashSet<>();
      for (List<Long> c : received) all.addAll(c);
      return all;
    }

    /**
     * Every accepted id arrived; at-most-once, or was reported. (At-least-once, a report does not
     * count: the only ones a run can get are refusals of a send() it then tried again.)
     */
    void assertNothingLost() {
      boolean reportsCount = mode.equals("at-most-once");
      Set<Long> arrived = allReceived();
      List<Long> lost = new ArrayList<>();
      for (List<Long> ids : accepted.values()) {
        for (long id : ids) {
          if (arrived.contains(id) || reportsCount && reported.containsKey(id)) continue;
          if (lost.size() < 20) lost.add(id);
        }
      }
      assertTrue("accepted by send(), never received" + (reportsCount ? " and never reported" : "")
          + " (first 20): " + lost + "; " + summary, lost.isEmpty());
    }

    void assertOnlyAcceptedIdsArrived() {
      Set<Long> accepted = allAccepted();
      List<Long> unknown = new ArrayList<>();
      for (long id : allReceived()) {
        if (!accepted.contains(id) && !inDoubt.contains(id) && unknown.size() < 20) {
          unknown.add(id);
        }
      }
      assertTrue("ids the server received that send() was never given (first 20): " + unknown
          + "; " + summary, unknown.isEmpty());
    }

    void assertOrderKept() {
      Set<Long> seen = new HashSet<>();
      long lastFirst = 0;
      for (int c = 0; c < received.size(); c++) {
        List<Long> ids = received.get(c);
        for (int i = 0; i < ids.size(); i++) {
          long id = ids.get(i);
          if (i > 0 && id <= ids.get(i - 1)) {
            throw new AssertionError("server connection " + c + " received " + id + " after "
                + ids.get(i - 1) + " (position " + i + " of " + ids.size() + "; around it: "
                + ids.subList(Math.max(0, i - 3), Math.min(ids.size(), i + 3)) + "); " + summary);
          }
          if (seen.add(id)) {
            if (id <= lastFirst) {
              throw new AssertionError("server connection " + c + " received " + id
                  + " for the first time after " + lastFirst + " had arrived on an earlier"
                  + " connection: with duplicates dropped, the order is not the order of"
                  + " acceptance; " + summary);
            }
            lastFirst = id;
          }
        }
      }
    }
  }

  private Soak run(boolean atLeastOnce, int kills, OutboxJournal.Durability durability)
      throws Exception {
    String mode = atLeastOnce ? "at-least-once" : "at-most-once";
    Soak soak = new Soak(mode, SEED);
    Random random = new Random(SEED);
    File dir = tmp.newFolder(mode);
    Deadline deadline = new Deadline("the " + mode + " kill soak (seed " + SEED + ")",
        SOAK_BOUND_MILLIS);
    List<String> restoreLines = new ArrayList<>();
    try (RecordingServer server = new RecordingServer(ACK_DELAY_MILLIS)) {
      for (int run = 0; run <= kills; run++) {
        boolean last = run == kills;
        try (ChildJvm child = ChildJvm.start("run " + run + " (" + mode + ", seed " + SEED + ")",
            KillSoakChild.class, Arrays.asList("STARTED", "CONNECTED", "RESTORED",
            "DONE"), mode, server.url(),
            dir.getPath(), Integer.toString(run), last ? "last" : "send", durability.name())) {
          if (last) {
            int exit = child.awaitExit(deadline.cap(60_000));
            assertEquals("the last run's exit code (seed " + SEED + "); " + child.tail(), 0, exit);
          } else if (random.nextInt(EARLY_KILL_EVERY) == 0) {
            deadline.pause(random.nextInt((int) EARLY_KILL_WINDOW_MILLIS));
            child.kill();
            soak.kills++;
            if (child.mark("STARTED") == null) soak.earlyKills++;
          } else {
            child.awaitLine("CONNECTED", deadline.cap(START_MILLIS));
            deadline.pause(random.nextInt((int) KILL_WINDOW_MILLIS + 1));
            child.kill();
            soak.kills++;
          }
          String restoredLine = child.mark("RESTORED");
          if (restoredLine != null) {
            String[] words = restoredLine.split(" ");
            soak.restored += Integer.parseInt(words[1]);
            soak.restoredReported += Integer.parseInt(words[3]);
            restoreLines.add("run " + run + ": " + restoredLine);
          }
        }
        List<Long> ids = new ArrayList<>();
        for (String line : SideFile.read(new File(dir, "accepted-" + run))) {
          ids.add(Long.parseLong(line));
        }
        soak.accepted.put(run, ids);
        soak.inDoubt.add(ids.isEmpty() ? run * KillSoakChild.RUN_STRIDE + 1
            : ids.get(ids.size() - 1) + 1);
        for (String line : SideFile.read(new File(dir, "reported-" + run))) {
          int space = line.indexOf(' ');
          soak.reported.putIfAbsent(Long.parseLong(line.substring(0, space)),
              line.substring(space + 1));
        }
      }
      soak.received = server.received();
    }
    soak.wallMillis = deadline.elapsedMillis();
    soak.summary = summarize(soak, restoreLines);
    System.out.println(soak.summary);

    OutboxStore journal = OutboxJournal.builder(new File(dir, "journal"), "soak").build();
    try {
      assertEquals("messages left in the journal after the last run settled everything; "
          + soak.summary, 0, journal.open().messages().size());
    } finally {
      journal.close();
    }
    assertTrue(soak.summary, soak.kills >= kills);
    assertTrue("too little was sent to prove anything; " + soak.summary,
        soak.allAccepted().size() >= 5 * kills);
    return soak;
  }

  private static String summarize(Soak soak, List<String> restoreLines) {
    int accepted = soak.allAccepted().size();
    int arrivals = 0;
    for (List<Long> c : soak.received) arrivals += c.size();
    int distinct = soak.allReceived().size();
    Map<String, Integer> reasons = new TreeMap<>();
    for (String reason : soak.reported.values()) {
      reasons.merge(reason.length() > 60 ? reason.substring(0, 60) + "…" : reason, 1, Integer::sum);
    }
    return String.format("kill soak %s (seed %d): %d kills (%d before the child started), %d"
            + " accepted, %d arrivals on %d server connections, %d distinct, %d duplicates,"
            + " %d ids reported through onSendFailed %s; restores said: %d messages restored, %d"
            + " reported; %d ms; restores: %s",
        soak.mode, soak.seed, soak.kills, soak.earlyKills, accepted, arrivals,
        soak.received.size(), distinct, arrivals - distinct, soak.reported.size(), reasons,
        soak.restored,
        soak.restoredReported, soak.wallMillis, restoreLines.size() > 12
            ? restoreLines.subList(0, 12) + "…" : restoreLines);
  }
}
