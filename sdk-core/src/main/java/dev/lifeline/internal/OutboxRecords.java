package dev.lifeline.internal;

import dev.lifeline.Logger;
import dev.lifeline.Message;
import dev.lifeline.OutboxStore;
import dev.lifeline.StoredMessage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A connection's {@link OutboxStore} as {@link Delivery} uses it (docs/behaviour.md, "Durable
 * outbox"): the store is app code (or Lifeline's journal), so every call here catches whatever it
 * throws, {@code Error}s included, and turns it into a reason or a log line; nothing a store does
 * breaks the lane or the sending thread. Settled messages are collected during a lane turn and
 * removed with one {@link OutboxStore#remove} ({@link #commit}), as a remove is a write to disk.
 *
 * <p>{@link #add} runs on app threads; the rest on the connection's lane, except {@link
 * #removeNow} (the sending thread, see there) and {@link #open} (the thread creating the
 * connection).
 */
final class OutboxRecords {
  /**
   * Sequence numbers collected during a lane turn, for one store call: room for 16 to start with,
   * grown as needed and shrunk back after a big batch, so that a burst does not pin memory.
   */
  private static final class Batch {
    /** Room to start with. */
    private static final int INITIAL = 16;
    /** The numbers; the first {@link #count} are in use. */
    private long[] sequences = new long[INITIAL];
    /** How many of {@link #sequences} are in use. */
    private int count;

    void add(long sequence) {
      if (count == sequences.length) sequences = Arrays.copyOf(sequences, count * 2);
      sequences[count++] = sequence;
    }

    /** What was collected, or null when nothing was; empties the batch. */
    long[] take() {
      if (count == 0) return null;
      long[] taken = Arrays.copyOf(sequences, count);
      count = 0;
      if (sequences.length > INITIAL * 64) sequences = new long[INITIAL];
      return taken;
    }
  }

  private final OutboxStore store;
  /** When a message was accepted, as the store keeps it: it must outlive the process. */
  private final WallClock wallClock;
  /** For the log lines. */
  private final AppCalls app;
  /** The connection's redacted URL, for the log lines. */
  private final String url;
  /** Sequence numbers settled in this lane turn, not yet removed; lane-confined. */
  private final Batch settled = new Batch();
  /**
   * Sequence numbers reported through {@code onSendFailed} in this lane turn: removed once the
   * listener heard them ({@link #commit}); lane-confined.
   */
  private final Batch reported = new Batch();
  /** Failures in a row of {@link OutboxStore#remove}; lane-confined. */
  private final FailureRun removeFailures = new FailureRun("remove");
  /** Failures in a row of {@link OutboxStore#markSending}; lane-confined. */
  private final FailureRun markFailures = new FailureRun("markSending");
  /** True once {@link OutboxStore#close} was called (lane, or the last sender): nothing more goes to the store. */
  private volatile boolean closed;

  OutboxRecords(OutboxStore store, WallClock wallClock, AppCalls app, String url) {
    this.store = store;
    this.wallClock = wallClock;
    this.app = app;
    this.url = url;
  }

  /**
   * Opens {@code store} for a new connection to {@code url} (redacted), on the creating thread.
   *
   * @throws IllegalStateException when it cannot be opened: the connection is not created
   */
  static OutboxStore.Contents open(OutboxStore store, String url) {
    OutboxStore.Contents contents;
    try {
      contents = store.open();
    } catch (Throwable t) {
      throw new IllegalStateException("could not open the outbox store ("
          + store.getClass().getName() + ") of " + url + ": " + why(t), t);
    }
    if (contents == null) {
      try {
        store.close();
      } catch (Throwable ignored) {
        // It broke its contract already; the exception below says so.
      }
      throw new IllegalStateException("could not open the outbox store ("
          + store.getClass().getName() + ") of " + url + ": open() returned null");
    }
    return contents;
  }

  /** Now on the wall clock, in ms since the epoch. */
  long epochMillis() {
    return wallClock.epochMillis();
  }

  /**
   * App thread: records {@code message}, accepted now, under {@code sequence}; null when it is
   * recorded, else the store's reason. Runs outside every lock, so that senders can share a sync.
   */
  String add(long sequence, Message message) {
    try {
      store.add(new StoredMessage(sequence, message, wallClock.epochMillis(), false));
      return null;
    } catch (Throwable t) {
      app.log(Logger.Level.WARN, url + ": the outbox store could not record message "
          + message.id() + " (sequence " + sequence + "); send() refuses it", t);
      return why(t);
    }
  }

  /**
   * App thread: records {@code entries}, accepted together now, with one store call; null when
   * they are recorded, else the store's reason (none of them is then accepted).
   */
  String addAll(List<Outbox.Entry> entries) {
    long now = wallClock.epochMillis();
    List<StoredMessage> batch = new ArrayList<StoredMessage>(entries.size());
    for (Outbox.Entry e : entries) batch.add(new StoredMessage(e.sequence, e.message, now, false));
    try {
      store.addAll(batch);
      return null;
    } catch (Throwable t) {
      app.log(Logger.Level.WARN, url + ": the outbox store could not record " + entries.size()
          + " message(s) sent together (sequences " + entries.get(0).sequence + " to "
          + entries.get(entries.size() - 1).sequence + "); sendAll() refuses them", t);
      return why(t);
    }
  }

  /**
   * Lane: the at-most-once messages with these sequence numbers are about to be written; null
   * when that is recorded, else the store's reason (they must then not be sent).
   */
  String markSending(long[] sequences) {
    if (closed) return "the outbox store was closed";
    try {
      store.markSending(sequences);
      markFailures.succeeded();
      return null;
    } catch (Throwable t) {
      markFailures.failed("mark " + sequences.length + " message(s) as being sent; they are"
          + " reported instead of sent", t);
      return why(t);
    }
  }

  /** Lane: the message recorded under {@code sequence} is settled; removed at {@link #commit}. */
  void settled(long sequence) {
    if (sequence <= 0) return; // 0: never recorded.
    settled.add(sequence);
  }

  /**
   * Lane: the message recorded under {@code sequence} was reported through {@code
   * onSendFailed}; removed at {@link #commit}, once the listener call has run.
   */
  void reported(long sequence) {
    if (sequence <= 0) return;
    reported.add(sequence);
  }

  /**
   * Lane: removes what {@link #settled} collected, with one store call; what {@link #reported}
   * collected is removed with one more, after the listener calls queued so far ran: until the
   * app heard of a message, a process dying must bring it back to be reported again, not lose it.
   */
  void commit() {
    long[] heard = reported.take();
    if (heard != null) {
      app.afterListenerCalls("forget reported messages", () -> {
        // Once the store closed with the connection, the record stays: after a restart the
        // message is reported again, never lost.
        if (!closed) remove(heard);
      });
    }
    long[] batch = settled.take();
    if (batch == null || closed) return;
    remove(batch);
  }

  private void remove(long[] sequences) {
    try {
      store.remove(sequences);
      removeFailures.succeeded();
    } catch (Throwable t) {
      // Not retried: a lost remove only brings the message back after a restart (OutboxStore).
      removeFailures.failed("remove " + sequences.length + " settled message(s); after a restart"
          + " they would come back", t);
    }
  }

  /**
   * The failures in a row of one store operation, so that a broken store is logged once (WARN),
   * then at DEBUG, and at INFO when it works again; the lane and the store lane use it, under its
   * lock.
   */
  private final class FailureRun {
    /** The store method, for the log lines. */
    private final String operation;
    /** Failures since the last success. */
    private int count;

    FailureRun(String operation) {
      this.operation = operation;
    }

    synchronized void succeeded() {
      if (count > 0) {
        app.log(Logger.Level.INFO, url + ": the outbox store's " + operation + " works again"
            + " after " + count + (count == 1 ? " failure" : " failures in a row"));
      }
      count = 0;
    }

    /** It failed with {@code t}; {@code could} says what it could not do, for the first line. */
    synchronized void failed(String could, Throwable t) {
      if (count++ == 0) {
        app.log(Logger.Level.WARN, url + ": the outbox store could not " + could + " (further"
            + " failures are logged at DEBUG until it works again)", t);
      } else {
        app.log(Logger.Level.DEBUG, url + ": outbox store " + operation + " failed again ("
            + count + " in a row): " + why(t));
      }
    }
  }

  /**
   * Sending thread: forgets the message a {@code send()} recorded while the connection closed
   * and reported it. Runs before that thread lets the store close ({@link Outbox#doneRecording}).
   */
  void removeNow(long sequence) {
    try {
      store.remove(new long[] {sequence});
    } catch (Throwable t) {
      app.log(Logger.Level.WARN, url + ": the outbox store could not remove a message reported"
          + " at close (sequence " + sequence + ")", t);
    }
  }

  /**
   * Once, after the connection closed, its last batch was removed and no {@link #add} runs any
   * more: releases the store. On the lane or the last sender ({@link Outbox#doneRecording}).
   */
  void close() {
    closed = true;
    try {
      store.close();
    } catch (Throwable t) {
      app.log(Logger.Level.WARN, url + ": closing the outbox store failed", t);
    }
  }

  /** What went wrong, in the store's words. */
  static String why(Throwable t) {
    String message = t.getMessage();
    return message != null && !message.isEmpty()
        ? message : t.getClass().getSimpleName() + " without a message";
  }
}
