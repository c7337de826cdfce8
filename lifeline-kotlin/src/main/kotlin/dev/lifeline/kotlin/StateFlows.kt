@file:JvmName("LifelineStates")

package dev.lifeline.kotlin

import dev.lifeline.Connection
import dev.lifeline.ConnectionState
import java.util.Collections
import java.util.WeakHashMap
import java.util.concurrent.TimeoutException
import kotlin.time.Duration
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.withTimeoutOrNull

/**
 * One StateFlow per connection, kept as long as the connection is: the key is weak, and the flow
 * holds only states, never the connection, so the entry goes when the connection does.
 */
private val stateFlows: MutableMap<Connection, StateFlow<ConnectionState>> =
  Collections.synchronizedMap(WeakHashMap())

/**
 * The connection's state as a hot, conflated [StateFlow]: `connection.stateFlow().collect { … }`.
 * Every call on one connection returns the same flow. Its value is set on Lifeline's hook threads
 * through [Connection.observeState] (never on the connection's own lane), starting at the state
 * [Connection.state] had when the flow was made; like any StateFlow, a slow collector sees the
 * latest state and may miss intermediate ones. For every change in order, use
 * [Connection.observeState] itself.
 */
public fun Connection.stateFlow(): StateFlow<ConnectionState> {
  stateFlows[this]?.let { return it }
  synchronized(stateFlows) {
    stateFlows[this]?.let { return it }
    // observeState tells a state at least as new as this one first: the flow never goes back.
    val flow = MutableStateFlow(state())
    observeState { flow.value = it }
    return flow.asStateFlow().also { stateFlows[this] = it }
  }
}

/**
 * Suspends until the connection's state satisfies [predicate] (checked on the current state
 * first) and returns that state.
 *
 * @throws IllegalStateException when the connection reaches CLOSED and [predicate] rejects it:
 *   nothing would ever satisfy it. The message carries the CLOSED state's reason.
 */
public suspend fun Connection.awaitState(predicate: (ConnectionState) -> Boolean): ConnectionState {
  val reached = stateFlow().first { predicate(it) || it.isTerminal }
  if (!predicate(reached)) {
    throw IllegalStateException("the connection closed before reaching the awaited state: $reached")
  }
  return reached
}

/**
 * Suspends until the connection is CONNECTED (at once when it is) and returns that state.
 * Starting the connection is the caller's job ([Connection.connect]).
 *
 * @throws TimeoutException when not CONNECTED within [timeout]; the message names the state then.
 * @throws IllegalStateException when the connection reaches CLOSED first, with its reason.
 */
public suspend fun Connection.awaitConnected(timeout: Duration): ConnectionState {
  return withTimeoutOrNull(timeout) { awaitState { it.kind() == ConnectionState.Kind.CONNECTED } }
    ?: throw TimeoutException("not CONNECTED within $timeout; the state is ${state()}")
}
