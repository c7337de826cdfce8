package dev.lifeline.internal;

import java.util.Locale;

/**
 * The learning of an adaptive heartbeat (docs/behaviour.md, "Adaptive heartbeat") for one path
 * (an endpoint over one network), as a pure state machine: events in, the interval and why out.
 * No timers, no I/O, no clock: the caller measures idle times and says what happened. Not
 * thread-safe; each connection confines its instance to its lane.
 *
 * <p>The path is modelled as cutting connections idle for longer than some unknown limit L, at an
 * idle time anywhere in [L, 1.67 L]: a proxy or NAT cuts at L itself, a server that checks
 * idleness periodically (every CHECK, comparing whole seconds) cuts anywhere up to L plus two
 * CHECKs (docs/behaviour.md, "The spread model"). The events:
 * <ul>
 *   <li>{@link #survived}: the connection stayed idle (no traffic either way) for a gap and lived:
 *       idle times that long are safe, for now.
 *   <li>{@link #cutAfterIdle}: an idle connection was cut (EOF, reset, no pong) after being idle
 *       for a time c, which says L &lt;= c, and in the model L &gt;= c / 1.67. Once is
 *       chance; a second cut that fits the same limit (the longer at most {@link #SPREAD} times
 *       the shorter) confirms it, and the interval drops below both bounds the cuts give:
 *       {@link #MARGIN} times the shortest cut (a cut at a fixed idle time) and the longest cut
 *       divided by {@link #SPREAD} (cuts spread by a periodic check).
 *   <li>A cut not about idleness (traffic had just flowed, the network changed, the server sent a
 *       close frame) is simply not reported: it teaches nothing.
 * </ul>
 *
 * <p>States: {@link #current} is the interval in use; {@link #safe} the longest interval known to
 * survive (equal to {@link #current} unless probing); {@link #shortestCut} and {@link #longestCut}
 * the range of the cuts a limit was learned from (none while no limit is); {@link #unconfirmedCut}
 * a lone cut waiting for a second one.
 */
final class AdaptiveInterval {
  /** Below a cut at a fixed idle time: a 4.4 s cut gives 3.5 s, the margin for beat timing. */
  static final double MARGIN = 0.8;
  /**
   * How far above its limit L a path may cut: a server checking every CHECK and comparing whole
   * seconds cuts in [L, L + 2 CHECK] (3 to 5 s for L 3 s, CHECK 1 s: 1.67 L); a check every 0.6 L
   * comparing exact times cuts in [L, 1.6 L]. Any cut c then says L &gt;= c / 1.67, so the longest
   * cut / 1.8 is below L with 7 % to spare for the beat's timing (a 5 s cut gives 2.78 s against
   * a 3 s limit). Two cuts fit one limit when the longer is at most this many times the shorter.
   */
  static final double SPREAD = 1.8;
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
  /** The stored form's version; {@link #OLD_VERSION} is still read, any other is ignored. */
  static final String VERSION = "v2";
  /** The stored form before the cut range was kept: its one cut is both ends of the range. */
  static final String OLD_VERSION = "v1";
  /** No cut known. */
  private static final long NONE = -1;

  /** What {@link #cutAfterIdle} and {@link #survived} decided. */
  static final class Change {
    /** The interval before, ms. */
    final long fromMillis;
    /** The interval after, ms. */
    final long toMillis;
    /** For people: "the path closes connections idle for about 3.3 s to 4.9 s; heartbeat …". */
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

  /** The adaptive min, ms: never below, even when the path's limit is lower. */
  private final long minMillis;
  /** The adaptive max, ms: the app's statement of the server's own limit. */
  private final long maxMillis;
  /** The interval in use. */
  private long current;
  /** The longest interval known to survive; {@link #current} is above it only while probing. */
  private long safe;
  /** The shortest idle time of the cuts a limit was learned from, or {@link #NONE}. */
  private long shortestCut = NONE;
  /** The longest idle time of the cuts a limit was learned from, or {@link #NONE}. */
  private long longestCut = NONE;
  /** An idle cut not confirmed yet, or {@link #NONE}. */
  private long unconfirmedCut = NONE;
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

  /** The shortest idle cut a limit was learned from; Long.MAX_VALUE while none was. */
  long ceiling() {
    return shortestCut == NONE ? Long.MAX_VALUE : shortestCut;
  }

