package dev.lifeline.internal.journal;

import static dev.lifeline.internal.journal.JournalFormat.HEADER_BYTES;

import dev.lifeline.OutboxStore;
import dev.lifeline.StoredMessage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import okio.FileHandle;
import okio.FileSystem;
import okio.Path;
import org.jspecify.annotations.Nullable;

/**
 * Lifeline's default {@link OutboxStore}: one append-only journal file per name (the format is in
 * package-info). Made by {@code dev.lifeline.OutboxJournal}.
 *
 * <p>Two locks. {@link #lock} guards the state, the write handle, the live index and the end of
 * the file: records are appended under it, one positional write each, so they never interleave.
 * {@link GroupCommit} guards the group commit at the power-loss level; its fsyncs run on a second
 * handle ({@link #syncer}) outside {@link #lock}, so appends go on meanwhile and share the next
 * one. Order: {@link #lock} before the group commit's, never the reverse. Whoever holds the sync
 * token (a leader, a compaction or {@link #close()}) owns {@link #syncer}.
 */
public final class FileOutboxStore implements OutboxStore {
  /**
   * Removed and damaged bytes are rewritten away once they exceed both this (1 MiB) and the live
   * bytes: below it a rewrite costs more than the space it saves; above it the file stays under
   * twice its live size plus 1 MiB.
   */
  static final long COMPACT_FLOOR_BYTES = 1024L * 1024L;
  /** Sequences per SENDING or REMOVE record (512 KiB), so no record nears the length cap. */
  static final int SEQUENCES_PER_RECORD = 64 * 1024;
  /** Bytes copied at a time by a compaction. */
  private static final int COPY_CHUNK = 64 * 1024;

  /** The life of a store; it may be opened again after {@link #CLOSED}. */
  private enum State {
    /** Not opened yet: every call but {@code open} is refused. */
    NEW,
    /** Open: records are appended. */
    OPEN,
    /** An fsync or a compaction failed: it vouches for nothing more until closed and reopened. */
    BROKEN,
    /** Closed: every call but {@code open} and {@code close} is refused. */
    CLOSED
  }

  /** Where the files are. */
  private final FileSystem fileSystem;
  /** The directory of the files. */
  private final Path directory;
  /** {@code <name>.journal}. */
  private final Path journalPath;
  /** {@code <name>.journal.tmp}: a compaction's new journal until it is moved over the old. */
  private final Path tempPath;
  /** {@code <name>.lock}. */
  private final Path lockPath;
  /** True at the power-loss level: {@code add} and {@code markSending} fsync. */
  private final boolean powerLoss;

  /** Guards the fields below it. */
  private final Object lock = new Object();
  /** Guarded by {@link #lock}. */
  private State state = State.NEW;
  /** Why the store is {@link State#BROKEN}. Guarded by {@link #lock}. */
  private @Nullable IOException broken;
  /** The claim on the journal while open. Guarded by {@link #lock}. */
  private @Nullable JournalLock claim;
  /** Appends, truncations and a compaction's reads. Guarded by {@link #lock}. */
  private @Nullable FileHandle writer;
  /** Live messages by sequence. Guarded by {@link #lock}. */
  private TreeMap<Long, LiveRecord> live = new TreeMap<Long, LiveRecord>();
  /** Sum of the live records' sizes. Guarded by {@link #lock}. */
  private long liveBytes;
  /** The last position saved, or null. Guarded by {@link #lock}. */
  private @Nullable String position;
  /** True when a failed write may have left bytes after {@link #end}. Guarded by {@link #lock}. */
  private boolean tailDirty;
  /** Garbage below which no compaction is tried (raised after one failed). Guarded by lock. */
  private long compactAt;
  /** Offset after the last intact record: where the next one goes. Written under {@link #lock}. */
  private volatile long end;

  /** The handle fsyncs go through; owned by the holder of the sync token. */
  private @Nullable FileHandle syncer;
  /** The group commit, on {@link #end} and {@link #syncer}. */
  private final GroupCommit commit = new GroupCommit(new GroupCommit.Journal() {
    @Override public long end() {
      return end;
    }

    @Override public @Nullable FileHandle syncer() {
      return syncer;
    }

    @Override public String path() {
      return journalPath.toString();
    }
  });

