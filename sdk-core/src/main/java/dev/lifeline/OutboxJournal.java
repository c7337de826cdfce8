package dev.lifeline;

import dev.lifeline.internal.journal.FileOutboxStore;
import java.io.File;
import java.util.regex.Pattern;
import okio.FileSystem;
import okio.Path;

/**
 * Lifeline's own {@link OutboxStore}: an append-only journal file, checksummed, compacted and
 * locked. {@code ConnectionOptions.Builder#journal} uses it with the defaults:
 *
 * <pre>{@code
 * OutboxStore store = OutboxJournal.builder(new File(dataDir, "lifeline"), "chat")
 *     .durability(OutboxJournal.Durability.POWER_LOSS)
 *     .build();
 * ConnectionOptions options = ConnectionOptions.builder("wss://example.com/chat")
 *     .outboxStore(store)
 *     .build();
 * }</pre>
 *
 * <p><b>Files.</b> In {@code directory} (created when missing): {@code <name>.journal}, the
 * journal; {@code <name>.lock}, locked while a store has the journal open (another store, in this
 * process or another, is refused with "outbox journal ... is in use by another client"); and,
 * briefly, {@code <name>.journal.tmp} during a compaction. Give each connection its own name.
 *
 * <p><b>Format</b> (version 1): a 12-byte header ({@code LLOUTBOX} and the version), then
 * records, each a 4-byte marker, a length, a type, a body and a CRC32: ADD (sequence, accepted
 * time, id, text or binary payload), SENDING and REMOVE (sequences) and POSITION (the inbound
 * stream position). A record is at most 64 MiB; a larger message is refused by {@code add}.
 *
 * <p><b>Damage</b> is reported through {@link OutboxStore.Contents#damage()}, never hidden, and
 * intact records are never dropped: a torn or corrupt tail is cut away after every intact record
 * before it is restored; flipped bytes in the middle are skipped (the reader finds the next
 * record by its marker) and the records after them restored; an empty file is reported and
 * started afresh. A journal of a newer format version, or a file that is not a journal, is
 * refused with an {@link java.io.IOException} naming it, and left byte for byte as it was.
 *
 * <p><b>Compaction.</b> Once removed records take more than 1 MiB and more than the live ones,
 * the live records are written to a new file, synced and moved over the journal in one atomic
 * rename: a crash at any moment leaves either the old or the new journal whole.
 *
 * <p><b>Errors.</b> A full disk or an I/O error makes {@code add} throw (so {@code send} returns
 * false) with the journal's path and the cause, never the payload; the file is cut back to its
 * last intact record, so what was recorded before stays and later records are clean.
 */
public final class OutboxJournal {
  /** What a name may be: a file name without a path, 1 to 64 chars. */
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  private OutboxJournal() {}

  /** What a recorded message survives once {@code add} (and so {@code send}) returned. */
  public enum Durability {
    /**
     * The process dying: {@code add} and {@code markSending} return once the record was handed
     * to the operating system in one write call, with nothing left in a buffer of the process.
     * It survives {@code kill -9}, a crash, and Android killing the app; the operating system
     * writes it to the device within its usual delay (seconds), so a power cut or a kernel crash
     * in that window loses the newest records (never older ones, and never the file's
     * integrity: a torn tail is cut away on open). Costs a few microseconds per message. The
     * default.
     */
    PROCESS_DEATH,
    /**
     * The machine losing power: in addition, the journal is fsynced before {@code add} and
     * {@code markSending} return, so the record is on the device. Concurrent calls share one
     * fsync (group commit): a burst from several threads costs about one fsync per round, not
     * one per message. An fsync costs from a fraction of a millisecond to tens of milliseconds,
     * depending on the device. Removals and positions are written without an fsync (losing one
     * only brings a settled message back, which the server drops by its id). If an fsync fails
     * the store refuses every call until it is closed and opened again.
     */
    POWER_LOSS
  }

  /**
   * Starts a journal named {@code name} in {@code directory}.
   *
   * @param directory where its files go; created when missing. On Android, {@code
   *     LifelineAndroid.journal} picks one under {@code noBackupFilesDir}.
   * @param name 1 to 64 characters of {@code [A-Za-z0-9._-]}, the same across restarts
   * @return a builder
   * @throws IllegalArgumentException when the name has other characters or another length
   */
  public static Builder builder(File directory, String name) {
    if (directory == null) throw new NullPointerException("directory == null");
    if (name == null) throw new NullPointerException("name == null");
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("a journal name is 1 to 64 characters of"
          + " [A-Za-z0-9._-], was \"" + name + "\" (" + name.length() + " chars)");
    }
    return new Builder(directory, name);
  }

  /** Builds a journal {@link OutboxStore}. */
  public static final class Builder {
    /** The journal's directory. */
    private final File directory;
    /** The journal's name. */
    private final String name;
    /** What a record survives. */
    private Durability durability = Durability.PROCESS_DEATH;
    /** Where the files are. */
    private FileSystem fileSystem = FileSystem.SYSTEM;

    Builder(File directory, String name) {
      this.directory = directory;
      this.name = name;
    }

    /**
     * What a record survives once {@code add} returned [{@link Durability#PROCESS_DEATH}].
     *
     * @param durability the level
     * @return this builder
     */
    public Builder durability(Durability durability) {
      if (durability == null) throw new NullPointerException("durability == null");
      this.durability = durability;
      return this;
    }

    /**
     * The file system the journal lives on [{@link FileSystem#SYSTEM}]: tests pass a fake or a
     * failing one. Only on {@link FileSystem#SYSTEM} does the lock keep other processes out; on
     * any file system it keeps other stores of this process out.
     *
     * @param fileSystem the file system
     * @return this builder
     */
    public Builder fileSystem(FileSystem fileSystem) {
      if (fileSystem == null) throw new NullPointerException("fileSystem == null");
      this.fileSystem = fileSystem;
      return this;
    }

    /**
     * The store. Nothing is read or written before {@link OutboxStore#open()}.
     *
     * @return a new store on the journal
     */
    public OutboxStore build() {
      return new FileOutboxStore(fileSystem, Path.get(directory), name,
          durability == Durability.POWER_LOSS);
    }
  }
}
