package dev.lifeline.internal.journal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import dev.lifeline.OutboxJournal;
import dev.lifeline.OutboxStore;
import dev.lifeline.StoredMessage;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** The journal across processes: kill -9 mid-append, and a lock held by another JVM. */
public final class JournalProcessTest {
  @Rule public final TemporaryFolder temp = new TemporaryFolder();
  /** Children started by the test; each is destroyed at the end. */
  private final List<Process> children = new ArrayList<Process>();

  @After public void destroyChildren() throws InterruptedException {
    for (Process p : children) {
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
    }
  }

  private Process child(String... args) throws IOException {
    List<String> command = new ArrayList<String>();
    command.add(new File(System.getProperty("java.home"), "bin/java").getPath());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(JournalChild.class.getName());
    for (String a : args) command.add(a);
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    children.add(p);
    return p;
  }

  /** The child's first line, within 10 s. */
  private static String firstLine(Process p) throws Exception {
    BufferedReader out = new BufferedReader(
        new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      if (out.ready()) return out.readLine();
      if (!p.isAlive() && !out.ready()) fail("child exited with " + p.exitValue());
      Thread.sleep(5);
    }
    throw new AssertionError("child said nothing within 10 s");
  }

  @Test public void everyAddThatReturnedSurvivesKill9() throws Exception {
    File dir = temp.newFolder();
    File side = new File(dir, "side.txt");
    Random random = new Random();
    long lastRestored = 0;
    for (int kill = 0; kill < 5; kill++) {
      Process p = child("append", dir.getPath(), side.getPath());
      assertTrue(firstLine(p).startsWith("appending from "));
      Thread.sleep(100 + random.nextInt(300)); // a random moment in the loop
      p.destroyForcibly(); // SIGKILL
      assertTrue(p.waitFor(10, TimeUnit.SECONDS));

      List<String> lines = Files.readAllLines(side.toPath(), StandardCharsets.UTF_8);
      long lastAccepted = 0;
      for (String line : lines) {
        if (!line.isEmpty()) lastAccepted = Long.parseLong(line);
      }
      OutboxStore store = OutboxJournal.builder(dir, "j").build();
      OutboxStore.Contents c = store.open();
      store.close();
      // A record is one write call, which SIGKILL stops only between pages, if at all: the
      // only damage allowed is a torn tail, never bytes in the middle.
      assertTrue(c.damage(), c.damage() == null
          || c.damage().contains("were not a complete record") && !c.damage().contains(";"));
      long expected = 1;
      for (StoredMessage m : c.messages()) {
        assertEquals(expected, m.sequence());
        assertEquals("message " + expected, m.message().text());
        expected++;
      }
      long restored = expected - 1;
      // Every number the child wrote after add returned is there; at most one more (killed
      // between add and the side file).
      assertTrue("restored " + restored + ", accepted " + lastAccepted,
          restored == lastAccepted || restored == lastAccepted + 1);
      assertTrue("the child made progress: " + restored, restored > lastRestored);
      lastRestored = restored;
    }
  }

  @Test public void aJournalOpenInAnotherProcessIsRefusedUntilThatProcessEnds()
      throws Exception {
    File dir = temp.newFolder();
    Process holder = child("hold", dir.getPath());
    assertEquals("open", firstLine(holder));
    OutboxStore store = OutboxJournal.builder(dir, "j").build();
    try {
      store.open();
      fail();
    } catch (IOException e) {
      assertTrue(e.getMessage(), e.getMessage().contains("is in use by another client (another"
          + " process holds the lock on " + new File(dir, "j.lock")));
    }
    holder.destroyForcibly();
    assertTrue(holder.waitFor(10, TimeUnit.SECONDS));
    // The OS dropped the dead process's lock.
    store.open();
    store.close();
  }
}
