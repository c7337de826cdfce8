package dev.lifeline;

import dev.lifeline.internal.ClientContext;
import dev.lifeline.internal.ExecutorScheduler;
import dev.lifeline.internal.MonotonicClock;
import dev.lifeline.internal.RealConnection;
import dev.lifeline.internal.Transports;
import java.security.SecureRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;

/**
 * The client: creates {@link Connection}s that share one OkHttpClient, one scheduler thread for
 * every timer and state change, and one callback thread. Create one per app and reuse it.
 *
 * <pre>{@code
 * Lifeline lifeline = Lifeline.builder().build();
 * Connection connection = lifeline.newConnection(
 *     ConnectionOptions.builder("wss://chat.example.com/socket").build(),
 *     new ConnectionListener() {
 *       @Override public void onMessage(Connection c, String text) { show(text); }
 *       @Override public void onStateChanged(Connection c, ConnectionState s) { status(s); }
 *     });
 * connection.connect();
 * connection.send("hello"); // queued until connected
 * }</pre>
 */
public final class Lifeline {
  /** Shared by every connection of this client. */
  private final ClientContext context;
  /** Set when the scheduler is ours to shut down; null for an injected one. */
  private final ExecutorScheduler ownedScheduler;
  /** Set when the callback thread is ours to shut down. */
  private final ExecutorService ownedCallbackExecutor;
  /** The facade over {@link ClientContext#signals}. */
  private final EnvironmentSignals signals;
  /** Set when the OkHttpClient is ours to shut down; null for the app's own. */
  private final OkHttpClient ownedOkHttp;

  private Lifeline(Builder b) {
    ownedOkHttp = b.okHttpClient == null ? new OkHttpClient() : null;
    OkHttpClient okHttp = b.okHttpClient != null ? b.okHttpClient : ownedOkHttp;
    Logger logger = b.logger;
    Scheduler scheduler = b.scheduler;
    ownedScheduler = scheduler == null ? new ExecutorScheduler("Lifeline scheduler", logger) : null;
    if (scheduler == null) scheduler = ownedScheduler;
    Executor callbacks = b.callbackExecutor;
    ownedCallbackExecutor = callbacks == null
        ? Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "Lifeline callbacks");
            t.setDaemon(true);
            return t;
          })
        : null;
    if (callbacks == null) callbacks = ownedCallbackExecutor;
    Executor blocking = b.blockingExecutor != null
        ? b.blockingExecutor
        : okHttp.dispatcher().executorService();
    context = new ClientContext(b.clock, scheduler, callbacks, blocking, logger,
        new SecureRandom(), Transports.factory(okHttp));
    signals = new EnvironmentSignals(context.signals);
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * A new connection, in state IDLE until {@link Connection#connect()}.
   *
   * @throws NullPointerException if an argument is null.
   */
  public Connection newConnection(ConnectionOptions options, ConnectionListener listener) {
    Checks.notNull("options", options);
    Checks.notNull("listener", listener);
    if (ownedScheduler != null && ownedScheduler.isShutdown()) {
      throw new IllegalStateException("newConnection() after Lifeline.shutdown()");
    }
    RealConnection c = new RealConnection(context, options, listener);
    context.register(c);
    return c;
  }

  /** Shorthand for {@code newConnection(ConnectionOptions.builder(url).build(), listener)}. */
  public Connection newConnection(String url, ConnectionListener listener) {
    return newConnection(ConnectionOptions.builder(url).build(), listener);
  }

  /** Where the app (or sdk-android) reports network, screen, lifecycle and suspension. */
  public EnvironmentSignals signals() {
    return signals;
  }

  /**
   * Closes every connection and stops the threads this client created (including those of the
   * OkHttpClient it created). An injected scheduler, executor or OkHttpClient is left running.
   * Waits up to {@code timeout} for pending callbacks.
   */
  public void shutdown(long timeout, TimeUnit unit) throws InterruptedException {
    for (Connection c : context.liveConnections()) c.close();
    long deadline = System.nanoTime() + unit.toNanos(timeout);
    if (ownedScheduler != null) {
      ownedScheduler.shutdown();
      ownedScheduler.awaitTermination(Math.max(0, (deadline - System.nanoTime()) / 1_000_000));
    }
    if (ownedCallbackExecutor != null) {
      ownedCallbackExecutor.shutdown();
      ownedCallbackExecutor.awaitTermination(
          Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    }
    if (ownedOkHttp != null) {
      ownedOkHttp.dispatcher().executorService().shutdown();
      ownedOkHttp.connectionPool().evictAll();
    }
  }

  /** Builds a {@link Lifeline}; everything is optional. */
  public static final class Builder {
    private OkHttpClient okHttpClient;
    private Clock clock = MonotonicClock.INSTANCE;
    private Scheduler scheduler;
    private Executor callbackExecutor;
    private Executor blockingExecutor;
    private Logger logger = Logger.NONE;

    Builder() {}

    /** The OkHttpClient to share (TLS, proxies, interceptors) [a new default client]. */
    public Builder okHttpClient(OkHttpClient client) {
      okHttpClient = Checks.notNull("okHttpClient", client);
      return this;
    }

    /** The deadline clock [System.nanoTime; Android: elapsedRealtime, set by sdk-android]. */
    public Builder clock(Clock clock) {
      this.clock = Checks.notNull("clock", clock);
      return this;
    }

    /** The serial scheduler [one daemon thread, owned and shut down by this client]. */
    public Builder scheduler(Scheduler scheduler) {
      this.scheduler = Checks.notNull("scheduler", scheduler);
      return this;
    }

    /** Where listener callbacks run [one daemon thread; Android: the main thread]. */
    public Builder callbackExecutor(Executor executor) {
      callbackExecutor = Checks.notNull("callback executor", executor);
      return this;
    }

    /** Where app code that may block runs, e.g. credential refresh [OkHttp's dispatcher pool]. */
    public Builder blockingExecutor(Executor executor) {
      blockingExecutor = Checks.notNull("blocking executor", executor);
      return this;
    }

    /** Where Lifeline logs [nowhere]. */
    public Builder logger(Logger logger) {
      this.logger = Checks.notNull("logger", logger);
      return this;
    }

    public Lifeline build() {
      return new Lifeline(this);
    }
  }
}
