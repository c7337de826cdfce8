package dev.lifeline.e2e.chaos;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import dev.lifeline.AckMatcher;
import dev.lifeline.Connection;
import dev.lifeline.ConnectionListener;
import dev.lifeline.ConnectionOptions;
import dev.lifeline.ConnectionState;
import dev.lifeline.ConnectionState.Kind;
import dev.lifeline.EventListener;
import dev.lifeline.HeartbeatPolicy;
import dev.lifeline.Lifeline;
import dev.lifeline.Message;
import dev.lifeline.OutboxPolicy;
import dev.lifeline.ReconnectPolicy;
import dev.lifeline.e2e.FaultProxy;
import dev.lifeline.e2e.WebSocketServerFixture;
import dev.lifeline.testing.Await;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * A hostile server or a demanding app, one test per class of trouble, in this JVM on 127.0.0.1
 * (the out-of-memory floods run in forked JVMs: {@link HostileFloodTest}). Each ends in a clear
 * state, report or refusal, never an uncaught exception, a silent drop or a duplicate
 * (docs/behaviour.md, "Bad input" and "Sending and delivery"). A hostile input proved elsewhere is
 * not repeated here: a Retry-After beyond 2^31 s and a close without a close frame in
 * HostileServerEndToEndTest, secrets in SecretsEndToEndTest, more than 64 WebSockets in
 * ConnectionCeilingEndToEndTest; the README's "Hostile servers" table lists them all.
 */
public final class HostileServerTest {
  private static final long WAIT = 10_000;

  private WebSocketServerFixture server;
  private Lifeline lifeline;
  private final List<AutoCloseable> toClose = new ArrayList<>();
  /** Everything the app heard: states, reasons, causes, events, log lines, failures. */
  private final Recorder app = new Recorder();

  /** Records every state, report, event and log line as text. */
  private static final class Recorder extends ConnectionListener {
    final List<ConnectionState> states = new CopyOnWriteArrayList<>();
    final List<String> heard = new CopyOnWriteArrayList<>();
    final List<String> sendFailures = new CopyOnWriteArrayList<>();
    final List<String> delivered = new CopyOnWriteArrayList<>();
    final List<String> messages = new CopyOnWriteArrayList<>();

    @Override public void onStateChanged(Connection c, ConnectionState state) {
      states.add(state);
      heard.add("state " + state + " cause " + causes(state.cause()) + " connection " + c);
    }

    @Override public void onMessage(Connection c, String text) {
      messages.add(text);
    }

    @Override public void onDelivered(Connection c, Message message) {
      delivered.add(message.text());
    }

    @Override public void onSendFailed(Connection c, Message message, String reason) {
      String text = message.byteCount() > 100_000 ? message.byteCount() + " bytes"
          : message.text().split(" ", 2)[0]; // The padded ones by their number.
      sendFailures.add(text + ": " + reason);
      heard.add("onSendFailed " + text + ": " + reason);
    }

    ConnectionState last() {
      return states.isEmpty() ? null : states.get(states.size() - 1);
    }

    boolean isIn(Kind kind) {
      ConnectionState s = last();
      return s != null && s.kind() == kind;
    }

    EventListener events() {
      return new EventListener() {
        @Override public void connectStart(Connection c, int attempt, String url) {
          heard.add("connectStart " + attempt + " " + url + " " + c);
        }

        @Override public void connectEnd(Connection c, int attempt, long millis) {
          heard.add("connectEnd " + attempt + " " + c);
        }

        @Override public void connectFailed(Connection c, int attempt, int code, String reason,
            Throwable error) {
          heard.add("connectFailed " + code + " " + reason + " " + causes(error));
        }

        @Override public void disconnected(Connection c, String reason, Throwable error) {
          heard.add("disconnected " + reason + " " + causes(error));
        }

        @Override public void reconnectScheduled(Connection c, int attempt, long delay,
            String cause) {
          heard.add("reconnectScheduled " + delay + " " + cause);
        }

        @Override public void probeStarted(Connection c, String trigger) {
          heard.add("probeStarted " + trigger);
        }

        @Override public void hookStuck(Connection c, String hook, long millis) {
          heard.add("hookStuck " + hook);
        }
      };
    }

