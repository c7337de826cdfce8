package dev.lifeline.internal;

import dev.lifeline.HeartbeatPayload;
import dev.lifeline.HeartbeatPolicy;
import dev.lifeline.Logger;
import dev.lifeline.Message;
import java.net.SocketTimeoutException;

/**
 * Connects a {@link KeepAlive} to its connection: sends the heartbeats (a payload supplier is
 * asked on the message-hook lane, never on the connection's lane), answers its questions about the
 * transport, and reports its events. Lane-confined, like the keep-alive.
 */
final class KeepAliveOwner implements KeepAlive.Owner {
  private final ConnectionEngine c;
  private final HeartbeatPolicy policy;
  private final AppCalls app;

  KeepAliveOwner(ConnectionEngine c, HeartbeatPolicy policy, AppCalls app) {
    this.c = c;
    this.policy = policy;
    this.app = app;
  }

  @Override public void sendHeartbeat() {
    Attempt a = c.attempt();
    Message fixed = policy.fixedPayload();
    if (fixed != null) {
      beat(a, fixed);
      return;
    }
    HeartbeatPayload supplier = policy.payload();
    app.messageHooks.execute("HeartbeatPayload.next", () -> {
      Message m;
      try {
        m = supplier.next();
        if (m == null) throw new NullPointerException("HeartbeatPayload.next() returned null");
      } catch (Throwable t) {
        app.log(Logger.Level.WARN, "heartbeat payload supplier failed; sending the default payload",
            t);
        m = Message.text(HeartbeatPolicy.DEFAULT_PAYLOAD);
      }
      Message beat = m;
      c.lane().execute(() -> beat(a, beat));
    });
  }

  /** Lane: sends {@code beat} if the transport it was meant for is still open. */
  private void beat(Attempt a, Message beat) {
    Transport t = c.openTransportOf(a);
    if (t == null || !c.sendProtocolMessage(t, beat, "heartbeat payload")) return;
    app.event("heartbeatSent", e -> e.heartbeatSent(c.connection(), beat));
  }

  @Override public long sendProtocolPing() {
    Transport t = c.openTransportOf(c.attempt());
    return t == null ? -1 : t.ping();
  }

  @Override public long readerFreeMillis() {
    Attempt a = c.attempt();
    return a == null ? -1 : a.readWaits.freeMillis();
  }

  @Override public long answeredPing() {
    Transport t = c.openTransportOf(c.attempt());
    return t == null ? -1 : t.answeredPing();
  }

  @Override public boolean inboundWaiting() {
    return c.pendingInboundBytes() > 0;
  }

  @Override public boolean sleptPast(long dueAtMillis) {
    return c.sleptPast(dueAtMillis);
  }

  @Override public void dead(String reason) {
    c.lose(Failure.transientFailure(reason, new SocketTimeoutException(reason)),
        ConnectionEngine.Release.CANCEL);
  }

  @Override public void heartbeatSkipped(long sinceLastSendMillis) {
    app.event("heartbeatSkipped", e -> e.heartbeatSkipped(c.connection(), sinceLastSendMillis));
  }

  @Override public void serverSilence(long silentMillis, long limitMillis) {
    app.event("serverSilence", e -> e.serverSilence(c.connection(), silentMillis, limitMillis));
  }

  @Override public void probeStarted(String trigger) {
    app.event("probeStarted", e -> e.probeStarted(c.connection(), trigger));
  }

  @Override public void probeSucceeded(long afterMillis) {
    app.event("probeSucceeded", e -> e.probeSucceeded(c.connection(), afterMillis));
  }
}
