package dev.lifeline.internal;

import dev.lifeline.Clock;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * How long one transport's reader was free to read: the time it spent blocked in the socket,
 * waiting for bytes. Time the inbound bound held the reader, time it spent handing a message on,
 * and time it was runnable but not scheduled after a read returned are not in it. A verdict that
 * the server went quiet (a missing pong, server silence) is only given over time counted here, so
 * a slow app or a busy machine is never taken for a dead server (docs/behaviour.md, "Protocol
 * pings").
 *
 * <p>The engine creates one per attempt and reads it on its lane; the transport's reader thread
 * calls {@link #waiting()} before each blocking read of the socket and {@link #woke()} after it.
 * A transport that cannot measure (it does not read the socket itself) never calls {@link
 * #measured()}, and {@link #freeMillis()} stays -1.
 */
public final class ReadWaits {
  /** The engine's clock, so that virtual time and Android's sleep-counting clock both apply. */
  private final Clock clock;
  /** Set once the transport said it measures. Guarded by this. */
  private boolean measured;
  /** Milliseconds of the waits that ended. Guarded by this. */
  private long endedWaitsMillis;
  /** When the wait in progress began, or -1 when the reader is not waiting. Guarded by this. */
  private long waitingSinceMillis = -1;

  public ReadWaits(Clock clock) {
    this.clock = clock;
  }

  /** The transport will call {@link #waiting()} and {@link #woke()} around its socket reads. */
  public synchronized void measured() {
    measured = true;
  }

  /**
   * {@code in} with every read counted as a wait: the stream a transport's reader reads the socket
   * through. Marks this as {@link #measured()}.
   */
  public InputStream watch(InputStream in) {
    measured();
    return new FilterInputStream(in) {
      @Override public int read() throws IOException {
        waiting();
        try {
          return super.read();
        } finally {
          woke();
        }
      }

      @Override public int read(byte[] b, int off, int len) throws IOException {
        waiting();
        try {
          return super.read(b, off, len);
        } finally {
          woke();
        }
      }
    };
  }

  /** On the reader thread, right before a read that may block. */
  public synchronized void waiting() {
    if (waitingSinceMillis < 0) waitingSinceMillis = clock.elapsedMillis();
  }

  /** On the reader thread, right after that read returned (or threw). */
  public synchronized void woke() {
    if (waitingSinceMillis < 0) return;
    endedWaitsMillis += Math.max(0, clock.elapsedMillis() - waitingSinceMillis);
    waitingSinceMillis = -1;
  }

  /**
   * Milliseconds the reader spent waiting for the socket so far, the wait in progress included up
   * to now; -1 when the transport does not measure. Never decreases.
   */
  public synchronized long freeMillis() {
    if (!measured) return -1;
    long now = clock.elapsedMillis();
    return endedWaitsMillis + (waitingSinceMillis < 0 ? 0 : Math.max(0, now - waitingSinceMillis));
  }
}