    dev.lifeline.Logger logger() {
      return (level, message, error) -> heard.add("log " + level + " " + message + " "
          + causes(error));
    }
  }

  /** An exception and its causes, with their messages, as a reader of a log would see them. */
  private static String causes(Throwable t) {
    StringBuilder out = new StringBuilder();
    for (Throwable e = t; e != null; e = e.getCause()) {
      out.append(e).append(" <- ");
      for (Throwable s : e.getSuppressed()) out.append("suppressed ").append(s).append(" ");
    }
    return out.toString();
  }

  /** "msg:N" is acknowledged by "ack:N". */
  private static final AckMatcher ACKS = new AckMatcher() {
    @Override public Object key(Message out) {
      return out.text().startsWith("msg:") ? out.text().substring(4) : null;
    }

    @Override public Object acknowledgedKey(Message in) {
      return in.isText() && in.text().startsWith("ack:") ? in.text().substring(4) : null;
    }
  };

  @Before public void setUp() throws Exception {
    server = new WebSocketServerFixture();
    lifeline = Lifeline.builder().logger(app.logger()).build();
  }

  @After public void tearDown() throws Exception {
    lifeline.shutdown(5, SECONDS);
    for (AutoCloseable c : toClose) c.close();
    server.close();
  }

  private static ReconnectPolicy fastReconnect() {
    return ReconnectPolicy.builder().baseDelay(100, MILLISECONDS).maxDelay(400, MILLISECONDS)
        .build();
  }

  private ConnectionOptions.Builder options(String url) {
    return ConnectionOptions.builder(url).reconnect(fastReconnect()).eventListener(app.events());
  }

  private void awaitState(Kind kind) throws Exception {
    Await.until("state " + kind + " (states so far: " + app.states + ")", WAIT,
        () -> app.isIn(kind));
  }

  /** OkHttp queues at most 16 MiB: a larger message was never sent, never reported, and blocked the rest. */
  @Test public void messageLargerThanTheTransportCanCarryIsRefusedAtSendAndBlocksNothing()
      throws Exception {
    Connection c = lifeline.newConnection(options(server.url())
        .outbox(OutboxPolicy.builder().maxBytes(64L * 1024 * 1024).build()).build(), app);
    c.connect();
    awaitState(Kind.CONNECTED);
    char[] big = new char[17 * 1024 * 1024];
    Arrays.fill(big, 'b');
    boolean accepted = c.send(new String(big));
    assertTrue("the small message after it", c.send("after"));
    Await.until("the small message at the server (reports: " + app.sendFailures + ")", WAIT,
        () -> server.receivedOn(0).contains("after"));
    assertFalse("send() accepted 17 MiB that OkHttp can never queue", accepted);
    Await.until("the refusal reported", WAIT, () -> !app.sendFailures.isEmpty());
    String reason = app.sendFailures.get(0);
    assertTrue(reason, reason.matches(".*(16 MiB|16777216).*"));
    c.close();
  }

  /** Two held messages with one ack key: all but one were lost silently. */
  @Test public void duplicateAckKeyIsRefusedVisiblyAtSend() throws Exception {
    Connection c = lifeline.newConnection(options(server.url()).atLeastOnce(ACKS).build(), app);
    c.connect();
    awaitState(Kind.CONNECTED);
    assertTrue(c.send("msg:7"));
    boolean second = c.send("msg:7");
    assertFalse("a second held message with ack key 7 was accepted", second);
    Await.until("the refusal reported", WAIT, () -> !app.sendFailures.isEmpty());
    assertTrue(app.sendFailures.toString(), app.sendFailures.get(0).startsWith("msg:7: "));
    c.close();
  }

