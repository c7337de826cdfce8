package dev.lifeline.internal.journal;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;
import okio.FileSystem;
import okio.Path;
import org.jspecify.annotations.Nullable;

/**
 * One journal's exclusive claim: an entry in this process's registry (per {@link FileSystem},
 * by canonical path) and, on {@link FileSystem#SYSTEM}, an OS lock ({@code FileChannel.tryLock})
 * on the lock file, which other processes see. Other file systems (test fakes) have no OS lock.
 * The lock file is never deleted: deleting it would let a second client lock a new file while
 * the first still holds the old one.
 */
final class JournalLock {
  /** Journals claimed in this process, per file system. Guarded by itself. */
  private static final Map<FileSystem, Set<Path>> CLAIMED =
      new IdentityHashMap<FileSystem, Set<Path>>();

  /** The file system of {@link #journal}. */
  private final FileSystem fileSystem;
  /** The claimed journal. */
  private final Path journal;
  /** The open lock file, or null off {@link FileSystem#SYSTEM}. */
  private final @Nullable RandomAccessFile lockFile;
  /** The OS lock, or null off {@link FileSystem#SYSTEM}. */
  private final @Nullable FileLock osLock;

  private JournalLock(FileSystem fileSystem, Path journal, @Nullable RandomAccessFile lockFile,
      @Nullable FileLock osLock) {
    this.fileSystem = fileSystem;
    this.journal = journal;
    this.lockFile = lockFile;
    this.osLock = osLock;
  }

  /**
   * Claims {@code journal}, whose lock file is {@code lockPath}.
   *
   * @throws IOException when another client holds it, or the lock file cannot be made
   */
  static JournalLock acquire(FileSystem fileSystem, Path journal, Path lockPath)
      throws IOException {
    synchronized (CLAIMED) {
      Set<Path> claimed = CLAIMED.get(fileSystem);
      if (claimed != null && claimed.contains(journal)) {
        throw inUse(journal, "another OutboxStore in this process has it open");
      }
      RandomAccessFile file = null;
      FileLock lock = null;
      if (fileSystem == FileSystem.SYSTEM) {
        try {
          file = new RandomAccessFile(lockPath.toFile(), "rw");
          lock = file.getChannel().tryLock();
        } catch (OverlappingFileLockException e) {
          closeQuietly(file);
          throw inUse(journal, "this process holds the lock on " + lockPath);
        } catch (IOException e) {
          closeQuietly(file);
          throw new IOException("cannot lock outbox journal " + journal + " with lock file "
              + lockPath + ": " + e.getMessage(), e);
        }
        if (lock == null) {
          closeQuietly(file);
          throw inUse(journal, "another process holds the lock on " + lockPath);
        }
      }
      if (claimed == null) {
        claimed = new HashSet<Path>();
        CLAIMED.put(fileSystem, claimed);
      }
      claimed.add(journal);
      return new JournalLock(fileSystem, journal, file, lock);
    }
  }

  private static IOException inUse(Path journal, String why) {
    return new IOException("outbox journal " + journal + " is in use by another client (" + why
        + "); a journal serves one connection at a time: close the other first, or give this one"
        + " its own name");
  }

  /** Gives the claim up; the OS lock goes with the lock file's descriptor. */
  void release() {
    synchronized (CLAIMED) {
      Set<Path> claimed = CLAIMED.get(fileSystem);
      if (claimed != null && claimed.remove(journal) && claimed.isEmpty()) {
        CLAIMED.remove(fileSystem);
      }
      if (osLock != null) {
        try {
          osLock.release();
        } catch (IOException ignored) {
          // Closing the file below releases it as well.
        }
      }
      closeQuietly(lockFile);
    }
  }

  private static void closeQuietly(@Nullable RandomAccessFile file) {
    if (file == null) return;
    try {
      file.close();
    } catch (IOException ignored) {
      // Nothing was written to it; the descriptor is gone either way.
    }
  }
}
