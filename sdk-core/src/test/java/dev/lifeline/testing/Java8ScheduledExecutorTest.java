package dev.lifeline.testing;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.After;
import org.junit.Test;

/**
 * The simulation does what it claims: a zero-delay task queued before {@code shutdown()} is
 * discarded, as on Java 8 and Android, where the JDK these tests run on (9 or later) runs it.
 */
public final class Java8ScheduledExecutorTest {
  /** Holds the executor's only thread busy, so the next task waits in the queue. */
  private final CountDownLatch hold = new CountDownLatch(1);
  private final CountDownLatch holding = new CountDownLatch(1);
  private final AtomicBoolean ran = new AtomicBoolean();
  private ScheduledThreadPoolExecutor executor;

  @After public void tearDown() {
    hold.countDown();
    if (executor != null) executor.shutdownNow();
  }

  @Test public void shutdownDiscardsAZeroDelayTaskAlreadyQueuedAsJava8Does() throws Exception {
    executor = new Java8ScheduledExecutor("Java 8 simulation test");
    queueAZeroDelayTaskThenShutDown();
    assertFalse("the queued task was discarded", ran.get());
  }

  @Test public void theJdkTheTestsRunOnRunsItWhichIsWhyTheSimulationExists() throws Exception {
    executor = new ScheduledThreadPoolExecutor(1);
    executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    queueAZeroDelayTaskThenShutDown();
    assertTrue("Java 9+ runs a task that was due before shutdown()", ran.get());
  }

  private void queueAZeroDelayTaskThenShutDown() throws Exception {
    executor.execute(() -> {
      holding.countDown();
      try {
        hold.await(10, SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    assertTrue("the executor's thread is held", holding.await(5, SECONDS));
    executor.schedule(() -> ran.set(true), 0, MILLISECONDS);
    executor.shutdown();
    hold.countDown();
    assertTrue("terminated", executor.awaitTermination(5, SECONDS));
  }
}
