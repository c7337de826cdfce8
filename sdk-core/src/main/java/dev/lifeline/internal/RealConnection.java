package dev.lifeline.internal;

import dev.lifeline.AckMatcher;
import dev.lifeline.Connection;
import dev.lifeline.ConnectionListener;
import dev.lifeline.ConnectionOptions;
import dev.lifeline.ConnectionState;
import dev.lifeline.EnvironmentSignals.Signal;
import dev.lifeline.Logger;
import dev.lifeline.Message;
import dev.lifeline.OutboxStore;
import dev.lifeline.StateObserver;
import dev.lifeline.Subscription;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import okio.ByteString;

/**
 * A {@link Connection}: the thread-safe face of one connection. Every request is posted to the
 * connection's serial lane, where its {@link ConnectionEngine} decides; the states it decides are
 * published here ({@link #state()}, the {@link StateObserver}s, the listener). Only {@link #send} does
 * work on the caller's thread: it validates the message, asks the app's ack matcher for its key
 * (the app's code, on the app's thread), queues it in the thread-safe outbox and, when the lane
 * is idle and the transport has nothing waiting, runs the lane's flush right there. See
 * docs/architecture.md, "Threads". With an outbox store, the constructor opens it and restores
 * its messages on the creating thread, before the app can send (docs/behaviour.md, "Durable
 * outbox").
 */
public final class RealConnection implements Connection, SignalHub.Receiver {
  private final ClientContext ctx;
  private final ConnectionOptions options;
  /** The connection's serial owner: the engine runs there, and only there. */
  private final SerialLane lane;
  /** The only way to app code. */
  private final AppCalls app;
  private final ConnectionEngine engine;
  /** Published states for {@link #observeState} (and Kotlin's {@code stateFlow()}). */
  private final StateObservers observers;
  /** Published state for {@link #state()}; written on the lane only. */
  private volatile ConnectionState state = ConnectionState.idle();
  /** Set by the first {@link #connect()}. */
  private final AtomicBoolean connectCalled = new AtomicBoolean();
  /** Set by {@link #close()}; read by {@link #send} on app threads and by the engine. */
  private volatile boolean closeRequested;
  /**
   * Released once the connection is CLOSED and every app call that the close causes (the state,
   * the queued messages reported through onSendFailed) is queued on its lane.
   */
  private final CountDownLatch closed = new CountDownLatch(1);
  /** True while a flush posted by {@link #send} has not run yet. */
  private final AtomicBoolean flushPosted = new AtomicBoolean();

  public RealConnection(ClientContext ctx, ConnectionOptions options, ConnectionListener listener) {
    this.ctx = ctx;
    this.options = options;
    this.lane = ctx.engineLane(this);
    this.app = new AppCalls(ctx, this, listener, options.eventListener());
    this.observers = new StateObservers(app.stateObservers, app, state);
    // The store is read first: the inbound stream position it holds is where resuming starts.
    OutboxStore store = options.outboxStore();
    OutboxStore.Contents contents =
        store == null ? null : OutboxRecords.open(store, Redact.url(options.url()));
    this.engine = new ConnectionEngine(ctx, this, lane, app,
        contents == null ? null : contents.position());
    if (contents != null) restore(contents);
  }

  /**
   * Before the app has the connection: puts back what the outbox store holds, oldest first, so it
   * goes out before anything sent later, and says so (an event and a log line).
   */
  private void restore(OutboxStore.Contents contents) {
    Delivery.Restored r = engine.delivery().restore(contents.messages(), this::ackKey);
    String damage = contents.damage();
    String url = Redact.url(options.url());
    String counts = url + ": outbox store read: " + r.restored + " message(s) restored, "
        + r.reported + " reported through onSendFailed";
    if (r.broken > 0) {
      app.log(Logger.Level.WARN, url + ": the outbox store returned " + r.broken + " entr"
          + (r.broken == 1 ? "y" : "ies") + " that break its contract (null, or a sequence number"
          + " given twice: the first was kept); not restored");
    }
    if (damage != null) {
      app.log(Logger.Level.WARN, counts + "; the store found damage and skipped it: " + damage);
    } else {
      app.log(r.restored + r.reported > 0 ? Logger.Level.INFO : Logger.Level.DEBUG, counts);
    }
    app.event("outboxRestored", e -> e.outboxRestored(this, r.restored, r.reported, damage));
    // Restored messages may expire before any connect: the lane's flush watches their TTL.
    if (r.restored > 0) lane.execute(engine.delivery()::flush);
  }

