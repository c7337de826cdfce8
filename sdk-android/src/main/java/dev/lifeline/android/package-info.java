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
 * <p>Nullness: parameters and return values are non-null unless documented otherwise.
 */
package dev.lifeline.android;
