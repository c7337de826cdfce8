package dev.lifeline;

import dev.lifeline.internal.ClientContext;
import dev.lifeline.internal.ExecutorScheduler;
import dev.lifeline.internal.MonotonicClock;
import dev.lifeline.internal.RealConnection;
import dev.lifeline.internal.Redact;
import dev.lifeline.internal.Transports;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import okhttp3.OkHttpClient;
import org.jspecify.annotations.Nullable;

/**
 * The client: creates {@link Connection}s that share one OkHttpClient, one scheduler thread for
 * every connection's timers and state changes, and pools for the app calls. Create one per app and
 * reuse it.
 *
 * <p>Each connection's state belongs to its own serial lane on the scheduler, and app code never
 * runs there. Per connection, {@link ConnectionListener} calls run in order on a lane over the
 * callback executor; {@link EventListener}, {@link Logger}, {@link AckMatcher#acknowledgedKey},
 * {@link ServerHeartbeatResponder} and {@link HeartbeatPayload} calls run in order on a "hooks"
 * lane over Lifeline's own daemon threads; the {@link CredentialsProvider} runs on a lane over the
 * blocking executor; {@link AckMatcher#key} runs on the thread that calls {@code send}. A stuck
 * call holds up only the calls behind it in its lane, never another connection, a timer, a {@code
 * close()}, or {@link #shutdown} beyond its timeout. A call running longer than {@link
 * Builder#stuckHookThreshold} is reported ({@link EventListener#hookStuck} and a WARN), and
 * exceptions thrown by app code are logged and never break the connection. See
 * docs/behaviour.md, "App code isolation".
 *
 * <pre>{@code
 * List<String> inbox = new CopyOnWriteArrayList<>();
 * AtomicReference<ConnectionState> status = new AtomicReference<>();
 * Lifeline lifeline = Lifeline.builder().build();
 * Connection connection = lifeline.newConnection(
 *     ConnectionOptions.builder("wss://chat.example.com/socket").build(),
 *     new ConnectionListener() {
 *       @Override public void onMessage(Connection c, String text) {
 *         inbox.add(text);
 *       }
 *
 *       @Override public void onStateChanged(Connection c, ConnectionState state) {
 *         status.set(state); // e.g. "WAITING_TO_RECONNECT (attempt 1 in 0.7 s): …"
 *       }
 *     });
 * connection.connect();
 * connection.send("hello"); // queued until connected
 * }</pre>
 *
 * <p>A client is {@link AutoCloseable}: {@link #close()} is {@link #shutdown} with {@link
 * Builder#closeTimeout} (5 s by default), for a program whose connections live in one block:
 *
 * <pre>{@code
 * try (Lifeline lifeline = Lifeline.builder().build()) {
 *   Connection connection = lifeline.newConnection(url, ConnectionListener.builder()
 *       .onMessage((c, text) -> inbox.add(text))
 *       .build());
 *   connection.connect();
 *   stop.await();
 * } // every connection closed, threads stopped
 * }</pre>
 */
public final class Lifeline implements AutoCloseable {
  /**
   * 5 s: app code running this long is reported as stuck ({@link
   * EventListener#hookStuck}, and a WARN to the {@link Logger}).
   */
  public static final long DEFAULT_STUCK_HOOK_THRESHOLD_MILLIS = 5_000L;
  /**
   * 5 s: how long {@link #close()} waits for the connections to close and the app calls they
   * cause, as {@link #shutdown}'s timeout: enough for a close frame on a slow network and for
   * listeners that are not stuck (a stuck one is reported after the same 5 s), short enough for
   * an app that is exiting.
   */
  public static final long DEFAULT_CLOSE_TIMEOUT_MILLIS = 5_000L;

