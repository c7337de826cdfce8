package dev.lifeline.internal;

import dev.lifeline.ReconnectPolicy;
import java.io.IOException;
import java.util.Arrays;
import java.util.Random;

/**
 * A reconnect storm in virtual time, driving the real {@link Reconnection} (and so {@link
 * Backoff}) of every client: a fleet is dropped at once when the server dies, every attempt
 * while it is down fails after 0 to 2 × {@code attemptMillis} (a refused connect does not take
 * the same time twice; without that spread, whole milliseconds doubled attempt after attempt
 * would line clients up on a grid no real fleet has), and the first attempt at or after its
 * return succeeds. Clients do not contend (the server has no capacity limit here), so each is
 * played to its arrival on its own, which is exact. Used by the sdk-core test that holds the
 * default policy to the bars of docs/behaviour.md, "Reconnection", and by the benchmarks' table.
 * Not API.
 */
public final class StormSimulation {
  /** The loss every client sees when the server dies, and the refusal of each later attempt. */
  private static final Failure REFUSED = Failure.transientFailure(
      "connect failed: connection refused (simulated)", new IOException("refused"));

  /** The width of the window whose arrivals are compared with the mean rate. */
  public static final long WINDOW_MILLIS = 100;

  private StormSimulation() {}

  /** The arrival shape of one storm. Times are ms after the drop. */
  public static final class Result {
    /** When each client came back, sorted. */
    public final long[] arrivals;
    /** When the server came back. */
    public final long serverBackMillis;
    /** The first arrival. */
    public final long firstMillis;
    /** When 99 % of the fleet were back. */
    public final long p99Millis;
    /** Arrivals in the busiest {@link #WINDOW_MILLIS} window. */
    public final int busiest;
    /** Attempts made in all, successful ones included. */
    public final long attempts;

    Result(long[] arrivals, long serverBackMillis, long attempts) {
      this.arrivals = arrivals;
      this.serverBackMillis = serverBackMillis;
      this.attempts = attempts;
      firstMillis = arrivals[0];
      p99Millis = arrivals[(int) Math.ceil(0.99 * arrivals.length) - 1];
      busiest = busiestWindow(arrivals, WINDOW_MILLIS);
    }

    /** The busiest window's arrivals ÷ the mean per window between the first and the 99 % one. */
    public double busiestToMean() {
      return StormSimulation.busiestToMean(arrivals, firstMillis, p99Millis, busiest);
    }

    /** How long after the server came back 99 % of the fleet were back, in ms. */
    public long p99AfterServerBackMillis() {
      return p99Millis - serverBackMillis;
    }

    @Override public String toString() {
      return String.format(java.util.Locale.ROOT,
          "%d clients: busiest %d ms = %.2f× the mean rate, 99%% back %.2f s after the server"
              + " returned, %.1f attempts per client",
          arrivals.length, WINDOW_MILLIS, busiestToMean(),
          p99AfterServerBackMillis() / 1000.0, attempts / (double) arrivals.length);
    }
  }

  /**
   * Drops {@code clients} at time 0; the server is back at {@code serverBackMillis}; a failed
   * attempt takes {@code attemptMillis} on average to fail. Deterministic for a given {@code seed}.
   */
  public static Result storm(ReconnectPolicy policy, int clients, long serverBackMillis,
      long attemptMillis, long seed) {
    if (clients < 1) throw new IllegalArgumentException("clients must be ≥ 1, was " + clients);
    Random random = new Random(seed);
    Random network = new Random(~seed);
    long[] arrivals = new long[clients];
    long attempts = 0;
    for (int i = 0; i < clients; i++) {
      Reconnection r = new Reconnection(policy, false, random);
      long now = 0;
      while (true) {
        Reconnection.Decision d = r.afterLoss(REFUSED, now, null);
        if (d.kind != Reconnection.Decision.Kind.WAIT) {
          throw new IllegalArgumentException("the policy ended the storm: " + d
              + "; simulate with unlimited attempts and duration");
        }
        now += d.delayMillis;
        attempts++;
        if (now >= serverBackMillis) break;
        now += (long) (network.nextDouble() * (2 * attemptMillis + 1));
      }
      arrivals[i] = now;
    }
    Arrays.sort(arrivals);
    return new Result(arrivals, serverBackMillis, attempts);
  }

  /**
   * A lone client whose connection blipped while the server stayed up, {@code trials} times:
   * the delay before its first attempt, which succeeds. Returns the sorted delays in ms.
   */
  public static long[] blips(ReconnectPolicy policy, int trials, long seed) {
    Random random = new Random(seed);
    long[] delays = new long[trials];
    for (int i = 0; i < trials; i++) {
      Reconnection r = new Reconnection(policy, false, random);
      delays[i] = r.afterLoss(REFUSED, 0, null).delayMillis;
    }
    Arrays.sort(delays);
    return delays;
  }

  /** The most arrivals (sorted times) in any window of {@code width} ms starting at an arrival. */
  public static int busiestWindow(long[] sorted, long width) {
    int best = 0;
    int end = 0;
    for (int start = 0; start < sorted.length; start++) {
      while (end < sorted.length && sorted[end] < sorted[start] + width) end++;
      best = Math.max(best, end - start);
    }
    return best;
  }

  /**
   * {@code busiest} ÷ the mean arrivals per {@link #WINDOW_MILLIS} between {@code first} and
   * {@code p99} (sorted times): 1 is perfectly even.
   */
  public static double busiestToMean(long[] sorted, long first, long p99, int busiest) {
    int inRange = 0;
    for (long t : sorted) if (t >= first && t <= p99) inRange++;
    double span = Math.max(1, p99 - first);
    double meanPerWindow = inRange * (WINDOW_MILLIS / span);
    return busiest / meanPerWindow;
  }
}
