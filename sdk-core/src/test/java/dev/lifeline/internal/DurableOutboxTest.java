package dev.lifeline.internal;

import static java.util.Arrays.asList;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import dev.lifeline.Connection;
import dev.lifeline.ConnectionOptions;
import dev.lifeline.ConnectionState.Kind;
import dev.lifeline.EventListener;
import dev.lifeline.Message;
import dev.lifeline.OutboxPolicy;
import dev.lifeline.StoredMessage;
import dev.lifeline.testing.Await;
import dev.lifeline.testing.MemoryOutboxStore;
import dev.lifeline.testing.MemoryOutboxStore.Method;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.Test;

/**
 * The engine side of the durable outbox (docs/behaviour.md, "Durable outbox"), with an in-memory
 * store in virtual time: recorded before {@code send()} returns, removed once settled in one call
 * per lane turn, at-most-once messages marked before they go out, restored in order after a
 * restart under the limits and the TTL, and a store that throws never breaks the connection.
 */
public final class DurableOutboxTest {
  private static final long TTL = 30_000;
  /** The wall clock's start: any time of day. */
  private static final long WALL = 1_764_000_000_000L;

  private final Harness h = new Harness();
  private final AtomicLong wall = new AtomicLong(WALL);
  private final MemoryOutboxStore store = new MemoryOutboxStore();
  /** outboxRestored events, as "restored/reported/damage". */
  private final List<String> restoredEvents = Collections.synchronizedList(new ArrayList<>());

  {
    h.context.wallClock = wall::get;
  }

  // ---- Recording. ----

  @Test public void aMessageIsRecordedBeforeSendReturnsWithItsIdAndTheWallClockTime() {
    RealConnection c = connection(options());
    Message m = Message.text("one");
    assertTrue(c.send(m));
    List<StoredMessage> held = store.held();
    assertEquals(1, held.size());
    StoredMessage s = held.get(0);
    assertEquals(1, s.sequence());
    assertEquals(m.id(), s.message().id());
    assertEquals(WALL, s.acceptedAtEpochMillis());
    assertFalse(s.sending());
    assertTrue(c.send("two"));
    assertEquals(asList(1L, 2L), store.sequences());
  }

  @Test public void concurrentSendersRecordAtTheSameTimeSoTheyCanShareOneSync() throws Exception {
    RealConnection c = connection(options());
    assertTrue(c.send("first")); // Loads the send path's classes before the race.
    int senders = 4;
    store.holdAddsUntil(senders); // Each add waits until all four are inside add at once.
    List<Thread> threads = new ArrayList<>();
    List<Boolean> results = Collections.synchronizedList(new ArrayList<>());
    for (int i = 0; i < senders; i++) {
      String text = "m" + i;
      Thread t = new Thread(() -> results.add(c.send(text)), "sender " + i);
      threads.add(t);
      t.start();
    }
    for (Thread t : threads) {
      t.join(10_000);
      assertFalse("a sender is stuck in add", t.isAlive());
    }
    assertEquals(h.sendFailures.toString(), asList(true, true, true, true), results);
    assertEquals(senders, store.mostAddsInside());
    List<String> bySequence = new ArrayList<>();
    for (StoredMessage s : store.held()) bySequence.add(s.message().text());
    assertEquals(asList(1L, 2L, 3L, 4L, 5L), store.sequences());
    FakeTransport t = h.connectAndOpen(c);
    // Sent in sequence order: the order in which send() reserved their places.
    assertEquals(bySequence, t.sentTexts());
  }

  @Test public void aMessageStillBeingRecordedHoldsBackTheOnesBehindIt() throws Exception {
    RealConnection c = connection(options());
    FakeTransport t = h.connectAndOpen(c);
    store.holdAdd(1);
    Thread first = new Thread(() -> c.send("first"), "first sender");
    first.start();
    Await.until("the first add", 10_000, () -> store.calls("add").size() == 1);
    assertTrue(c.send("second")); // Recorded while the first is not: it must not overtake it.
    h.time.runUntilIdle();
    assertTrue(t.sent.isEmpty());
    store.releaseAdd(1);
    first.join(10_000);
    h.time.runUntilIdle();
    assertEquals(asList("first", "second"), t.sentTexts());
  }