  /** Shared by every connection of this client. */
  private final ClientContext context;
  /** Set when the scheduler is ours to stop; null for an injected one. */
  private final @Nullable ExecutorScheduler ownedScheduler;
  /** Set when the callback pool is ours to stop; null for the app's executor. */
  private final @Nullable ExecutorService ownedCallbackExecutor;
  /** Set when the credentials pool is ours to stop; null for the app's executor. */
  private final @Nullable ExecutorService ownedBlockingExecutor;
  /** Runs event listener, logger and hook calls; always ours. */
  private final ExecutorService hookExecutor;
  /** The facade over {@link ClientContext#signals}. */
  private final EnvironmentSignals signals;
  /** Set when the OkHttpClient is ours to shut down; null for the app's own. */
  private final @Nullable OkHttpClient ownedOkHttp;
  /** Set by {@link #shutdown}: no new connections. */
  private volatile boolean shutDown;
  /** Set once {@link #stopThreads} ran. */
  private final AtomicBoolean threadsStopped = new AtomicBoolean();
  /** {@link #close()}'s timeout in ms. */
  private final long closeTimeoutMillis;

  private Lifeline(Builder b) {
    ownedOkHttp = b.okHttpClient == null ? newOkHttpClient() : null;
    OkHttpClient okHttp = b.okHttpClient != null ? b.okHttpClient : ownedOkHttp;
    hookExecutor = daemonPool("Lifeline hooks");
    Logger logger = b.logger;
    Scheduler scheduler = b.scheduler;
    ownedScheduler = scheduler == null
        ? new ExecutorScheduler(b.schedulerExecutor != null
            ? b.schedulerExecutor
            : ExecutorScheduler.newExecutor("Lifeline scheduler"), offThread(logger))
        : null;
    if (scheduler == null) scheduler = ownedScheduler;
    Executor callbacks = b.callbackExecutor;
    ownedCallbackExecutor = callbacks == null ? daemonPool("Lifeline callbacks") : null;
    if (callbacks == null) callbacks = ownedCallbackExecutor;
    // Not OkHttp's dispatcher pool: its threads are not daemons, and a provider stuck on one
    // would keep the JVM alive after shutdown.
    ownedBlockingExecutor = b.blockingExecutor == null ? daemonPool("Lifeline credentials") : null;
    Executor blocking = b.blockingExecutor != null ? b.blockingExecutor : ownedBlockingExecutor;
    context = new ClientContext(b.clock, scheduler, callbacks, blocking, hookExecutor, logger,
        new SecureRandom(), Transports.factory(okHttp), b.stuckHookThresholdMillis,
        b.heartbeatStore != null ? b.heartbeatStore : HeartbeatStore.inMemory());
    signals = new EnvironmentSignals(context.signals);
    closeTimeoutMillis = b.closeTimeoutMillis;
  }

  /**
   * A builder with the JVM defaults (sdk-android's {@code LifelineAndroid.lifelineBuilder()} has Android's).
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * A new connection, in state IDLE until {@link Connection#connect()}.
   *
   * @param options where to connect and how to keep the connection alive
   * @param listener receives its states, messages and failures
   * @return the connection
   * @throws NullPointerException if an argument is null.
   * @throws IllegalStateException after {@link #shutdown}, or when the options' {@link
   *     OutboxStore} cannot be opened ({@code could not open the outbox store (…) of <url>: <why>}):
   *     the connection is then not created. A store that opens is read here, on the calling
   *     thread, and its messages are back in the outbox before this returns ({@link
   *     EventListener#outboxRestored}).
   */
  public Connection newConnection(ConnectionOptions options, ConnectionListener listener) {
    Checks.notNull("options", options);
    Checks.notNull("listener", listener);
    if (shutDown) throw new IllegalStateException("newConnection() after Lifeline.shutdown()");
    RealConnection c = new RealConnection(context, options, listener);
    context.register(c);
    return c;
  }

  /**
   * Shorthand for {@code newConnection(ConnectionOptions.builder(url).build(), listener)}.
   *
   * @param url where to connect, with the default options
   * @param listener receives its states, messages and failures
   * @return the connection
   */
  public Connection newConnection(String url, ConnectionListener listener) {
    return newConnection(ConnectionOptions.builder(url).build(), listener);
  }

  /**
   * Where the app (or sdk-android) reports network, screen, lifecycle and suspension.
   *
   * @return this client's signals, shared by all of its connections
   */
  public EnvironmentSignals signals() {
    return signals;
  }

