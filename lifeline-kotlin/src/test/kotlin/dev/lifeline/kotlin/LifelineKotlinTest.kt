package dev.lifeline.kotlin

import dev.lifeline.AckMatcher
import dev.lifeline.ConnectionState.Kind
import dev.lifeline.EventListener
import dev.lifeline.Lifeline
import dev.lifeline.Message
import dev.lifeline.StreamResume
import dev.lifeline.e2e.WebSocketServerFixture
import java.net.ServerSocket
import java.util.concurrent.TimeUnit
import java.util.concurrent.TimeoutException
import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.Duration.Companion.seconds
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.flow.take
import kotlinx.coroutines.flow.toList
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import org.junit.After
import org.junit.Assert.assertEquals
import org.junit.Assert.assertSame
import org.junit.Assert.assertTrue
import org.junit.Assert.fail
import org.junit.Test

/** lifeline-kotlin against a real WebSocket server on 127.0.0.1, each wait bounded. */
class LifelineKotlinTest {
  private val server = WebSocketServerFixture()
  private val lifeline: Lifeline = lifeline()

  /** "msg:id" is acknowledged by "ack:id" (the fixture answers so from connection ackFrom on). */
  private val acks = object : AckMatcher {
    override fun key(out: Message): Any? =
      if (out.isText && out.text().startsWith("msg:")) out.text().substring(4) else null

    override fun acknowledgedKey(inbound: Message): Any? =
      if (inbound.isText && inbound.text().startsWith("ack:")) inbound.text().substring(4) else null
  }

  @After fun stop() {
    lifeline.shutdown(5, TimeUnit.SECONDS)
    server.close()
  }

  @Test fun stateFlowIsOneHotFlowPerConnectionThatFollowsItsState() = runBlocking {
    val c = lifeline.newConnection(server.url(), object : dev.lifeline.ConnectionListener() {})
    val flow = c.stateFlow()
    assertSame("the same flow on every call", flow, c.stateFlow())
    assertEquals(Kind.IDLE, flow.value.kind())
    c.connect()
    assertEquals(Kind.CONNECTED, c.awaitConnected(5.seconds).kind())
    withTimeout(5_000) { flow.first { it.kind() == Kind.CONNECTED } }
    c.close()
    assertEquals(Kind.CLOSED, withTimeout(5_000) { c.awaitState { it.isTerminal } }.kind())
    assertEquals(Kind.CLOSED, flow.value.kind())
  }

  @Test fun messagesAndDeliveriesArriveAsFlows() = runBlocking {
    server.ackFrom = 0
    val chat = lifeline.connectionFlows(connectionOptions(server.url()) { atLeastOnce(acks) })
    chat.connection.connect()
    chat.connection.awaitConnected(5.seconds)
    withTimeout(5_000) { chat.sendAndAwaitDelivery("msg:1") }
    val delivered = withTimeout(5_000) { chat.events.first() }
    assertEquals(ConnectionEvent.Delivered(Message.text("msg:1")), delivered)
    chat.connection.send("echo:hello")
    chat.connection.send("echo:world")
    val texts = withTimeout(5_000) { chat.messages.take(2).toList() }.map { it.text() }
    assertEquals(listOf("hello", "world"), texts)
  }

  @Test fun aFullMessageBufferEndsTheFlowWithTheLimitAfterTheWaitingMessages() = runBlocking {
    val heard = java.util.concurrent.CopyOnWriteArrayList<String>()
    val appListener = object : dev.lifeline.ConnectionListener() {
      override fun onMessage(connection: dev.lifeline.Connection, text: String) {
        heard += text
      }
    }
    val chat = lifeline.connectionFlows(server.url(), appListener, messageBuffer = 2)
    chat.connection.connect()
    chat.connection.awaitConnected(5.seconds)
    for (i in 1..3) chat.connection.send("echo:m$i")
    dev.lifeline.testing.Await.until("three echoes received", 5_000) { heard.size == 3 }
    val got = mutableListOf<String>()
    try {
      withTimeout(5_000) { chat.messages.collect { got += it.text() } }
      fail("the flow should fail")
    } catch (e: MessageBufferOverflowException) {
      assertEquals(listOf("m1", "m2"), got)
      assertEquals("the app's listener still got every message", listOf("m1", "m2", "m3"), heard)
      assertTrue(e.message!!, e.message!!.contains("2 messages were already waiting (messageBuffer = 2)"))
    }
  }

