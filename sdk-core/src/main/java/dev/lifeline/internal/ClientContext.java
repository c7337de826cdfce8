package dev.lifeline.internal;

import dev.lifeline.Clock;
import dev.lifeline.Logger;
import dev.lifeline.Scheduler;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Executor;

/** What a client's connections share: time, the serial scheduler, executors and transports. */
public final class ClientContext {
  public final Clock clock;
  /** The serial owner of every connection's state. */
  public final Scheduler scheduler;
  /** Where app listener calls run. */
  public final Executor callbackExecutor;
  /** Where app code that may block runs (credentials providers). */
  public final Executor blockingExecutor;
  public final Logger logger;
  /** Jitter source; used on the scheduler thread only. */
  public final Random random;
  /** Opens transports for a URL. */
  public final Transport.Factory transports;
  /** The environment as last signalled. */
  public final SignalHub signals;
  /** Connections not yet terminal; guarded by itself. */
  private final Set<RealConnection> live = new LinkedHashSet<RealConnection>();

  public ClientContext(Clock clock, Scheduler scheduler, Executor callbackExecutor,
      Executor blockingExecutor, Logger logger, Random random, Transport.Factory transports) {
    this.clock = clock;
    this.scheduler = scheduler;
    this.callbackExecutor = callbackExecutor;
    this.blockingExecutor = blockingExecutor;
    this.logger = logger;
    this.random = random;
    this.transports = transports;
    this.signals = new SignalHub(scheduler);
  }

  public void register(RealConnection c) {
    synchronized (live) {
      live.add(c);
    }
  }

  void unregister(RealConnection c) {
    synchronized (live) {
      live.remove(c);
    }
  }

  /** A snapshot of the connections that are not closed yet. */
  public List<RealConnection> liveConnections() {
    synchronized (live) {
      return new ArrayList<RealConnection>(live);
    }
  }
}
