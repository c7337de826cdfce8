package dev.lifeline.internal;

import static java.util.Arrays.asList;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import dev.lifeline.ConnectionOptions;
import dev.lifeline.ConnectionState;
import dev.lifeline.ConnectionState.Kind;
import dev.lifeline.CredentialsProvider;
import dev.lifeline.ReconnectPolicy;
import dev.lifeline.testing.Await;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.After;
import org.junit.Test;

/**
 * The attempt deadline in virtual time (docs/behaviour.md, "Attempt deadline"): an attempt
 * unfinished at its deadline is abandoned as a failed attempt with a reason naming the slow step,
 * whether a transport is still handshaking or a credentials provider has not returned; a
 * transport that opens in time is never cut.
 */
public final class AttemptDeadlineTest {
  private static final long LIMIT = 10_000;
  private static final ReconnectPolicy NO_JITTER =
      ReconnectPolicy.builder().jitter(ReconnectPolicy.Jitter.NONE).build();
  private static final long PROMPTLY_MILLIS = 5_000;

  private final Harness h = new Harness();
  /** Released after each test, so no provider thread stays blocked. */
  private final CountDownLatch release = new CountDownLatch(1);
  private ExecutorService credentialsThread;
  /** A harness whose credentials provider runs on {@link #credentialsThread}. */
  private Harness slow;
  /** What the provider was asked, as "attempt rejected". */
  private final List<String> asked = Collections.synchronizedList(new ArrayList<>());

  @After public void releaseProviders() {
    release.countDown();
    if (credentialsThread != null) credentialsThread.shutdownNow();
  }

  @Test public void aHandshakeUnfinishedAtTheDeadlineIsAbandonedAsAFailedAttempt() {
    RealConnection c = h.connection(tenSeconds().build());
    FakeTransport t = connecting(c);
    t.step = "TLS handshake with example.com";
    h.time.advanceBy(LIMIT - 1);
    assertEquals(Kind.CONNECTING, c.state().kind());
    assertFalse(t.cancelled);

    h.time.advanceBy(1);
    String reason = "handshake not finished after 10.0 s (limit 10 s): TLS handshake with"
        + " example.com still running";
    ConnectionState s = c.state();
    assertEquals(Kind.WAITING_TO_RECONNECT, s.kind());
    assertEquals(reason, s.reason());
    assertTrue(t.cancelled);
    assertEquals(1, s.attempt());
    assertEquals(1_000, s.delayMillis());
    assertEquals(asList("connectStart 0", "connectFailed 0 " + reason, "reconnectScheduled 1 1000"),
        h.events);
  }

  @Test public void everyAttemptHasItsOwnDeadlineAndTheFailuresAddUp() {
    RealConnection c = h.connection(tenSeconds().build());
    connecting(c);
    h.time.advanceBy(LIMIT);
    h.time.advanceBy(c.state().delayMillis());
    assertEquals(Kind.CONNECTING, c.state().kind());
    assertEquals(2, h.transports.count());
    h.time.advanceBy(LIMIT - 1);
    assertEquals(Kind.CONNECTING, c.state().kind());
    h.time.advanceBy(1);
    assertEquals(Kind.WAITING_TO_RECONNECT, c.state().kind());
    assertEquals(2, c.state().attempt());
    assertEquals(2_000, c.state().delayMillis());
    assertTrue(h.transports.last().cancelled);
  }

  @Test public void theDefaultDeadlineIs30Seconds() {
    ConnectionOptions options = h.options().build();
    assertEquals(30_000, ConnectionOptions.DEFAULT_ATTEMPT_TIMEOUT_MILLIS);
    assertEquals(ConnectionOptions.DEFAULT_ATTEMPT_TIMEOUT_MILLIS, options.attemptTimeoutMillis());
    RealConnection c = h.connection(options);
    connecting(c);
    h.time.advanceBy(ConnectionOptions.DEFAULT_ATTEMPT_TIMEOUT_MILLIS - 1);
    assertEquals(Kind.CONNECTING, c.state().kind());
    h.time.advanceBy(1);
    assertEquals(Kind.WAITING_TO_RECONNECT, c.state().kind());
    assertEquals("handshake not finished after 30.0 s (limit 30 s): fake handshake still running",
        c.state().reason());
  }

  @Test public void aTransportOpeningOneMillisecondBeforeTheDeadlineIsNotCut() {
    RealConnection c = h.connection(tenSeconds().build());
    FakeTransport t = connecting(c);
    h.time.advanceBy(LIMIT - 1);
    t.serverAccepts();
    h.time.runUntilIdle();
    assertEquals(Kind.CONNECTED, c.state().kind());
    assertFalse(c.armedTimers().contains("attempt deadline"));
    h.time.advanceBy(10 * LIMIT);
    assertEquals(Kind.CONNECTED, c.state().kind());
    assertFalse(t.cancelled);
  }

