package dev.lifeline.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.lifeline.Connection;
import dev.lifeline.ConnectionListener;
import dev.lifeline.ConnectionOptions;
import dev.lifeline.ConnectionState;
import dev.lifeline.ConnectionState.Kind;
import dev.lifeline.EventListener;
import dev.lifeline.Lifeline;
import dev.lifeline.ReconnectPolicy;
import dev.lifeline.testing.Await;
import dev.lifeline.testing.UnconnectedSocketFactory;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.OkHttpClient;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * A library the app's OkHttpClient uses is not the version it was built for: its socket factory
 * raises NoSuchMethodError on the TCP reader thread. The real client ends the connection in
 * CLOSED after one attempt, with the library and the missing piece in the reason, and the error
 * reaches no uncaught-exception handler (docs/behaviour.md, "Failure classification").
 */
public final class IncompatibleLibraryEndToEndTest {
  private static final long TIMEOUT_MILLIS = 10_000;
  /** What the app's network library lacks. */
  private static final String MISSING = "'void com.example.vpn.Tunnel.protect(java.net.Socket)'";

  /** What reached the default uncaught-exception handler during the test. */
  private final List<Throwable> uncaught = Collections.synchronizedList(new ArrayList<>());
  private final AtomicInteger socketsAsked = new AtomicInteger();
  private final List<ConnectionState> states = new CopyOnWriteArrayList<>();
  private final List<String> failedAttempts = new CopyOnWriteArrayList<>();
  private Thread.UncaughtExceptionHandler previousHandler;
  private OkHttpClient okHttp;
  private Lifeline lifeline;

  @Before public void setUp() {
    previousHandler = Thread.getDefaultUncaughtExceptionHandler();
    Thread.setDefaultUncaughtExceptionHandler((thread, error) -> uncaught.add(error));
    okHttp = new OkHttpClient.Builder()
        .socketFactory(new UnconnectedSocketFactory() {
          @Override public Socket createSocket() {
            socketsAsked.incrementAndGet();
            throw new NoSuchMethodError(MISSING);
          }
        })
        .build();
    lifeline = Lifeline.builder().okHttpClient(okHttp).build();
  }

  @After public void tearDown() throws Exception {
    try {
      lifeline.shutdown(5, TimeUnit.SECONDS);
      okHttp.dispatcher().executorService().shutdown();
    } finally {
      Thread.setDefaultUncaughtExceptionHandler(previousHandler);
    }
  }

  @Test public void noSuchMethodErrorFromTheSocketFactoryEndsTheConnectionAfterOneAttempt()
      throws Exception {
    String url = "tcp://127.0.0.1:9"; // Never reached: no socket is ever made.
    Connection c = lifeline.newConnection(ConnectionOptions.builder(url)
        .reconnect(ReconnectPolicy.builder().baseDelay(50, TimeUnit.MILLISECONDS).build())
        .eventListener(new EventListener() {
          @Override public void connectFailed(Connection c, int attempt, int httpCode,
              String reason, Throwable e) {
            failedAttempts.add(attempt + " " + reason);
          }
        })
        .build(), new ConnectionListener() {
          @Override public void onStateChanged(Connection c, ConnectionState state) {
            states.add(state);
          }
        });
    c.connect();
    Await.until("CLOSED", TIMEOUT_MILLIS, () -> c.state().kind() == Kind.CLOSED);

    String reason = "the library in package com.example.vpn on the classpath is not compatible:"
        + " NoSuchMethodError: " + MISSING + " (check which version of it the app's build"
        + " resolves)";
    assertEquals(reason, c.state().reason());
    assertTrue(c.state().cause() instanceof NoSuchMethodError);
    Await.threadEnded("Lifeline TCP reader " + url, TIMEOUT_MILLIS);
    Await.until("the listener saw CLOSED", TIMEOUT_MILLIS,
        () -> !states.isEmpty() && states.get(states.size() - 1).kind() == Kind.CLOSED);
    assertEquals(1, socketsAsked.get());
    assertEquals(Collections.singletonList("0 " + reason), failedAttempts);
    assertEquals("uncaught: " + uncaught, 0, uncaught.size());

    c.close(); // Idempotent on a closed connection.
    assertEquals(reason, c.state().reason());
    assertTrue("shutdown finished in time", lifeline.shutdown(5, TimeUnit.SECONDS));
    assertEquals(1, socketsAsked.get());
    assertEquals("uncaught: " + uncaught, 0, uncaught.size());
  }
}
