package dev.lifeline.internal.journal;

import java.io.IOException;
import okio.FileHandle;
import org.jspecify.annotations.Nullable;

/**
 * The group commit of one journal at the power-loss level: a thread whose record must be synced
 * either finds it synced, waits for an fsync that started after its write, or leads one that
 * covers everything written so far. The fsync runs outside every lock, so appends go on meanwhile
 * and share the next one. Whoever holds the sync token (a leader, a compaction or the store's
 * close) owns the journal's sync handle. Guarded by this object; the store takes its own lock
 * before this one, never the reverse.
 */
final class GroupCommit {
  /** What a leader syncs: the journal as it is now. */
  interface Journal {
    /** Offset after the last record written. */
    long end();

    /** The handle fsyncs go through, or null when the journal is not open. */
    @Nullable FileHandle syncer();

    /** The journal's path, for messages. */
    String path();
  }

  private final Journal journal;
  /** The sync token: a leader's fsync, a compaction or the final sync runs. */
  private boolean syncing;
  /** Offset up to which the journal is synced, in {@link #generation}. */
  private long syncedEnd;
  /** Counts rewrites and openings, each of which synced all it holds. */
  private int generation;
  /** The fsync failure that broke the store, or null. */
  private @Nullable IOException failure;
  /** True once closed: no fsync is led any more. */
  private boolean closed;
  /** fsyncs done, for measurements. */
  private long count;

  GroupCommit(Journal journal) {
    this.journal = journal;
  }

  /** The store (re)opened with everything up to {@code end} synced: a new generation. */
  synchronized void opened(long end) {
    syncedEnd = end;
    generation++;
    syncing = false;
    failure = null;
    closed = false;
  }

  synchronized int generation() {
    return generation;
  }

  /** The fsync failure that broke the store, or null. */
  synchronized @Nullable IOException failure() {
    return failure;
  }

  /** Offset up to which the journal is synced. */
  synchronized long syncedEnd() {
    return syncedEnd;
  }

  /** fsyncs done so far. */
  synchronized long count() {
    return count;
  }

  /** Waits until no one holds the sync token, then takes it. */
  synchronized void takeToken() {
    boolean interrupted = false;
    while (syncing) {
      try {
        wait();
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    syncing = true;
    if (interrupted) Thread.currentThread().interrupt();
  }

  /**
   * A compaction holding the token is done; when it {@code rewrote} the journal, everything up to
   * {@code end} is synced in a new generation.
   */
  synchronized void compacted(boolean rewrote, long end) {
    if (rewrote) {
      generation++;
      syncedEnd = end;
    }
    syncing = false;
    notifyAll();
  }

  /**
   * The store's close, holding the token, is done ({@code syncedTo}: the end it synced, or -1):
   * no fsync is led any more and waiters are released.
   */
  synchronized void closed(long syncedTo) {
    if (syncedTo >= 0) syncedEnd = syncedTo;
    closed = true;
    syncing = false;
    notifyAll();
  }

  /**
   * Returns once the journal is synced up to {@code written} (an offset in generation {@code
   * writtenIn}). Waits without giving in to interrupts: the record is already in the file, and
   * an add that threw would be restored after a restart as a message the app was told was
   * refused.
   */
  void awaitSynced(long written, int writtenIn) throws IOException {
    boolean interrupted = false;
    try {
      synchronized (this) {
        while (true) {
          if (generation != writtenIn || syncedEnd >= written) return;
          if (failure != null) throw notDurable(failure);
          if (closed) {
            throw new IOException("outbox journal " + journal.path() + " was closed before the"
                + " record was synced");
          }
          if (!syncing) break;
          try {
            wait();
          } catch (InterruptedException e) {
            interrupted = true;
          }
        }
        syncing = true;
      }
      // The leader: syncs everything written so far, its own record and any written since.
      long target = journal.end();
      IOException failed = null;
      FileHandle file = journal.syncer();
      try {
        if (file == null) throw new IOException("the journal is not open");
        sync(file);
      } catch (IOException e) {
        failed = e;
      }
      synchronized (this) {
        if (failed == null) {
          syncedEnd = Math.max(syncedEnd, target);
        } else {
          failure = failed;
        }
        syncing = false;
        notifyAll();
      }
      if (failed != null) throw notDurable(failed);
    } finally {
      if (interrupted) Thread.currentThread().interrupt();
    }
  }

  private IOException notDurable(IOException cause) {
    return new IOException("outbox journal " + journal.path() + " failed to sync ("
        + cause.getMessage() + "): the record is not durable", cause);
  }

  /** One fsync: {@code FileHandle.flush()} is {@code FileDescriptor.sync()} on JVM and Android. */
  void sync(FileHandle file) throws IOException {
    file.flush();
    synchronized (this) {
      count++;
    }
  }
}
