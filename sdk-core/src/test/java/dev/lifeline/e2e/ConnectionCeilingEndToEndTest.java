package dev.lifeline.e2e;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.lifeline.Connection;
import dev.lifeline.ConnectionListener;
import dev.lifeline.ConnectionOptions;
import dev.lifeline.ConnectionState.Kind;
import dev.lifeline.Lifeline;
import dev.lifeline.ReconnectPolicy;
import dev.lifeline.testing.Await;
import java.util.ArrayList;
import java.util.List;
import okhttp3.Dispatcher;
import okhttp3.OkHttpClient;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * Many connections to one host: each WebSocket has its own reader thread and writes on the
 * OkHttpClient's dispatcher executor, so no OkHttp call is held for a socket's life and an app
 * client's Dispatcher limits (maxRequests, maxRequestsPerHost), which once held connections back,
 * no longer apply.
 */
public final class ConnectionCeilingEndToEndTest {
  private static final long WAIT = 20_000;

  private WebSocketServerFixture server;
  private final List<Lifeline> clients = new ArrayList<>();

  @Before public void setUp() throws Exception {
    server = new WebSocketServerFixture();
  }

  @After public void tearDown() throws Exception {
    for (Lifeline l : clients) l.shutdown(5, SECONDS);
    server.close();
  }

  private Lifeline client(Lifeline.Builder b) {
    Lifeline l = b.build();
    clients.add(l);
    return l;
  }

  @Test public void seventyConnectionsToOneHostWithTheDefaultClientAllConnect() throws Exception {
    Lifeline lifeline = client(Lifeline.builder());
    List<Connection> connections = new ArrayList<>();
    for (int i = 0; i < 70; i++) {
      Connection c = lifeline.newConnection(server.url(), new ConnectionListener() {});
      connections.add(c);
      c.connect();
    }
    Await.until("70 connections CONNECTED", WAIT, () -> {
      for (Connection c : connections) if (c.state().kind() != Kind.CONNECTED) return false;
      return true;
    });
    Await.until("70 server-side sockets", WAIT, () -> server.sockets.size() == 70);
    for (Connection c : connections) c.close();
    Await.until("70 CLOSED", WAIT, () -> {
      for (Connection c : connections) if (!c.state().isTerminal()) return false;
      return true;
    });
  }

  @Test public void anAppClientsDispatcherLimitsHoldNoConnectionBack() throws Exception {
    Dispatcher dispatcher = new Dispatcher();
    dispatcher.setMaxRequests(2);
    dispatcher.setMaxRequestsPerHost(1);
    Lifeline lifeline = client(Lifeline.builder()
        .okHttpClient(new OkHttpClient.Builder().dispatcher(dispatcher).build()));
    List<Connection> connections = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      Connection c = lifeline.newConnection(ConnectionOptions.builder(server.url())
          .attemptTimeout(5, SECONDS)
          .reconnect(ReconnectPolicy.builder().baseDelay(10, SECONDS).maxDelay(10, SECONDS)
              .build())
          .build(), new ConnectionListener() {});
      connections.add(c);
      c.connect();
    }
    Await.until("5 connections CONNECTED", WAIT, () -> {
      for (Connection c : connections) if (c.state().kind() != Kind.CONNECTED) return false;
      return true;
    });
    for (int i = 0; i < 5; i++) assertTrue(connections.get(i).send("hello " + i));
    Await.until("every connection's message at the server", WAIT,
        () -> server.received.size() == 5);
    assertEquals(5, server.sockets.size());
    assertEquals("no OkHttp call runs: the dispatcher lends only its executor", 0,
        dispatcher.runningCallsCount());
    for (Connection c : connections) c.close();
  }
}