  @Test public void aBurstSentTogetherIsRecordedWithOneStoreCallAndGoesOutInOrder() {
    RealConnection c = connection(options());
    assertTrue(c.send("before"));
    assertEquals(3, c.sendAll(asList(Message.text("a"), Message.text("b"), Message.text("c"))));
    assertEquals(asList("add 1", "addAll [2, 3, 4]"), store.calls("add"));
    FakeTransport t = h.connectAndOpen(c);
    assertEquals(asList("before", "a", "b", "c"), t.sentTexts());
  }

  @Test public void aBurstTheStoreCannotRecordIsRefusedWholeAndReported() {
    RealConnection c = connection(options());
    store.failNext(Method.ADD, new IOException("disk full"));
    assertEquals(0, c.sendAll(asList(Message.text("a"), Message.text("b"))));
    assertEquals(asList("text \"a\": could not record it in the outbox store: disk full",
        "text \"b\": could not record it in the outbox store: disk full"), h.sendFailures);
    assertEquals(0, c.queuedMessages());
    store.works(Method.ADD);
    assertTrue(c.send("next"));
    assertEquals(1, c.queuedMessages());
  }

  @Test public void aBurstOverTheLimitAcceptsWhatFitsAndReportsTheRest() {
    RealConnection c = connection(options().outbox(OutboxPolicy.builder().maxMessages(2).build()));
    assertEquals(2, c.sendAll(asList(Message.text("a"), Message.text("b"), Message.text("c"))));
    assertEquals(asList("addAll [1, 2]"), store.calls("add"));
    assertEquals(1, h.sendFailures.size());
    assertTrue(h.sendFailures.get(0), h.sendFailures.get(0).startsWith("text \"c\": outbox full"));
  }

  @Test public void aFailingAddRefusesTheMessageVisiblyAndQueuesNothing() {
    RealConnection c = connection(options());
    store.failNext(Method.ADD, new IOException("disk full (ENOSPC)"));
    assertFalse(c.send("lost"));
    store.failNext(Method.ADD, new LinkageError("broken store library")); // An Error alike.
    assertFalse(c.send("lost too"));
    assertEquals(asList(
        "text \"lost\": could not record it in the outbox store: disk full (ENOSPC)",
        "text \"lost too\": could not record it in the outbox store: broken store library"),
        h.sendFailures);
    assertEquals(0, c.queuedMessages());
    store.works(Method.ADD);
    assertTrue(c.send("kept"));
    FakeTransport t = h.connectAndOpen(c);
    assertEquals(asList("kept"), t.sentTexts());
    h.time.runUntilIdle();
    assertEquals(h.logs.toString(), 2, h.logs.stream().filter(l -> l.startsWith("WARN")
        && l.contains("could not record message") && !l.contains("lost")).count());
  }

  // ---- Removing what is settled. ----

  @Test public void atMostOnceMessagesAreMarkedInOneCallBeforeTheyGoOutAndRemovedOnceSettled() {
    RealConnection c = connection(options());
    c.send("a");
    c.send("b");
    c.send("c");
    FakeTransport t = h.connectAndOpen(c);
    assertEquals(asList("a", "b", "c"), t.sentTexts());
    assertEquals(asList("markSending [1, 2, 3]"), store.calls("markSending"));
    assertTrue(store.calls("remove").isEmpty()); // Written, not settled yet.
    t.serverSends("hello"); // The server was heard after them: settled.
    c.send("d");
    h.time.runUntilIdle();
    assertEquals(asList("remove [1, 2, 3]"), store.calls("remove"));
    assertEquals(asList(4L), store.sequences());
  }

  @Test public void withAStoreTheFlushIsLeftToTheLaneNotRunOnTheSendingThread() {
    RealConnection c = connection(options());
    FakeTransport t = h.connectAndOpen(c);
    c.send("a"); // Idle and open: without a store this would be written right here.
    c.send("b");
    assertEquals("only recorded on the sending thread", asList(), t.sentTexts());
    assertEquals(asList(), store.calls("markSending"));
    h.time.runUntilIdle();
    assertEquals(asList("a", "b"), t.sentTexts());
    assertEquals("one mark for the burst", asList("markSending [1, 2]"),
        store.calls("markSending"));
  }

