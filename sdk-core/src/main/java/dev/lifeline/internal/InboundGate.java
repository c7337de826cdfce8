package dev.lifeline.internal;

/**
 * Bounds the received bytes of one transport that wait for the app's listener. When the bound is
 * reached, the transport's reader thread waits here, so it stops reading the socket and TCP's own
 * flow control slows the server down: a flood of messages, or a listener slower than the network,
 * costs at most the bound in memory instead of growing until the app crashes.
 */
final class InboundGate {
  /** Most bytes waiting at once; a single larger message is still let through alone. */
  private final long limitBytes;
  /** Bytes entered and not yet left. Guarded by this. */
  private long pendingBytes;
  /** Set when the transport is abandoned: waiters give up. Guarded by this. */
  private boolean closed;

  InboundGate(long limitBytes) {
    this.limitBytes = limitBytes;
  }

  /**
   * Called on the transport's reader thread before a message is handed on. Blocks while the bound
   * would be exceeded; returns false (drop the message) if the gate closed or the thread was
   * interrupted while waiting.
   */
  synchronized boolean enter(long bytes) {
    while (!closed && pendingBytes > 0 && pendingBytes + bytes > limitBytes) {
      try {
        wait();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    if (closed) return false;
    pendingBytes += bytes;
    return true;
  }

  /** The message that entered with {@code bytes} was handled (delivered, consumed or dropped). */
  synchronized void leave(long bytes) {
    pendingBytes -= bytes;
    notifyAll();
  }

  /** The transport was abandoned: release every waiting reader. */
  synchronized void close() {
    closed = true;
    notifyAll();
  }

  synchronized long pendingBytes() {
    return pendingBytes;
  }
}