  /**
   * A store for the journal {@code name} in {@code directory}; nothing is touched before {@link
   * #open()}.
   *
   * @param fileSystem where the files are
   * @param directory their directory, created by {@code open} when missing
   * @param name the journal's name, already checked by {@code OutboxJournal}
   * @param powerLoss true to fsync each {@code add} and {@code markSending} (with group commit)
   */
  public FileOutboxStore(FileSystem fileSystem, Path directory, String name, boolean powerLoss) {
    this.fileSystem = fileSystem;
    this.directory = directory;
    this.journalPath = directory.resolve(name + ".journal");
    this.tempPath = directory.resolve(name + ".journal.tmp");
    this.lockPath = directory.resolve(name + ".lock");
    this.powerLoss = powerLoss;
  }

  @Override public Contents open() throws IOException {
    synchronized (lock) {
      if (state == State.OPEN || state == State.BROKEN) {
        throw new IllegalStateException("outbox journal " + journalPath + " is already open");
      }
      try {
        fileSystem.createDirectories(directory);
      } catch (IOException e) {
        throw new IOException("cannot create the directory of outbox journal " + journalPath
            + ": " + e.getMessage(), e);
      }
      JournalLock claimed = JournalLock.acquire(fileSystem, canonical(), lockPath);
      State before = state;
      try {
        Contents contents = load();
        claim = claimed;
        commit.opened(end);
        broken = null;
        state = State.OPEN;
        return contents;
      } catch (IOException | RuntimeException e) {
        closeHandles();
        claimed.release();
        state = before;
        throw e;
      }
    }
  }

  /** Reads, repairs and, when worthwhile, rewrites the journal. Under {@link #lock}. */
  private Contents load() throws IOException {
    live = new TreeMap<Long, LiveRecord>();
    liveBytes = 0;
    position = null;
    tailDirty = false;
    compactAt = 0;
    // A temp file is what a compaction killed before its move left: the journal is intact.
    try {
      fileSystem.delete(tempPath, false);
    } catch (IOException e) {
      throw new IOException("cannot delete " + tempPath + ", left by a compaction that did not"
          + " finish (" + e.getMessage() + "); outbox journal " + journalPath + " is unchanged", e);
    }
    if (!fileSystem.exists(journalPath)) {
      rewrite();
      return Contents.empty();
    }
    FileHandle file = open(journalPath);
    writer = file;
    JournalReader read = JournalReader.read(file, journalPath.toString());
    live = read.live;
    liveBytes = read.liveBytes;
    position = read.position;
    if (read.headerMissing) {
      rewrite();
    } else {
      end = read.end;
      if (file.size() > end) file.resize(end);
      if (read.middleDamage || worthCompacting()) {
        rewrite();
      } else if (powerLoss) {
        openSyncer();
        commit.sync(file); // what an earlier process-death session wrote, and the cut tail
      }
    }
    List<StoredMessage> messages = new ArrayList<StoredMessage>(live.size());
    for (LiveRecord r : live.values()) {
      StoredMessage m = r.message;
      messages.add(m.sending() == r.sending ? m
          : new StoredMessage(m.sequence(), m.message(), m.acceptedAtEpochMillis(), r.sending));
      r.message = null;
    }
    return new Contents(messages, position, read.damage());
  }

  @Override public void add(StoredMessage message) throws IOException {
    byte[] record = JournalFormat.add(message);
    long written;
    int writtenIn;
    synchronized (lock) {
      checkUsable();
      if (live.containsKey(message.sequence())) {
        throw new IllegalArgumentException("outbox journal " + journalPath
            + " already holds sequence " + message.sequence());
      }
      long at = append(record);
      live.put(message.sequence(), new LiveRecord(at, record.length, message.sending(), null));
      liveBytes += record.length;
      written = end;
      writtenIn = commit.generation();
    }
    if (powerLoss) commit.awaitSynced(written, writtenIn);
  }