  @Override public void connect() {
    if (closeRequested) throw new IllegalStateException("connect() after close(): " + state);
    if (!connectCalled.compareAndSet(false, true)) {
      throw new IllegalStateException("connect() called twice; the connection reconnects by itself");
    }
    lane.execute(engine::start);
  }

  @Override public boolean send(String text) {
    if (text == null) throw new NullPointerException("text == null");
    return send(Message.text(text));
  }

  @Override public boolean send(ByteString bytes) {
    if (bytes == null) throw new NullPointerException("bytes == null");
    return send(Message.binary(bytes));
  }

  @Override public boolean send(Message message) {
    if (message == null) throw new NullPointerException("message == null");
    Transports.checkSendable(options.url(), message); // tcp://: one text line per message.
    if (closeRequested || state.isTerminal()) {
      throw new IllegalStateException("send() after the connection closed: " + state);
    }
    // Data the app may legitimately produce: reported, not thrown, and never queued, where it
    // would block every later message.
    String rejected = Transports.whyTooLarge(options.url(), message);
    if (rejected == null) rejected = engine.offer(message, ackKey(message), engine.now());
    if (rejected != null) {
      sendFailed(message, rejected);
      return false;
    }
    flushSoon();
    return true;
  }

  @Override public int sendAll(List<Message> messages) {
    if (messages == null) throw new NullPointerException("messages == null");
    for (Message m : messages) {
      if (m == null) throw new NullPointerException("messages holds null");
      Transports.checkSendable(options.url(), m); // Before anything is accepted.
    }
    if (closeRequested || state.isTerminal()) {
      throw new IllegalStateException("sendAll() after the connection closed: " + state);
    }
    List<Message> offered = new ArrayList<Message>(messages.size());
    List<Object> keys = new ArrayList<Object>(messages.size());
    for (Message m : messages) {
      String tooLarge = Transports.whyTooLarge(options.url(), m);
      if (tooLarge != null) {
        sendFailed(m, tooLarge);
        continue;
      }
      offered.add(m);
      keys.add(ackKey(m));
    }
    String[] rejected = engine.delivery().offerAll(offered, keys, engine.now());
    int accepted = 0;
    for (int i = 0; i < rejected.length; i++) {
      if (rejected[i] == null) {
        accepted++;
      } else {
        sendFailed(offered.get(i), rejected[i]);
      }
    }
    if (accepted > 0) flushSoon();
    return accepted;
  }

  /**
   * After an accepted send: a close racing with it finds the message in the outbox and reports
   * it. The flush runs here, on the caller's thread, when that sends the message at once (the
   * transport has nothing waiting); in a burst it goes to the lane, where one flush carries every
   * message sent meanwhile and the caller's thread only queues (docs/architecture.md).
   */
  private void flushSoon() {
    if (flushPosted.compareAndSet(false, true)) {
      Runnable flush = () -> {
        flushPosted.set(false);
        engine.delivery().flush();
      };
      // With an outbox store the flush writes to it too (the sending marks, the removals): the
      // lane does that for a whole burst at once, instead of once per message on this thread.
      if (options.outboxStore() == null && engine.delivery().transportIdle()) {
        lane.runOrExecute("flush", flush);
      } else {
        lane.execute(flush);
      }
    }
  }

  /** The at-least-once key, asked on the sending thread: the app's code on the app's thread. */
  private Object ackKey(Message m) {
    AckMatcher acks = options.ackMatcher();
    if (acks == null) return null;
    try {
      return acks.key(m);
    } catch (Throwable t) {
      app.log(Logger.Level.WARN, "AckMatcher.key threw; message sent without waiting for an ack", t);
      return null;
    }
  }

