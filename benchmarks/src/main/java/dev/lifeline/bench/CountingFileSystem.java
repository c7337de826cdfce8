package dev.lifeline.bench;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicLong;
import okio.FileHandle;
import okio.FileSystem;
import okio.ForwardingFileSystem;
import okio.Path;

/**
 * {@link FileSystem#SYSTEM} with a count of fsyncs: every {@link FileHandle#flush()} of a
 * read-write handle (on the JVM, {@code FileDescriptor.sync()}). The journal benchmark hands it to
 * {@code OutboxJournal.Builder.fileSystem}, so it reads the fsyncs through Okio's public API
 * rather than the store's private counters. It costs a forwarding call per read, write and flush,
 * nothing beside a system call; off {@code FileSystem.SYSTEM} the journal's lock keeps out other
 * stores of this process only, which is all a benchmark needs.
 */
final class CountingFileSystem extends ForwardingFileSystem {
  /** fsyncs since this file system was made, on every handle it opened. */
  final AtomicLong fsyncs = new AtomicLong();

  CountingFileSystem() {
    super(FileSystem.SYSTEM);
  }

  @Override public FileHandle openReadWrite(Path file, boolean mustCreate, boolean mustExist)
      throws IOException {
    return new CountingHandle(super.openReadWrite(file, mustCreate, mustExist));
  }

  /** A read-write handle forwarding to the system's, counting its flushes. */
  private final class CountingHandle extends FileHandle {
    /** The system's handle. */
    private final FileHandle delegate;

    CountingHandle(FileHandle delegate) {
      super(true);
      this.delegate = delegate;
    }

    @Override protected int protectedRead(long fileOffset, byte[] array, int arrayOffset,
        int byteCount) throws IOException {
      return delegate.read(fileOffset, array, arrayOffset, byteCount);
    }

    @Override protected void protectedWrite(long fileOffset, byte[] array, int arrayOffset,
        int byteCount) {
      delegate.write(fileOffset, array, arrayOffset, byteCount);
    }

    @Override protected void protectedFlush() throws IOException {
      delegate.flush();
      fsyncs.incrementAndGet();
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
}
