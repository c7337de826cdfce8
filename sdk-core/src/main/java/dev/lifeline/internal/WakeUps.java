package dev.lifeline.internal;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * One wake-up for all connections of a client (docs/behaviour.md, "Heartbeats", "One wake-up for
 * all connections"). Each connection's keep-alive registers the window in which its next
 * heartbeat (or protocol ping on a cadence of its own) may go: [due − slack, due]. When any timer
 * of any connection of the client fires, the scheduler has woken the device anyway; every
 * registered beat whose window holds that moment is then told to go now, on its own lane. A beat
 * can so go early, never late: its own timer still fires at {@code due} when nobody woke in its
 * window.
 *
 * <p>Thread-safe: connections register from their own lanes, and any lane may report a wake-up.
 * The registry only tells; on the rider's lane, its {@link BeatWindows} drops a ride told for a
 * window since moved or closed (by the registration number it hands back), and the keep-alive
 * decides whether the beat still goes (a send since may have made the connection busy).
 */
final class WakeUps {
  /** A beat that may ride a wake-up: the heartbeat or the protocol ping of one connection. */
  interface Rider {
    /**
     * Any thread: a wake-up at {@code atMillis} fell in the window registered as {@code
     * registration}. The rider moves to its lane and checks that the registration is still
     * current before it acts.
     */
    void ride(long atMillis, long registration);
  }

  /** One registered window; fields guarded by the registry's lock. */
  static final class Slot {
    /** Told when a wake-up falls in the window. */
    final Rider rider;
    /** The window's first moment (due − slack), on the client's clock. */
    private long earliestMillis;
    /** The window's last moment: the beat's own timer fires then. */
    private long dueMillis;
    /** The rider's number for this window, handed back so a stale ride is recognised. */
    private long registration;

    Slot(Rider rider) {
      this.rider = rider;
    }
  }

  /** The open windows; guarded by itself. */
  private final Set<Slot> open = new LinkedHashSet<Slot>();

  /** Opens or moves {@code slot}'s window to [{@code earliestMillis}, {@code dueMillis}]. */
  void register(Slot slot, long earliestMillis, long dueMillis, long registration) {
    synchronized (open) {
      slot.earliestMillis = earliestMillis;
      slot.dueMillis = dueMillis;
      slot.registration = registration;
      open.add(slot);
    }
  }

  /** Closes {@code slot}'s window, if open. Idempotent. */
  void remove(Slot slot) {
    synchronized (open) {
      open.remove(slot);
    }
  }

  /**
   * A timer of the client fired at {@code nowMillis}: every window holding that moment is told,
   * outside the lock, but {@code except} (the fired timer's own window, or null). A window is
   * told once: it stays closed until its rider registers again.
   */
  void awake(long nowMillis, Slot except) {
    List<Slot> riders = null;
    List<Long> registrations = null;
    synchronized (open) {
      if (open.isEmpty()) return;
      for (java.util.Iterator<Slot> it = open.iterator(); it.hasNext(); ) {
        Slot s = it.next();
        if (s == except || s.earliestMillis > nowMillis || s.dueMillis < nowMillis) continue;
        it.remove();
        if (riders == null) {
          riders = new ArrayList<Slot>();
          registrations = new ArrayList<Long>();
        }
        riders.add(s);
        registrations.add(s.registration);
      }
    }
    if (riders == null) return;
    for (int i = 0; i < riders.size(); i++) {
      riders.get(i).rider.ride(nowMillis, registrations.get(i));
    }
  }

  /** How many windows are open; for tests that a closed connection left none behind. */
  int openWindows() {
    synchronized (open) {
      return open.size();
    }
  }
}
