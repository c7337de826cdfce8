package dev.lifeline.internal;

import dev.lifeline.Message;
import java.util.Map;

/**
 * What {@link ResumeStep} needs from its {@link ConnectionEngine}. Lane-confined, like the engine.
 */
final class ResumeOwner implements ResumeStep.Owner {
  private final ConnectionEngine c;

  ResumeOwner(ConnectionEngine c) {
    this.c = c;
  }

  @Override public Attempt attempt() {
    return c.attempt();
  }

  @Override public void handshake(Attempt a, String url, Map<String, String> headers) {
    c.handshake(a, url, headers);
  }

  @Override public boolean sendProtocolMessage(Transport t, Message m, String what) {
    return c.sendProtocolMessage(t, m, what);
  }
}
