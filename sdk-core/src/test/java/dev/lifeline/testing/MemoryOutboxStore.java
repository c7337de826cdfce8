package dev.lifeline.testing;

import dev.lifeline.OutboxStore;
import dev.lifeline.StoredMessage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * An {@link OutboxStore} in memory for tests: it keeps what is added and not removed, records
 * every call ({@link #calls}), can be told to throw from any method, can hold {@code add} until
 * several callers are inside at once (to prove that senders record concurrently), and outlives
 * its connection: {@link #crash()} forgets that it was open without a {@code close()}, as a
 * process killed with {@code kill -9} would, and a second connection opens it again.
 */
public final class MemoryOutboxStore implements OutboxStore {
  /** What {@link #failNext} makes a method throw. */
  public enum Method { OPEN, ADD, MARK_SENDING, REMOVE, SAVE_POSITION, CLOSE }

  /** How long a held {@code add} waits for the other callers before it fails the test. */
  private static final long HOLD_LIMIT_MILLIS = 5_000;

  /** Recorded messages by sequence number; guarded by this. */
  private final TreeMap<Long, StoredMessage> messages = new TreeMap<>();
  /** Every call, in order, e.g. "add 1", "markSending [1, 2]", "remove [3]"; guarded by this. */
  private final List<String> calls = new ArrayList<>();
  /** What each method throws while set (null: it works); guarded by this. */
  private final Throwable[] failures = new Throwable[Method.values().length];
  /** The last saved stream position; guarded by this. */
  private String position;
  /** What {@link #open()} reports as damage; guarded by this. */
  private String damage;
  /** True between open() and close() (or crash()); guarded by this. */
  private boolean open;
  /** {@code add} waits until this many callers are inside at once; 0: it does not wait. */
  private int holdAddsUntil;
  /** Sequence numbers whose {@code add} waits until {@link #releaseAdd}; guarded by this. */
  private final java.util.Set<Long> heldAdds = new java.util.HashSet<>();
  /** True once {@link #holdAddsUntil}'s callers were all inside: they may all go on. */
  private boolean addsReleased;
  /** Callers inside {@code add} now, and the most there ever were; guarded by this. */
  private int addsInside;
  private int mostAddsInside;
  /** Calls made after close(), which the contract forbids; guarded by this. */
  private int callsAfterClose;

  /** Makes {@code method} throw {@code failure} until {@link #works} is called for it. */
  public synchronized MemoryOutboxStore failNext(Method method, Throwable failure) {
    failures[method.ordinal()] = failure;
    return this;
  }

  /** {@code method} works again. */
  public synchronized void works(Method method) {
    failures[method.ordinal()] = null;
  }

  /** Holds each {@code add} until {@code callers} are inside {@code add} at once. */
  public synchronized void holdAddsUntil(int callers) {
    holdAddsUntil = callers;
    addsReleased = false;
    notifyAll();
  }

  /** Holds the {@code add} of {@code sequence} until {@link #releaseAdd}. */
  public synchronized void holdAdd(long sequence) {
    heldAdds.add(sequence);
  }

  /** Lets the held {@code add} of {@code sequence} finish. */
  public synchronized void releaseAdd(long sequence) {
    heldAdds.remove(sequence);
    notifyAll();
  }

  /** Puts {@code m} in the store, as a previous process would have. */
  public synchronized MemoryOutboxStore preload(StoredMessage m) {
    messages.put(m.sequence(), m);
    return this;
  }

  /** What {@link #open()} will report as damage. */
  public synchronized void damage(String what) {
    damage = what;
  }

  /**
   * What the next process finds after this one died: a new store, not open, holding what this
   * one holds now. The dead process's connection may go on calling this one; the copy never
   * hears of it.
   */
  public synchronized MemoryOutboxStore afterCrash() {
    MemoryOutboxStore next = new MemoryOutboxStore();
    next.messages.putAll(messages);
    next.position = position;
    return next;
  }

  /** The process died: the store is no longer open, and nothing was closed or flushed. */
  public synchronized void crash() {
    open = false;
  }

  public synchronized List<String> calls() {
    return new ArrayList<>(calls);
  }

  /** The calls whose text starts with {@code prefix}, e.g. "remove". */
  public synchronized List<String> calls(String prefix) {
    List<String> matching = new ArrayList<>();
    for (String c : calls) if (c.startsWith(prefix)) matching.add(c);
    return matching;
  }

  public synchronized void clearCalls() {
    calls.clear();
  }

  /** What the store holds now, oldest first. */
  public synchronized List<StoredMessage> held() {
    return new ArrayList<>(messages.values());
  }

  public synchronized boolean isOpen() {
    return open;
  }

  public synchronized int mostAddsInside() {
    return mostAddsInside;
  }

  public synchronized int callsAfterClose() {
    return callsAfterClose;
  }

  @Override public synchronized Contents open() throws IOException {
    call("open", Method.OPEN);
    if (open) throw new IllegalStateException("already open by another connection");
    open = true;
    return new Contents(new ArrayList<>(messages.values()), position, damage);
  }

  @Override public void add(StoredMessage message) throws IOException {
    synchronized (this) {
      call("add " + message.sequence(), Method.ADD);
      addsInside++;
      mostAddsInside = Math.max(mostAddsInside, addsInside);
      if (addsInside >= holdAddsUntil) addsReleased = true;
      notifyAll();
      try {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(HOLD_LIMIT_MILLIS);
        while (holdAddsUntil > 0 && !addsReleased || heldAdds.contains(message.sequence())) {
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            throw new IOException("held add of " + message.sequence() + ": " + addsInside
                + " of " + holdAddsUntil + " callers came in " + HOLD_LIMIT_MILLIS + " ms");
          }
          TimeUnit.NANOSECONDS.timedWait(this, left);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted");
      } finally {
        addsInside--;
      }
      messages.put(message.sequence(), message);
    }
  }

  @Override public synchronized void addAll(List<StoredMessage> batch) throws IOException {
    long[] sequences = new long[batch.size()];
    for (int i = 0; i < sequences.length; i++) sequences[i] = batch.get(i).sequence();
    call("addAll " + Arrays.toString(sequences), Method.ADD);
    for (StoredMessage m : batch) messages.put(m.sequence(), m);
  }

  @Override public synchronized void markSending(long[] sequences) throws IOException {
    call("markSending " + Arrays.toString(sequences), Method.MARK_SENDING);
    for (long s : sequences) {
      StoredMessage m = messages.get(s);
      if (m != null) {
        messages.put(s, new StoredMessage(s, m.message(), m.acceptedAtEpochMillis(), true));
      }
    }
  }

  @Override public synchronized void remove(long[] sequences) throws IOException {
    call("remove " + Arrays.toString(sequences), Method.REMOVE);
    for (long s : sequences) messages.remove(s);
  }

  @Override public synchronized void savePosition(String position) throws IOException {
    call("savePosition " + position, Method.SAVE_POSITION);
    this.position = position;
  }

  @Override public synchronized void close() throws IOException {
    call("close", Method.CLOSE);
    open = false;
  }

  /** Records {@code what}, then throws what {@code method} was told to throw. */
  private void call(String what, Method method) throws IOException {
    if (!open && method != Method.OPEN) callsAfterClose++;
    calls.add(what);
    Throwable t = failures[method.ordinal()];
    if (t instanceof IOException) throw (IOException) t;
    if (t instanceof RuntimeException) throw (RuntimeException) t;
    if (t instanceof Error) throw (Error) t;
  }

  /** The sequence numbers held, oldest first. */
  public synchronized List<Long> sequences() {
    return Collections.unmodifiableList(new ArrayList<>(messages.keySet()));
  }
}
