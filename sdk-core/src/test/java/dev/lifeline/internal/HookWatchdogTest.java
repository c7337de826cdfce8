package dev.lifeline.internal;

import static java.util.Arrays.asList;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;

import dev.lifeline.testing.Await;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.After;
import org.junit.Test;

/**
 * {@link HookWatchdog} in virtual time: app calls are left running on real lane threads (blocked
 * on a latch), while the watchdog's checks run on the test thread as it advances the clock. A
 * call is reported once at exactly the threshold, and again when it returns; the watchdog has no
 * timer while no lane is busy (docs/behaviour.md, "App code isolation").
 */
public final class HookWatchdogTest {
  private static final long THRESHOLD = 5_000;
  private static final long PROMPTLY_MILLIS = 5_000;

  private final VirtualTime time = new VirtualTime();
  private final List<String> reports = Collections.synchronizedList(new ArrayList<>());
  private final HookWatchdog watchdog = new HookWatchdog(time, time, THRESHOLD,
      new HookWatchdog.Reporter() {
        @Override public void stuck(SerialLane lane, String call, long runningMillis) {
          reports.add(lane.name + ": " + call + " stuck for " + runningMillis);
        }

        @Override public void returned(SerialLane lane, String call, long ranMillis) {
          reports.add(lane.name + ": " + call + " returned after " + ranMillis);
        }
      });
  /** Released after each test, so no lane thread stays blocked. */
  private final List<CountDownLatch> latches = new ArrayList<>();
  private final List<ExecutorService> laneThreads = new ArrayList<>();

  @After public void releaseEverything() {
    for (CountDownLatch l : latches) l.countDown();
    for (ExecutorService t : laneThreads) t.shutdownNow();
  }

  @Test public void aStuckCallIsReportedOnceAtTheThresholdAndAgainWhenItReturns() throws Exception {
    SerialLane hooks = laneOnItsOwnThread("hooks");
    CountDownLatch release = stick(hooks, "EventListener.connectStart");
    time.advanceBy(THRESHOLD - 1);
    assertEquals(Collections.emptyList(), reports);
    time.advanceBy(1);
    assertEquals(asList("hooks: EventListener.connectStart stuck for 5000"), reports);
    time.advanceBy(9 * THRESHOLD);
    assertEquals(1, reports.size());

    release.countDown();
    Await.until("the return to be reported", PROMPTLY_MILLIS, () -> reports.size() == 2);
    assertEquals("hooks: EventListener.connectStart returned after 50000", reports.get(1));
    Await.until("the lane to be idle", PROMPTLY_MILLIS, () -> !hooks.isBusy());
    time.advanceBy(THRESHOLD);
    assertFalse(time.pendingTaskNames().contains("hook watchdog"));
    assertEquals(2, reports.size());
  }

  @Test public void twoLanesStuckAtDifferentTimesAreEachReportedAtTheirOwnThreshold()
      throws Exception {
    SerialLane hooks = laneOnItsOwnThread("hooks");
    SerialLane credentials = laneOnItsOwnThread("credentials");
    stick(hooks, "EventListener.connectStart");
    time.advanceBy(2_000);
    stick(credentials, "CredentialsProvider.headers");
    time.advanceBy(THRESHOLD - 2_000 - 1);
    assertEquals(Collections.emptyList(), reports);
    time.advanceBy(1);
    assertEquals(asList("hooks: EventListener.connectStart stuck for 5000"), reports);
    time.advanceBy(2_000 - 1);
    assertEquals(1, reports.size());
    time.advanceBy(1);
    assertEquals(asList("hooks: EventListener.connectStart stuck for 5000",
        "credentials: CredentialsProvider.headers stuck for 5000"), reports);
  }

  @Test public void aLaterCallOnTheSameLaneIsTimedFromItsOwnStart() throws Exception {
    SerialLane hooks = laneOnItsOwnThread("hooks");
    CountDownLatch release = stick(hooks, "EventListener.connectStart");
    time.advanceBy(THRESHOLD);
    release.countDown();
    Await.until("the return to be reported", PROMPTLY_MILLIS, () -> reports.size() == 2);
    time.advanceBy(1_000);
    stick(hooks, "Logger.log");
    time.advanceBy(THRESHOLD - 1);
    assertEquals(2, reports.size());
    time.advanceBy(1);
    assertEquals("hooks: Logger.log stuck for 5000", reports.get(2));
  }

  @Test public void theReportNamesTheCallActuallyRunning() throws Exception {
    SerialLane hooks = laneOnItsOwnThread("hooks");
    CountDownLatch release = latch();
    hooks.execute("AckMatcher.acknowledgedKey", () -> {
      hooks.nowCalling("ServerHeartbeatResponder.replyTo");
      awaitQuietly(release);
    });
    Await.until("the responder to run", PROMPTLY_MILLIS,
        () -> "ServerHeartbeatResponder.replyTo".equals(hooks.runningCall()));
    time.advanceBy(THRESHOLD);
    assertEquals(asList("hooks: ServerHeartbeatResponder.replyTo stuck for 5000"), reports);
  }

  @Test public void theWatchdogHasNoTimerOnceNothingIsBusy() throws Exception {
    SerialLane hooks = laneOnItsOwnThread("hooks");
    assertEquals(Collections.emptyList(), time.pendingTaskNames());
    CountDownLatch release = stick(hooks, "EventListener.connectEnd");
    assertEquals(asList("hook watchdog"), time.pendingTaskNames()); // Armed while busy.
    release.countDown();
    Await.until("the lane to be idle", PROMPTLY_MILLIS, () -> !hooks.isBusy());
    Await.until("the check to be cancelled", PROMPTLY_MILLIS,
        () -> time.pendingTaskNames().isEmpty());
    time.advanceBy(THRESHOLD);
    assertEquals(Collections.emptyList(), reports);
  }

  @Test public void aCallThatReturnsInTimeLeavesNoWakeUpBehind() throws Exception {
    SerialLane hooks = laneOnItsOwnThread("hooks");
    hooks.execute("EventListener.heartbeatSent", () -> { });
    // An idle connection's heartbeat event must not cost a second wake-up THRESHOLD later.
    Await.until("the check to be cancelled", PROMPTLY_MILLIS,
        () -> !hooks.isBusy() && time.pendingTaskNames().isEmpty());
    time.advanceBy(1_000);
    CountDownLatch release = stick(hooks, "EventListener.connectStart"); // Armed afresh.
    time.advanceBy(THRESHOLD - 1);
    assertEquals(Collections.emptyList(), reports);
    time.advanceBy(1);
    assertEquals(asList("hooks: EventListener.connectStart stuck for 5000"), reports);
    release.countDown();
  }

  /** A lane watched by the watchdog, on a thread of its own. */
  private SerialLane laneOnItsOwnThread(String name) {
    ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "lane " + name);
      t.setDaemon(true);
      return t;
    });
    laneThreads.add(thread);
    return new SerialLane("test connection", name, thread, time, watchdog, (l, lost, e) -> { });
  }

  /** Starts {@code call} on {@code lane}, blocked until the returned latch is released. */
  private CountDownLatch stick(SerialLane lane, String call) throws Exception {
    CountDownLatch release = latch();
    lane.execute(call, () -> awaitQuietly(release));
    Await.until(call + " to run", PROMPTLY_MILLIS, () -> call.equals(lane.runningCall()));
    return release;
  }

  private CountDownLatch latch() {
    CountDownLatch l = new CountDownLatch(1);
    latches.add(l);
    return l;
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
