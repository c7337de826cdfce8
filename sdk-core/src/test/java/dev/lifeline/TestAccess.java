package dev.lifeline;

import dev.lifeline.internal.SignalHub;

/** Reaches package-private constructors from tests in other packages. */
public final class TestAccess {
  private TestAccess() {}

  public static EnvironmentSignals signals(SignalHub hub) {
    return new EnvironmentSignals(hub);
  }
}