  /**
   * All of {@code messages} in one write (and, at the power-loss level, one share of one fsync):
   * a burst from {@code Connection.sendAll} costs one sync, not one per message.
   */
  @Override public void addAll(List<StoredMessage> messages) throws IOException {
    if (messages.isEmpty()) return;
    byte[][] records = new byte[messages.size()][];
    int total = 0;
    for (int i = 0; i < records.length; i++) {
      records[i] = JournalFormat.add(messages.get(i));
      total += records[i].length;
    }
    byte[] all = new byte[total];
    int at = 0;
    for (byte[] record : records) {
      System.arraycopy(record, 0, all, at, record.length);
      at += record.length;
    }
    long written;
    int writtenIn;
    synchronized (lock) {
      checkUsable();
      Set<Long> batch = new HashSet<Long>();
      for (StoredMessage m : messages) {
        if (live.containsKey(m.sequence()) || !batch.add(m.sequence())) {
          throw new IllegalArgumentException("outbox journal " + journalPath
              + " already holds sequence " + m.sequence());
        }
      }
      long offset = append(all);
      for (int i = 0; i < records.length; i++) {
        StoredMessage m = messages.get(i);
        live.put(m.sequence(), new LiveRecord(offset, records[i].length, m.sending(), null));
        liveBytes += records[i].length;
        offset += records[i].length;
      }
      written = end;
      writtenIn = commit.generation();
    }
    if (powerLoss) commit.awaitSynced(written, writtenIn);
  }

  @Override public void markSending(long[] sequences) throws IOException {
    checkSequences(sequences);
    long written;
    int writtenIn;
    synchronized (lock) {
      checkUsable();
      appendSequences(JournalFormat.SENDING, sequences);
      for (long s : sequences) {
        LiveRecord r = live.get(s);
        if (r != null) r.sending = true;
      }
      written = end;
      writtenIn = commit.generation();
    }
    if (powerLoss) commit.awaitSynced(written, writtenIn);
  }

  @Override public void remove(long[] sequences) throws IOException {
    checkSequences(sequences);
    synchronized (lock) {
      checkUsable();
      appendSequences(JournalFormat.REMOVE, sequences);
      for (long s : sequences) {
        LiveRecord r = live.remove(s);
        if (r != null) liveBytes -= r.size;
      }
      if (!worthCompacting()) return;
      long garbage = garbageBytes();
      try {
        compact();
      } catch (IOException e) {
        compactAt = 2 * garbage;
        throw new IOException("outbox journal " + journalPath + ": the removal was recorded, but"
            + " compacting " + garbage + " bytes of removed records failed (" + e.getMessage()
            + "); the next try is at " + compactAt + " bytes", e);
      }
    }
  }

  @Override public void savePosition(String position) throws IOException {
    if (position == null) throw new NullPointerException("position == null");
    byte[] record = JournalFormat.position(position);
    synchronized (lock) {
      checkUsable();
      append(record);
      this.position = position;
    }
  }

  @Override public void close() throws IOException {
    synchronized (lock) {
      if (state == State.NEW || state == State.CLOSED) return;
      IOException failure = null;
      commit.takeToken();
      IOException failedSync = commit.failure();
      // Cut away what a failed fsync left unsynced even when no call came after it.
      if (state == State.OPEN && failedSync != null) breakAfterSyncFailure(failedSync);
      try {
        if (powerLoss && state == State.OPEN && syncer != null) commit.sync(syncer);
      } catch (IOException e) {
        failure = new IOException("outbox journal " + journalPath + ": the sync at close failed"
            + " (" + e.getMessage() + "); what was removed or saved since the last sync may come"
            + " back after a power loss", e);
      }
      commit.closed(failure == null && state == State.OPEN ? end : -1);
      closeHandles();
      if (claim != null) claim.release();
      claim = null;
      live = new TreeMap<Long, LiveRecord>();
      state = State.CLOSED;
      if (failure != null) throw failure;
    }
  }

  /** fsyncs done so far, for measurements and tests. */
  long syncCount() {
    return commit.count();
  }


  @Override public String toString() {
    return "OutboxJournal{" + journalPath + ", " + (powerLoss ? "POWER_LOSS" : "PROCESS_DEATH")
        + "}";
  }

  private static void checkSequences(long[] sequences) {
    if (sequences == null) throw new NullPointerException("sequences == null");
    if (sequences.length == 0) throw new IllegalArgumentException("no sequences given");
  }

  /** Refuses calls in the wrong state. Under {@link #lock}. */
  private void checkUsable() throws IOException {
    if (state == State.NEW) {
      throw new IllegalStateException("outbox journal " + journalPath + " is not open");
    }
    if (state == State.CLOSED) {
      throw new IllegalStateException("outbox journal " + journalPath + " is closed");
    }
    if (state == State.OPEN) {
      IOException failed = commit.failure();
      if (failed != null) breakAfterSyncFailure(failed);
    }
    if (state == State.BROKEN) throw new IOException(broken.getMessage(), broken);
  }