  /**
   * A listener slower than the server pauses the reader; the pongs behind the paused reader must
   * not make a live connection look like a zombie.
   */
  @Test public void slowListenerIsNotMistakenForAZombie() throws Exception {
    char[] mib = new char[1024 * 1024];
    Arrays.fill(mib, 'm');
    String oneMiB = new String(mib);
    // Over the 16 MiB inbound bound, never over OkHttp's own 16 MiB send queue on the server.
    List<Thread> senders = new CopyOnWriteArrayList<>();
    server.onOpen = (index, ws) -> {
      Thread sender = new Thread(() -> {
        long deadline = System.nanoTime() + MILLISECONDS.toNanos(WAIT);
        for (int i = 0; i < 24; i++) {
          while (ws.queueSize() > 4 * 1024 * 1024 && System.nanoTime() - deadline < 0) {
            LockSupport.parkNanos(MILLISECONDS.toNanos(5));
          }
          if (!ws.send(oneMiB)) return; // This connection is gone.
        }
        ws.send("last");
      }, "test server sender " + index);
      senders.add(sender);
      sender.start();
    };
    CountDownLatch slow = new CountDownLatch(1);
    AtomicBoolean first = new AtomicBoolean(true);
    Connection c = lifeline.newConnection(options(server.url())
        .heartbeat(HeartbeatPolicy.builder().interval(300, MILLISECONDS).build()).build(),
        new ConnectionListener() {
          @Override public void onStateChanged(Connection connection, ConnectionState state) {
            app.onStateChanged(connection, state);
          }

          @Override public void onMessage(Connection connection, String text) {
            if (first.getAndSet(false)) {
              try {
                slow.await(2_000, MILLISECONDS); // Slow for about seven ping intervals.
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            }
            app.onMessage(connection, text);
          }
        });
    c.connect();
    try {
      Await.until("every message delivered", 20_000, () -> app.messages.contains("last"));
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "; " + app.messages.size() + " delivered; states "
          + app.states + "; server connections " + server.sockets.size(), e);
    }
    List<Kind> kinds = new ArrayList<>();
    for (ConnectionState s : app.states) kinds.add(s.kind());
    assertEquals("states " + app.states, Arrays.asList(Kind.CONNECTING, Kind.CONNECTED), kinds);
    assertEquals(1, server.sockets.size());
    c.close();
    for (Thread t : senders) t.join(WAIT);
  }

