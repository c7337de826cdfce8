package dev.lifeline.testing;

import java.io.Closeable;
import java.io.IOException;
import java.net.Socket;

/** Ending what a test server started: sockets closed or reset, threads joined against a bound. */
public final class Stopping {
  private Stopping() {}

  /** Closes {@code c}, ignoring that it may be closed already. */
  public static void closeQuietly(Closeable c) {
    try {
      c.close();
    } catch (IOException ignored) {
      // Already closed.
    }
  }

  /** Closes {@code s} with SO_LINGER 0: the peer gets a TCP RST, not a FIN. */
  public static void resetQuietly(Socket s) {
    try {
      s.setSoLinger(true, 0);
    } catch (IOException ignored) {
      // Already closed: nothing to reset.
    }
    closeQuietly(s);
  }

  /**
   * Waits up to {@code millis} for {@code t} to end.
   *
   * @throws IOException naming the thread if it still runs then: the server leaked it.
   */
  public static void join(Thread t, long millis) throws IOException {
    try {
      t.join(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (t.isAlive()) throw new IOException("'" + t.getName() + "' still runs after close()");
  }
}