  @Test public void anAcknowledgedMessageIsRemovedAndAnUnacknowledgedOneStays() {
    RealConnection c = connection(options().atLeastOnce(AtLeastOnceTest.ACKS));
    FakeTransport t = h.connectAndOpen(c);
    c.send("msg:1");
    c.send("msg:2");
    h.time.runUntilIdle();
    assertTrue("keyed messages are not marked", store.calls("markSending").isEmpty());
    t.serverSends("ack:2");
    h.time.runUntilIdle();
    assertEquals(asList("remove [2]"), store.calls("remove"));
    assertEquals(asList(1L), store.sequences());
  }

  @Test public void expiredMessagesAreRemovedTogether() {
    RealConnection c = connection(options().outbox(ttl(TTL)));
    c.send("one");
    c.send("two");
    h.time.runUntilIdle();
    h.time.advanceBy(TTL - 1);
    assertTrue(store.calls("remove").isEmpty());
    h.time.advanceBy(1);
    assertEquals(2, h.sendFailures.size());
    assertEquals(asList("remove [1, 2]"), store.calls("remove"));
    assertTrue(store.held().isEmpty());
  }

  @Test public void closingReportsAndRemovesTheQueueThenClosesTheStoreLast() {
    RealConnection c = connection(options());
    c.send("one");
    c.send("two");
    c.close();
    h.time.runUntilIdle();
    assertEquals(Kind.CLOSED, c.state().kind());
    assertEquals(2, h.sendFailures.size());
    List<String> calls = store.calls();
    assertEquals(asList("remove [1, 2]", "close"), calls.subList(calls.size() - 2, calls.size()));
    assertTrue(store.held().isEmpty());
    assertFalse(store.isOpen());
    assertEquals(0, store.callsAfterClose());
  }

  @Test public void unsettledAtMostOnceMessagesReportedAfterALossAreRemoved() {
    RealConnection c = connection(options());
    FakeTransport t = h.connectAndOpen(c);
    c.send("one");
    c.send("two");
    h.time.runUntilIdle();
    t.fails(new IOException("connection reset"));
    h.time.runUntilIdle();
    assertEquals(asList(
        "text \"one\": may not have been delivered: connection failed after 0.0 s open (no data for"
            + " 0.0 s): IOException: connection reset",
        "text \"two\": may not have been delivered: connection failed after 0.0 s open (no data for"
            + " 0.0 s): IOException: connection reset"), h.sendFailures);
    assertEquals(asList("remove [1, 2]"), store.calls("remove"));
    assertTrue(store.held().isEmpty());
  }

  @Test public void unwrittenMessagesStayRecordedAcrossALossAndGoOutAgain() {
    RealConnection c = connection(options());
    FakeTransport t = h.connectAndOpen(c);
    t.holdWrites = true;
    c.send("one");
    h.time.runUntilIdle();
    t.fails(new IOException("connection reset"));
    h.time.runUntilIdle();
    assertTrue(store.calls("remove").isEmpty());
    assertEquals(asList(1L), store.sequences());
    h.time.advanceBy(c.state().delayMillis());
    FakeTransport t2 = h.transports.last();
    t2.serverAccepts();
    h.time.runUntilIdle();
    assertEquals(asList("one"), t2.sentTexts());
    assertEquals("marked once", 1, store.calls("markSending").size());
  }

  @Test public void writtenMessagesBeyondTheLimitsCountAsSettledAndAreRemoved() {
    RealConnection c = connection(options().outbox(OutboxPolicy.builder().maxMessages(2).build()));
    FakeTransport t = h.connectAndOpen(c);
    for (String text : asList("one", "two", "three")) {
      c.send(text); // Written; the server never answers.
      h.time.runUntilIdle();
    }
    assertEquals(asList("one", "two", "three"), t.sentTexts());
    assertEquals(asList("remove [1]"), store.calls("remove"));
    assertEquals(asList(2L, 3L), store.sequences());
  }

  @Test public void aMessageTheTransportRefusesForGoodIsReportedAndRemoved() {
    RealConnection c = connection(options());
    FakeTransport t = h.connectAndOpen(c);
    t.refuseLargerThan = 3;
    c.send("too long");
    h.time.advanceBy(Delivery.REFUSED_HEAD_LIMIT_MILLIS);
    assertEquals(1, h.sendFailures.size());
    assertTrue(h.sendFailures.get(0), h.sendFailures.get(0).contains("the transport refused it"));
    assertEquals(asList("remove [1]"), store.calls("remove"));
    assertTrue(store.held().isEmpty());
  }

