package dev.lifeline.internal;

/**
 * One connection's windows in the client's {@link WakeUps} (docs/behaviour.md, "Heartbeats", "One
 * wake-up for all connections"): [due − slack, due] for its next heartbeat, and for its protocol
 * ping when that has a cadence of its own. It opens, moves and closes them for the keep-alive,
 * numbers each registration so that a ride told for a window since moved or closed is dropped,
 * and reports the keep-alive's timer firings to the client as wake-ups. It decides nothing about
 * beats: a ride still current goes to {@link Owner}, which decides whether the turn goes.
 *
 * <p>Confined to the connection's lane, like the keep-alive. Rides are told on whichever lane
 * woke; each is moved onto this lane ({@link Timers#onLane}) before its number is checked, so a
 * stop, a restart or a re-arm queued ahead of it always wins.
 */
final class BeatWindows {
  /** The turns of a connection that may ride another wake-up. */
  enum Turn {
    /** The client heartbeat. */
    BEAT,
    /** The protocol ping, when it has a cadence of its own. */
    PING
  }

  /** What takes the rides: the keep-alive. */
  interface Owner {
    /**
     * Lane: a wake-up of the client at {@code atMillis} fell in the heartbeat's current window,
     * which is closed now: the beat may go, if it still belongs there.
     */
    void rideBeat(long atMillis);

    /** Lane: as {@link #rideBeat}, for the ping's current window. */
    void ridePing(long atMillis);
  }

  /** One turn's window: its entry in the registry and the number it is registered under. */
  private final class Window {
    /** Which turn it is for. */
    final Turn turn;
    /** Its entry in {@link #wakeUps}; its rider moves a ride onto the lane. */
    final WakeUps.Slot slot;
    /** The number of the open registration; 0 when none is open. Lane. */
    long registration;

    Window(Turn turn) {
      this.turn = turn;
      this.slot = new WakeUps.Slot((at, told) -> timers.onLane(() -> ride(this, at, told)));
    }
  }

  /** The client's registry of windows, shared with its other connections; null: shares none. */
  private final WakeUps wakeUps;
  /** The fraction of an interval by which a turn may go early; 0 when none goes early. */
  private final double slackFraction;
  /** The connection's timers: its lane and its clock. */
  private final Timers timers;
  /** Takes the rides. */
  private final Owner owner;
  /** The heartbeat's window. */
  private final Window beat;
  /** The ping's window. */
  private final Window ping;
  /** Counts the registrations of both windows (1, 2, …), so that no number is used twice. Lane. */
  private long registrations;

  /**
   * {@code slackFraction}: how early a turn may go, as a fraction of its interval, in [0, 1); with
   * 0, or without a registry, no window ever opens and the firings tell no one.
   */
  BeatWindows(WakeUps wakeUps, double slackFraction, Timers timers, Owner owner) {
    this.wakeUps = wakeUps;
    this.slackFraction = wakeUps == null ? 0 : slackFraction;
    this.timers = timers;
    this.owner = owner;
    this.beat = new Window(Turn.BEAT);
    this.ping = new Window(Turn.PING);
  }

  /**
   * {@code action} as a timer's firing that is a wake-up of the client: after it, the beats of
   * the client whose windows hold this moment are told, this connection's other turns included,
   * but not {@code own} (null: none), the turn the firing itself just decided about.
   */
  Runnable wakingOthers(Runnable action, Turn own) {
    final WakeUps.Slot except = own == null ? null : window(own).slot;
    return () -> {
      action.run();
      if (wakeUps != null) wakeUps.awake(timers.now(), except);
    };
  }

  /** How early a turn of {@code intervalMillis} may go to ride another wake-up: below the interval. */
  long slackOf(long intervalMillis) {
    return (long) (intervalMillis * slackFraction);
  }

  /**
   * Opens (or moves) {@code turn}'s window to [{@code dueMillis} − slack, {@code dueMillis}], the
   * slack being that of {@code intervalMillis}; closes it instead when nothing rides.
   */
  void open(Turn turn, long dueMillis, long intervalMillis) {
    Window w = window(turn);
    if (slackFraction <= 0) {
      close(w);
      return;
    }
    w.registration = ++registrations;
    wakeUps.register(w.slot, dueMillis - slackOf(intervalMillis), dueMillis, w.registration);
  }

  /** Closes {@code turn}'s window, if open: no ride told for it from now on is taken. */
  void close(Turn turn) {
    close(window(turn));
  }

  /** Closes both windows: nothing rides into a stopped keep-alive. */
  void closeAll() {
    close(beat);
    close(ping);
  }

  private void close(Window w) {
    if (w.registration == 0) return;
    w.registration = 0;
    wakeUps.remove(w.slot);
  }

  private Window window(Turn turn) {
    return turn == Turn.BEAT ? beat : ping;
  }

  /**
   * Lane: a ride told for {@code w}'s registration {@code told}. Dropped when the window moved or
   * closed since; else the window counts as closed (the registry took it out when it told) and
   * the owner decides.
   */
  private void ride(Window w, long atMillis, long told) {
    if (told != w.registration) return;
    w.registration = 0;
    if (w.turn == Turn.BEAT) {
      owner.rideBeat(atMillis);
    } else {
      owner.ridePing(atMillis);
    }
  }
}