  /**
   * Closes every connection (queued messages are flushed or reported) and stops the threads this
   * client created, including those of the OkHttpClient it created; an injected scheduler,
   * executor or OkHttpClient is left running. It waits up to {@code timeout} for the closes on its
   * own scheduler and for the app calls they cause ({@code onStateChanged(CLOSED)}, {@code
   * onSendFailed}) on its own pools. Work on an injected scheduler or executor is not waited for:
   * it runs when that executor does (so calling this on Android's main thread never waits for the
   * main thread), and the threads of this client stop only once every connection has ended and
   * handed over its last calls, at once when all did within the timeout.
   *
   * <p>Returns within about {@code timeout} even when app code is stuck: a stuck call is reported
   * (a WARN to the {@link Logger}) and left to finish on its own thread, which is a daemon. A call
   * from inside a listener or hook does not wait for itself.
   *
   * @param timeout how long to wait, ≥ 0
   * @param unit its unit
   * @return true when everything waited for finished within {@code timeout}; when false, a WARN
   *     to the {@link Logger} says what did not.
   * @throws InterruptedException when interrupted while waiting; every connection's close was
   *     already requested
   */
  public boolean shutdown(long timeout, TimeUnit unit) throws InterruptedException {
    return shutdown(timeout, unit, "Lifeline.shutdown(" + unit.toMillis(timeout) + " ms)");
  }

  /**
   * {@link #shutdown} with {@link Builder#closeTimeout} [{@value #DEFAULT_CLOSE_TIMEOUT_MILLIS}
   * ms], for try-with-resources. Returns nothing and throws nothing: when something did not
   * finish in time, a WARN to the {@link Logger} names it (the rest finishes on daemon threads, as
   * with {@code shutdown}). Interrupted while waiting, it stops waiting, still closes every
   * connection and stops its threads, and keeps the thread's interrupt status. Idempotent.
   */
  @Override public void close() {
    String caller = "Lifeline.close() (closeTimeout " + closeTimeoutMillis + " ms)";
    try {
      shutdown(closeTimeoutMillis, TimeUnit.MILLISECONDS, caller);
    } catch (InterruptedException e) {
      Thread.interrupted(); // Cleared for the waits of zero below, then set again.
      try {
        shutdown(0, TimeUnit.MILLISECONDS, caller + ", interrupted,");
      } catch (InterruptedException unexpected) {
        // A wait of zero does not block; nothing left to do.
      } finally {
        Thread.currentThread().interrupt();
      }
    }
  }

  private boolean shutdown(long timeout, TimeUnit unit, String caller)
      throws InterruptedException {
    long deadline = System.nanoTime() + unit.toNanos(timeout);
    shutDown = true;
    List<RealConnection> connections = context.liveConnections();
    for (Connection c : connections) c.close();
    List<String> unclosed = new ArrayList<String>();
    if (ownedScheduler != null) {
      for (RealConnection c : connections) {
        if (!c.awaitClosed(remainingNanos(deadline))) unclosed.add(Redact.url(c.options().url()));
      }
    }
    List<RealConnection> ended = new ArrayList<RealConnection>();
    for (RealConnection c : connections) {
      if (c.awaitClosed(0)) ended.add(c); // With an injected scheduler, some end later.
    }
    boolean withCallbacks = ownedCallbackExecutor != null;
    List<CountDownLatch> drained = new ArrayList<CountDownLatch>();
    for (RealConnection c : ended) drained.add(c.afterQueuedAppCalls(withCallbacks));
    boolean callsDone = true;
    for (CountDownLatch d : drained) {
      callsDone &= d.await(remainingNanos(deadline), TimeUnit.NANOSECONDS);
    }
    List<String> stuck = context.runningAppCalls();
    if (!unclosed.isEmpty() || !stuck.isEmpty() || !callsDone) {
      String message = caller + " returns with work"
          + " unfinished; connections not closed: " + unclosed + "; app calls still running, left"
          + " to finish on their own threads: " + stuck
          + (callsDone || !stuck.isEmpty() ? "" : "; app calls still queued on a busy executor");
      offThread(context.logger).log(Logger.Level.WARN, message, null);
    }
    // A connection not closed yet (an injected scheduler runs it later; or the timeout was
    // shorter than the close) still owes the app its last calls: the threads stop when the last
    // of them ended, at once when none is left.
    context.whenNoneLive(this::stopThreads);
    return unclosed.isEmpty() && callsDone && stuck.isEmpty();
  }