  @Test public void aFullOutboxRejectsBeforeRecording() {
    RealConnection c = connection(options().outbox(OutboxPolicy.builder().maxMessages(1).build()));
    assertTrue(c.send("one"));
    assertFalse(c.send("two"));
    assertEquals(asList("add 1"), store.calls("add"));
  }

  @Test public void aSendRacingTheCloseIsReportedOnceAndItsRecordRemovedBeforeTheStoreCloses()
      throws Exception {
    RealConnection c = connection(options());
    store.holdAdd(1);
    List<Boolean> result = Collections.synchronizedList(new ArrayList<>());
    Thread sender = new Thread(() -> result.add(c.send("racing")), "sender");
    sender.start();
    Await.until("the add", 10_000, () -> store.calls("add").size() == 1);
    c.close();
    h.time.runUntilIdle();
    assertEquals(Kind.CLOSED, c.state().kind());
    assertEquals(asList("text \"racing\": connection closed before the message was delivered:"
        + " closed by the app"), h.sendFailures);
    assertTrue("the store waits for the add", store.isOpen());
    store.releaseAdd(1);
    sender.join(10_000);
    assertEquals(asList(true), result);
    List<String> calls = store.calls();
    assertEquals(asList("add 1", "remove [1]", "close"), calls.subList(1, calls.size()));
    assertTrue(store.held().isEmpty());
    assertEquals(1, h.sendFailures.size());
  }

  // ---- At-most-once marks. ----

  @Test public void whenMarkingFailsTheMessagesAreReportedNotSentAndTheNextOnesGoOut() {
    RealConnection c = connection(options());
    FakeTransport t = h.connectAndOpen(c);
    store.failNext(Method.MARK_SENDING, new IOException("I/O error"));
    c.send("one");
    h.time.runUntilIdle();
    assertTrue(t.sent.isEmpty());
    assertEquals(asList("text \"one\": not sent: could not record in the outbox store that it is"
        + " being sent: I/O error"), h.sendFailures);
    assertEquals(asList("remove [1]"), store.calls("remove"));
    store.failNext(Method.MARK_SENDING, new AssertionError("store bug"));
    c.send("two"); // An Error this time: logged at DEBUG, reported the same way, no loop.
    h.time.runUntilIdle();
    store.works(Method.MARK_SENDING);
    c.send("three");
    h.time.runUntilIdle();
    assertEquals(asList("three"), t.sentTexts());
    assertEquals(Kind.CONNECTED, c.state().kind());
    assertEquals(1, h.logs.stream().filter(l -> l.startsWith("WARN") && l.contains("could not"
        + " mark")).count());
    assertTrue(h.logs.stream().anyMatch(l -> l.contains("markSending works again after 2 failures")));
  }

  @Test public void aMessageRecordedWhileOthersAreBeingMarkedIsMarkedBeforeItGoesOut()
      throws Exception {
    // Found by KillSoakTest (at-most-once): an app thread finished recording "two" while the lane
    // was marking "one"; the flush then wrote both, "two" unmarked, and after a kill -9 the next
    // process sent it again: the server received it twice.
    AtomicReference<RealConnection> connection = new AtomicReference<>();
    AtomicReference<Thread> second = new AtomicReference<>();
    RealConnection c = connection(options().outboxStore(new ForwardingStore(store) {
      @Override public void markSending(long[] sequences) throws IOException {
        super.markSending(sequences);
        Thread t = new Thread(() -> connection.get().send("two"), "second sender");
        if (!second.compareAndSet(null, t)) return;
        t.start();
        try {
          t.join(10_000); // "two" is recorded; its flush waits behind this one.
        } catch (InterruptedException e) {
          throw new AssertionError(e);
        }
      }
    }));
    connection.set(c);
    FakeTransport t = h.connectAndOpen(c);
    c.send("one");
    h.time.runUntilIdle();
    assertFalse("the second sender is stuck", second.get().isAlive());
    assertEquals(asList("one", "two"), t.sentTexts());
    assertEquals(asList("markSending [1]", "markSending [2]"), store.calls("markSending"));
  }

