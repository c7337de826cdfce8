package dev.lifeline.sample;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import dev.lifeline.Lifeline;
import dev.lifeline.Message;
import dev.lifeline.ReconnectPolicy;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.After;
import org.junit.Test;

/**
 * The PROCESS DEATH stage on its own: a forked JVM with a journal is killed with SIGKILL in the
 * middle of a burst, and a new connection on the same journal delivers every id it accepted.
 */
public final class ProcessDeathStageTest {
  private final Lifeline lifeline = Lifeline.builder().build();

  @After public void shutDown() throws InterruptedException {
    lifeline.shutdown(3, TimeUnit.SECONDS);
  }

  @Test(timeout = 60_000)
  public void killedMidBurstThenRestoredFromTheJournalLosesNothing() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Timeline timeline = new Timeline(new PrintStream(out, true, StandardCharsets.UTF_8));
    ProcessDeathStage.Burst burst = ProcessDeathStage.Burst.of(Demo.Clock.QUICK);
    ProcessDeathStage.Outcome o = new ProcessDeathStage(timeline, lifeline,
        DemoServer.Protocol.WEBSOCKET, ReconnectPolicy.builder()
            .baseDelay(100, TimeUnit.MILLISECONDS).maxDelay(500, TimeUnit.MILLISECONDS).build(),
        burst, new CountDownLatch(1)).run();
    timeline.finish();
    String text = out.toString(StandardCharsets.UTF_8);
    System.out.println(text);

    assertNull(text, o.error());
    assertTrue(text, o.killedMidBurst());
    assertTrue(text, text.contains("KILLED the app process (SIGKILL, exit 137)"));
    // Every "accepted" line printed before the kill was read, and none after it could exist.
    assertTrue(text, o.accepted() >= burst.killAfter() && o.accepted() < burst.messages());
    // Those sent after the network went down were never acknowledged: the journal had them.
    assertTrue(text, o.restored() > 0);
    assertEquals(text, 0, o.reported());
    assertEquals(text, o.accepted(), o.reachedServer());
    assertEquals(text, 0, o.lost());
    assertTrue(text, o.ok());
    // The journal's temp directory is gone.
    Matcher dir = Pattern.compile("with a journal in (\\S+)").matcher(text);
    assertTrue(text, dir.find());
    assertFalse(dir.group(1), Files.exists(Paths.get(dir.group(1))));
  }

  /** Ctrl-C: the stage ends at once and leaves no process behind. */
  @Test(timeout = 30_000)
  public void aStoppedDemoEndsTheStageAndKillsTheProcess() throws Exception {
    CountDownLatch stop = new CountDownLatch(1);
    stop.countDown();
    Timeline timeline = new Timeline(new PrintStream(new ByteArrayOutputStream(), true,
        StandardCharsets.UTF_8));
    long started = System.nanoTime();
    try {
      new ProcessDeathStage(timeline, lifeline, DemoServer.Protocol.WEBSOCKET,
          ReconnectPolicy.builder().build(), ProcessDeathStage.Burst.of(Demo.Clock.QUICK), stop)
          .run();
      fail("the stage ran to its end although the demo was stopping");
    } catch (InterruptedException expected) {
      assertEquals("the demo is stopping", expected.getMessage());
    }
    long tookMillis = (System.nanoTime() - started) / 1_000_000;
    assertTrue("took " + tookMillis + " ms", tookMillis < 5_000);
    assertTrue("the app process still runs", Poll.until(
        () -> ProcessHandle.current().children().noneMatch(ProcessHandle::isAlive), 5_000));
  }

  @Test public void burstMessagesCarryTheirIdAndTheEchoAcknowledgesIt() {
    Message m = DyingClient.burstMessage(7);
    assertTrue(m.text(), m.text().startsWith("burst 7 id="));
    assertEquals(m.id(), DyingClient.idOf(m.text()));
    assertEquals(m.id(), DyingClient.BY_ID.key(m));
    assertEquals(m.id(), DyingClient.BY_ID.acknowledgedKey(Message.text(m.text())));
    assertNull(DyingClient.idOf("chat 1: hello id=x"));
    assertNull(DyingClient.BY_ID.key(Message.text("chat 1: hello")));
    assertNull(DyingClient.BY_ID.acknowledgedKey(Message.text("{\"type\":\"server-heartbeat\"}")));
  }

  @Test public void theChildRunsOnTheSamplesClassPath() {
    String path = String.join(java.io.File.pathSeparator, ProcessDeathStage.classPath());
    for (Class<?> c : new Class<?>[] {DyingClient.class, Lifeline.class, okio.Okio.class}) {
      String where = Paths.get(c.getProtectionDomain().getCodeSource().getLocation().getPath())
          .toString();
      assertTrue(c + " from " + where + " not in " + path, path.contains(where));
    }
  }
}
