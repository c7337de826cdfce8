package dev.lifeline.internal.ws;

import static org.junit.Assert.assertEquals;

import org.junit.Test;

/** How a server's Retry-After is read (docs/behaviour.md, "Bad input"): bounded, never overflowing. */
public final class RetryAfterTest {
  private static long read(String value) {
    return Handshake.retryAfterMillis(value);
  }

  @Test public void secondsAreReadAsMilliseconds() {
    assertEquals(120_000, read("120"));
    assertEquals(0, read("0"));
  }

  @Test public void hugeValuesAreCappedAt24Hours() {
    assertEquals(Handshake.MAX_RETRY_AFTER_MILLIS, read("99999999999"));
    assertEquals(Handshake.MAX_RETRY_AFTER_MILLIS, read("9999999999999999999999999"));
    assertEquals(24L * 3600 * 1000, Handshake.MAX_RETRY_AFTER_MILLIS);
  }

  @Test public void absentOrUnreadableIsMinusOne() {
    assertEquals(-1, read(null));
    assertEquals(-1, read("-5"));
    assertEquals(-1, read("soon"));
  }
}
