package dev.lifeline;

/**
 * Watches one connection's state: registered with {@link Connection#observeState}, it is told the
 * current state first and then every change, in order, none skipped or repeated. Kotlin's {@code
 * connection.stateFlow()} (module {@code lifeline-kotlin}) is built on it.
 *
 * <p><b>Threads.</b> Called on Lifeline's own "Lifeline hooks" threads, never on the scheduler and
 * never on the callback executor: per connection one call at a time, in order, on a lane of its own
 * (docs/architecture.md, "Lanes"), so a slow observer holds up neither the listener nor the
 * connection. It should return quickly: later states of this connection wait behind it, and a call
 * running longer than {@link Lifeline.Builder#stuckHookThreshold} is reported as stuck. An
 * exception thrown here is logged and never breaks the connection.
 *
 * <pre>{@code
 * Subscription watching = connection.observeState(state -> statusLabel.set(state.toString()));
 * // ...
 * watching.close(); // no further call starts
 * }</pre>
 */
public interface StateObserver {
  /**
   * The connection is in {@code state} now: the current one first, then each change.
   *
   * @param state the connection's state
   */
  void onState(ConnectionState state);
}