  @Override public void close() {
    closeRequested = true;
    lane.execute(engine::close);
  }

  @Override public void reconnectNow() {
    lane.execute(engine::reconnectNow);
  }

  /** On the signal hub's lane: the engine reacts on this connection's lane. */
  @Override public void onSignal(Signal signal) {
    lane.execute(() -> engine.react(signal));
  }

  @Override public ConnectionState state() {
    return state;
  }

  @Override public Subscription observeState(StateObserver observer) {
    if (observer == null) throw new NullPointerException("observer == null");
    return observers.add(observer);
  }

  @Override public int queuedMessages() {
    return engine.queued();
  }

  @Override public long heartbeatIntervalMillis() {
    return engine.heartbeatIntervalMillis();
  }

  @Override public ConnectionOptions options() {
    return options;
  }

  @Override public String toString() {
    return "Connection{" + Redact.url(options.url()) + ", " + state + "}";
  }

  /**
   * Waits up to {@code nanos} for CLOSED and the app calls it causes to be queued; true when
   * reached.
   */
  public boolean awaitClosed(long nanos) throws InterruptedException {
    return closed.await(nanos, TimeUnit.NANOSECONDS);
  }

  /**
   * A latch released once the app calls queued so far ran (or were refused by a stopped
   * executor) on the hook, message-hook and state-observer lanes, which run on Lifeline's pool, and
   * on the callbacks lane when {@code callbacksToo}, and then the outbox store calls queued behind
   * those (with a store). The credentials lane is not waited for.
   */
  public CountDownLatch afterQueuedAppCalls(boolean callbacksToo) {
    SerialLane[] lanes = callbacksToo
        ? new SerialLane[] {app.hooks, app.messageHooks, app.stateObservers, app.callbacks}
        : new SerialLane[] {app.hooks, app.messageHooks, app.stateObservers};
    CountDownLatch latch = new CountDownLatch(lanes.length);
    for (SerialLane lane : lanes) {
      if (lane == app.callbacks && options.outboxStore() != null
          && !lane.isRunningOnThisThread()) {
        // The outbox store calls queued behind the listener calls (removing what was reported,
        // closing the store) are waited for too: the callbacks lane hands them on.
        app.afterListenerCalls("shutdown marker", latch::countDown);
      } else {
        mark(lane, latch);
      }
    }
    return latch;
  }

  private static void mark(SerialLane lane, CountDownLatch latch) {
    if (lane.isRunningOnThisThread()) {
      latch.countDown(); // shutdown() was called from this lane's own call: it cannot wait for it.
    } else {
      lane.execute("shutdown marker", () -> { }, latch::countDown);
    }
  }

  /** Received bytes waiting for the app's listener now (any thread; for diagnostics). */
  public long pendingInboundBytes() {
    return engine.pendingInboundBytes();
  }

  /** The names of the connection's armed timers; call on its lane (tests do, in virtual time). */
  public List<String> armedTimers() {
    return engine.armedTimers();
  }

  boolean closeRequested() {
    return closeRequested;
  }

  /** Lane: the engine decided {@code next}; tells the app. */
  void publish(ConnectionState next) {
    // Observers first: whoever reads `next` from state() and then registers an observer is
    // queued behind it on the observers' lane, so is never told an older state first.
    observers.publish(next);
    state = next;
    app.listener("onStateChanged", l -> l.onStateChanged(this, next));
  }

  /**
   * Lane: the connection ended and told the app everything it had to (the state, the messages
   * it will never send). Only now may {@link #awaitClosed} return: {@code Lifeline.shutdown}
   * then queues its markers behind those calls, and stops the executors only after they ran.
   */
  void terminated() {
    closed.countDown();
    ctx.connectionEnded(this);
  }

  void sendFailed(Message message, String reason) {
    app.listener("onSendFailed", l -> l.onSendFailed(this, message, reason));
  }
}
