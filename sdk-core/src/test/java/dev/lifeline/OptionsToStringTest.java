package dev.lifeline;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.util.Collections;
import java.util.Map;
import org.junit.Test;

/** {@code toString()} of the options and policies: readable, with units, and never a secret. */
public final class OptionsToStringTest {
  private static final String TOKEN = "tok-SECRET-1";
  private static final String PASSWORD = "pw-SECRET-2";
  private static final String API_KEY = "key-SECRET-3";
  private static final String PROVIDER_TOKEN = "provider-SECRET-4";
  private static final String BEAT_TOKEN = "beat-SECRET-5";

  @Test public void defaultsReadWithUnits() {
    assertEquals("HeartbeatPolicy{interval=55000 ms, payload=text(15 chars), idleOnly=true,"
        + " protocolPing=55000 ms (follows the interval), serverTimeout=off,"
        + " probeTimeout=10000 ms, alignmentSlack=0.5}", HeartbeatPolicy.defaults().toString());
    assertEquals("ReconnectPolicy{baseDelay=1000 ms, factor=2.0, maxDelay=60000 ms,"
        + " jitter=PACED, stablePeriod=30000 ms, maxAttempts=unlimited, maxRetryDuration=unlimited,"
        + " resumeJitter=1000 ms, maxRetryAfter=3600000 ms, fatalCloseCodes=[]}",
        ReconnectPolicy.defaults().toString());
    assertEquals("OutboxPolicy{maxMessages=1000, maxBytes=1048576 bytes, ttl=none}",
        OutboxPolicy.defaults().toString());
    assertEquals("EnvironmentPolicy{deferWhileScreenOff=true, deferInBackground=true,"
        + " closeInBackground=after 60000 ms, probeOnWake=true, sleepDetection=10000 ms,"
        + " backgroundMode=CLOSE_AFTER_GRACE}",
        EnvironmentPolicy.defaults().toString());
    assertEquals("ConnectionOptions{url=wss://chat.example.com/socket, attemptTimeout=30000 ms,"
        + " maxPendingInbound=16777216 bytes, maxInboundMessage=16777216 bytes, heartbeat="
        + HeartbeatPolicy.defaults() + ", reconnect=" + ReconnectPolicy.defaults() + ", outbox="
        + OutboxPolicy.defaults() + ", environment=" + EnvironmentPolicy.defaults() + "}",
        ConnectionOptions.builder("wss://chat.example.com/socket").build().toString());
  }

  @Test public void changedSettingsShowTheirValues() {
    assertEquals("HeartbeatPolicy{interval=20000 ms, adaptive=[5000 ms, 40000 ms],"
        + " payload=binary(2 bytes), idleOnly=false, protocolPing=off, serverTimeout=50000 ms,"
        + " probeTimeout=3000 ms, alignmentSlack=0.25, serverHeartbeat=lambda in"
        + " OptionsToStringTest, consumeEchoes=true}",
        HeartbeatPolicy.builder().interval(20, SECONDS).adaptive(5, 40, SECONDS)
            .binaryPayload(okio.ByteString.of((byte) 1, (byte) 2)).idleOnly(false)
            .noProtocolPing().expectServerHeartbeats(25, SECONDS).probeTimeout(3, SECONDS)
            .serverHeartbeat(m -> false).consumeEchoes(true).alignmentSlack(0.25).build()
            .toString());
    assertEquals("OutboxPolicy{maxMessages=5, maxBytes=100 bytes, ttl=2000 ms}",
        OutboxPolicy.builder().maxMessages(5).maxBytes(100).ttl(2, SECONDS).build().toString());
    assertEquals("EnvironmentPolicy{deferWhileScreenOff=false, deferInBackground=true,"
        + " closeInBackground=never, probeOnWake=false, sleepDetection=10000 ms,"
        + " backgroundMode=CLOSE_AFTER_GRACE}",
        EnvironmentPolicy.builder().deferWhileScreenOff(false).keepConnectionInBackground()
            .probeOnWake(false).build().toString());
    assertTrue(ReconnectPolicy.builder().maxAttempts(3).maxRetryDuration(500, MILLISECONDS)
        .fatalCloseCodes(4403, 4001).build().toString()
        .contains("maxAttempts=3, maxRetryDuration=500 ms, resumeJitter=1000 ms,"
            + " maxRetryAfter=3600000 ms, fatalCloseCodes=[4001, 4403]}"));
    assertTrue(ConnectionOptions.builder("tcp://push.example.com:7001").maxLineLength(64)
        .build().toString().startsWith("ConnectionOptions{url=tcp://push.example.com:7001,"
            + " attemptTimeout=30000 ms, maxPendingInbound=16777216 bytes,"
            + " maxLineLength=64 bytes, heartbeat="));
  }

  @Test public void noSecretEverAppears() {
    CredentialsProvider provider = new CredentialsProvider() {
      @Override public Map<String, String> headers(int attempt, boolean rejected) {
        return Collections.singletonMap("Authorization", "Bearer " + PROVIDER_TOKEN);
      }

      @Override public String toString() {
        return "provider holding " + PROVIDER_TOKEN;
      }
    };
    AckMatcher acks = new AckMatcher() {
      @Override public Object key(Message outbound) {
        return null;
      }

      @Override public Object acknowledgedKey(Message inbound) {
        return null;
      }

      @Override public String toString() {
        return "acks for " + TOKEN;
      }
    };
    String withProvider = ConnectionOptions
        .builder("wss://chat.example.com/socket?access_token=" + TOKEN + "&v=2#" + TOKEN)
        .header("X-Api-Key", API_KEY)
        .credentials(provider)
        .atLeastOnce(acks)
        .heartbeat(HeartbeatPolicy.builder().textPayload("{\"ping\":\"" + BEAT_TOKEN + "\"}")
            .build())
        .build().toString();
    String withUserInfo = ConnectionOptions
        .builder("wss://alice:" + PASSWORD + "@chat.example.com/socket").build().toString();

    for (String s : new String[] {withProvider, withUserInfo}) {
      for (String secret : new String[] {TOKEN, PASSWORD, API_KEY, PROVIDER_TOKEN, BEAT_TOKEN,
          "alice", "Bearer"}) {
        assertFalse(secret + " shown in " + s, s.contains(secret));
      }
    }
    assertTrue(withProvider, withProvider.startsWith("ConnectionOptions{"
        + "url=wss://chat.example.com/socket?access_token=██&v=██#██, headers=[X-Api-Key: ██],"
        + " credentials=OptionsToStringTest$1, atLeastOnce=OptionsToStringTest$2,"
        + " ackTimeout=15000 ms, attemptTimeout=30000 ms"));
    assertTrue(withProvider, withProvider.contains("payload=text(24 chars)"));
    assertTrue(withUserInfo, withUserInfo.startsWith(
        "ConnectionOptions{url=wss://chat.example.com/socket, headers=[Authorization: ██],"));
  }
}
