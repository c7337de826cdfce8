package dev.lifeline.e2e;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.lifeline.Connection;
import dev.lifeline.ConnectionListener;
import dev.lifeline.ConnectionOptions;
import dev.lifeline.ConnectionState.Kind;
import dev.lifeline.EventListener;
import dev.lifeline.Lifeline;
import dev.lifeline.Message;
import dev.lifeline.ReconnectPolicy;
import dev.lifeline.StreamResume;
import dev.lifeline.testing.Await;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import okhttp3.Response;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.After;
import org.junit.Test;

/**
 * Stream resume over real sockets on 127.0.0.1: a server that numbers its messages ("7:payload")
 * and resends from the position the client hands back (query parameter, header, or first message
 * on tcp://), a cut connection, and a server that cannot resume.
 */
public final class StreamResumeEndToEndTest {
  private static final long WAIT = 10_000;
  /** Positions: the number before ':'. */
  private static final StreamResume.PositionExtractor NUMBERED =
      m -> m.text().substring(0, m.text().indexOf(':'));

  private final Lifeline lifeline = Lifeline.builder().build();
  /** The WebSocket server, when the test uses one. */
  private MockWebServer server;
  /** Server side of each accepted WebSocket, in order. */
  private final List<WebSocket> sockets = new CopyOnWriteArrayList<>();
  /** What each handshake asked to resume from: the query parameter or header, or "none". */
  private final List<String> resumedFrom = new CopyOnWriteArrayList<>();
  /** How far past the asked position the server starts: 1 resumes, more skips messages. */
  private volatile int skip = 1;
  /** The next connection sends up to this position, then closes (once); then no limit. */
  private volatile long cutAfter = Long.MAX_VALUE;
  /** Every message the listener got, duplicates included. */
  private final List<String> received = new CopyOnWriteArrayList<>();
  /** What the app keeps after dropping duplicates (positions at or below the last). */
  private final List<Long> kept = new CopyOnWriteArrayList<>();
  private final List<String> gaps = new CopyOnWriteArrayList<>();

  @After public void tearDown() throws Exception {
    lifeline.shutdown(5, SECONDS);
    if (server != null) server.shutdown();
  }

  /**
   * Starts a WebSocket server: each connection sends positions from the asked one + {@link
   * #skip} ({@code 1} when none was asked) up to {@code last}, read from {@code param}: a query
   * parameter, or a header when it starts with "header:".
   */
  private String startServer(String param, int last) throws Exception {
    server = new MockWebServer();
    server.setDispatcher(new Dispatcher() {
      @Override public MockResponse dispatch(RecordedRequest request) {
        String from = param.startsWith("header:")
            ? request.getHeader(param.substring(7))
            : request.getRequestUrl().queryParameter(param);
        resumedFrom.add(from == null ? "none" : from);
        long first = from == null ? 1 : Long.parseLong(from) + skip;
        return new MockResponse().withWebSocketUpgrade(new WebSocketListener() {
          @Override public void onOpen(WebSocket ws, Response response) {
            sockets.add(ws);
            long end = Math.min(last, cutAfter);
            for (long p = first; p <= end; p++) ws.send(p + ":payload " + p);
            if (end < last) {
              cutAfter = Long.MAX_VALUE;
              ws.close(1001, "restart");
            }
          }

          @Override public void onClosing(WebSocket ws, int code, String reason) {
            ws.close(1000, null);
          }
        });
      }
    });
    server.start(java.net.InetAddress.getByName("127.0.0.1"), 0);
    return "ws://127.0.0.1:" + server.getPort() + "/feed";
  }

  private Connection connect(String url, StreamResume resume, ConnectionListener extra) {
    Connection c = lifeline.newConnection(ConnectionOptions.builder(url)
        .reconnect(ReconnectPolicy.builder().baseDelay(50, MILLISECONDS).maxDelay(200,
            MILLISECONDS).build())
        .eventListener(new EventListener() {
          @Override public void streamGap(Connection c, long expected, long received) {
            gaps.add(expected + "->" + received);
          }
        })
        .resume(resume)
        .build(), new ConnectionListener() {
          @Override public void onMessage(Connection c, String text) {
            received.add(text);
            extra.onMessage(c, text);
            long position = Long.parseLong(text.substring(0, text.indexOf(':')));
            if (kept.isEmpty() || position > kept.get(kept.size() - 1)) kept.add(position);
          }
        });
    c.connect();
    return c;
  }

  private static List<Long> upTo(long last) {
    List<Long> all = new ArrayList<>();
    for (long p = 1; p <= last; p++) all.add(p);
    return all;
  }