  /** The longest idle cut a limit was learned from; -1 while none was. */
  long longestCut() {
    return longestCut;
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
    long cap = Math.min((long) (maxMillis * MAX_MARGIN), belowLimit());
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
      learnLimit(idleMillis);
      current = clamp(Math.min(safe, belowLimit()));
      safe = current;
      probeAfter = Math.min(MAX_PROBE_AFTER, probeAfter * 2);
      unconfirmedCut = NONE;
      changed = true;
      return new Change(from, current, "the path closed the connection idle for "
          + Durations.seconds1(idleMillis) + " while probing " + Durations.seconds1(from)
          + "; heartbeat back to " + Durations.seconds1(current) + ", next probe after "
          + probeAfter + " idle intervals");
    }
    boolean pairs = fits(idleMillis, unconfirmedCut);
    boolean confirmed = pairs || (shortestCut != NONE && idleMillis <= shortestCut * SPREAD);
    if (!confirmed) {
      unconfirmedCut = idleMillis;
      changed = true;
      return null;
    }
    if (pairs) learnLimit(unconfirmedCut);
    learnLimit(idleMillis);
    unconfirmedCut = NONE;
    changed = true;
    long below = belowLimit();
    long target = clamp(below);
    if (target >= current) return null; // Already below: that cut had another cause.
    long from = current;
    current = target;
    safe = target;
    String floor = target == minMillis && below < minMillis
        ? " (the adaptive min; the path's limit is lower, so the connection may still be cut)"
        : "";
    String shortest = Durations.seconds1(shortestCut);
    String longest = Durations.seconds1(longestCut);
    String range = shortest.equals(longest) ? shortest : shortest + " to " + longest;
    return new Change(from, target, "the path closes connections idle for about " + range
        + "; heartbeat lowered from " + Durations.seconds1(from) + " to "
        + Durations.seconds1(target) + floor);
  }

  /** Widens the range of cuts the learned limit rests on by {@code idleMillis}. */
  private void learnLimit(long idleMillis) {
    shortestCut = shortestCut == NONE ? idleMillis : Math.min(shortestCut, idleMillis);
    longestCut = Math.max(longestCut, idleMillis);
  }

  /**
   * The longest interval below the learned limit, whether the path cuts at a fixed idle time
   * ({@link #MARGIN} below the shortest cut) or anywhere up to {@link #SPREAD} times its limit
   * (below the longest cut / {@link #SPREAD}); Long.MAX_VALUE while no limit was learned.
   */
  private long belowLimit() {
    if (shortestCut == NONE) return Long.MAX_VALUE;
    return Math.min((long) (shortestCut * MARGIN), (long) (longestCut / SPREAD));
  }

  /** Two idle cuts fit one limit when the longer is at most {@link #SPREAD} times the shorter. */
  private static boolean fits(long a, long b) {
    if (a <= 0 || b <= 0) return false;
    return Math.max(a, b) <= Math.min(a, b) * SPREAD;
  }

  private long clamp(long millis) {
    return Math.max(minMillis, Math.min(maxMillis, millis));
  }

  // ---- The stored form: "v2:<interval>:<shortest cut or ->:<longest cut or ->:<probeAfter>:
  // <unconfirmed cut or ->"; v1 had no longest cut. ----

  /** What to keep in a {@link dev.lifeline.HeartbeatStore}: short, versioned, no secrets. */
  String encode() {
    return VERSION + ":" + safe + ":" + orDash(shortestCut) + ":" + orDash(longestCut) + ":"
        + probeAfter + ":" + orDash(unconfirmedCut);
  }

  private static String orDash(long cut) {
    return cut == NONE ? "-" : Long.toString(cut);
  }

  /**
   * Takes over a stored state ({@link #VERSION}, or {@link #OLD_VERSION}, whose one cut is read as
   * both ends of the range). A probe in progress is not stored: it restarts from the safe value.
   * Values outside [min, max] (the app changed them) are clamped, and an interval above what the
   * stored cuts allow (a v1 state learned by the older rule) is lowered to it.
   *
   * @throws IllegalArgumentException when {@code value} is not a state this version can read.
   */
  void restore(String value) {
    String[] parts = value.split(":", -1);
    boolean old = parts[0].equals(OLD_VERSION);
    if (!(old && parts.length == 5) && !(parts[0].equals(VERSION) && parts.length == 6)) {
      throw new IllegalArgumentException("not a " + VERSION + " or " + OLD_VERSION
          + " heartbeat state");
    }
    long interval = positive(parts[1]);
    long storedShortest = cutOrNone(parts[2]);
    long storedLongest = old ? storedShortest : cutOrNone(parts[3]);
    long storedProbeAfter = positive(parts[old ? 3 : 4]);
    long storedCut = cutOrNone(parts[old ? 4 : 5]);
    // Never written below the first count: a corrupt 1 would probe upward after every interval.
    if (storedProbeAfter < FIRST_PROBE_AFTER || storedProbeAfter > MAX_PROBE_AFTER) {
      throw new IllegalArgumentException("probe count " + storedProbeAfter + " out of range");
    }
    if ((storedShortest == NONE) != (storedLongest == NONE) || storedLongest < storedShortest) {
      throw new IllegalArgumentException("cut range " + parts[2] + " to " + parts[3]
          + " is not a range");
    }
    shortestCut = storedShortest;
    longestCut = storedLongest;
    current = clamp(Math.min(interval, belowLimit()));
    safe = current;
    probeAfter = (int) storedProbeAfter;
    unconfirmedCut = storedCut;
    survived = 0;
    changed = true;
  }

  private static long cutOrNone(String s) {
    return s.equals("-") ? NONE : positive(s);
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
    return String.format(Locale.ROOT, "AdaptiveInterval{current=%d, safe=%d, cuts=%s..%s, "
        + "survived=%d/%d}", current, safe, orDash(shortestCut), orDash(longestCut), survived,
        probeAfter);
  }
}
