package dev.lifeline.kotlin

import dev.lifeline.Connection
import dev.lifeline.ConnectionListener
import dev.lifeline.ConnectionOptions
import dev.lifeline.ConnectionState
import dev.lifeline.EnvironmentSignals
import dev.lifeline.EventListener
import dev.lifeline.Lifeline
import dev.lifeline.Message
import java.util.IdentityHashMap
import java.util.concurrent.atomic.AtomicLong
import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.DelicateCoroutinesApi
import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.receiveAsFlow
import okio.ByteString

/**
 * A new connection (IDLE until [ConnectionFlows.connection]`.connect()`) whose state, messages and
 * events are flows:
 *
 * ```
 * val chat = lifeline.connectionFlows(ConnectionOptions.builder("wss://chat.example.com/socket").build())
 * launch { chat.messages.collect { show(it.text()) } }
 * chat.connection.connect()
 * chat.connection.awaitConnected(10.seconds)
 * ```
 *
 * Messages and events are buffered from creation, so none is lost before collection starts; each
 * buffer is bounded (see [ConnectionFlows.messages] and [ConnectionFlows.events] for what happens
 * when it is full). [listener], when given, is called as well, exactly as with
 * [Lifeline.newConnection]. So is the options' own `EventListener`: the connection's options
 * ([Connection.options]) are [options] with an event listener that feeds [ConnectionFlows.events]
 * first and then calls it.
 *
 * @throws IllegalArgumentException when a buffer size is outside 1..[ConnectionFlows.MAX_BUFFER].
 */
public fun Lifeline.connectionFlows(
  options: ConnectionOptions,
  listener: ConnectionListener? = null,
  messageBuffer: Int = ConnectionFlows.DEFAULT_MESSAGE_BUFFER,
  eventBuffer: Int = ConnectionFlows.DEFAULT_EVENT_BUFFER,
): ConnectionFlows {
  val feed = FlowFeed(listener, messageBuffer, eventBuffer)
  val feeding =
    options.newBuilder().eventListener(FlowEvents(feed, options.eventListener())).build()
  return ConnectionFlows(newConnection(feeding, feed), feed)
}

/** Shorthand for `connectionFlows(ConnectionOptions.builder(url).build(), …)`. */
public fun Lifeline.connectionFlows(
  url: String,
  listener: ConnectionListener? = null,
  messageBuffer: Int = ConnectionFlows.DEFAULT_MESSAGE_BUFFER,
  eventBuffer: Int = ConnectionFlows.DEFAULT_EVENT_BUFFER,
): ConnectionFlows =
  connectionFlows(ConnectionOptions.builder(url).build(), listener, messageBuffer, eventBuffer)

/** A connection made by [connectionFlows], with its state, messages and events as flows. */
public class ConnectionFlows internal constructor(
  /** The connection: `connect()`, `send(…)`, `close()` as usual. */
  public val connection: Connection,
  private val feed: FlowFeed,
) {
  /** The same flow as `connection.stateFlow()`. */
  public val state: StateFlow<ConnectionState> get() = connection.stateFlow()

  /**
   * Received messages, in order (text and binary; protocol traffic such as acknowledgements and
   * answered server heartbeats is not among them). Meant for one collector at a time: two would
   * split the messages between them; collecting again after a cancelled collection goes on where
   * it stopped.
   *
   * At most `messageBuffer` messages wait for the collector. When one more arrives, this flow
   * fails with [MessageBufferOverflowException] after the waiting ones were collected: later
   * messages are not delivered here (the `listener`, if given, still gets every one). Lifeline's
   * own inbound backpressure (docs/behaviour.md, "Inbound backpressure") does not reach this
   * buffer, because the listener has already handed the message over.
   */
  public val messages: Flow<Message> = feed.messages.receiveAsFlow()

  /**
   * [ConnectionEvent]s other than states and messages: deliveries, send failures and stream gaps,
   * in order;
   * one collector at a time, as [messages]. Events are reports, not data: when `eventBuffer` of
   * them wait, newer ones are dropped and counted, and an [ConnectionEvent.EventsDropped] with the
   * count comes next once there is room.
   */
  public val events: Flow<ConnectionEvent> = feed.events.receiveAsFlow()

  /**
   * Sends [message] and suspends until the server acknowledged it (at-least-once mode: the options
   * have an `AckMatcher`, see `ConnectionOptions.Builder.atLeastOnce`). Bound the wait with
   * `withTimeout` if needed: cancelling stops the waiting, not the delivery, which goes on.
   *
   * @throws DeliveryFailedException when Lifeline reports the message will not be delivered
   *   (outbox full, expired, connection closed first), with its reason.
   * @throws IllegalStateException without an `AckMatcher`, or when [message] (the same instance)
   *   is already awaited, or after the connection closed.
   */
  public suspend fun sendAndAwaitDelivery(message: Message) {
    check(connection.options().ackMatcher() != null) {
      "sendAndAwaitDelivery needs at-least-once mode: the connection's options have no AckMatcher" +
        " (ConnectionOptions.Builder.atLeastOnce)"
    }
    val outcome = feed.awaitDelivery(message)
    try {
      connection.send(message) // When refused, onSendFailed completes the outcome.
      outcome.await()
    } finally {
      feed.stopAwaiting(message)
    }
  }

  /** Shorthand for `sendAndAwaitDelivery(Message.text(text))`. */
  public suspend fun sendAndAwaitDelivery(text: String): Unit = sendAndAwaitDelivery(Message.text(text))

  public companion object {
    /** 1,024 received messages may wait for the collector of [messages]. */
    public const val DEFAULT_MESSAGE_BUFFER: Int = 1_024

    /** 256 events may wait for the collector of [events]. */
    public const val DEFAULT_EVENT_BUFFER: Int = 256

    /** The largest buffer size accepted: a bound, never "unlimited". */
    public const val MAX_BUFFER: Int = 1_000_000
  }
}

