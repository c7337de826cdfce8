/**
 * The Android sample: {@link dev.lifeline.sample.android.SampleApplication} wires one Lifeline
 * connection with the one-line Android integration, and {@link
 * dev.lifeline.sample.android.MainActivity} shows what that connection is doing, in words. Shows
 * the SDK; contains no connection logic of its own.
 *
 * <p>Nullness: parameters and return values are non-null unless documented otherwise.
 */
package dev.lifeline.sample.android;
