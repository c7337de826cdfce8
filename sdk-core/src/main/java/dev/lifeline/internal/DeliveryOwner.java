package dev.lifeline.internal;

import dev.lifeline.ConnectionState;
import dev.lifeline.Message;
import java.net.SocketTimeoutException;

/** What {@link Delivery} needs from its {@link ConnectionEngine}. Lane-confined, like the engine. */
final class DeliveryOwner implements Delivery.Owner {
  private final ConnectionEngine c;

  DeliveryOwner(ConnectionEngine c) {
    this.c = c;
  }

  @Override public Transport openTransport() {
    return c.openTransportOf(c.attempt());
  }

  @Override public String terminalReason() {
    ConnectionState s = c.connection().state();
    return s.isTerminal() ? s.reason() : null;
  }

  @Override public void sent() {
    c.keepAlive().sent();
    c.appTraffic();
  }

  @Override public void sendFailed(Message message, String reason) {
    c.connection().sendFailed(message, reason);
  }

  @Override public void noAcknowledgement(String reason) {
    c.lose(Failure.transientFailure(reason, new SocketTimeoutException(reason)),
        ConnectionEngine.Release.CANCEL);
  }
}
