package dev.lifeline.e2e.chaos;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import dev.lifeline.e2e.chaos.FloodServer.Flood;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * Floods that used to exhaust the client's memory (docs/behaviour.md, "Inbound backpressure" and
 * "Bad input"), each run by {@link FloodMain} in a JVM of its own with a {@value #HEAP} heap, so
 * that a regression fails one test instead of killing the build. The children run at once
 * (each for {@value #RUN_MILLIS} ms), so the class costs about one child's time.
 *
 * <p>Each must end with exit code 0, no {@code OutOfMemoryError}, no uncaught exception, at most
 * {@value #PEAK_AFTER_GC_MIB} MiB in use after any collection (the default inbound bound is 16 MiB
 * of waiting messages; the rest is the program itself), and a visible reaction: the client stopped
 * reading (the server's writes stall) or ended the connection with a reason. The flood of 64 KiB
 * messages is the control: the bound has always held for it, so it shows the harness can pass.
 */
public final class HostileFloodTest {
  /** The child's heap: well below what an unbounded flood needs within {@link #RUN_MILLIS}. */
  static final String HEAP = "64m";
  /** How long each flood runs. */
  static final long RUN_MILLIS = 5_000;
  /** A child still running after this is killed (and its test fails). */
  private static final long TIMEOUT_MILLIS = 45_000;
  /** Most heap still in use after a collection, MiB. */
  static final long PEAK_AFTER_GC_MIB = 48;
  /** No flood write for this long: the client stopped reading. */
  private static final long STALLED_MILLIS = 1_000;

  private static final List<String> JVM_OPTIONS = Arrays.asList("-Xmx" + HEAP,
      "-XX:+UseSerialGC", "-XX:+ExitOnOutOfMemoryError", "-XX:TieredStopAtLevel=1");

  private static ExecutorService pool;
  private static final Map<Flood, Future<ForkedJvm.Result>> children = new EnumMap<>(Flood.class);

  @BeforeClass public static void startAll() {
    pool = Executors.newFixedThreadPool(Flood.values().length, r -> {
      Thread t = new Thread(r, "HostileFloodTest child");
      t.setDaemon(true);
      return t;
    });
    for (Flood flood : Flood.values()) {
      children.put(flood, pool.submit(() -> ForkedJvm.run(JVM_OPTIONS, FloodMain.class,
          TIMEOUT_MILLIS, flood.name(), Long.toString(RUN_MILLIS))));
    }
  }

  @AfterClass public static void stopAll() {
    pool.shutdownNow(); // Each child is bounded by its timeout already.
  }

  /** Waits for the child of {@code flood}, prints its figures and checks what every flood needs. */
  private static ForkedJvm.Result finished(Flood flood) throws Exception {
    ForkedJvm.Result r = children.get(flood).get();
    Map<String, String> m = r.results();
    List<String> heap = r.lines("HEAP");
    System.out.println("flood " + flood + " (-Xmx" + HEAP + ", " + r.wallMillis + " ms wall): exit "
        + r.exitCode + ", peak used " + m.get("peakUsedMiB") + " MiB, peak after GC "
        + m.get("peakAfterGcMiB") + " MiB, server wrote " + m.get("serverBytesWritten")
        + " bytes on " + m.get("serverConnections") + " connection(s), last write "
        + m.get("serverMillisSinceLastWrite") + " ms before the end, client close "
        + m.get("clientClose") + ", final state " + m.get("finalState")
        + (r.mentions("OutOfMemoryError") ? " — OUT OF MEMORY after " + r.wallMillis
            + " ms; last heap sample: " + (heap.isEmpty() ? "none" : heap.get(heap.size() - 1))
            : ""));
    assertFalse("the child ran out of memory: " + r, r.mentions("OutOfMemoryError"));
    assertNotNull("the child was killed at the timeout: " + r, r.exitCode);
    assertEquals("exit code; " + r, 0, (int) r.exitCode);
    assertTrue("uncaught exceptions: " + r.lines("UNCAUGHT"), r.lines("UNCAUGHT").isEmpty());
    long peak = Long.parseLong(m.get("peakAfterGcMiB"));
    assertTrue("heap in use after a collection peaked at " + peak + " MiB (bound "
        + PEAK_AFTER_GC_MIB + " MiB); " + r, peak <= PEAK_AFTER_GC_MIB);
    return r;
  }

  /** The server's writes stalled: the client stopped reading and TCP held the server back. */
  private static boolean stalled(ForkedJvm.Result r) {
    return Long.parseLong(r.results().get("serverMillisSinceLastWrite")) >= STALLED_MILLIS;
  }

  /** Some state after the first CONNECTED ended or replaced the connection with a reason. */
  private static boolean endedWithReason(ForkedJvm.Result r) {
    boolean connected = false;
    for (String s : r.lines("STATE")) {
      if (s.startsWith("CONNECTED")) connected = true;
      if (connected && (s.startsWith("WAITING_TO_RECONNECT") || s.startsWith("CLOSED"))
          && s.length() > s.indexOf('|') + 2) {
        return true;
      }
    }
    return false;
  }

  private static void assertReacted(ForkedJvm.Result r) {
    assertTrue("neither did the client stop reading (server writes stalled for "
        + STALLED_MILLIS + " ms) nor end the connection with a reason; " + r,
        stalled(r) || endedWithReason(r));
  }

  @Test public void largeMessagesIntoAStuckListenerPauseTheReader() throws Exception {
    ForkedJvm.Result r = finished(Flood.WS_64KIB_MESSAGES);
    assertTrue("the server's writes did not stall; " + r, stalled(r));
  }

  @Test public void emptyWebSocketFramesIntoAStuckListenerKeepMemoryBounded() throws Exception {
    assertReacted(finished(Flood.WS_EMPTY_FRAMES));
  }

  @Test public void emptyTcpLinesIntoAStuckListenerKeepMemoryBounded() throws Exception {
    assertReacted(finished(Flood.TCP_EMPTY_LINES));
  }

  @Test public void oneByteWebSocketMessagesIntoAStuckListenerKeepMemoryBounded() throws Exception {
    assertReacted(finished(Flood.WS_ONE_BYTE_MESSAGES));
  }

  @Test public void a256MiBWebSocketMessageEndsTheConnectionWith1009() throws Exception {
    ForkedJvm.Result r = finished(Flood.WS_HUGE_MESSAGE);
    String close = r.results().get("clientClose");
    assertTrue("the client's close frame: " + close + "; " + r,
        close != null && close.startsWith("1009"));
    boolean named = false;
    for (String s : r.lines("STATE")) named |= s.contains("maxInboundMessageBytes");
    assertTrue("no state names maxInboundMessageBytes; " + r, named);
  }

  @Test public void pingFloodFromAServerThatNeverReadsKeepsMemoryBounded() throws Exception {
    assertReacted(finished(Flood.WS_PING_FLOOD));
  }
}