  @Test public void aLostConnectionResumesFromTheLastMessageTheListenerHandled() throws Exception {
    String url = startServer("from", 10);
    CountDownLatch atThree = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    connect(url, StreamResume.builder(NUMBERED).consecutive(true)
        .hook(StreamResume.queryParameter("from")).build(), new ConnectionListener() {
          @Override public void onMessage(Connection c, String text) {
            if (!text.startsWith("3:") || atThree.getCount() == 0) return;
            atThree.countDown();
            try {
              release.await(WAIT, MILLISECONDS); // Still handling 3 when the connection is cut.
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
        });
    assertTrue(atThree.await(WAIT, MILLISECONDS));
    sockets.get(0).close(1001, "restart"); // The server goes away while the app handles 3.
    Await.until("a second handshake", WAIT, () -> resumedFrom.size() >= 2);
    release.countDown();
    // Messages 4..10 of the old connection may be handled before the resent ones arrive.
    Await.until("message 10, and 3 sent again", WAIT, () -> kept.size() == 10
        && received.stream().filter(t -> t.startsWith("3:")).count() >= 2);

    assertEquals("resumed after 2, the last message whose onMessage returned, not after 3",
        Arrays.asList("none", "2"), resumedFrom);
    assertEquals(upTo(10), kept);
    assertEquals("3 twice: handled on the old connection, sent again", 2,
        received.stream().filter(t -> t.startsWith("3:")).count());
    assertEquals("duplicates are not gaps", new ArrayList<String>(), gaps);
  }

  @Test public void theHeaderHookResumesAfterTheServerClosed() throws Exception {
    String url = startServer("header:Last-Event-ID", 6);
    Connection c = connect(url, StreamResume.builder(NUMBERED)
        .hook(StreamResume.header("Last-Event-ID")).build(), new ConnectionListener() {});
    Await.until("message 6", WAIT, () -> kept.size() == 6);
    sockets.get(0).close(1001, "deploy");
    Await.until("a second handshake", WAIT, () -> resumedFrom.size() >= 2);
    Await.until("connected again", WAIT, () -> c.state().kind() == Kind.CONNECTED);
    assertEquals(Arrays.asList("none", "6"), resumedFrom);
    assertEquals("nothing after 6 to send: no message twice", 6, received.size());
  }

  @Test public void aServerThatCannotResumeIsReportedAsAGap() throws Exception {
    String url = startServer("from", 12);
    cutAfter = 5;
    skip = 4; // After a restart the server's history starts three messages late.
    connect(url, StreamResume.builder(NUMBERED).consecutive(true)
        .hook(StreamResume.queryParameter("from")).build(), new ConnectionListener() {});
    Await.until("a gap", WAIT, () -> !gaps.isEmpty());
    Await.until("message 12", WAIT, () -> kept.contains(12L));
    assertEquals("none", resumedFrom.get(0));
    // Normally 5; 4 if the reconnect overtook the listener's handling of 5 (never ahead of it).
    long from = Long.parseLong(resumedFrom.get(1));
    assertTrue("resumed from " + from, from == 5 || from == 4);
    assertEquals("after 5 the server went on at " + (from + 4),
        Arrays.asList("6->" + (from + 4)), gaps);
    assertEquals(upTo(12).subList(0, 5), kept.subList(0, 5));
  }

  @Test public void overTcpTheFirstMessageCarriesThePosition() throws Exception {
    TcpKeepAliveServer tcp = new TcpKeepAliveServer();
    tcp.start(60_000, 1_000);
    try {
      connect(tcp.url(), StreamResume.builder(NUMBERED).hook((last, request) ->
          request.firstMessage(Message.text("RESUME " + (last == null ? 0 : last)))).build(),
          new ConnectionListener() {});
      Await.until("the first line", WAIT, () -> tcp.connectionCount() == 1
          && !tcp.dataMessages(0).isEmpty());
      for (int p = 1; p <= 4; p++) tcp.send(0, p + ":line " + p);
      Await.until("message 4", WAIT, () -> kept.size() == 4);
      tcp.closeConnection(0);
      Await.until("the second connection's first line", WAIT, () -> tcp.connectionCount() == 2
          && !tcp.dataMessages(1).isEmpty());
      assertEquals(Arrays.asList("RESUME 0"), tcp.dataMessages(0));
      assertEquals("RESUME 4", tcp.dataMessages(1).get(0));
    } finally {
      lifeline.shutdown(5, SECONDS);
      tcp.close();
    }
  }
}
