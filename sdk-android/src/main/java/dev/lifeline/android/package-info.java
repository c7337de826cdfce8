/**
 * Lifeline on Android: turns the platform's network, screen, Doze and app-lifecycle events into
 * the core's {@link dev.lifeline.EnvironmentSignals}, and supplies Android defaults for a {@link
 * dev.lifeline.Lifeline} client: a clock that counts deep sleep and main-thread callbacks. Start
 * at {@link dev.lifeline.android.LifelineAndroid}.
 *
 * <p>This package only translates signals; how a connection reacts to them (pause, probe,
 * background grace period, jittered reconnect) is the core's {@link
 * dev.lifeline.EnvironmentPolicy}; docs/behaviour.md, "Environment reactions", describes both.
 *
 * <p>Nullness is declared with JSpecify, which Kotlin and nullness checkers read: the package
 * is {@code @NullMarked}, so a type is non-null unless marked {@code @Nullable} (the parameters and
 * return values that may be null, each documented).
 */
@NullMarked
package dev.lifeline.android;

import org.jspecify.annotations.NullMarked;
