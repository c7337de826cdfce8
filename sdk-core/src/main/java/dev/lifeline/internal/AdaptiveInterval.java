package dev.lifeline.internal;

import java.util.Locale;

/**
 * The learning of an adaptive heartbeat (docs/behaviour.md, "Adaptive heartbeat") for one path
 * (an endpoint over one network), as a pure state machine: events in, the interval and why out.
 * No timers, no I/O, no clock: the caller measures idle times and says what happened. Not
 * thread-safe; each connection confines its instance to its lane.
 *
 * <p>The path is modelled as cutting connections idle for longer than some unknown limit. The
 * events:
 * <ul>
 *   <li>{@link #survived}: the connection stayed idle (no traffic either way) for a gap and lived:
 *       idle times that long are safe, for now.
 *   <li>{@link #cutAfterIdle}: an idle connection was cut (EOF, reset, no pong) after being idle
 *       for a time. Once is chance; the same idle time again (within {@link #AGREE_TOLERANCE}) is
 *       the path's limit.
 *   <li>A cut not about idleness (traffic had just flowed, the network changed, the server sent a
 *       close frame) is simply not reported: it teaches nothing.
 * </ul>
 *
 * <p>States: {@link #current} is the interval in use; {@link #safe} the longest interval known to
 * survive (equal to {@link #current} unless probing); {@link #ceiling} the shortest idle time at
 * which the path was seen to cut (Long.MAX_VALUE while none was).
 */
final class AdaptiveInterval {
  /** Below a learned cut: a 4.4 s cut gives 3.5 s, enough for the jitter of a periodic check. */
  static final double MARGIN = 0.8;
  /** Two idle cuts agree when they differ by at most this fraction of the longer one. */
  static final double AGREE_TOLERANCE = 0.25;
  /** An upward probe multiplies the safe interval by this much. */
  static final double STEP = 1.5;
  /** Probes never pass this fraction of max, which the app gives as the server's own limit. */
  static final double MAX_MARGIN = 0.9;
  /** A gap counts as a survived interval when at least this fraction of the interval. */
  static final double SURVIVED_FRACTION = 0.9;
  /** Survived intervals needed before the first upward probe; doubled after each failed probe. */
  static final int FIRST_PROBE_AFTER = 5;
  /** The backed-off count stops doubling here (about 5 hours at 55 s). */
  static final int MAX_PROBE_AFTER = 320;
  /** The stored form's version; a value of another version is ignored. */
  static final String VERSION = "v1";

  /** What {@link #cutAfterIdle} and {@link #survived} decided. */
  static final class Change {
    final long fromMillis;
    final long toMillis;
    /** For people: "the path closes connections idle for about 4.4 s; heartbeat lowered …". */
    final String why;

    Change(long fromMillis, long toMillis, String why) {
      this.fromMillis = fromMillis;
      this.toMillis = toMillis;
      this.why = why;
    }

    @Override public String toString() {
      return fromMillis + " ms → " + toMillis + " ms: " + why;
    }
  }

  private final long minMillis;
  private final long maxMillis;
  /** The interval in use. */
  private long current;
  /** The longest interval known to survive; {@link #current} is above it only while probing. */
  private long safe;
  /** The shortest idle time at which the path was seen to cut; Long.MAX_VALUE: none yet. */
  private long ceiling = Long.MAX_VALUE;
  /** An idle cut not confirmed yet, or -1. */
  private long unconfirmedCut = -1;
  /** Consecutive survived intervals at {@link #current}. */
  private int survived;
  /** Survived intervals needed before the next upward probe. */
  private int probeAfter = FIRST_PROBE_AFTER;
  /** True once anything was learned or loaded: a late store answer must not overwrite it. */
  private boolean changed;

  AdaptiveInterval(long startMillis, long minMillis, long maxMillis) {
    this.minMillis = minMillis;
    this.maxMillis = maxMillis;
    this.current = clamp(startMillis);
    this.safe = current;
  }

  long current() {
    return current;
  }

  /** True while {@link #current} is an upward probe not yet proven. */
  boolean probing() {
    return current > safe;
  }

  /** True once an event changed what this instance knows. */
  boolean learned() {
    return changed;
  }

  long ceiling() {
    return ceiling;
  }

  int probeAfter() {
    return probeAfter;
  }

  /**
   * The connection stayed idle for {@code gapMillis} and lived. Returns the upward probe this
   * allows, or null.
   */
  Change survived(long gapMillis) {
    if (gapMillis < current * SURVIVED_FRACTION) return null;
    if (probing()) {
      // Each survived probe interval is progress; enough of them make it safe.
      if (++survived < probeAfter) return null;
      safe = current;
      survived = 0;
      changed = true;
    } else if (++survived < probeAfter) {
      return null;
    }
    long cap = Math.min((long) (maxMillis * MAX_MARGIN),
        ceiling == Long.MAX_VALUE ? Long.MAX_VALUE : (long) (ceiling * MARGIN));
    long next = Math.min(cap, (long) (current * STEP));
    if (next <= current) {
      survived = Math.min(survived, probeAfter); // Settled: nothing above is worth a probe.
      return null;
    }
    long from = current;
    current = next;
    survived = 0;
    changed = true;
    return new Change(from, next, "no cut in " + probeAfter + " idle intervals of "
        + Durations.seconds1(from) + "; probing a longer heartbeat: " + Durations.seconds1(from)
        + " to " + Durations.seconds1(next));
  }