  /**
   * A server closing every 400 ms while eight threads send: a message OkHttp still wrote before
   * its close frame was sent again after the reconnect.
   */
  @Test public void atMostOnceNeverSendsAMessageTwiceWhenTheServerKeepsClosing() throws Exception {
    server.onOpen = (index, ws) -> server.timers.schedule(() -> {
      ws.close(1001, "restarting");
    }, 400, MILLISECONDS);
    Connection c = lifeline.newConnection(options(server.url())
        .outbox(OutboxPolicy.builder().maxMessages(100_000).maxBytes(256L * 1024 * 1024).build())
        .build(), app);
    c.connect();
    awaitState(Kind.CONNECTED);
    char[] pad = new char[512];
    Arrays.fill(pad, '.');
    String padding = new String(pad);
    long end = System.nanoTime() + SECONDS.toNanos(3);
    Set<String> accepted = ConcurrentHashMap.newKeySet();
    List<Thread> senders = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      int thread = t;
      Thread sender = new Thread(() -> {
        for (int n = 0; System.nanoTime() - end < 0; n++) {
          if (c.send(thread + "-" + n + " " + padding)) accepted.add(thread + "-" + n);
          LockSupport.parkNanos(MILLISECONDS.toNanos(1)); // About 8 messages a ms in all.
        }
      }, "sender " + t);
      senders.add(sender);
      sender.start();
    }
    for (Thread t : senders) t.join(10_000);
    server.onOpen = (index, ws) -> {}; // Let the outbox drain.
    // Written messages of the last connection stay unsettled (the server is silent) until they
    // arrive: wait until every accepted number arrived or was reported.
    Set<String> seen = ConcurrentHashMap.newKeySet();
    Set<String> reported = ConcurrentHashMap.newKeySet();
    List<String> twice = new ArrayList<>();
    int[] received = {0};
    int[] read = {0};
    Runnable collect = () -> {
      List<String> all = server.received;
      for (; read[0] < all.size(); read[0]++) {
        String text = all.get(read[0]).substring(all.get(read[0]).indexOf(':') + 1);
        if (!text.endsWith(padding)) continue;
        received[0]++;
        String number = text.substring(0, text.indexOf(' '));
        if (!seen.add(number) && twice.size() < 10) twice.add(number);
      }
      // Recorder.onSendFailed keeps the number only ("N-M: reason").
      for (String f : app.sendFailures) reported.add(f.substring(0, f.indexOf(':')));
    };
    boolean accountedFor = true;
    try {
      Await.until("every accepted number received or reported", 15_000, () -> {
        collect.run();
        for (String n : accepted) if (!seen.contains(n) && !reported.contains(n)) return false;
        return c.queuedMessages() == 0 && app.isIn(Kind.CONNECTED);
      });
    } catch (AssertionError e) {
      accountedFor = false;
    }
    collect.run();
    List<String> unaccounted = new ArrayList<>();
    int reportedButReceived = 0;
    for (String n : accepted) {
      if (!seen.contains(n) && !reported.contains(n) && unaccounted.size() < 10) unaccounted.add(n);
      if (reported.contains(n) && seen.contains(n)) reportedButReceived++;
    }
    // A silent server settles nothing: every written message of a lost connection is reported,
    // also those that did arrive (docs/behaviour.md, "Sending and delivery").
    System.out.println("at-most-once under repeated server closes (silent server): accepted "
        + accepted.size() + ", received " + received[0] + " (" + seen.size() + " distinct), "
        + "reported as may not have been delivered " + reported.size() + " (of which "
        + reportedButReceived + " did arrive, " + (reported.size() - reportedButReceived)
        + " did not), connections " + server.sockets.size()
        + (accountedFor ? "" : "; NOT ACCOUNTED FOR in 15 s: " + c.state() + ", "
            + c.queuedMessages() + " queued"));
    assertTrue("received twice (first 10): " + twice + " of " + received[0] + " received, "
        + accepted.size() + " accepted", twice.isEmpty());
    assertTrue("accepted, never received, never reported (first 10): " + unaccounted,
        unaccounted.isEmpty());
    assertTrue("the outbox did not drain: " + c.state() + ", " + c.queuedMessages() + " queued",
        accountedFor);
    assertTrue("the server must have closed repeatedly: " + server.sockets.size(),
        server.sockets.size() >= 4);
    c.close();
  }

  /**
   * A message written into a dead path with pings off and no silence watch: only an ack timeout
   * can resend it; without one it waited for an unrelated reconnect, or forever.
   */
  @Test public void unacknowledgedMessageIsResentAfterAnAckTimeout() throws Exception {
    server.ackFrom = 0;
    FaultProxy proxy = new FaultProxy(server.address());
    toClose.add(proxy);
    Connection c = lifeline.newConnection(options("ws://127.0.0.1:" + proxy.port() + "/socket")
        .heartbeat(HeartbeatPolicy.builder().interval(60, SECONDS).noProtocolPing().build())
        .ackTimeout(1, SECONDS)
        .atLeastOnce(ACKS).build(), app);
    c.connect();
    awaitState(Kind.CONNECTED);
    proxy.blackhole(); // This connection is a zombie for good.
    long sent = System.nanoTime();
    assertTrue(c.send("msg:1"));
    proxy.pass(); // A new connection would go through.
    Await.until("msg:1 acknowledged; states " + app.states, 5_000,
        () -> app.delivered.contains("msg:1"));
    long tookMillis = MILLISECONDS.convert(System.nanoTime() - sent, java.util.concurrent.TimeUnit.NANOSECONDS);
    assertTrue("acknowledged after " + tookMillis + " ms, before the 1 s ack timeout could fire",
        tookMillis >= 1_000);
    String ackTimeout = null;
    for (ConnectionState s : app.states) {
      if (s.kind() == Kind.WAITING_TO_RECONNECT && s.reason() != null
          && s.reason().contains("no acknowledgement for")) {
        ackTimeout = s.reason();
      }
    }
    assertTrue("no ack-timeout reason in " + app.states, ackTimeout != null);
    assertTrue(ackTimeout, ackTimeout.contains("(ackTimeout 1 s); 1 message awaiting"));
    assertEquals("msg:1 on the second connection", Arrays.asList("msg:1"),
        server.receivedOn(1));
    c.close();
  }
}