  /**
   * After a failed fsync the kernel may have dropped the unsynced pages and a later fsync could
   * report success for data never written, so, as databases do, the store stops vouching: what
   * was written since the last good sync is cut away (every add waiting for it has thrown) and
   * every call fails until the store is closed and opened again, which re-reads and checks what
   * the file really holds. Under {@link #lock}.
   */
  private void breakAfterSyncFailure(IOException failure) {
    long keep = commit.syncedEnd();
    String cut;
    try {
      writer.resize(keep);
      cut = "the " + (end - keep) + " bytes written since the last good sync were cut away";
      end = keep;
    } catch (IOException e) {
      cut = "cutting away the " + (end - keep) + " bytes written since the last good sync failed"
          + " too (" + e.getMessage() + "): they may be restored after a restart";
    }
    state = State.BROKEN;
    broken = new IOException("outbox journal " + journalPath + " failed to sync ("
        + failure.getMessage() + "); " + cut + "; it records nothing more until it is closed and"
        + " opened again", failure);
  }

  /**
   * Writes {@code record} after the last intact one with one positional write, and returns where
   * it went. A failed write is cut back, so the next append starts clean. Under {@link #lock}.
   */
  private long append(byte[] record) throws IOException {
    FileHandle file = writer;
    long at = end;
    try {
      if (tailDirty) {
        file.resize(at);
        tailDirty = false;
      }
      write(file, at, record, 0, record.length);
    } catch (IOException e) {
      try {
        file.resize(at);
      } catch (IOException again) {
        tailDirty = true;
      }
      throw new IOException("cannot write a record of " + record.length + " bytes to outbox"
          + " journal " + journalPath + " at offset " + at + " (" + e.getMessage() + "); the"
          + " journal keeps everything before it", e);
    }
    end = at + record.length;
    return at;
  }

  /** Appends SENDING or REMOVE records for {@code sequences}. Under {@link #lock}. */
  private void appendSequences(byte type, long[] sequences) throws IOException {
    for (int from = 0; from < sequences.length; from += SEQUENCES_PER_RECORD) {
      int to = Math.min(sequences.length, from + SEQUENCES_PER_RECORD);
      append(JournalFormat.sequences(type, sequences, from, to));
    }
  }

  private long garbageBytes() {
    return end - HEADER_BYTES - liveBytes;
  }

  /** Whether removed and damaged bytes exceed both the floor and the live bytes. */
  private boolean worthCompacting() {
    long garbage = garbageBytes();
    return garbage > COMPACT_FLOOR_BYTES && garbage > liveBytes && garbage >= compactAt;
  }

  /** Rewrites the journal while holding the sync token. Under {@link #lock}. */
  private void compact() throws IOException {
    commit.takeToken();
    boolean rewritten = false;
    try {
      rewrite();
      rewritten = true;
    } finally {
      commit.compacted(rewritten, end);
    }
  }

