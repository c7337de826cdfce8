package dev.lifeline.internal;

import static org.junit.Assert.assertEquals;

import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.Test;

/** How a server's Retry-After is read (docs/behaviour.md, "Bad input"): bounded, never overflowing. */
public final class RetryAfterTest {
  private static long read(String value) {
    Response.Builder b = new Response.Builder()
        .request(new Request.Builder().url("http://127.0.0.1/").build())
        .protocol(Protocol.HTTP_1_1).code(503).message("Service Unavailable");
    if (value != null) b.header("Retry-After", value);
    return WebSocketTransport.retryAfterMillis(b.build());
  }

  @Test public void secondsAreReadAsMilliseconds() {
    assertEquals(120_000, read("120"));
    assertEquals(0, read("0"));
  }

  @Test public void hugeValuesAreCappedAt24Hours() {
    assertEquals(WebSocketTransport.MAX_RETRY_AFTER_MILLIS, read("99999999999"));
    assertEquals(WebSocketTransport.MAX_RETRY_AFTER_MILLIS, read("9999999999999999999999999"));
    assertEquals(24L * 3600 * 1000, WebSocketTransport.MAX_RETRY_AFTER_MILLIS);
  }

  @Test public void absentOrUnreadableIsMinusOne() {
    assertEquals(-1, read(null));
    assertEquals(-1, read("-5"));
    assertEquals(-1, read("soon"));
  }
}
