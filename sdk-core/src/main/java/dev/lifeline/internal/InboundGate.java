package dev.lifeline.internal;

/**
 * Bounds the received bytes of one connection that wait for the app's listener, across all its
 * transports (docs/behaviour.md, "Inbound backpressure"). When the bound is reached, the
 * transport's reader thread waits here, so it stops reading the socket and TCP's own flow control
 * slows the server down: a flood of messages, or a listener slower than the network, costs at
 * most the bound in memory instead of growing until the app crashes. Time a reader waits here is
 * not time it was free to read ({@link ReadWaits}), so no keep-alive verdict counts it: the data
 * it has not read may hold the pong or the server heartbeat a check is waiting for.
 *
 * <p>The bound is the connection's, not a transport's: messages of a replaced transport still
 * waiting behind a slow listener keep counting, so reconnecting under a stuck listener cannot pile
 * up one bound per attempt. Each transport enters through its own {@link Admission}, which is
 * closed when the transport is let go, releasing its reader.
 *
 * <p>Each message counts its payload bytes plus {@value #MESSAGE_OVERHEAD_BYTES}, what a waiting
 * message costs beyond its payload, so a flood of empty or tiny messages pauses the reader too
 * instead of costing nothing against the bound.
 */
final class InboundGate {
  /**
   * What one waiting message costs in memory besides its payload: its {@link dev.lifeline.Message},
   * the tasks that carry it across lanes and their queue slots. Measured at about 110 bytes for a
   * message waiting in one lane's queue (64-bit JVM, compressed references), more while it is
   * handed from lane to lane; 128 errs on the high side.
   */
  static final long MESSAGE_OVERHEAD_BYTES = 128;

  /** One transport's way in; closing it releases that transport's waiting reader. */
  final class Admission {
    /** Set when the transport is let go: its reader gives up. Guarded by the gate. */
    private boolean closed;

    /**
     * Called on the transport's reader thread before a message of {@code bytes} payload bytes is
     * handed on. Blocks while the bound would be exceeded; returns false (drop the message) if
     * this admission closed or the thread was interrupted while waiting.
     */
    boolean enter(long bytes) {
      long cost = cost(bytes);
      synchronized (InboundGate.this) {
        try {
          while (!closed && pendingBytes > 0 && pendingBytes + cost > limitBytes) {
            InboundGate.this.wait();
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
        if (closed) return false;
        pendingBytes += cost;
        return true;
      }
    }

    /** The transport was let go: release its waiting reader. */
    void close() {
      synchronized (InboundGate.this) {
        closed = true;
        InboundGate.this.notifyAll();
      }
    }
  }

  /** Most bytes waiting at once; a single larger message is still let through alone. */
  private final long limitBytes;
  /**
   * Bytes entered and not yet left, {@link #MESSAGE_OVERHEAD_BYTES} per message included. Guarded
   * by this.
   */
  private long pendingBytes;

  InboundGate(long limitBytes) {
    this.limitBytes = limitBytes;
  }

  /** The way in for one new transport. */
  Admission admission() {
    return new Admission();
  }

  /** The message that entered with {@code bytes} was handled (delivered, consumed or dropped). */
  synchronized void leave(long bytes) {
    pendingBytes -= cost(bytes);
    notifyAll();
  }

  /** What a message of {@code bytes} payload bytes counts against the bound. */
  static long cost(long bytes) {
    return bytes + MESSAGE_OVERHEAD_BYTES;
  }

  synchronized long pendingBytes() {
    return pendingBytes;
  }
}
