package dev.lifeline.consumer

import dev.lifeline.ConnectionOptions
import dev.lifeline.ConnectionState
import dev.lifeline.kotlin.connectionFlows
import java.util.concurrent.TimeUnit
import kotlinx.coroutines.TimeoutCancellationException
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.flow.map
import kotlinx.coroutines.flow.take
import kotlinx.coroutines.flow.toList
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout

/**
 * A Kotlin 1.9 app that brings its own OkHttp 5 (set up in Java, [AppOkHttp]) and uses Lifeline
 * with the flows of lifeline-kotlin.
 */
object KotlinOkHttp5ConsumerApp {
  private val firstOutcome = setOf(
    ConnectionState.Kind.CONNECTED,
    ConnectionState.Kind.WAITING_TO_RECONNECT,
    ConnectionState.Kind.CLOSED,
  )

  /**
   * Connects to [url] (ws:// or wss://) on [okHttp], sends each of [messages] and returns what
   * came back, once all of it has. Throws with the connection's reason if the first attempt fails,
   * or if anything is missing after 10 s.
   */
  @JvmStatic
  fun echo(okHttp: AppOkHttp, url: String, messages: List<String>): List<String> = runBlocking {
    val lifeline = okHttp.lifeline().build()
    try {
      val flows = lifeline.connectionFlows(ConnectionOptions.builder(url).build())
      flows.connection.connect()
      val first = withTimeout(10_000) { flows.state.first { it.kind() in firstOutcome } }
      check(first.kind() == ConnectionState.Kind.CONNECTED) { "$url: the first attempt failed: $first" }
      for (message in messages) check(flows.connection.send(message)) { "send refused: $message" }
      val replies = mutableListOf<String>()
      try {
        // Messages are buffered from the flows' creation: none is lost before this collects.
        withTimeout(10_000) { flows.messages.take(messages.size).map { it.text() }.toList(replies) }
      } catch (e: TimeoutCancellationException) {
        error("$url: ${replies.size} of ${messages.size} messages came back within 10 s; state ${flows.state.value}")
      }
      flows.connection.close()
      replies
    } finally {
      lifeline.shutdown(5, TimeUnit.SECONDS)
    }
  }
}
