package dev.lifeline;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertSame;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.concurrent.TimeUnit;
import org.junit.Test;

/** {@link ConnectionOptions#newBuilder()} carries every setting, including ones added later. */
public final class NewBuilderTest {
  @Test public void everyFieldSurvivesARebuild() throws Exception {
    ConnectionOptions original = ConnectionOptions.builder("wss://user:pw@example.com/socket?x=1")
        .heartbeat(HeartbeatPolicy.builder().interval(7, TimeUnit.SECONDS).build())
        .reconnect(ReconnectPolicy.builder().baseDelay(3, TimeUnit.SECONDS).build())
        .outbox(OutboxPolicy.builder().maxMessages(7).build())
        .environment(EnvironmentPolicy.builder().build())
        .eventListener(new EventListener() {})
        .header("X-App", "1")
        .atLeastOnce(new AckMatcher() {
          @Override public Object key(Message outbound) {
            return null;
          }

          @Override public Object acknowledgedKey(Message inbound) {
            return null;
          }
        })
        .maxPendingInboundBytes(12_345)
        .maxLineLength(2_345)
        .maxInboundMessageBytes(34_567)
        .attemptTimeout(11, TimeUnit.SECONDS)
        .ackTimeout(13, TimeUnit.SECONDS)
        .resume(StreamResume.builder(m -> null).build())
        .build();
    ConnectionOptions copy = original.newBuilder().build();
    int compared = 0;
    for (Field f : ConnectionOptions.class.getDeclaredFields()) {
      if (Modifier.isStatic(f.getModifiers())) continue;
      f.setAccessible(true);
      Object value = f.get(original);
      if (value instanceof Number || value instanceof String || value instanceof java.util.Map) {
        assertEquals(f.getName(), value, f.get(copy));
      } else {
        assertSame(f.getName(), value, f.get(copy));
      }
      compared++;
    }
    assertEquals("every field was compared", ConnectionOptions.class.getDeclaredFields().length
        - staticFields(), compared);
    assertNotEquals(ConnectionOptions.DEFAULT_MAX_LINE_LENGTH, copy.maxLineLength());
  }

  private static int staticFields() {
    int n = 0;
    for (Field f : ConnectionOptions.class.getDeclaredFields()) {
      if (Modifier.isStatic(f.getModifiers())) n++;
    }
    return n;
  }
}
