package dev.lifeline.internal;

import dev.lifeline.AckMatcher;
import dev.lifeline.HeartbeatMatcher;
import dev.lifeline.HeartbeatPolicy;
import dev.lifeline.Logger;
import dev.lifeline.Message;
import dev.lifeline.ServerHeartbeatResponder;

/**
 * The path of one received message: from the transport's reader thread, through the app's
 * per-message hooks (ack matcher, server-heartbeat responder, server-heartbeat matcher, stream
 * position extractor) on the
 * connection's message-hook lane when the app configured any, to the connection's lane (on the
 * same thread when the lane is idle: docs/architecture.md, "Threads"), which decides what it is — an acknowledgement, a server heartbeat to answer, a server heartbeat (or
 * an echo of ours) to consume, or an app message for the listener — and only then to the
 * listener's lane. Every message of a transport takes the same path, so order holds. One per
 * connection.
 */
final class Inbound {
  /** What the message-hook lane found a message to be. */
  private static final class Verdict {
    /** The acknowledged key, or null. */
    final Object ackKey;
    /** The responder's reply, or null. */
    final Message reply;
    /** True when the heartbeat matcher recognised it. */
    final boolean heartbeat;
    /** An app message's stream position, or null. */
    final String position;

    Verdict(Object ackKey, Message reply, boolean heartbeat, String position) {
      this.ackKey = ackKey;
      this.reply = reply;
      this.heartbeat = heartbeat;
      this.position = position;
    }
  }

  private static final Verdict APP_MESSAGE = new Verdict(null, null, false, null);

  /** The stream position extractor, as the stuck-hook report names it. */
  private static final String EXTRACTOR = "StreamResume.PositionExtractor.position";

  private final ConnectionEngine c;
  /** The echo to consume (the fixed heartbeat payload), or null. */
  private final Message echo;
  /** Inbound stream positions, or null when the app tracks none. */
  private final StreamPositions positions;
  /**
   * Set once the heartbeat matcher threw and it was logged: a matcher that throws for one message
   * usually throws for all, and one WARN per message would flood the log. Message-hook lane only.
   */
  private boolean matcherFailureLogged;

  Inbound(ConnectionEngine c, StreamPositions positions) {
    this.c = c;
    this.positions = positions;
    HeartbeatPolicy heartbeat = c.options().heartbeat();
    this.echo = heartbeat.consumeEchoes() ? heartbeat.fixedPayload() : null;
  }

  /** On the reader thread: sends {@code message} on its way. */
  void route(Attempt a, Message message, Runnable handled) {
    AckMatcher acks = c.options().ackMatcher();
    ServerHeartbeatResponder responder = c.options().heartbeat().responder();
    HeartbeatMatcher matcher = c.options().heartbeat().serverHeartbeat();
    if (acks == null && responder == null && matcher == null && positions == null) {
      c.lane().runOrExecute("received", () -> handle(a, message, APP_MESSAGE, handled));
      return;
    }
    AppCalls app = c.app();
    SerialLane hooks = app.messageHooks;
    String first = acks != null ? "AckMatcher.acknowledgedKey"
        : responder != null ? "ServerHeartbeatResponder.replyTo"
        : matcher != null ? "HeartbeatMatcher.isHeartbeat" : EXTRACTOR;
    hooks.execute(first, () -> {
      Object key = null;
      if (acks != null) {
        try {
          key = acks.acknowledgedKey(message);
        } catch (Throwable t) {
          app.log(Logger.Level.WARN, "AckMatcher.acknowledgedKey threw; message delivered as usual",
              t);
        }
      }
      Message reply = null;
      if (key == null && responder != null) {
        hooks.nowCalling("ServerHeartbeatResponder.replyTo");
        try {
          reply = responder.replyTo(message);
        } catch (Throwable t) {
          app.log(Logger.Level.WARN,
              "server heartbeat responder threw; message delivered as usual", t);
        }
      }
      boolean heartbeat = false;
      if (key == null && reply == null && matcher != null && !message.equals(echo)) {
        hooks.nowCalling("HeartbeatMatcher.isHeartbeat");
        heartbeat = isHeartbeat(matcher, message, app);
      }
      String position = null;
      if (positions != null && key == null && reply == null && !heartbeat
          && !message.equals(echo)) {
        hooks.nowCalling(EXTRACTOR);
        position = positions.extract(message); // In arrival order: the gap check needs it.
      }
      Verdict verdict = new Verdict(key, reply, heartbeat, position);
      c.lane().runOrExecute("received", () -> handle(a, message, verdict, handled));
    });
  }

  /** The matcher's answer; false when it threw (the first time logged). */
  private boolean isHeartbeat(HeartbeatMatcher matcher, Message message, AppCalls app) {
    try {
      return matcher.isHeartbeat(message);
    } catch (Throwable t) {
      if (!matcherFailureLogged) {
        matcherFailureLogged = true;
        app.log(Logger.Level.WARN, "HeartbeatMatcher.isHeartbeat threw; message delivered as"
            + " usual (later exceptions of this matcher on this connection are not logged)", t);
      }
      return false;
    }
  }

  /**
   * On the connection's lane: an acknowledgement, a server heartbeat, or an app message. A message
   * read before its transport was let go still counts, even when the end overtook it on its way
   * here (a server's last words before its close; an ack in the same packet as a reset): its ack
   * applies and it reaches the listener, unless the app itself closed the connection. Only a
   * server heartbeat of a transport that is gone is not answered.
   */
  private void handle(Attempt a, Message message, Verdict verdict, Runnable handled) {
    RealConnection connection = c.connection();
    if (connection.closeRequested()) {
      handled.run();
      return;
    }
    Transport transport = c.openTransportOf(a); // Null once the transport was let go.
    // Every message counts as server activity, heartbeats included: silence watch, probe.
    if (transport != null) c.keepAlive().received();
    AppCalls app = c.app();
    if (verdict.ackKey != null) {
      c.appTraffic();
      Message delivered = c.delivery().acknowledge(verdict.ackKey);
      handled.run();
      if (delivered != null) {
        app.listener("onDelivered", l -> l.onDelivered(connection, delivered));
      }
      return; // An acknowledgement, not an app message (a duplicate one is dropped too).
    }
    Message reply = verdict.reply;
    if (reply != null) {
      handled.run();
      if (transport != null
          && c.sendProtocolMessage(transport, reply, "server heartbeat responder reply")) {
        app.event("serverHeartbeatAnswered",
            e -> e.serverHeartbeatAnswered(connection, message, reply));
      }
      return; // A protocol heartbeat, not an app message.
    }
    if (verdict.heartbeat || message.equals(echo)) {
      handled.run();
      app.event("serverHeartbeatReceived", e -> e.serverHeartbeatReceived(connection, message));
      return; // A server heartbeat or an echo of ours: liveness, not an app message.
    }
    c.appTraffic();
    String position = verdict.position;
    app.listener("onMessage", l -> {
      if (message.isText()) {
        l.onMessage(connection, message.text());
      } else {
        l.onMessage(connection, message.bytes());
      }
      // Only once the listener returned: never ahead of what the app handled. One that threw
      // did not handle it; the next message handled moves the position past it.
      if (position != null) positions.handled(position);
    }, handled);
  }
}
