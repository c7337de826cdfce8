/**
 * Not API: Lifeline's implementation. Anything here may change in any release; apps use {@code
 * dev.lifeline} only.
 *
 * <p>Thread model (docs/architecture.md). Each connection's state is owned by its engine lane, a
 * {@link dev.lifeline.internal.SerialLane} on the client's {@link dev.lifeline.Scheduler}: {@link
 * dev.lifeline.internal.ConnectionEngine} and its parts ({@code Attempt}, {@code Credentials},
 * {@code KeepAlive} with its {@code BeatWindows}, {@code Reconnection}, {@code Delivery}, {@code
 * Inbound}, {@code EnvironmentReactions}, {@code SleepDetector}, {@code Timers}) run only there
 * and hold no locks.
 * The engine lane never blocks and never runs app code: {@code AppCalls} hands listener calls,
 * event and logger calls, per-message hook calls and credentials calls to four lanes of their
 * own, one set per connection, and their
 * results come back as tasks on the engine lane. {@link dev.lifeline.internal.RealConnection} is
 * the thread-safe face: it posts requests to the engine lane and publishes the states decided
 * there. Transports call back on their own threads; {@code Attempt} moves those callbacks onto
 * the lane and drops the ones of a transport that was replaced. Thread-safe by design, because
 * other threads touch them: {@code Outbox}, {@code InboundGate}, {@code SignalHub}, {@code
 * SerialLane}, {@code HookWatchdog}, {@code WakeUps} (the heartbeat windows the client's
 * connections share; each rides on its own lane) and the transports.
 */
package dev.lifeline.internal;
