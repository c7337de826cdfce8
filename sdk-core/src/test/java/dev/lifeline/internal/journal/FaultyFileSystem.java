package dev.lifeline.internal.journal;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;
import okio.FileHandle;
import okio.FileSystem;
import okio.ForwardingFileSystem;
import okio.Path;

/**
 * The system file system with faults on demand: a disk that fills up after a byte budget (the
 * write that crosses it writes what fits, then fails, as a real one does), fsyncs that fail or
 * take time, and a directory that cannot be written.
 */
final class FaultyFileSystem extends ForwardingFileSystem {
  /** Bytes that may still be written; negative for no limit. */
  volatile long writeBudget = -1;
  /** When true, every fsync fails. */
  volatile boolean failSync;
  /** Each fsync sleeps this long first, so that concurrent adds pile up behind it. */
  volatile long syncMillis;
  /** When true, nothing may be created, moved or deleted (a read-only directory). */
  volatile boolean readOnlyDirectory;
  /** fsyncs that reached the disk. */
  final AtomicInteger syncs = new AtomicInteger();

  FaultyFileSystem() {
    super(FileSystem.SYSTEM);
  }

  @Override public FileHandle openReadWrite(Path file, boolean mustCreate, boolean mustExist)
      throws IOException {
    if (readOnlyDirectory && (mustCreate || !exists(file))) {
      throw new IOException(file + ": Permission denied");
    }
    return new Handle(super.openReadWrite(file, mustCreate, mustExist));
  }

  @Override public void createDirectory(Path dir, boolean mustCreate) throws IOException {
    if (readOnlyDirectory) throw new IOException(dir + ": Permission denied");
    super.createDirectory(dir, mustCreate);
  }

  @Override public void atomicMove(Path source, Path target) throws IOException {
    if (readOnlyDirectory) throw new IOException(target + ": Permission denied");
    super.atomicMove(source, target);
  }

  @Override public void delete(Path path, boolean mustExist) throws IOException {
    if (readOnlyDirectory && exists(path)) throw new IOException(path + ": Permission denied");
    super.delete(path, mustExist);
  }

  /** A handle whose writes and fsyncs obey the faults. */
  private final class Handle extends FileHandle {
    /** The real handle. */
    private final FileHandle delegate;

    Handle(FileHandle delegate) {
      super(true);
      this.delegate = delegate;
    }

    @Override protected void protectedWrite(long offset, byte[] array, int arrayOffset,
        int byteCount) {
      long budget = writeBudget;
      if (budget >= 0 && byteCount > budget) {
        delegate.write(offset, array, arrayOffset, (int) budget);
        writeBudget = 0;
        throw sneaky(new IOException("No space left on device"));
      }
      if (budget >= 0) writeBudget = budget - byteCount;
      delegate.write(offset, array, arrayOffset, byteCount);
    }

    @Override protected void protectedFlush() throws IOException {
      if (syncMillis > 0) {
        try {
          Thread.sleep(syncMillis); // stands for the device's fsync latency
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      if (failSync) throw new IOException("Input/output error");
      delegate.flush();
      syncs.incrementAndGet();
    }

    @Override protected int protectedRead(long offset, byte[] array, int arrayOffset,
        int byteCount) throws IOException {
      return delegate.read(offset, array, arrayOffset, byteCount);
    }

    @Override protected void protectedResize(long size) throws IOException {
      delegate.resize(size);
    }

    @Override protected long protectedSize() throws IOException {
      return delegate.size();
    }

    @Override protected void protectedClose() throws IOException {
      delegate.close();
    }
  }

  @SuppressWarnings("unchecked")
  private static <T extends Throwable> RuntimeException sneaky(Throwable t) throws T {
    throw (T) t;
  }
}
