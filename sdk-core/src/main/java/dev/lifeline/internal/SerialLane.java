package dev.lifeline.internal;

import dev.lifeline.Clock;
import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs tasks one at a time, in submission order, on a shared {@link Executor}: many lanes share a
 * few threads, and no two tasks of one lane ever overlap. A connection has several lanes (its
 * engine, and one per kind of app code), so a task stuck in one lane delays only the tasks
 * queued behind it in that lane.
 *
 * <p>The lane knows which named call it is running and since when, so that a {@link HookWatchdog}
 * can report app code that does not return. Tasks that throw are contained: the lane goes on with
 * the next one.
 */
final class SerialLane implements Executor {
  /** Most tasks run per turn on the executor before yielding it to other lanes. */
  static final int MAX_TASKS_PER_TURN = 64;
  /** The lane whose turn the current thread is running, or null. */
  private static final ThreadLocal<SerialLane> RUNNING = new ThreadLocal<SerialLane>();

  /** What to do with a task the lane could not run. */
  interface RejectionHandler {
    /** The executor refused the lane's turn (it was shut down); {@code lost} never ran. */
    void rejected(SerialLane lane, int lost, RejectedExecutionException e);
  }

  /** One queued task with the name it is reported under and what must run in any case. */
  private static final class Task {
    /** "EventListener.connectStart", "ConnectionListener.onMessage", … */
    final String call;
    final Runnable body;
    /** Runs after {@link #body} even if it threw, or instead of it when the lane is rejected. */
    final Runnable always;

    Task(String call, Runnable body, Runnable always) {
      this.call = call;
      this.body = body;
      this.always = always;
    }
  }

  /** Whose lane this is, for reports: the connection, or null for the client's own lane. */
  final Object owner;
  /** What the lane runs, e.g. "hooks" or "callbacks", for reports and thread dumps. */
  final String name;
  /** Where the lane's turns run. */
  private final Executor executor;
  /** Reads the running call's start time. */
  private final Clock clock;
  /** Told when the lane becomes busy; null for lanes that run no app code. */
  private final HookWatchdog watchdog;
  /** Told when the executor refuses a turn. */
  private final RejectionHandler onRejected;
  /** Tasks waiting for their turn. Guarded by this. */
  private final ArrayDeque<Task> queue = new ArrayDeque<Task>();
  /** True while a turn is submitted or running. Guarded by this. */
  private boolean scheduled;
  /** The call running now, or null between calls. Written by the lane's turn only. */
  private volatile String runningCall;
  /** When {@link #runningCall} started, by {@link #clock}. */
  private volatile long runningSinceMillis;
  /** Counts started calls, so the watchdog reports each stuck call once. */
  private volatile long callNumber;
  /**
   * The number of the call the watchdog reported stuck, until its return is reported too (then
   * {@link #RETURN_REPORTED}). Set by the watchdog; whichever of the lane and the watchdog sees the
   * call finished second claims the "returned" report, so it is made exactly once.
   */
  final AtomicLong reportedCall = new AtomicLong(RETURN_REPORTED);
  /** The number of the last call that finished. */
  volatile long finishedCall;
  /** {@link #reportedCall} when no report awaits its "returned". */
  static final long RETURN_REPORTED = -1;

  SerialLane(Object owner, String name, Executor executor, Clock clock, HookWatchdog watchdog,
      RejectionHandler onRejected) {
    this.owner = owner;
    this.name = name;
    this.executor = executor;
    this.clock = clock;
    this.watchdog = watchdog;
    this.onRejected = onRejected;
  }

  @Override public void execute(Runnable task) {
    execute(name, task, null);
  }

  /** Queues {@code body}, reported as {@code call} while it runs. */
  void execute(String call, Runnable body) {
    execute(call, body, null);
  }

  /**
   * Queues {@code body}; {@code always} (may be null) runs after it even if it threw, or alone if
   * the lane's executor refuses to run it.
   */
  void execute(String call, Runnable body, Runnable always) {
    synchronized (this) {
      queue.addLast(new Task(call, body, always));
      if (scheduled) return;
      scheduled = true;
    }
    if (watchdog != null) watchdog.busy(this);
    submitTurn();
  }