  // ---- Restoring after a restart. ----

  @Test public void aRestartedConnectionSendsTheRestoredMessagesFirstInOrderWithTheirIds() {
    RealConnection first = connection(options());
    Message one = Message.text("one");
    Message two = Message.text("two").withId("app-id-2");
    first.send(one);
    first.send(two);
    store.crash(); // The process dies: nothing settled, nothing closed.

    RealConnection second = connection(options());
    assertEquals(2, second.queuedMessages());
    assertTrue(second.send("three"));
    FakeTransport t = h.connectAndOpen(second);
    assertEquals(asList("one", "two", "three"), t.sentTexts());
    assertEquals(one.id(), t.sent.get(0).id());
    assertEquals("app-id-2", t.sent.get(1).id());
    assertEquals("sequences continue after the restored ones", asList(1L, 2L, 3L),
        store.sequences());
    h.time.runUntilIdle();
    assertEquals(asList("0/0/null", "2/0/null"), restoredEvents);
    assertTrue(h.logs.toString(), h.logs.contains("INFO ws://127.0.0.1:1/socket: outbox store"
        + " read: 2 message(s) restored, 0 reported through onSendFailed"));
  }

  @Test public void restoredAtMostOnceMessagesMarkedSendingAreReportedNotSentAgain() {
    store.preload(stored(1, Message.text("was being sent"), WALL, true));
    store.preload(stored(2, Message.text("never sent"), WALL, false));
    RealConnection c = connection(options());
    assertEquals(asList("text \"was being sent\": may not have been delivered: the process ended"
        + " while it was being sent (restored from the outbox store)"), h.sendFailures);
    assertEquals(asList("remove [1]"), store.calls("remove"));
    FakeTransport t = h.connectAndOpen(c);
    assertEquals(asList("never sent"), t.sentTexts());
    assertEquals(asList("1/1/null"), restoredEvents);
  }

  @Test public void aReportedMessageStaysRecordedUntilTheListenerHeardOfIt() {
    // Listener calls wait in a queue, as when the app's callback executor is busy.
    java.util.ArrayDeque<Runnable> callbacks = new java.util.ArrayDeque<>();
    Harness slow = new Harness(new java.util.Random(42), callbacks::add);
    slow.context.wallClock = wall::get;
    store.preload(stored(1, Message.text("was being sent"), WALL, true));
    RealConnection c = slow.connection(slow.options().outboxStore(store).build());
    slow.time.runUntilIdle();
    assertEquals("a process dying now must find it again, to report it", asList(),
        store.calls("remove"));
    assertEquals(asList(), slow.sendFailures);
    while (!callbacks.isEmpty()) callbacks.poll().run();
    assertEquals(1, slow.sendFailures.size());
    assertEquals(asList("remove [1]"), store.calls("remove"));
    c.close();
    slow.time.runUntilIdle();
    assertFalse("closed with the connection: CLOSED means the store is free", store.isOpen());
  }

  @Test public void newMessagesAreNumberedAfterEveryStoredOneEvenAReportedOne() {
    store.preload(stored(3, Message.text("kept"), WALL, false));
    store.preload(stored(7, Message.text("was being sent"), WALL, true)); // Reported.
    store.failNext(Method.REMOVE, new IOException("read-only")); // So its record stays.
    RealConnection c = connection(options());
    assertTrue(c.send("new"));
    assertEquals(asList("add 8"), store.calls("add"));
  }

  @Test public void entriesThatBreakTheContractAreSkippedAndLoggedTheRestRestoredInOrder() {
    Message a = Message.text("a");
    List<StoredMessage> broken = new ArrayList<>(asList(stored(2, Message.text("b"), WALL, false),
        null, stored(1, a, WALL, false), stored(2, Message.text("b again"), WALL, false)));
    MemoryOutboxStore.Contents contents = new MemoryOutboxStore.Contents(broken, null, null);
    RealConnection c = h.connection(h.options().outboxStore(new ForwardingStore(store) {
      @Override public Contents open() {
        return contents;
      }
    }).build());
    FakeTransport t = h.connectAndOpen(c);
    assertEquals(asList("a", "b"), t.sentTexts());
    assertTrue(h.logs.toString(), h.logs.contains("WARN ws://127.0.0.1:1/socket: the outbox store"
        + " returned 2 entries that break its contract (null, or a sequence number given twice:"
        + " the first was kept); not restored"));
  }