  /**
   * An idle connection was cut after {@code idleMillis} without traffic. Returns the lowered
   * interval, or null when this cut alone proves nothing yet.
   */
  Change cutAfterIdle(long idleMillis) {
    survived = 0;
    if (probing()) {
      // The probe found the limit: back to what survived, below this cut, and probe less often.
      long from = current;
      ceiling = Math.min(ceiling, idleMillis);
      current = clamp(Math.min(safe, (long) (idleMillis * MARGIN)));
      safe = current;
      probeAfter = Math.min(MAX_PROBE_AFTER, probeAfter * 2);
      unconfirmedCut = -1;
      changed = true;
      return new Change(from, current, "the path closed the connection idle for "
          + Durations.seconds1(idleMillis) + " while probing " + Durations.seconds1(from)
          + "; heartbeat back to " + Durations.seconds1(current) + ", next probe after "
          + probeAfter + " idle intervals");
    }
    boolean confirmed = agrees(idleMillis, unconfirmedCut)
        || (ceiling != Long.MAX_VALUE && idleMillis <= ceiling * (1 + AGREE_TOLERANCE));
    if (!confirmed) {
      unconfirmedCut = idleMillis;
      changed = true;
      return null;
    }
    long limit = unconfirmedCut > 0 ? Math.min(unconfirmedCut, idleMillis) : idleMillis;
    unconfirmedCut = -1;
    ceiling = Math.min(ceiling, limit);
    changed = true;
    long target = clamp((long) (limit * MARGIN));
    if (target >= current) return null; // Already below: that cut had another cause.
    long from = current;
    current = target;
    safe = target;
    String floor = target == minMillis && (long) (limit * MARGIN) < minMillis
        ? " (the adaptive min; the path's limit is lower, so the connection may still be cut)"
        : "";
    return new Change(from, target, "the path closes connections idle for about "
        + Durations.seconds1(limit) + "; heartbeat lowered from " + Durations.seconds1(from)
        + " to " + Durations.seconds1(target) + floor);
  }

  private static boolean agrees(long a, long b) {
    if (a <= 0 || b <= 0) return false;
    return Math.abs(a - b) <= Math.max(a, b) * AGREE_TOLERANCE;
  }

  private long clamp(long millis) {
    return Math.max(minMillis, Math.min(maxMillis, millis));
  }

  // ---- The stored form: "v1:<interval>:<ceiling or ->:<probeAfter>:<unconfirmed cut or ->". ----

  /** What to keep in a {@link dev.lifeline.HeartbeatStore}: short, versioned, no secrets. */
  String encode() {
    return VERSION + ":" + safe + ":" + (ceiling == Long.MAX_VALUE ? "-" : ceiling) + ":"
        + probeAfter + ":" + (unconfirmedCut < 0 ? "-" : unconfirmedCut);
  }

  /**
   * Takes over a stored state. A probe in progress is not stored: it restarts from the safe value.
   * Values outside [min, max] (the app changed them) are clamped.
   *
   * @throws IllegalArgumentException when {@code value} is not a state this version wrote.
   */
  void restore(String value) {
    String[] parts = value.split(":", -1);
    if (parts.length != 5 || !parts[0].equals(VERSION)) {
      throw new IllegalArgumentException("not a " + VERSION + " heartbeat state");
    }
    long interval = positive(parts[1]);
    long storedCeiling = parts[2].equals("-") ? Long.MAX_VALUE : positive(parts[2]);
    long storedProbeAfter = positive(parts[3]);
    long storedCut = parts[4].equals("-") ? -1 : positive(parts[4]);
    if (storedProbeAfter > MAX_PROBE_AFTER) {
      throw new IllegalArgumentException("probe count " + storedProbeAfter + " out of range");
    }
    current = clamp(interval);
    safe = current;
    ceiling = storedCeiling;
    probeAfter = (int) storedProbeAfter;
    unconfirmedCut = storedCut;
    survived = 0;
    changed = true;
  }

  private static long positive(String s) {
    long v;
    try {
      v = Long.parseLong(s);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not a number: " + abbreviate(s));
    }
    if (v <= 0) throw new IllegalArgumentException("not positive: " + v);
    return v;
  }

  /** A stored value is shown in a log line only this far: it could be anything. */
  static String abbreviate(String s) {
    return s.length() <= 40 ? s : s.substring(0, 40) + "…";
  }

  @Override public String toString() {
    return String.format(Locale.ROOT, "AdaptiveInterval{current=%d, safe=%d, ceiling=%s, "
        + "survived=%d/%d}", current, safe, ceiling == Long.MAX_VALUE ? "-" : ceiling, survived,
        probeAfter);
  }
}