  /**
   * Writes the live records, the sending marks and the position to the temp file, syncs it and
   * moves it over the journal. A crash before the move leaves the old journal (and a temp file
   * the next open deletes); the move is atomic; after it the new journal is complete, as it was
   * synced first. Under {@link #lock}, with the sync token or before anyone can sync.
   */
  private void rewrite() throws IOException {
    long[] offsets = new long[live.size()];
    List<Long> sending = new ArrayList<Long>();
    long p;
    FileHandle temp = null;
    try {
      temp = fileSystem.openReadWrite(tempPath, true, false);
      byte[] header = JournalFormat.header();
      write(temp, 0, header, 0, header.length);
      p = header.length;
      byte[] chunk = new byte[COPY_CHUNK];
      int filled = 0;
      int i = 0;
      for (Map.Entry<Long, LiveRecord> e : live.entrySet()) {
        LiveRecord r = e.getValue();
        if (filled + r.size > chunk.length) {
          write(temp, p, chunk, 0, filled);
          p += filled;
          filled = 0;
          if (r.size > chunk.length) chunk = new byte[r.size];
        }
        readFully(writer, r.offset, chunk, filled, r.size);
        offsets[i++] = p + filled;
        filled += r.size;
        if (r.sending) sending.add(e.getKey());
      }
      write(temp, p, chunk, 0, filled);
      p += filled;
      long[] marked = new long[sending.size()];
      for (int k = 0; k < marked.length; k++) marked[k] = sending.get(k);
      for (int from = 0; from < marked.length; from += SEQUENCES_PER_RECORD) {
        byte[] record = JournalFormat.sequences(JournalFormat.SENDING, marked, from,
            Math.min(marked.length, from + SEQUENCES_PER_RECORD));
        write(temp, p, record, 0, record.length);
        p += record.length;
      }
      if (position != null) {
        byte[] record = JournalFormat.position(position);
        write(temp, p, record, 0, record.length);
        p += record.length;
      }
      commit.sync(temp);
    } catch (IOException | RuntimeException e) {
      closeQuietly(temp);
      deleteQuietly(tempPath);
      throw new IOException("cannot write outbox journal " + tempPath + " (" + e.getMessage()
          + "); " + journalPath + (writer != null ? " is unchanged" : " was not created"), e);
    }
    temp.close();
    closeHandles();
    try {
      fileSystem.atomicMove(tempPath, journalPath);
    } catch (IOException e) {
      deleteQuietly(tempPath);
      reopenOrBreak(e);
      throw new IOException("cannot move " + tempPath + " over outbox journal " + journalPath
          + " (" + e.getMessage() + "); the journal is unchanged", e);
    }
    reopenOrBreak(null);
    // An fsync of the moved file commits the rename too on ext4 and f2fs; Java 8 and Android
    // 21 have no way to fsync the directory itself (docs: what each durability level survives).
    if (powerLoss && writer != null) commit.sync(writer);
    int i = 0;
    for (LiveRecord r : live.values()) r.offset = offsets[i++];
    end = p;
    tailDirty = false;
    compactAt = 0;
  }

  /** Opens the handles on the journal again; when that fails the store is broken. */
  private void reopenOrBreak(@Nullable IOException cause) throws IOException {
    try {
      writer = open(journalPath);
      if (powerLoss) openSyncer();
    } catch (IOException e) {
      closeHandles();
      state = State.BROKEN;
      broken = new IOException("cannot open outbox journal " + journalPath + " again after"
          + " rewriting it (" + e.getMessage() + "); it records nothing more until it is closed"
          + " and opened again", e);
      if (cause != null) broken.addSuppressed(cause);
      throw broken;
    }
  }

  private void openSyncer() throws IOException {
    syncer = open(journalPath);
  }

  private FileHandle open(Path path) throws IOException {
    try {
      return fileSystem.openReadWrite(path, false, true);
    } catch (IOException e) {
      throw new IOException("cannot open outbox journal " + path + " for writing: "
          + e.getMessage(), e);
    }
  }

  /** The journal's path with its directory canonical, so two spellings share one claim. */
  private Path canonical() {
    try {
      return fileSystem.canonicalize(directory).resolve(journalPath.name());
    } catch (IOException e) {
      return journalPath;
    }
  }

  private void closeHandles() {
    closeQuietly(writer);
    writer = null;
    closeQuietly(syncer);
    syncer = null;
  }

  private void deleteQuietly(Path path) {
    try {
      fileSystem.delete(path, false);
    } catch (IOException ignored) {
      // The next open deletes it.
    }
  }

  private static void closeQuietly(@Nullable FileHandle file) {
    if (file == null) return;
    try {
      file.close();
    } catch (IOException ignored) {
      // Every write went through positional writes that already returned.
    }
  }

  /** {@code FileHandle.write} throws IOException without declaring it (Kotlin); this does. */
  private static void write(FileHandle file, long at, byte[] bytes, int offset, int count)
      throws IOException {
    file.write(at, bytes, offset, count);
  }

  private static void readFully(FileHandle file, long at, byte[] into, int offset, int count)
      throws IOException {
    int done = 0;
    while (done < count) {
      int read = file.read(at + done, into, offset + done, count - done);
      if (read < 0) {
        throw new IOException("outbox journal ended at offset " + (at + done) + ", inside a"
            + " record of " + count + " bytes at offset " + at);
      }
      done += read;
    }
  }
}
