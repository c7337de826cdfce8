package dev.lifeline.internal;

import static java.util.Arrays.asList;
import static java.util.concurrent.TimeUnit.HOURS;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertTrue;

import dev.lifeline.ConnectionState;
import dev.lifeline.ConnectionState.Kind;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * An {@link Error} raised anywhere in a connection attempt, in virtual time: the transport
 * factory, the transport's threads (which report it as a failure), the credentials provider. Each
 * ends the connection in CLOSED after exactly one attempt, with a reason naming the library and
 * the missing piece, and never reaches an uncaught-exception handler (docs/behaviour.md, "Failure
 * classification").
 */
public final class ErrorsInAttemptTest {
  private static final String OKHTTP = "OkHttp " + okhttp3.OkHttp.VERSION;
  /** What OkHttp 5 would lack if Lifeline called an OkHttp 4-only method. */
  private static final String MISSING =
      "'okhttp3.Dns okhttp3.OkHttpClient.dnsFor(java.lang.String)'";

  private final Harness h = new Harness();
  /** What reached the default uncaught-exception handler during the test. */
  private final List<Throwable> uncaught = Collections.synchronizedList(new ArrayList<>());
  private Thread.UncaughtExceptionHandler previousHandler;

  @Before public void installUncaughtHandler() {
    previousHandler = Thread.getDefaultUncaughtExceptionHandler();
    Thread.setDefaultUncaughtExceptionHandler((thread, error) -> uncaught.add(error));
  }

  @After public void restoreUncaughtHandler() {
    Thread.setDefaultUncaughtExceptionHandler(previousHandler);
    assertEquals("uncaught: " + uncaught, 0, uncaught.size());
  }

  @Test public void aLinkageErrorFromTheTransportFactoryEndsTheConnectionAfterOneAttempt() {
    h.transports.errorOnNextOpen = new NoSuchMethodError(MISSING);
    RealConnection c = h.connection(h.options().build());
    c.connect();
    h.time.runUntilIdle();

    ConnectionState s = c.state();
    assertEquals(Kind.CLOSED, s.kind());
    assertEquals(OKHTTP + " on the classpath is not compatible: NoSuchMethodError: " + MISSING
        + " (Lifeline needs OkHttp 4.12 or 5.x)", s.reason());
    assertTrue(s.cause() instanceof NoSuchMethodError);
    assertNeverRetried(c, 0);
    c.close(); // Still works, and changes nothing.
    h.time.runUntilIdle();
    assertEquals(s, c.state());
  }

  @Test public void aLinkageErrorReportedByTheConnectingTransportIsNotRetried() {
    RealConnection c = h.connection(h.options().build());
    c.connect();
    h.time.runUntilIdle();
    // The connector's reader thread catches what Dns or the socket factory raised, and reports it.
    h.transports.last().fails(new NoClassDefFoundError("okio/Okio"));
    h.time.runUntilIdle();

    assertEquals(Kind.CLOSED, c.state().kind());
    assertEquals("Okio on the classpath is not compatible: NoClassDefFoundError: okio/Okio"
        + " (Lifeline needs Okio 3, at least the version the app's OkHttp depends on)",
        c.state().reason());
    assertTrue(h.events.toString(), h.events.contains("connectFailed 0 " + c.state().reason()));
    assertNeverRetried(c, 1);
  }

  @Test public void anErrorOnAnOpenConnectionEndsItAndReportsTheOutbox() {
    RealConnection c = h.connection(h.options().build());
    FakeTransport t = h.connectAndOpen(c);
    t.holdWrites = true;
    c.send("queued");
    h.time.runUntilIdle();
    t.fails(new AbstractMethodError("Receiver class com.example.TokenDns does not define or"
        + " inherit an implementation of the resolved method 'abstract java.util.List"
        + " lookup(java.lang.String)' of interface okhttp3.Dns."));
    h.time.runUntilIdle();

    assertEquals(Kind.CLOSED, c.state().kind());
    assertTrue(c.state().reason(), c.state().reason().startsWith(OKHTTP
        + " on the classpath is not compatible: AbstractMethodError: "));
    assertEquals(1, h.sendFailures.size());
    assertNeverRetried(c, 1);
  }

  @Test public void anErrorWrappedInAnIOExceptionIsStillAConfigurationError() {
    RealConnection c = h.connection(h.options().build());
    c.connect();
    h.time.runUntilIdle();
    h.transports.last().fails(new IOException("OkHttp failed while handling the handshake",
        new NoSuchMethodError(MISSING)));
    h.time.runUntilIdle();
    assertEquals(Kind.CLOSED, c.state().kind());
    assertTrue(c.state().reason(), c.state().reason().startsWith(OKHTTP + " on the classpath"));
    assertNeverRetried(c, 1);
  }

  @Test public void aLinkageErrorFromTheCredentialsProviderEndsTheConnection() {
    AtomicInteger asked = new AtomicInteger();
    RealConnection c = h.connection(h.options().credentials((attempt, rejected) -> {
      asked.incrementAndGet();
      throw new NoSuchMethodError("'java.lang.String com.example.tokens.Vault.token()'");
    }).build());
    c.connect();
    h.time.runUntilIdle();

    assertEquals(Kind.CLOSED, c.state().kind());
    assertEquals("credentials provider failed: the library in package com.example.tokens on the"
        + " classpath is not compatible: NoSuchMethodError: 'java.lang.String"
        + " com.example.tokens.Vault.token()' (check which version of it the app's build"
        + " resolves)", c.state().reason());
    assertNeverRetried(c, 0);
    assertEquals(1, asked.get());
  }

  @Test public void anExceptionFromTheCredentialsProviderIsStillRetried() {
    RealConnection c = h.connection(h.options().credentials((attempt, rejected) -> {
      throw new IllegalStateException("token endpoint down");
    }).build());
    c.connect();
    h.time.runUntilIdle();
    assertEquals(Kind.WAITING_TO_RECONNECT, c.state().kind());
  }

  @Test public void outOfMemoryEndsTheConnectionWithAReasonAndAWarning() {
    OutOfMemoryError oom = new OutOfMemoryError("Java heap space");
    h.transports.errorOnNextOpen = oom;
    RealConnection c = h.connection(h.options().build());
    c.connect();
    h.time.runUntilIdle();

    assertEquals(Kind.CLOSED, c.state().kind());
    assertEquals("the JVM failed: OutOfMemoryError: Java heap space (a VirtualMachineError; the"
        + " connection is not retried, as the JVM may not recover)", c.state().reason());
    assertSame(oom, c.state().cause());
    assertTrue(h.logs.toString(), h.logs.toString().contains("WARN ws://127.0.0.1:1/socket:"
        + " attempt 0 failed (1 failure): the JVM failed: OutOfMemoryError"));
    assertNeverRetried(c, 0);
  }

  /** CLOSED after one attempt that opened {@code transports} transports, even an hour later. */
  private void assertNeverRetried(RealConnection c, int transports) {
    ConnectionState closed = c.state();
    h.time.advanceBy(HOURS.toMillis(1));
    assertEquals(transports, h.transports.count());
    assertEquals(closed, c.state());
    List<String> starts = new ArrayList<>();
    for (String e : h.events) if (e.startsWith("connectStart")) starts.add(e);
    assertEquals(asList("connectStart 0"), starts);
    assertEquals(Kind.CLOSED, h.lastState().kind());
    assertTrue(c.armedTimers().toString(), c.armedTimers().isEmpty());
  }
}