/** What happened to a connection besides its state and messages; see [ConnectionFlows.events]. */
public sealed class ConnectionEvent {
  /** The server acknowledged [message] (at-least-once mode). */
  public data class Delivered(val message: Message) : ConnectionEvent()

  /** [message] will not be sent, or not acknowledged, for [reason]. */
  public data class SendFailed(val message: Message, val reason: String) : ConnectionEvent()

  /**
   * With stream resume in consecutive mode (`StreamResume.Builder.consecutive`): a message from
   * the server was at position [received] where [expected] should have come next, so `received -
   * expected` messages never arrived (`EventListener.streamGap`). The message itself is in
   * [ConnectionFlows.messages] as usual.
   */
  public data class StreamGap(val expected: Long, val received: Long) : ConnectionEvent()

  /**
   * With an outbox store (`ConnectionOptions.Builder.outboxStore`): when the connection was
   * created, [restored] messages from an earlier process were put back in the outbox and
   * [reported] were given up as [SendFailed] (`EventListener.outboxRestored`); [damage] says what
   * the store found damaged and skipped, or is null.
   */
  public data class OutboxRestored(val restored: Int, val reported: Int, val damage: String?) :
    ConnectionEvent()

  /** [count] events were dropped before this one because the collector fell behind. */
  public data class EventsDropped(val count: Long) : ConnectionEvent()
}

/** Thrown by [ConnectionFlows.sendAndAwaitDelivery] when Lifeline gives [message] up. */
public class DeliveryFailedException(public val lost: Message, reason: String) :
  Exception("not delivered: $reason")

/** Ends [ConnectionFlows.messages] when its collector fell too far behind. */
public class MessageBufferOverflowException(limit: Int) :
  IllegalStateException(
    "the collector of messages fell behind: $limit messages were already waiting (messageBuffer =" +
      " $limit); this message and later ones are not delivered by the flow"
  )

/** The connection's listener: feeds the flows, then calls the app's own listener. */
internal class FlowFeed(
  private val next: ConnectionListener?,
  private val messageBuffer: Int,
  eventBuffer: Int,
) : ConnectionListener() {
  init {
    require(messageBuffer in 1..ConnectionFlows.MAX_BUFFER) {
      "messageBuffer must be in 1..${ConnectionFlows.MAX_BUFFER}: $messageBuffer"
    }
    require(eventBuffer in 1..ConnectionFlows.MAX_BUFFER) {
      "eventBuffer must be in 1..${ConnectionFlows.MAX_BUFFER}: $eventBuffer"
    }
  }

  val messages: Channel<Message> = Channel(messageBuffer)
  val events: Channel<ConnectionEvent> = Channel(eventBuffer)
  /** Events refused by a full buffer since the last [ConnectionEvent.EventsDropped]. */
  private val droppedEvents = AtomicLong()
  /** Sends awaiting their outcome, by message identity (equal messages are distinct sends). */
  private val awaiting = IdentityHashMap<Message, CompletableDeferred<Unit>>()

  fun awaitDelivery(message: Message): CompletableDeferred<Unit> = synchronized(awaiting) {
    check(!awaiting.containsKey(message)) { "this Message instance is already awaited: $message" }
    CompletableDeferred<Unit>().also { awaiting[message] = it }
  }

  fun stopAwaiting(message: Message) {
    synchronized(awaiting) { awaiting.remove(message) }
  }

  override fun onStateChanged(connection: Connection, state: ConnectionState) {
    next?.onStateChanged(connection, state)
  }

  override fun onMessage(connection: Connection, text: String) {
    receive(Message.text(text))
    next?.onMessage(connection, text)
  }

  override fun onMessage(connection: Connection, bytes: ByteString) {
    receive(Message.binary(bytes))
    next?.onMessage(connection, bytes)
  }

  override fun onDelivered(connection: Connection, message: Message) {
    synchronized(awaiting) { awaiting[message] }?.complete(Unit)
    event(ConnectionEvent.Delivered(message))
    next?.onDelivered(connection, message)
  }

  override fun onSendFailed(connection: Connection, message: Message, reason: String) {
    synchronized(awaiting) { awaiting[message] }?.completeExceptionally(
      DeliveryFailedException(message, reason))
    event(ConnectionEvent.SendFailed(message, reason))
    next?.onSendFailed(connection, message, reason)
  }

  // isClosedForSend is "delicate" because another thread may close the channel right after the
  // read; here only receive() closes it, and listener calls come one at a time.
  @OptIn(DelicateCoroutinesApi::class)
  private fun receive(message: Message) {
    // Once closed (overflowed), trySend fails quietly: the collector was already told.
    if (messages.trySend(message).isFailure && !messages.isClosedForSend) {
      messages.close(MessageBufferOverflowException(messageBuffer))
    }
  }

  /** A stream gap, from [FlowEvents]. */
  fun streamGap(expected: Long, received: Long) {
    event(ConnectionEvent.StreamGap(expected, received))
  }

  /** The outbox store was read, from [FlowEvents]. */
  fun outboxRestored(restored: Int, reported: Int, damage: String?) {
    event(ConnectionEvent.OutboxRestored(restored, reported, damage))
  }

  private fun event(event: ConnectionEvent) {
    val dropped = droppedEvents.get()
    if (dropped > 0) {
      if (events.trySend(ConnectionEvent.EventsDropped(dropped)).isFailure) {
        droppedEvents.incrementAndGet()
        return
      }
      droppedEvents.addAndGet(-dropped)
    }
    if (events.trySend(event).isFailure) droppedEvents.incrementAndGet()
  }
}