  @Test public void aTransportOpeningAfterItsDeadlineIsCancelled() {
    RealConnection c = h.connection(tenSeconds().build());
    FakeTransport t = connecting(c);
    h.time.advanceBy(LIMIT);
    t.cancelled = false; // Forget the deadline's cancel: the late open must cancel again.
    t.serverAccepts();
    h.time.runUntilIdle();
    assertTrue(t.cancelled);
    assertEquals(Kind.WAITING_TO_RECONNECT, c.state().kind());
  }

  @Test public void aCredentialsProviderThatNeverReturnsIsCutAndNotAskedAgainWhileStuck()
      throws Exception {
    RealConnection c = connectingToAStuckProvider();
    slow.time.advanceBy(LIMIT - 1);
    assertEquals(Kind.CONNECTING, c.state().kind());
    slow.time.advanceBy(1);
    assertEquals(Kind.WAITING_TO_RECONNECT, c.state().kind());
    assertEquals("handshake not finished after 10.0 s (limit 10 s): CredentialsProvider.headers()"
        + " still running", c.state().reason());
    assertEquals(0, slow.transports.count());
    assertTrue(slow.logs.toString(), slow.logs.stream().anyMatch(
        l -> l.startsWith("WARN CredentialsProvider.headers on ws://127.0.0.1:1/socket has been"
            + " running for 5.0 s (threshold 5 s)")));

    slow.time.advanceBy(c.state().delayMillis()); // The next attempt starts; the call is still stuck.
    assertEquals(Kind.CONNECTING, c.state().kind());
    assertEquals(1, c.state().attempt());
    release.countDown();
    awaitCredentialsThreadIdle();
    slow.time.runUntilIdle();
    assertEquals("one call, its answer serving the attempt that waited", asList("0 false"), asked);
    assertEquals(1, slow.transports.count());
    assertEquals("Bearer late", slow.transports.last().request.headers.get("Authorization"));
  }

  @Test public void aLateAnswerWithNoAttemptWaitingIsIgnoredAndTheNextAttemptAsksAgain()
      throws Exception {
    RealConnection c = connectingToAStuckProvider();
    slow.time.advanceBy(LIMIT);
    assertEquals(Kind.WAITING_TO_RECONNECT, c.state().kind());

    release.countDown(); // Answers while nobody waits for it.
    awaitCredentialsThreadIdle();
    slow.time.runUntilIdle();
    assertEquals(0, slow.transports.count());
    assertEquals(Kind.WAITING_TO_RECONNECT, c.state().kind());

    slow.time.advanceBy(c.state().delayMillis());
    awaitCredentialsThreadIdle();
    slow.time.runUntilIdle();
    assertEquals(asList("0 false", "1 false"), asked);
    assertEquals(1, slow.transports.count());
  }

  private ConnectionOptions.Builder tenSeconds() {
    return tenSeconds(h);
  }

  private static ConnectionOptions.Builder tenSeconds(Harness h) {
    return h.options().attemptTimeout(LIMIT, TimeUnit.MILLISECONDS).reconnect(NO_JITTER);
  }

  /** Connects; returns the transport that is now handshaking. */
  private FakeTransport connecting(RealConnection c) {
    c.connect();
    h.time.runUntilIdle();
    assertEquals(Kind.CONNECTING, c.state().kind());
    return h.transports.last();
  }

  /**
   * Connects, in {@link #slow}, to a credentials provider that runs on a thread of its own and does
   * not return until {@link #release}; returns once the provider was asked.
   */
  private RealConnection connectingToAStuckProvider() throws Exception {
    credentialsThread = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "credentials");
      t.setDaemon(true);
      return t;
    });
    slow = new Harness(new Random(42), Runnable::run, credentialsThread);
    CredentialsProvider stuck = (attempt, rejected) -> {
      asked.add(attempt + " " + rejected);
      release.await();
      return Collections.singletonMap("Authorization", "Bearer late");
    };
    RealConnection c = slow.connection(tenSeconds(slow).credentials(stuck).build());
    c.connect();
    slow.time.runUntilIdle();
    Await.until("the provider to be asked", PROMPTLY_MILLIS, () -> asked.size() == 1);
    return c;
  }

  /**
   * Waits until the credentials thread has run everything handed to it so far: a second call of
   * the provider, had one been queued behind the stuck one, would have run by then.
   */
  private void awaitCredentialsThreadIdle() throws Exception {
    credentialsThread.submit(() -> { }).get(PROMPTLY_MILLIS, TimeUnit.MILLISECONDS);
  }
}
