package dev.lifeline.e2e;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.lifeline.Connection;
import dev.lifeline.ConnectionListener;
import dev.lifeline.ConnectionOptions;
import dev.lifeline.ConnectionState;
import dev.lifeline.ConnectionState.Kind;
import dev.lifeline.Lifeline;
import dev.lifeline.ReconnectPolicy;
import dev.lifeline.testing.Await;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import okhttp3.Dispatcher;
import okhttp3.OkHttpClient;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * OkHttp's dispatcher counts every open WebSocket against its request limits for the socket's
 * whole life (docs/behaviour.md, "Attempt deadline"): Lifeline's own client has none, and with an
 * app's client that has them, a connection beyond them fails at its deadline naming the limits.
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

  @Test public void beyondAnAppClientsRequestLimitTheAttemptDeadlineNamesTheLimit()
      throws Exception {
    Dispatcher dispatcher = new Dispatcher();
    dispatcher.setMaxRequests(2); // maxRequestsPerHost does not hold back WebSocket calls.
    Lifeline lifeline = client(Lifeline.builder()
        .okHttpClient(new OkHttpClient.Builder().dispatcher(dispatcher).build()));
    for (int i = 0; i < 2; i++) {
      Connection c = lifeline.newConnection(server.url(), new ConnectionListener() {});
      c.connect();
      Await.until("connection " + i + " CONNECTED", WAIT, () -> c.state().kind() == Kind.CONNECTED);
    }
    List<ConnectionState> states = new CopyOnWriteArrayList<>();
    Connection third = lifeline.newConnection(ConnectionOptions.builder(server.url())
        .attemptTimeout(300, MILLISECONDS)
        .reconnect(ReconnectPolicy.builder().baseDelay(10, SECONDS).maxDelay(10, SECONDS).build())
        .build(), new ConnectionListener() {
          @Override public void onStateChanged(Connection c, ConnectionState s) {
            states.add(s);
          }
        });
    third.connect();
    try {
      Await.until("the third attempt's deadline", 3_000,
          () -> third.state().kind() == Kind.WAITING_TO_RECONNECT);
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + " " + states, e);
    }
    String reason = third.state().reason();
    assertTrue(reason, reason.startsWith("handshake not finished after 0."));
    assertTrue(reason, reason.endsWith(" (limit 0.3 s): waiting for a free OkHttp dispatcher slot"
        + " (2 calls running, Dispatcher.maxRequests 2; each open WebSocket holds one for its life,"
        + " maxRequestsPerHost 5 does not apply to WebSockets: raise maxRequests) still running"));
    assertEquals(2, server.sockets.size());
  }
}
