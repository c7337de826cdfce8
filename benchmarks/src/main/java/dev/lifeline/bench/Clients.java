package dev.lifeline.bench;

import dev.lifeline.Connection;
import dev.lifeline.ConnectionState;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/** Waiting helpers shared by the benchmarks: polling against a deadline, never a bare sleep. */
final class Clients {
  private Clients() {}

  /** Waits until {@code c} is connected, or fails with its state after 10 s. */
  static void awaitConnected(Connection c) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (c.state().kind() != ConnectionState.Kind.CONNECTED) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("not connected after 10 s: " + c.state());
      }
      Thread.sleep(1);
    }
  }

  /** Spins until {@code counter} reaches {@code target}; returns System.nanoTime() then. */
  static long awaitCount(LongSupplier counter, long target, String what) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (counter.getAsLong() < target) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(what + ": " + counter.getAsLong() + " of " + target
            + " after 20 s");
      }
      Thread.onSpinWait();
    }
    return System.nanoTime();
  }
}
