package dev.lifeline.e2e;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import dev.lifeline.AckMatcher;
import dev.lifeline.Connection;
import dev.lifeline.ConnectionListener;
import dev.lifeline.ConnectionOptions;
import dev.lifeline.EventListener;
import dev.lifeline.Lifeline;
import dev.lifeline.Message;
import dev.lifeline.ReconnectPolicy;
import dev.lifeline.testing.Await;
import dev.lifeline.testing.MemoryOutboxStore;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.After;
import org.junit.Test;

/**
 * The durable outbox with the real client over a WebSocket on 127.0.0.1 (docs/behaviour.md,
 * "Durable outbox"): a connection on the store a dead process left sends its messages first and
 * forgets each once acknowledged; a store that cannot open prevents the connection; shutdown
 * closes the store after reporting and removing what was queued.
 */
public final class DurableOutboxEndToEndTest {
  private static final long WAIT = 10_000;
  /** "msg:<n>" is acknowledged by the fixture's "ack:<n>". */
  private static final AckMatcher ACKS = new AckMatcher() {
    @Override public Object key(Message out) {
      return out.isText() && out.text().startsWith("msg:") ? out.text().substring(4) : null;
    }

    @Override public Object acknowledgedKey(Message in) {
      return in.isText() && in.text().startsWith("ack:") ? in.text().substring(4) : null;
    }
  };

  private final Lifeline lifeline = Lifeline.builder().build();
  private WebSocketServerFixture server;
  private final List<String> failures = new CopyOnWriteArrayList<>();
  private final List<String> delivered = new CopyOnWriteArrayList<>();
  private final List<String> restoredEvents = new CopyOnWriteArrayList<>();
  private final ConnectionListener listener = new ConnectionListener() {
    @Override public void onSendFailed(Connection c, Message m, String reason) {
      failures.add(m.text() + ": " + reason);
    }

    @Override public void onDelivered(Connection c, Message m) {
      delivered.add(m.text() + " " + m.id());
    }
  };

  @After public void tearDown() throws Exception {
    assertTrue(lifeline.shutdown(5, SECONDS));
    if (server != null) server.close();
  }

  private ConnectionOptions.Builder options(String url, MemoryOutboxStore store) {
    return ConnectionOptions.builder(url).atLeastOnce(ACKS).outboxStore(store)
        .reconnect(ReconnectPolicy.builder().baseDelay(100, MILLISECONDS).build())
        .eventListener(new EventListener() {
          @Override public void outboxRestored(Connection c, int restored, int reported,
              String damage) {
            restoredEvents.add(restored + "/" + reported);
          }
        });
  }

  @Test public void theNextProcessSendsWhatTheDeadOneLeftFirstWithTheSameIds() throws Exception {
    server = new WebSocketServerFixture();
    server.ackFrom = 0;
    MemoryOutboxStore disk = new MemoryOutboxStore();
    // The first process queues three messages while its server is unreachable, then dies.
    Connection dead = lifeline.newConnection(options(server.url(), disk).build(), listener);
    Message[] sent = new Message[3];
    for (int i = 0; i < 3; i++) {
      sent[i] = Message.text("msg:" + (i + 1));
      assertTrue(dead.send(sent[i]));
    }
    MemoryOutboxStore next = disk.afterCrash();

    Connection c = lifeline.newConnection(options(server.url(), next).build(), listener);
    assertEquals(3, c.queuedMessages()); // Restored before newConnection returned.
    Await.until("the outboxRestored events", WAIT, () -> restoredEvents.size() == 2);
    // One event per connection, each on its own lane: they may arrive in either order.
    assertEquals(new java.util.HashSet<>(Arrays.asList("0/0", "3/0")),
        new java.util.HashSet<>(restoredEvents));
    assertTrue(c.send("msg:4"));
    c.connect();
    Await.until("four acknowledgements", WAIT, () -> delivered.size() == 4);
    assertEquals(Arrays.asList("msg:1", "msg:2", "msg:3", "msg:4"), server.receivedOn(0));
    for (int i = 0; i < 3; i++) {
      assertEquals("msg:" + (i + 1) + " " + sent[i].id(), delivered.get(i));
    }
    Await.until("every record removed", WAIT, () -> next.held().isEmpty());
    assertTrue(failures.isEmpty());
    c.close();
    Await.until("the store closed", WAIT, () -> !next.isOpen());
    assertEquals(0, next.callsAfterClose());
  }

  @Test public void aStoreThatCannotOpenMeansNoConnection() {
    MemoryOutboxStore store = new MemoryOutboxStore()
        .failNext(MemoryOutboxStore.Method.OPEN, new IOException("permission denied"));
    try {
      lifeline.newConnection(options("ws://127.0.0.1:1/socket", store).build(), listener);
      fail();
    } catch (IllegalStateException e) {
      assertEquals("could not open the outbox store (" + MemoryOutboxStore.class.getName()
          + ") of ws://127.0.0.1:1/socket: permission denied", e.getMessage());
    }
  }

  @Test public void shutdownReportsRemovesAndThenClosesTheStore() throws Exception {
    MemoryOutboxStore store = new MemoryOutboxStore();
    Connection c = lifeline.newConnection(options("ws://127.0.0.1:1/socket", store).build(),
        listener);
    assertTrue(c.send("msg:1"));
    assertTrue(c.send("msg:2"));
    assertTrue(lifeline.shutdown(5, SECONDS));
    assertEquals(2, failures.size());
    assertFalse(store.isOpen());
    List<String> calls = store.calls();
    assertEquals(Arrays.asList("remove [1, 2]", "close"),
        calls.subList(calls.size() - 2, calls.size()));
    assertTrue(store.held().isEmpty());
  }
}
