package dev.lifeline.internal;

/**
 * Bounds the received bytes of one connection that wait for the app's listener, across all its
 * transports (docs/behaviour.md, "Inbound backpressure"). When the bound is reached, the
 * transport's reader thread waits here, so it stops reading the socket and TCP's own flow control
 * slows the server down: a flood of messages, or a listener slower than the network, costs at
 * most the bound in memory instead of growing until the app crashes.
 *
 * <p>The bound is the connection's, not a transport's: messages of a replaced transport still
 * waiting behind a slow listener keep counting, so reconnecting under a stuck listener cannot pile
 * up one bound per attempt. Each transport enters through its own {@link Admission}, which is
 * closed when the transport is let go, releasing its reader.
 */
final class InboundGate {
  /** One transport's way in; closing it releases that transport's waiting reader. */
  final class Admission {
    /** Set when the transport is let go: its reader gives up. Guarded by the gate. */
    private boolean closed;

    /**
     * Called on the transport's reader thread before a message is handed on. Blocks while the
     * bound would be exceeded; returns false (drop the message) if this admission closed or the
     * thread was interrupted while waiting.
     */
    boolean enter(long bytes) {
      synchronized (InboundGate.this) {
        while (!closed && pendingBytes > 0 && pendingBytes + bytes > limitBytes) {
          try {
            InboundGate.this.wait();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
          }
        }
        if (closed) return false;
        pendingBytes += bytes;
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
  /** Bytes entered and not yet left. Guarded by this. */
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
    pendingBytes -= bytes;
    notifyAll();
  }

  synchronized long pendingBytes() {
    return pendingBytes;
  }
}
