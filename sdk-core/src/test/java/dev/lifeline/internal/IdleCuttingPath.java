package dev.lifeline.internal;

import java.io.EOFException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A fake network path in virtual time that cuts connections idle for longer than a limit, as a
 * server's idle check, a proxy or a NAT does: for the adaptive heartbeat's tests. Drives a {@link
 * Harness}: accepts each new transport after a short handshake, answers protocol pings at once,
 * and ends a transport with an EOF once nothing went either way for {@link #cutAfterMillis} plus
 * a random jitter in [0, {@link #jitterMillis}] (drawn anew after each cut, as a periodic check
 * would land anywhere in its period); or, made with {@link #coarseCheck}, as a server's idle check
 * does: at ticks every {@code checkMillis} from a random phase, cutting at the first tick that
 * finds the connection idle for at least the limit. Resolution: {@link #STEP_MILLIS}.
 */
final class IdleCuttingPath {
  static final long STEP_MILLIS = 10;
  /** A handshake takes this long. */
  static final long HANDSHAKE_MILLIS = 50;

  private final Harness h;
  /** The period of the server's idle check ({@link #coarseCheck}), or 0: cut at the limit. */
  private long checkMillis;
  /** When the idle check ticks: this many ms after {@link #startedAt}, modulo the period. */
  private long checkPhaseMillis;
  private final Random random;
  /** Idle limit of the path. */
  long cutAfterMillis;
  /** Extra idle time before the cut, drawn per connection from [0, jitter]. */
  final long jitterMillis;
  /** When each cut happened (virtual ms), and after how long idle. */
  final List<long[]> cuts = new ArrayList<>();
  /** When each connection opened (virtual ms). */
  final List<Long> opens = new ArrayList<>();

  private FakeTransport current;
  private int seenTransports;
  private long openAt = -1;
  private int lastSent;
  private int lastPings;
  private long lastTrafficAt;
  private long thisCutAfter;

  IdleCuttingPath(Harness h, long cutAfterMillis, long jitterMillis, long seed) {
    this.h = h;
    this.cutAfterMillis = cutAfterMillis;
    this.jitterMillis = jitterMillis;
    this.random = new Random(seed);
    this.startedAt = h.time.elapsedMillis();
  }

  /**
   * A server checking idleness every {@code checkMillis} (a multiple of {@link #STEP_MILLIS}) from
   * a random phase drawn from {@code seed}: it cuts at the first tick that finds the connection
   * idle for at least {@code limitMillis}, so anywhere in [limit, limit + check].
   */
  static IdleCuttingPath coarseCheck(Harness h, long limitMillis, long checkMillis, long seed) {
    IdleCuttingPath path = new IdleCuttingPath(h, limitMillis, 0, seed);
    path.checkMillis = checkMillis;
    path.checkPhaseMillis = path.random.nextInt((int) (checkMillis / STEP_MILLIS)) * STEP_MILLIS;
    return path;
  }

  /** Virtual time when the path was made: times reported are relative to it. */
  private final long startedAt;

  /** Runs the path for {@code millis} of virtual time. */
  void run(long millis) {
    long end = h.time.elapsedMillis() + millis;
    while (h.time.elapsedMillis() < end) {
      h.time.advanceBy(Math.min(STEP_MILLIS, end - h.time.elapsedMillis()));
      step();
    }
  }

  /** The app or the server sent something now (the test calls it with the traffic it makes). */
  void traffic() {
    lastTrafficAt = h.time.elapsedMillis();
  }

  /** The open transport, or null. */
  FakeTransport open() {
    return current;
  }

  private void step() {
    long now = h.time.elapsedMillis();
    if (h.transports.count() > seenTransports) {
      seenTransports = h.transports.count();
      current = null;
      openAt = now + HANDSHAKE_MILLIS;
    }
    FakeTransport t = h.transports.last();
    if (openAt >= 0 && now >= openAt && t != null && !t.isClosedOrCancelled()) {
      openAt = -1;
      t.pingsSupported = pingsSupported;
      t.serverAccepts();
      h.time.runUntilIdle();
      current = t;
      lastSent = t.sent.size();
      lastPings = t.pings;
      lastTrafficAt = now;
      thisCutAfter = cutAfterMillis + (jitterMillis > 0 ? random.nextInt((int) jitterMillis + 1) : 0);
      opens.add(now - startedAt);
    }
    if (current == null) return;
    if (current.isClosedOrCancelled()) {
      current = null; // Lifeline let it go (e.g. a network change).
      return;
    }
    if (current.sent.size() != lastSent || current.pings != lastPings) {
      lastTrafficAt = now;
      while (lastPings < current.pings) {
        current.serverPongs();
        lastPings++;
      }
      lastSent = current.sent.size();
    }
    boolean checks = checkMillis == 0
        || (now - startedAt - checkPhaseMillis) % checkMillis == 0;
    if (checks && now - lastTrafficAt >= thisCutAfter) {
      FakeTransport cut = current;
      current = null;
      cuts.add(new long[] {now - startedAt, now - lastTrafficAt});
      cut.fails(new EOFException());
      h.time.runUntilIdle();
    }
  }

  /** Whether transports answer protocol pings (a WebSocket) or have none (tcp://). */
  boolean pingsSupported = true;

  /** Cuts at or after {@code fromMillis}. */
  int cutsSince(long fromMillis) {
    int n = 0;
    for (long[] c : cuts) if (c[0] >= fromMillis) n++;
    return n;
  }

  /** When the last cut happened, or -1. */
  long lastCutAt() {
    return cuts.isEmpty() ? -1 : cuts.get(cuts.size() - 1)[0];
  }
}
