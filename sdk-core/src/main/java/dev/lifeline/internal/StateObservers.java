package dev.lifeline.internal;

import dev.lifeline.ConnectionState;
import dev.lifeline.Logger;
import dev.lifeline.StateObserver;
import dev.lifeline.Subscription;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@link StateObserver}s of one connection. Everything here except {@link #add} and {@link
 * Registration#close} runs on the connection's "state observers" lane: a registration and each
 * published state are tasks on that one lane, so a new observer is told exactly the state the lane
 * published last and then every later one, with no gap and no repeat, without a lock.
 */
final class StateObservers {
  /** Where observers are called: app code, never on the engine lane. */
  private final SerialLane lane;
  /** For the WARN when an observer throws. */
  private final AppCalls app;
  /** The state the lane published last; lane-confined. */
  private ConnectionState last;
  /** Registered and not closed; lane-confined. */
  private final List<Registration> registered = new ArrayList<Registration>();

  StateObservers(SerialLane lane, AppCalls app, ConnectionState initial) {
    this.lane = lane;
    this.app = app;
    this.last = initial;
  }

  /** Any thread: queues the registration behind every state published so far. */
  Subscription add(StateObserver observer) {
    final Registration r = new Registration(observer);
    lane.execute("StateObserver.onState", new Runnable() {
      @Override public void run() {
        if (r.closed) return;
        registered.add(r);
        r.tell(last);
      }
    });
    return r;
  }

  /**
   * Any thread, in the order the engine decided: queues {@code next} for every observer. Called
   * before the state is visible through {@code Connection.state()}, so that an observer
   * registered after reading {@code state()} is queued behind that state and is never told an
   * older one first.
   */
  void publish(final ConnectionState next) {
    lane.execute("StateObserver.onState", new Runnable() {
      @Override public void run() {
        last = next;
        // A copy: an observer may close its own registration (or add one) from inside onState.
        for (Registration r : new ArrayList<Registration>(registered)) r.tell(next);
      }
    });
  }

  /** One observer's registration. */
  private final class Registration implements Subscription {
    private final StateObserver observer;
    /** Set by {@link #close} on any thread; checked on the lane before each call. */
    private volatile boolean closed;

    Registration(StateObserver observer) {
      this.observer = observer;
    }

    /** Lane. */
    void tell(ConnectionState state) {
      if (closed) return;
      try {
        observer.onState(state);
      } catch (Throwable t) {
        app.log(Logger.Level.WARN, "StateObserver.onState threw; ignored", t);
      }
    }

    @Override public void close() {
      if (closed) return;
      closed = true;
      lane.execute("StateObserver removal", new Runnable() {
        @Override public void run() {
          registered.remove(Registration.this);
        }
      });
    }
  }
}
