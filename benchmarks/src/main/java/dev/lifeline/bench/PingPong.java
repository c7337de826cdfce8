package dev.lifeline.bench;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Sequential round trips driven from the reply callback: the callback that receives reply
 * {@code i} sends message {@code i + 1}, as an app answering its server does. So a round trip is
 * send → echo → callback, with no hand-off to a benchmark thread; the raw line client, which
 * reads on its sending thread, pays none either. One instance per round; a client's reply
 * callback forwards to the round in progress through {@link Replies}.
 */
final class PingPong {
  /** How a message goes out: Lifeline's send, or raw OkHttp's. */
  interface Sender {
    void send(String message);
  }

  /** A client's reply callback: forwards each reply to the round in progress. */
  static final class Replies {
    private volatile PingPong round;

    void arrived(String text) {
      PingPong r = round;
      if (r != null) r.reply(text);
    }
  }

  private final Sender sender;
  private final long[] nanos;
  private final CountDownLatch done = new CountDownLatch(1);
  /** Written by whichever thread sends (the starter, then reply callbacks, one at a time). */
  private int count;
  private long sentAt;
  private String expected;
  private volatile String failure;

  private PingPong(int n, Sender sender) {
    this.sender = sender;
    this.nanos = new long[n];
  }

  /** p50 in µs of {@code n} round trips over a client whose replies reach {@code replies}. */
  static double p50Micros(int n, Sender sender, Replies replies) throws InterruptedException {
    PingPong p = new PingPong(n, sender);
    replies.round = p;
    try {
      synchronized (p) {
        p.sendNext();
      }
      if (!p.done.await(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException("round trips stalled after " + p.completed() + " of " + n);
      }
      if (p.failure != null) throw new IllegalStateException(p.failure);
      return Rounds.percentileMicros(p.nanos, 50);
    } finally {
      replies.round = null;
    }
  }

  private synchronized int completed() {
    return count;
  }

  private synchronized void reply(String text) {
    long now = System.nanoTime();
    if (count >= nanos.length) return;
    if (!text.equals(expected)) {
      failure = "expected the echo of " + expected + ", got " + text;
      done.countDown();
      return;
    }
    nanos[count++] = now - sentAt;
    if (count == nanos.length) {
      done.countDown();
    } else {
      sendNext();
    }
  }

  private void sendNext() {
    expected = WireBenchmarks.unique32();
    sentAt = System.nanoTime();
    sender.send(expected);
  }
}