/**
 * The connection's event listener under [connectionFlows]: feeds the events that belong in
 * [ConnectionFlows.events] to [feed], and passes every event on to the app's own [next]. It
 * overrides every method of `EventListener` (a test checks), so none is lost on the way.
 */
internal class FlowEvents(
  private val feed: FlowFeed,
  private val next: EventListener,
) : EventListener() {
  override fun streamGap(connection: Connection, expected: Long, received: Long) {
    feed.streamGap(expected, received)
    next.streamGap(connection, expected, received)
  }

  override fun outboxRestored(connection: Connection, restored: Int, reported: Int, damage: String?) {
    feed.outboxRestored(restored, reported, damage)
    next.outboxRestored(connection, restored, reported, damage)
  }

  override fun connectStart(connection: Connection, attempt: Int, url: String) =
    next.connectStart(connection, attempt, url)

  override fun connectEnd(connection: Connection, attempt: Int, handshakeMillis: Long) =
    next.connectEnd(connection, attempt, handshakeMillis)

  override fun connectFailed(
    connection: Connection,
    attempt: Int,
    httpCode: Int,
    reason: String,
    error: Throwable?,
  ) = next.connectFailed(connection, attempt, httpCode, reason, error)

  override fun disconnected(connection: Connection, reason: String, error: Throwable?) =
    next.disconnected(connection, reason, error)

  override fun heartbeatSent(connection: Connection, heartbeat: Message) =
    next.heartbeatSent(connection, heartbeat)

  override fun heartbeatSkipped(connection: Connection, sinceLastSendMillis: Long) =
    next.heartbeatSkipped(connection, sinceLastSendMillis)

  override fun heartbeatIntervalChanged(
    connection: Connection,
    fromMillis: Long,
    toMillis: Long,
    why: String,
  ) = next.heartbeatIntervalChanged(connection, fromMillis, toMillis, why)

  override fun serverHeartbeatAnswered(connection: Connection, inbound: Message, reply: Message) =
    next.serverHeartbeatAnswered(connection, inbound, reply)

  override fun serverHeartbeatReceived(connection: Connection, heartbeat: Message) =
    next.serverHeartbeatReceived(connection, heartbeat)

  override fun serverSilence(connection: Connection, silentMillis: Long, limitMillis: Long) =
    next.serverSilence(connection, silentMillis, limitMillis)

  override fun probeStarted(connection: Connection, trigger: String) =
    next.probeStarted(connection, trigger)

  override fun probeSucceeded(connection: Connection, afterMillis: Long) =
    next.probeSucceeded(connection, afterMillis)

  override fun sleepDetected(connection: Connection, lateByMillis: Long) =
    next.sleepDetected(connection, lateByMillis)

  override fun reconnectScheduled(
    connection: Connection,
    attempt: Int,
    delayMillis: Long,
    cause: String,
  ) = next.reconnectScheduled(connection, attempt, delayMillis, cause)

  override fun signalReceived(connection: Connection, signal: EnvironmentSignals.Signal) =
    next.signalReceived(connection, signal)

  override fun hookStuck(connection: Connection, hook: String, runningMillis: Long) =
    next.hookStuck(connection, hook, runningMillis)

  override fun toString(): String = "connectionFlows events, then $next"
}

/** A Kotlin way to build options: `connectionOptions(url) { atLeastOnce(matcher) }`. */
public inline fun connectionOptions(
  url: String,
  configure: ConnectionOptions.Builder.() -> Unit = {},
): ConnectionOptions = ConnectionOptions.builder(url).apply(configure).build()

/** A Kotlin way to build the client: `lifeline { logger(myLogger) }`. */
public inline fun lifeline(configure: Lifeline.Builder.() -> Unit = {}): Lifeline =
  Lifeline.builder().apply(configure).build()
