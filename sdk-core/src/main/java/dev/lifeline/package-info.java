/**
 * Lifeline's public API: a {@link dev.lifeline.Lifeline} client creates {@link
 * dev.lifeline.Connection}s that stay alive on their own — heartbeats, server-silence watch,
 * jittered reconnection, a bounded outbox — and react to the environment signals fed through
 * {@link dev.lifeline.EnvironmentSignals}.
 *
 * <p>Every default lives as a named constant on the policy that owns it: {@link
 * dev.lifeline.HeartbeatPolicy}, {@link dev.lifeline.ReconnectPolicy}, {@link
 * dev.lifeline.OutboxPolicy} and {@link dev.lifeline.EnvironmentPolicy}.
 *
 * <p>Nullness is declared with JSpecify, which Kotlin and nullness checkers read: the package
 * is {@code @NullMarked}, so a type is non-null unless marked {@code @Nullable} (the parameters and
 * return values that may be null, each documented).
 */
@NullMarked
package dev.lifeline;

import org.jspecify.annotations.NullMarked;
