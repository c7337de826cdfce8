package dev.lifeline.consumer

import dev.lifeline.Connection
import dev.lifeline.ConnectionListener
import dev.lifeline.ConnectionOptions
import dev.lifeline.ConnectionState
import dev.lifeline.Lifeline
import dev.lifeline.kotlin.awaitConnected
import dev.lifeline.kotlin.connectionFlows
import dev.lifeline.kotlin.stateFlow
import java.util.concurrent.TimeUnit
import kotlin.time.Duration.Companion.seconds
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout

/** A Kotlin 1.9 app as its author would write it, with the one dependency lifeline-kotlin. */
object KotlinConsumerApp {
  /**
   * Connects to [url] twice: once the way apps wrote it before lifeline-kotlin existed (a
   * listener and `connection.stateFlow()`), once with the flows. Returns what came back each time.
   */
  @JvmStatic
  fun echo(url: String, text: String): List<String> = runBlocking {
    val lifeline = Lifeline.builder().build()
    try {
      // As written today: a listener, and the state as a StateFlow.
      val replies = java.util.concurrent.LinkedBlockingQueue<String>()
      val connection: Connection = lifeline.newConnection(url, object : ConnectionListener() {
        override fun onMessage(connection: Connection, text: String) {
          replies.add(text)
        }
      })
      connection.connect()
      withTimeout(10_000) {
        connection.stateFlow().first { it.kind() == ConnectionState.Kind.CONNECTED }
      }
      connection.send(text)
      val first = replies.poll(10, TimeUnit.SECONDS) ?: error("no reply within 10 s")
      connection.close()

      // With the flows and suspend helpers.
      val flows = lifeline.connectionFlows(ConnectionOptions.builder(url).build())
      flows.connection.connect()
      flows.connection.awaitConnected(10.seconds)
      check(flows.state.value.kind() == ConnectionState.Kind.CONNECTED) { flows.state.value }
      flows.connection.send("$text again")
      val second = withTimeout(10_000) { flows.messages.first() }.text()
      flows.connection.close()
      listOf(first, second)
    } finally {
      lifeline.shutdown(5, TimeUnit.SECONDS)
    }
  }

  @JvmStatic
  fun main(args: Array<String>) {
    println(echo(args[0], args.getOrElse(1) { "hello" }))
  }
}
