package dev.lifeline.e2e;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
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
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * What only the line protocol has, through the real {@link Connection}: the line limit and the
 * reasons a reconnect shows after hostile or closing servers.
 */
public final class TcpConnectionEndToEndTest {
  private static final long TIMEOUT_MILLIS = 10_000;

  private final TcpKeepAliveServer server = new TcpKeepAliveServer();
  private final OkHttpClient okHttp = new OkHttpClient();
  private final Lifeline lifeline = Lifeline.builder().okHttpClient(okHttp).build();
  private final List<ConnectionState> states = new CopyOnWriteArrayList<>();
  private final List<String> received = new CopyOnWriteArrayList<>();

  @Before public void setUp() throws Exception {
    server.start(60_000, 1_000);
  }

  @After public void tearDown() throws Exception {
    lifeline.shutdown(5, TimeUnit.SECONDS);
    server.close();
    okHttp.dispatcher().executorService().shutdown();
  }

  private Connection connect(ConnectionOptions.Builder options) throws Exception {
    Connection c = lifeline.newConnection(options
        .reconnect(ReconnectPolicy.builder().baseDelay(200, MILLISECONDS).build())
        .build(), new ConnectionListener() {
          @Override public void onStateChanged(Connection c, ConnectionState state) {
            states.add(state);
          }

          @Override public void onMessage(Connection c, String text) {
            received.add(text);
          }
        });
    c.connect();
    Await.until("connected", TIMEOUT_MILLIS, () -> c.state().kind() == Kind.CONNECTED);
    return c;
  }

  private ConnectionState firstWaiting() throws Exception {
    Await.until("a reconnect scheduled", TIMEOUT_MILLIS,
        () -> states.stream().anyMatch(s -> s.kind() == Kind.WAITING_TO_RECONNECT));
    return states.stream().filter(s -> s.kind() == Kind.WAITING_TO_RECONNECT).findFirst().get();
  }

  @Test public void oversizedLineReplacesTheConnectionWithAReasonNamingTheLimit() throws Exception {
    connect(ConnectionOptions.builder(server.url()).maxLineLength(32));
    server.send(0, "fits");
    server.send(0, "this line is longer than thirty-two bytes");
    ConnectionState waiting = firstWaiting();
    // 41 bytes: no '\n' within the 34 bytes the limit allows for a line and its "\r\n".
    String reason = waiting.reason();
    assertTrue(reason, reason.matches("connection failed after [0-9.]+ s open \\(no data for"
        + " [0-9.]+ s\\): .*"));
    assertEquals("ProtocolException: inbound line exceeds the maximum line"
        + " length of 32 bytes (no '\\n' within the first 34 bytes); raise"
        + " ConnectionOptions.Builder.maxLineLength() if the server's lines are legitimately this"
        + " long", reason.substring(reason.indexOf("): ") + 3));
    assertEquals(1, received.size());
    assertEquals("fits", received.get(0));
    Await.until("the client closed the socket", TIMEOUT_MILLIS, () -> !server.isOpen(0));
    Await.until("replaced", TIMEOUT_MILLIS, () -> server.connectionCount() == 2);
  }

  @Test public void serverCloseShowsEofInTheReason() throws Exception {
    connect(ConnectionOptions.builder(server.url()));
    server.closeConnection(0);
    String reason = firstWaiting().reason();
    assertTrue(reason, reason.matches(
        "server closed the connection \\(EOF\\) after [0-9.]+ s open \\(no data for [0-9.]+ s\\)"));
    Await.until("reconnected", TIMEOUT_MILLIS, () -> server.connectionCount() == 2);
  }

  @Test public void sendOfAMultiLineMessageThrows() throws Exception {
    Connection c = connect(ConnectionOptions.builder(server.url()));
    try {
      c.send("two\nlines");
      throw new AssertionError("accepted a message with a newline");
    } catch (IllegalArgumentException expected) {
      assertTrue(expected.getMessage(), expected.getMessage().contains("would split it into two"));
    }
    c.send("one line");
    Await.until("the line arrived", TIMEOUT_MILLIS, () -> server.dataMessages(0).size() == 1);
    assertEquals("one line", server.dataMessages(0).get(0));
    assertEquals(Kind.CONNECTED, c.state().kind());
  }
}
