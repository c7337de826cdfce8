package dev.lifeline.internal;

import static java.util.Arrays.asList;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import dev.lifeline.testing.Await;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.After;
import org.junit.Test;

/**
 * {@link SerialLane}: one task at a time, in submission order, over a shared executor; throwing
 * tasks are contained, {@code always} runs in any case, a refused turn is reported, and a turn
 * yields the executor after {@link SerialLane#MAX_TASKS_PER_TURN} tasks. Driven by hand through a
 * {@link ManualExecutor}, except where real threads are the point.
 */
public final class SerialLaneTest {
  private final ManualExecutor executor = new ManualExecutor();
  private final List<String> rejections = new ArrayList<>();
  private final SerialLane lane = new SerialLane("test connection", "hooks", executor,
      new VirtualTime(), null, (l, lost, e) -> rejections.add(l.name + " lost " + lost));
  private final List<String> ran = Collections.synchronizedList(new ArrayList<>());
  private ExecutorService pool;

  @After public void stopPool() {
    if (pool != null) pool.shutdownNow();
  }

  @Test public void tasksRunOneAtATimeInSubmissionOrderInOneTurn() {
    lane.execute("a", () -> ran.add("a"));
    lane.execute("b", () -> ran.add("b"));
    lane.execute("c", () -> ran.add("c"));
    assertEquals(Collections.emptyList(), ran); // Nothing runs on the caller's thread.
    assertEquals(1, executor.waiting()); // One turn for the three.
    assertTrue(lane.isBusy());
    executor.runAll();
    assertEquals(asList("a", "b", "c"), ran);
    assertFalse(lane.isBusy());
  }

  @Test public void noTwoTasksOverlapOnAPoolOfThreads() throws Exception {
    pool = Executors.newFixedThreadPool(4);
    SerialLane shared = new SerialLane("test connection", "hooks", pool, new VirtualTime(), null,
        (l, lost, e) -> { });
    submitConcurrently(shared, 500, false);
  }

  /**
   * Four threads submit {@code perSubmitter} numbered tasks each (alternately through {@link
   * SerialLane#runOrExecute} when {@code mixed}); asserts that no two tasks overlapped, that each
   * thread's tasks ran in its order, and returns how many ran on their submitter's thread.
   */
  private static int submitConcurrently(SerialLane shared, int perSubmitter, boolean mixed)
      throws Exception {
    int submitters = 4;
    AtomicInteger active = new AtomicInteger();
    AtomicInteger overlaps = new AtomicInteger();
    AtomicInteger inline = new AtomicInteger();
    AtomicInteger done = new AtomicInteger();
    List<List<Integer>> seen = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    for (int s = 0; s < submitters; s++) {
      List<Integer> order = new ArrayList<>(); // Written by lane tasks only, read after `done`.
      seen.add(order);
      threads.add(new Thread(() -> {
        Thread me = Thread.currentThread();
        for (int i = 0; i < perSubmitter; i++) {
          int n = i;
          Runnable task = () -> {
            if (active.incrementAndGet() != 1) overlaps.incrementAndGet();
            if (Thread.currentThread() == me) inline.incrementAndGet();
            order.add(n);
            active.decrementAndGet();
            done.incrementAndGet();
          };
          if (mixed && n % 2 == 0) shared.runOrExecute("task", task);
          else shared.execute("task", task);
        }
      }, "submitter " + s));
    }
    for (Thread t : threads) t.start();
    Await.until("every task ran", 10_000, () -> done.get() == submitters * perSubmitter);
    for (Thread t : threads) t.join(5_000);
    assertEquals(0, overlaps.get());
    for (List<Integer> order : seen) { // Each submitter's tasks ran in its order.
      for (int i = 0; i < perSubmitter; i++) assertEquals(i, (int) order.get(i));
    }
    return inline.get();
  }

  @Test public void aThrowingTaskDoesNotStopTheLane() {
    lane.execute("boom", () -> {
      throw new IllegalStateException("app code failed");
    });
    lane.execute("next", () -> ran.add("next"));
    executor.runAll();
    assertEquals(asList("next"), ran);
  }

  @Test public void alwaysRunsAfterTheBodyEvenWhenTheBodyThrows() {
    lane.execute("first", () -> {
      ran.add("first body");
      throw new IllegalStateException("app code failed");
    }, () -> ran.add("first always"));
    lane.execute("second", () -> ran.add("second body"), () -> ran.add("second always"));
    executor.runAll();
    assertEquals(asList("first body", "first always", "second body", "second always"), ran);
  }

  @Test public void aRefusedTurnRunsEveryQueuedAlwaysAndReportsHowManyWereLost() {
    int queued = SerialLane.MAX_TASKS_PER_TURN + 3;
    for (int i = 0; i < queued; i++) {
      int n = i;
      lane.execute("task", () -> ran.add("body " + n), () -> ran.add("always " + n));
    }
    executor.rejecting = true; // Shut down while the first turn waits for a thread.
    executor.runNext(); // That turn runs; the next one is refused.
    // A full turn (body and always of each), then the always of each of the 3 left behind.
    assertEquals(2 * SerialLane.MAX_TASKS_PER_TURN + 3, ran.size());
    assertEquals("always " + (queued - 1), ran.get(ran.size() - 1));
    assertFalse(ran.contains("body " + SerialLane.MAX_TASKS_PER_TURN));
    assertEquals(asList("hooks lost 3"), rejections);
    assertFalse(lane.isBusy());
  }