  /**
   * Stops the scheduler, the pools and the OkHttpClient this client created; once. Nothing here
   * relies on an executor's shutdown policy (they differ between Java 8 and 9): the work that
   * mattered is done or reported, so whatever is left (a watchdog check) is discarded.
   */
  private void stopThreads() {
    if (!threadsStopped.compareAndSet(false, true)) return;
    if (ownedScheduler != null) ownedScheduler.shutdownNow();
    if (ownedCallbackExecutor != null) ownedCallbackExecutor.shutdown();
    if (ownedBlockingExecutor != null) ownedBlockingExecutor.shutdown();
    hookExecutor.shutdown();
    if (ownedOkHttp != null) {
      ownedOkHttp.dispatcher().executorService().shutdown();
      ownedOkHttp.connectionPool().evictAll();
    }
  }

  /**
   * Lifeline's own OkHttpClient, with OkHttp's defaults: its DNS, sockets, TLS and timeouts, and
   * its dispatcher's executor for the transports' writes (threads made on demand). Its request
   * limits play no part: no OkHttp call is held for a connection's life.
   */
  private static OkHttpClient newOkHttpClient() {
    return new OkHttpClient.Builder().build();
  }

  private static long remainingNanos(long deadline) {
    return Math.max(0, deadline - System.nanoTime());
  }

  /** Logs on a hook thread, so that a slow logger never holds up the caller. */
  private Logger offThread(final Logger logger) {
    if (logger == Logger.NONE) return logger;
    return new Logger() {
      @Override public void log(final Level level, final String message, final Throwable error) {
        try {
          hookExecutor.execute(new Runnable() {
            @Override public void run() {
              try {
                logger.log(level, message, error);
              } catch (Throwable ignored) {
                // A broken logger has nowhere to report to.
              }
            }
          });
        } catch (RejectedExecutionException shutDown) {
          // After shutdown there is no one left to log for.
        }
      }
    };
  }

