package dev.lifeline;

import dev.lifeline.internal.SignalHub;
import java.util.concurrent.ScheduledThreadPoolExecutor;

/** Reaches package-private constructors and builder methods from tests in other packages. */
public final class TestAccess {
  private TestAccess() {}

  public static EnvironmentSignals signals(SignalHub hub) {
    return new EnvironmentSignals(hub);
  }

  /**
   * {@code builder} with {@code executor} behind the scheduler the client owns, e.g. one that
   * stops the way Java 8 and Android stop ({@code dev.lifeline.testing.Java8ScheduledExecutor}).
   */
  public static Lifeline.Builder schedulerExecutor(Lifeline.Builder builder,
      ScheduledThreadPoolExecutor executor) {
    return builder.schedulerExecutor(executor);
  }
}