  @Test public void theAgeOfARestoredMessageIsNeverNegativeNorOverflows() {
    assertEquals(0, Delivery.ageMillis(WALL + 1, WALL));
    assertEquals(0, Delivery.ageMillis(WALL, WALL));
    assertEquals(1, Delivery.ageMillis(WALL - 1, WALL));
    assertEquals(Long.MAX_VALUE, Delivery.ageMillis(Long.MIN_VALUE, WALL));
  }

  @Test public void restoredAtLeastOnceMessagesAreResentWithTheirIdAndReleasedByTheirAck() {
    Message m = Message.text("msg:7").withId("id-7");
    store.preload(stored(5, m, WALL, true)); // Marked or not: a keyed message goes out again.
    RealConnection c = connection(options().atLeastOnce(AtLeastOnceTest.ACKS));
    FakeTransport t = h.connectAndOpen(c);
    assertEquals(asList("msg:7"), t.sentTexts());
    assertEquals("id-7", t.sent.get(0).id());
    t.serverSends("ack:7");
    h.time.runUntilIdle();
    assertEquals(asList("msg:7"), h.delivered);
    assertEquals(asList("remove [5]"), store.calls("remove"));
    assertTrue(c.send("msg:8"));
    assertEquals(asList(6L), store.sequences());
  }

  @Test public void theOutboxLimitsApplyToRestoredMessagesOldestKept() {
    for (int i = 1; i <= 3; i++) store.preload(stored(i, Message.text("m" + i), WALL, false));
    RealConnection c =
        connection(options().outbox(OutboxPolicy.builder().maxMessages(2).build()));
    assertEquals(2, c.queuedMessages());
    assertEquals(asList("text \"m3\": could not be restored from the outbox store: outbox full:"
        + " 2 messages queued (limit 2)"), h.sendFailures);
    assertEquals(asList("remove [3]"), store.calls("remove"));
    FakeTransport t = h.connectAndOpen(c);
    assertEquals(asList("m1", "m2"), t.sentTexts());
  }

  @Test public void theTtlCountsFromWhenTheMessageWasAcceptedOnTheWallClock() {
    store.preload(stored(1, Message.text("just in time"), WALL - (TTL - 1), false));
    store.preload(stored(2, Message.text("too old"), WALL - TTL, false));
    RealConnection c = connection(options().outbox(ttl(TTL)));
    assertEquals(asList("text \"too old\": expired in the outbox after 30 s"), h.sendFailures);
    assertEquals(1, c.queuedMessages());
    h.time.runUntilIdle();
    assertEquals(1, c.queuedMessages());
    h.time.advanceBy(1); // 1 ms left for the first one.
    assertEquals(0, c.queuedMessages());
    assertEquals("text \"just in time\": expired in the outbox after 30 s", h.sendFailures.get(1));
    assertEquals(asList("remove [2]", "remove [1]"), store.calls("remove"));
  }

  @Test public void aWallClockSetBackNeitherExpiresNorImmortalisesARestoredMessage() {
    // Accepted "in the future": the clock was set back since. Its age counts from now.
    store.preload(stored(1, Message.text("from the future"), WALL + 3_600_000, false));
    RealConnection c = connection(options().outbox(ttl(TTL)));
    assertEquals(1, c.queuedMessages());
    h.time.runUntilIdle();
    h.time.advanceBy(TTL - 1);
    assertEquals(1, c.queuedMessages());
    h.time.advanceBy(1);
    assertEquals(asList("text \"from the future\": expired in the outbox after 30 s"),
        h.sendFailures);
  }

  @Test public void damageFoundByTheStoreIsReportedAsAWarningAndAnEvent() {
    store.damage("12 bytes at offset 4096 failed their checksum");
    store.preload(stored(1, Message.text("intact"), WALL, false));
    connection(options());
    h.time.runUntilIdle();
    assertEquals(asList("1/0/12 bytes at offset 4096 failed their checksum"), restoredEvents);
    assertTrue(h.logs.toString(), h.logs.contains("WARN ws://127.0.0.1:1/socket: outbox store"
        + " read: 1 message(s) restored, 0 reported through onSendFailed; the store found damage"
        + " and skipped it: 12 bytes at offset 4096 failed their checksum"));
  }