  /** Threads made on demand, kept 60 s when idle; daemons, so a stuck one never holds the JVM. */
  private static ExecutorService daemonPool(final String name) {
    return new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS,
        new SynchronousQueue<Runnable>(), new ThreadFactory() {
          @Override public Thread newThread(Runnable r) {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
          }
        });
  }

  /** Builds a {@link Lifeline}; everything is optional. */
  public static final class Builder {
    private @Nullable OkHttpClient okHttpClient;
    private Clock clock = MonotonicClock.INSTANCE;
    private @Nullable Scheduler scheduler;
    private @Nullable Executor callbackExecutor;
    private @Nullable Executor blockingExecutor;
    private Logger logger = Logger.NONE;
    private long stuckHookThresholdMillis = DEFAULT_STUCK_HOOK_THRESHOLD_MILLIS;
    private long closeTimeoutMillis = DEFAULT_CLOSE_TIMEOUT_MILLIS;
    /** Null: a new in-memory store for this client. */
    private @Nullable HeartbeatStore heartbeatStore;
    /** For tests: the executor of the scheduler this client owns. */
    private @Nullable ScheduledThreadPoolExecutor schedulerExecutor;

    Builder() {}

    /**
     * The OkHttpClient whose settings every connection uses [a new default client]: its DNS,
     * socket factory, TLS socket factory, connection specs, hostname verifier, certificate pinner,
     * cookie jar, connect/read/write timeouts, and its dispatcher's executor for writes. Lifeline
     * opens its own sockets with them, through OkHttp's public API only, so the client's
     * interceptors, authenticator, connection pool and {@code Dispatcher} request limits do not
     * apply to Lifeline's connections.
     *
     * @param client the client
     * @return this builder
     */
    public Builder okHttpClient(OkHttpClient client) {
      okHttpClient = Checks.notNull("okHttpClient", client);
      return this;
    }

    /**
     * The deadline clock [System.nanoTime; Android: elapsedRealtime, set by sdk-android].
     *
     * @param clock the clock
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Checks.notNull("clock", clock);
      return this;
    }

    /**
     * Where connections' state changes and timers run [one daemon thread, owned and stopped by
     * this client]. Lifeline runs only short, non-blocking work there, never app code; {@link
     * Scheduler} says what an implementation must guarantee.
     *
     * @param scheduler the scheduler
     * @return this builder
     */
    public Builder scheduler(Scheduler scheduler) {
      this.scheduler = Checks.notNull("scheduler", scheduler);
      return this;
    }

    /**
     * Where listener callbacks run [daemon threads made on demand, owned by this client; Android:
     * the main thread]. Each connection's calls arrive in order, one at a time, whatever the
     * executor; with a pool, a listener stuck on one connection does not hold up the others. The
     * executor must hand tasks to another thread: a direct one ({@code Runnable::run}) would run
     * listener calls on the scheduler.
     *
     * @param executor the executor
     * @return this builder
     */
    public Builder callbackExecutor(Executor executor) {
      callbackExecutor = Checks.notNull("callback executor", executor);
      return this;
    }

    /**
     * Where the {@link CredentialsProvider} runs, which may block, e.g. to refresh a token [daemon
     * threads made on demand, owned and stopped by this client]. Like the callback executor, it
     * must hand tasks to another thread.
     *
     * @param executor the executor
     * @return this builder
     */
    public Builder blockingExecutor(Executor executor) {
      blockingExecutor = Checks.notNull("blocking executor", executor);
      return this;
    }

    /**
     * Where Lifeline logs [nowhere]. Called on Lifeline's hook threads, never on the scheduler.
     *
     * @param logger the logger
     * @return this builder
     */
    public Builder logger(Logger logger) {
      this.logger = Checks.notNull("logger", logger);
      return this;
    }

    /**
     * How long app code may run before it is reported as stuck [{@value
     * Lifeline#DEFAULT_STUCK_HOOK_THRESHOLD_MILLIS} ms]: {@link EventListener#hookStuck} and a
     * WARN to the {@link Logger}, once per stuck call. Must be positive.
     *
     * @param threshold the threshold, > 0
     * @param unit its unit
     * @return this builder
     */
    public Builder stuckHookThreshold(long threshold, TimeUnit unit) {
      stuckHookThresholdMillis = Checks.positiveMillis("stuck hook threshold", threshold, unit);
      return this;
    }

    /**
     * How long {@link Lifeline#close()} waits, as {@link Lifeline#shutdown}'s timeout [{@value
     * Lifeline#DEFAULT_CLOSE_TIMEOUT_MILLIS} ms]. 0 closes everything without waiting. Must not
     * be negative.
     *
     * @param timeout the timeout, ≥ 0
     * @param unit its unit
     * @return this builder
     */
    public Builder closeTimeout(long timeout, TimeUnit unit) {
      closeTimeoutMillis = Checks.nonNegativeMillis("close timeout", timeout, unit);
      return this;
    }

    /**
     * Where adaptive heartbeats (docs/behaviour.md, "Adaptive heartbeat") keep what they learned,
     * per endpoint and network [{@link HeartbeatStore#inMemory()}, one per client: forgotten when
     * the process ends]. sdk-android supplies one over SharedPreferences. Called on Lifeline's
     * hook threads, never on the scheduler.
     *
     * @param store the store
     * @return this builder
     */
    public Builder heartbeatStore(HeartbeatStore store) {
      heartbeatStore = Checks.notNull("heartbeat store", store);
      return this;
    }

    /** For tests: the executor behind the owned scheduler (e.g. one with Java 8's semantics). */
    Builder schedulerExecutor(ScheduledThreadPoolExecutor executor) {
      schedulerExecutor = executor;
      return this;
    }

    /**
     * Builds the client.
     *
     * @return the client
     */
    public Lifeline build() {
      return new Lifeline(this);
    }
  }
}