  @Test fun awaitConnectedTimesOutNamingTheState() = runBlocking {
    val port = ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1")).use { it.localPort }
    val c = lifeline.newConnection("ws://127.0.0.1:$port/none", object : dev.lifeline.ConnectionListener() {})
    c.connect()
    try {
      c.awaitConnected(300.milliseconds)
      fail("nothing listens there")
    } catch (e: TimeoutException) {
      assertTrue(e.message!!, e.message!!.startsWith("not CONNECTED within 300ms; the state is "))
    }
  }

  @Test fun awaitingAStateTheClosedConnectionCanNeverReachFailsWithItsReason() = runBlocking {
    val c = lifeline.newConnection(server.url(), object : dev.lifeline.ConnectionListener() {})
    c.close()
    try {
      withTimeout(5_000) { c.awaitState { it.kind() == Kind.CONNECTED } }
      fail("a closed connection never connects")
    } catch (e: IllegalStateException) {
      assertTrue(e.message!!, e.message!!.startsWith("the connection closed before reaching the awaited state: CLOSED"))
    }
  }

  @Test fun sendAndAwaitDeliveryNeedsAtLeastOnceMode() = runBlocking {
    val chat = lifeline.connectionFlows(server.url())
    try {
      chat.sendAndAwaitDelivery("msg:1")
      fail("no AckMatcher")
    } catch (e: IllegalStateException) {
      assertTrue(e.message!!, e.message!!.contains("no AckMatcher"))
    }
  }

  @Test fun unboundedBuffersAreRefused() {
    try {
      lifeline.connectionFlows(server.url(), messageBuffer = 0)
      fail("a zero buffer")
    } catch (e: IllegalArgumentException) {
      assertEquals("messageBuffer must be in 1..1000000: 0", e.message)
    }
  }

  @Test fun aStreamGapArrivesAsAnEventAndTheAppsEventListenerStillHearsIt() = runBlocking {
    server.onOpen = WebSocketServerFixture.OnOpen { _, ws ->
      ws.send("1:first")
      ws.send("4:two skipped")
    }
    val appHeard = java.util.concurrent.CopyOnWriteArrayList<String>()
    val options = connectionOptions(server.url()) {
      resume(StreamResume.builder { it.text().substringBefore(':') }.consecutive(true).build())
      eventListener(object : EventListener() {
        override fun streamGap(
          connection: dev.lifeline.Connection,
          expected: Long,
          received: Long,
        ) {
          appHeard += "$expected->$received"
        }
      })
    }
    val feed = lifeline.connectionFlows(options)
    feed.connection.connect()
    val gap = withTimeout(5_000) { feed.events.first() }
    assertEquals(ConnectionEvent.StreamGap(expected = 2, received = 4), gap)
    val texts = withTimeout(5_000) { feed.messages.take(2).toList() }.map { it.text() }
    assertEquals(listOf("1:first", "4:two skipped"), texts)
    dev.lifeline.testing.Await.until("the app's own listener", 5_000) { appHeard.isNotEmpty() }
    assertEquals(listOf("2->4"), appHeard)
  }

  @Test fun aRestoredOutboxArrivesAsAnEvent() = runBlocking {
    val left = dev.lifeline.StoredMessage(7, dev.lifeline.Message.text("left behind"), 0, false)
    val store = object : dev.lifeline.OutboxStore {
      override fun open() = dev.lifeline.OutboxStore.Contents(listOf(left), null, null)
      override fun add(message: dev.lifeline.StoredMessage) {}
      override fun markSending(sequences: LongArray) {}
      override fun remove(sequences: LongArray) {}
      override fun savePosition(position: String) {}
      override fun close() {}
    }
    val feed = lifeline.connectionFlows(connectionOptions(server.url()) { outboxStore(store) })
    val restored = withTimeout(5_000) { feed.events.first() }
    assertEquals(ConnectionEvent.OutboxRestored(restored = 1, reported = 0, damage = null), restored)
    assertEquals(1, feed.connection.queuedMessages())
    feed.connection.close()
  }

  @Test fun flowEventsPassesEveryEventListenerMethodOn() {
    val missing = EventListener::class.java.declaredMethods
      .filter { java.lang.reflect.Modifier.isPublic(it.modifiers) }
      .filter { !java.lang.reflect.Modifier.isStatic(it.modifiers) }
      .filter { m ->
        runCatching { FlowEvents::class.java.getDeclaredMethod(m.name, *m.parameterTypes) }
          .isFailure
      }
      .map { it.name }
    assertEquals(
      "EventListener methods FlowEvents does not pass on to the app's listener",
      emptyList<String>(),
      missing,
    )
  }
}