  @Test public void aStoreThatCannotOpenPreventsTheConnection() {
    store.failNext(Method.OPEN, new IOException("journal locked by process 4242"));
    try {
      connection(options());
      fail();
    } catch (IllegalStateException e) {
      assertEquals("could not open the outbox store (" + MemoryOutboxStore.class.getName()
          + ") of ws://127.0.0.1:1/socket: journal locked by process 4242", e.getMessage());
    }
    assertTrue(h.context.liveConnections().isEmpty());
  }

  @Test public void aStoreAlreadyOpenElsewhereIsRefused() {
    connection(options());
    try {
      connection(options());
      fail();
    } catch (IllegalStateException e) {
      assertTrue(e.getMessage(), e.getMessage().endsWith(": already open by another connection"));
    }
  }

  // ---- A store that throws. ----

  @Test public void aFailingRemoveIsLoggedOnceNotRetriedAndTheConnectionGoesOn() {
    RealConnection c = connection(options().atLeastOnce(AtLeastOnceTest.ACKS));
    FakeTransport t = h.connectAndOpen(c);
    store.failNext(Method.REMOVE, new RuntimeException("store bug"));
    for (int i = 1; i <= 3; i++) {
      c.send("msg:" + i);
      h.time.runUntilIdle();
      t.serverSends("ack:" + i);
      h.time.runUntilIdle();
    }
    assertEquals(asList("msg:1", "msg:2", "msg:3"), h.delivered);
    assertEquals("one remove per ack, none retried", 3, store.calls("remove").size());
    assertEquals(1, h.logs.stream().filter(l -> l.startsWith("WARN")
        && l.contains("could not remove")).count());
    store.works(Method.REMOVE);
    c.send("msg:4");
    h.time.runUntilIdle();
    t.serverSends("ack:4");
    h.time.runUntilIdle();
    assertTrue(h.logs.stream().anyMatch(l -> l.contains("remove works again after 3 failures")));
    assertEquals(Kind.CONNECTED, c.state().kind());
  }

  @Test public void anErrorFromCloseIsLoggedAndTheConnectionStillEnds() {
    RealConnection c = connection(options());
    store.failNext(Method.CLOSE, new StackOverflowError());
    c.close();
    h.time.runUntilIdle();
    assertEquals(Kind.CLOSED, c.state().kind());
    assertTrue(h.logs.stream().anyMatch(l -> l.startsWith("WARN")
        && l.contains("closing the outbox store failed")));
  }

  // ---- Fixtures. ----

  private ConnectionOptions.Builder options() {
    return h.options().outboxStore(store).eventListener(new EventListener() {
      @Override public void outboxRestored(Connection c, int restored, int reported,
          String damage) {
        restoredEvents.add(restored + "/" + reported + "/" + damage);
      }
    });
  }

  private RealConnection connection(ConnectionOptions.Builder options) {
    return h.connection(options.build());
  }

  /** A store that hands every call but those it overrides to another. */
  private static class ForwardingStore implements dev.lifeline.OutboxStore {
    private final dev.lifeline.OutboxStore to;

    ForwardingStore(dev.lifeline.OutboxStore to) {
      this.to = to;
    }

    @Override public Contents open() throws IOException {
      return to.open();
    }

    @Override public void add(StoredMessage m) throws IOException {
      to.add(m);
    }

    @Override public void markSending(long[] sequences) throws IOException {
      to.markSending(sequences);
    }

    @Override public void remove(long[] sequences) throws IOException {
      to.remove(sequences);
    }

    @Override public void savePosition(String position) throws IOException {
      to.savePosition(position);
    }

    @Override public void close() throws IOException {
      to.close();
    }
  }

  private static OutboxPolicy ttl(long millis) {
    return OutboxPolicy.builder().ttl(millis, TimeUnit.MILLISECONDS).build();
  }

  private static StoredMessage stored(long sequence, Message m, long acceptedAt, boolean sending) {
    return new StoredMessage(sequence, m, acceptedAt, sending);
  }
}