  /**
   * Runs {@code body} at once on the calling thread when the lane is idle (nothing queued, no turn
   * running), else queues it like {@link #execute(String, Runnable)}. Order holds either way: a
   * task runs inline only when no earlier one is waiting, and the lane counts as busy while it
   * runs, so tasks queued meanwhile wait for it and then go to the executor.
   *
   * <p>This saves a hand-off to the executor (waking one of its threads, tens of microseconds on
   * a small machine) where a message crosses the lane: a send's flush on the app's thread, a
   * received message on the reader thread. Only for a lane that runs no app code (it has no
   * watchdog) and whose tasks never block, as the caller's thread waits for the task.
   */
  void runOrExecute(String call, Runnable body) {
    if (watchdog != null) throw new IllegalStateException("lane " + name + " runs app code");
    synchronized (this) {
      if (scheduled) {
        queue.addLast(new Task(call, body, null));
        return;
      }
      scheduled = true; // The queue is empty whenever no turn is scheduled.
    }
    SerialLane outer = RUNNING.get();
    RUNNING.set(this);
    try {
      runTask(new Task(call, body, null));
    } finally {
      RUNNING.set(outer);
    }
    synchronized (this) {
      if (queue.isEmpty()) {
        scheduled = false;
        return;
      }
    }
    submitTurn(); // Queued while the inline task ran: theirs is the executor's turn.
  }

  private void submitTurn() {
    try {
      executor.execute(turn);
    } catch (RejectedExecutionException e) {
      int lost = abandonQueue();
      onRejected.rejected(this, lost, e);
    }
  }

  /** After a refused turn: runs what must run in any case, and empties the lane. */
  private int abandonQueue() {
    ArrayDeque<Task> abandoned;
    synchronized (this) {
      abandoned = new ArrayDeque<Task>(queue);
      queue.clear();
      scheduled = false;
    }
    for (Task t : abandoned) runQuietly(t.always);
    if (watchdog != null) watchdog.idle(this);
    return abandoned.size();
  }

  /** One turn: up to {@link #MAX_TASKS_PER_TURN} tasks, then the lane yields the thread. */
  private final Runnable turn = new Runnable() {
    @Override public void run() {
      SerialLane outer = RUNNING.get(); // Not null when an executor runs turns inline.
      RUNNING.set(SerialLane.this);
      try {
        runTasks();
      } finally {
        RUNNING.set(outer);
      }
    }

    private void runTasks() {
      for (int i = 0; i < MAX_TASKS_PER_TURN; i++) {
        Task t;
        synchronized (SerialLane.this) {
          t = queue.pollFirst();
          if (t == null) scheduled = false; // From here on, execute() submits a new turn itself.
        }
        if (t == null) {
          if (watchdog != null) watchdog.idle(SerialLane.this);
          return;
        }
        runTask(t);
      }
      submitTurn(); // More may be queued: let other lanes use the thread first.
    }

    @Override public String toString() {
      return "lane " + name + " of " + owner;
    }
  };

  /** Runs one task, reporting it to the watchdog while it runs; a throwing task is contained. */
  private void runTask(Task t) {
    long started = clock.elapsedMillis();
    runningSinceMillis = started;
    long number = ++callNumber;
    runningCall = t.call;
    try {
      t.body.run();
    } catch (Throwable ignored) {
      // Callers wrap app code with their own reporting; this only keeps the lane alive.
    } finally {
      runningCall = null;
      finishedCall = number;
      if (watchdog != null && reportedCall.compareAndSet(number, RETURN_REPORTED)) {
        watchdog.returned(this, t.call, clock.elapsedMillis() - started);
      }
      runQuietly(t.always);
    }
  }

  private static void runQuietly(Runnable r) {
    if (r == null) return;
    try {
      r.run();
    } catch (Throwable ignored) {
      // Bookkeeping such as releasing inbound bytes; it does not throw.
    }
  }

  /**
   * From inside a running task: the task moved on to another app call, so a report names the one
   * actually running.
   */
  void nowCalling(String call) {
    runningCall = call;
  }

  /** The call running now, or null. */
  String runningCall() {
    return runningCall;
  }

  /** When the running call started; meaningful only while {@link #runningCall()} is not null. */
  long runningSinceMillis() {
    return runningSinceMillis;
  }

  /** Identifies the running call, so a stuck call is reported once. */
  long callNumber() {
    return callNumber;
  }

  /** True on the thread running this lane's turn: a task there must not wait for the lane. */
  boolean isRunningOnThisThread() {
    return RUNNING.get() == this;
  }

  /** Tasks queued and not yet started. */
  synchronized int size() {
    return queue.size();
  }

  /** True while tasks are queued or running. */
  synchronized boolean isBusy() {
    return scheduled;
  }

  @Override public String toString() {
    return "SerialLane{" + name + " of " + owner + "}";
  }
}
