package dev.lifeline.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;

import dev.lifeline.Message;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Records a real transport's callbacks as strings ("open", "message hello", "closed 1000 bye",
 * "failure EOFException: …") with the last failure, for tests that drive a transport directly.
 */
public final class RecordingTransportListener implements Transport.Listener {
  /** Bound of every wait for one event. */
  public static final long EVENT_TIMEOUT_MILLIS = 5_000;

  public final BlockingQueue<String> events = new LinkedBlockingQueue<>();
  public volatile Throwable failure;
  /** The HTTP status and Retry-After of the last failure. */
  public volatile int httpCode;
  public volatile long retryAfterMillis;

  @Override public void onOpen(Transport transport) {
    events.add("open");
  }

  @Override public void onMessage(Transport transport, Message message) {
    events.add("message " + (message.isText() ? message.text() : message.bytes().hex()));
  }

  @Override public void onClosing(Transport transport, int code, String reason) {
    events.add("closing " + code + " " + reason);
  }

  @Override public void onClosed(Transport transport, int code, String reason) {
    events.add("closed " + code + " " + reason);
  }

  @Override public void onFailure(Transport transport, Throwable error, int httpCode, long retryAfter) {
    failure = error;
    this.httpCode = httpCode;
    this.retryAfterMillis = retryAfter;
    events.add("failure " + error.getClass().getSimpleName() + ": " + error.getMessage());
  }

  /** The next event, waiting up to {@link #EVENT_TIMEOUT_MILLIS}. */
  public String next() throws InterruptedException {
    String e = events.poll(EVENT_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
    assertNotNull("no transport event within " + EVENT_TIMEOUT_MILLIS + " ms", e);
    return e;
  }

  public void expect(String event) throws InterruptedException {
    assertEquals(event, next());
  }

  /** Asserts that nothing happens for {@code millis} (a bounded wait on the event queue). */
  public void expectNothingFor(long millis) throws InterruptedException {
    assertNull(events.poll(millis, TimeUnit.MILLISECONDS));
  }
}