  @Test public void aLaneRefusedAtOnceRunsTheAlwaysAndCanBeUsedAgain() {
    executor.rejecting = true;
    lane.execute("refused", () -> ran.add("body"), () -> ran.add("always"));
    assertEquals(asList("always"), ran);
    assertEquals(asList("hooks lost 1"), rejections);

    executor.rejecting = false;
    lane.execute("accepted", () -> ran.add("accepted"));
    executor.runAll();
    assertEquals(asList("always", "accepted"), ran);
  }

  @Test public void aTurnRunsAtMostMaxTasksPerTurnThenYieldsTheExecutor() {
    for (int i = 0; i <= SerialLane.MAX_TASKS_PER_TURN; i++) {
      int n = i;
      lane.execute("task", () -> ran.add("" + n));
    }
    executor.runNext();
    assertEquals(SerialLane.MAX_TASKS_PER_TURN, ran.size());
    assertEquals(1, executor.waiting()); // The rest waits behind other lanes' turns.
    executor.runNext();
    assertEquals(SerialLane.MAX_TASKS_PER_TURN + 1, ran.size());
    assertEquals(0, executor.waiting());
  }

  @Test public void theRunningCallIsNamedWhileItRuns() {
    lane.execute("AckMatcher.acknowledgedKey", () -> {
      ran.add(lane.runningCall());
      lane.nowCalling("ServerHeartbeatResponder.replyTo");
      ran.add(lane.runningCall());
    });
    assertNull(lane.runningCall());
    executor.runAll();
    assertEquals(asList("AckMatcher.acknowledgedKey", "ServerHeartbeatResponder.replyTo"), ran);
    assertNull(lane.runningCall());
  }

  // ---- runOrExecute: inline when idle, queued otherwise. ----

  private final SerialLane engineLane = new SerialLane("test connection", "engine", executor,
      new VirtualTime(), null, (l, lost, e) -> rejections.add(l.name + " lost " + lost));

  @Test public void runOrExecuteOnAnIdleLaneRunsAtOnceOnTheCallersThread() {
    Thread caller = Thread.currentThread();
    engineLane.runOrExecute("flush", () -> {
      ran.add(Thread.currentThread() == caller ? "inline" : "elsewhere");
      ran.add(engineLane.isRunningOnThisThread() ? "lane's own" : "not the lane");
      ran.add(engineLane.isBusy() ? "busy" : "idle");
    });
    assertEquals(asList("inline", "lane's own", "busy"), ran);
    assertEquals(0, executor.waiting()); // No hand-off.
    assertFalse(engineLane.isBusy());
    assertFalse(engineLane.isRunningOnThisThread());
  }

  @Test public void runOrExecuteBehindQueuedTasksWaitsItsTurn() {
    engineLane.execute("a", () -> ran.add("a"));
    engineLane.runOrExecute("b", () -> ran.add("b"));
    assertEquals(Collections.emptyList(), ran); // Order beats speed: "a" was first.
    executor.runAll();
    assertEquals(asList("a", "b"), ran);
  }

  @Test public void tasksQueuedWhileAnInlineTaskRunsGoToTheExecutorAfterIt() {
    engineLane.runOrExecute("outer", () -> {
      engineLane.execute("queued by the task", () -> ran.add("queued by the task"));
      engineLane.runOrExecute("nested", () -> ran.add("nested"));
      ran.add("outer");
    });
    assertEquals(asList("outer"), ran); // Nothing overtook it or ran inside it.
    assertTrue(engineLane.isBusy());
    assertEquals(1, executor.waiting());
    executor.runAll();
    assertEquals(asList("outer", "queued by the task", "nested"), ran);
    assertFalse(engineLane.isBusy());
  }

  @Test public void aThrowingInlineTaskLeavesTheLaneUsable() {
    engineLane.runOrExecute("boom", () -> {
      throw new IllegalStateException("boom");
    });
    assertFalse(engineLane.isBusy());
    engineLane.runOrExecute("next", () -> ran.add("next"));
    assertEquals(asList("next"), ran);
  }

  @Test public void runOrExecuteFromAnotherLanesTurnRestoresThatLane() {
    lane.execute("hook", () -> {
      engineLane.runOrExecute("flush", () -> ran.add("flush"));
      ran.add(lane.isRunningOnThisThread() ? "hooks lane again" : "lost the outer lane");
    });
    executor.runAll();
    assertEquals(asList("flush", "hooks lane again"), ran);
  }

  @Test(expected = IllegalStateException.class)
  public void aLaneThatRunsAppCodeNeverRunsOnTheCallersThread() {
    SerialLane watched = new SerialLane("test connection", "callbacks", executor,
        new VirtualTime(), new HookWatchdog(new VirtualTime(), new VirtualTime(), 1_000,
            new HookWatchdog.Reporter() {
              @Override public void stuck(SerialLane lane, String call, long runningMillis) { }

              @Override public void returned(SerialLane lane, String call, long ranMillis) { }
            }), (l, lost, e) -> { });
    watched.runOrExecute("onMessage", () -> ran.add("onMessage"));
  }

  @Test public void manyThreadsMixingBothWaysNeverOverlapAndKeepEachThreadsOrder()
      throws Exception {
    pool = Executors.newFixedThreadPool(2);
    SerialLane shared = new SerialLane("test connection", "engine", pool, new VirtualTime(), null,
        (l, lost, e) -> { });
    int inline = submitConcurrently(shared, 2_000, true);
    assertTrue("some tasks ran inline", inline > 0);
  }
}
