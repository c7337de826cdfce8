package dev.lifeline.internal;

import dev.lifeline.AckMatcher;
import dev.lifeline.Logger;
import dev.lifeline.Message;
import dev.lifeline.ServerHeartbeatResponder;

/**
 * The path of one received message: from the transport's reader thread, through the app's
 * per-message hooks (ack matcher, server-heartbeat responder) on the connection's message-hook
 * lane when the app configured any, to the connection's lane, which decides what it is — an
 * acknowledgement, a server heartbeat to answer, or an app message for the listener — and only
 * then to the listener's lane. Every message of a transport takes the same path, so order holds.
 */
final class Inbound {
  private Inbound() {}

  /** On the reader thread: sends {@code message} on its way. */
  static void route(ConnectionEngine c, Attempt a, Message message, Runnable handled) {
    AckMatcher acks = c.options().ackMatcher();
    ServerHeartbeatResponder responder = c.options().heartbeat().responder();
    if (acks == null && responder == null) {
      c.lane().execute(() -> handle(c, a, message, null, null, handled));
      return;
    }
    AppCalls app = c.app();
    SerialLane hooks = app.messageHooks;
    String first = acks != null ? "AckMatcher.acknowledgedKey" : "ServerHeartbeatResponder.replyTo";
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
      Object ackKey = key;
      Message answer = reply;
      c.lane().execute(() -> handle(c, a, message, ackKey, answer, handled));
    });
  }

  /**
   * On the connection's lane: an acknowledgement, a server heartbeat, or an app message. A message
   * read before its transport was let go still counts, even when the end overtook it on its way
   * here (a server's last words before its close; an ack in the same packet as a reset): its ack
   * applies and it reaches the listener, unless the app itself closed the connection. Only a
   * server heartbeat of a transport that is gone is not answered.
   */
  private static void handle(ConnectionEngine c, Attempt a, Message message, Object ackKey,
      Message reply, Runnable handled) {
    RealConnection connection = c.connection();
    if (connection.closeRequested()) {
      handled.run();
      return;
    }
    Transport transport = c.openTransportOf(a); // Null once the transport was let go.
    if (transport != null) c.keepAlive().received();
    AppCalls app = c.app();
    if (ackKey != null) {
      Message delivered = c.delivery().acknowledge(ackKey);
      handled.run();
      if (delivered != null) {
        app.listener("onDelivered", l -> l.onDelivered(connection, delivered));
      }
      return; // An acknowledgement, not an app message (a duplicate one is dropped too).
    }
    if (reply != null) {
      handled.run();
      if (transport != null
          && c.sendProtocolMessage(transport, reply, "server heartbeat responder reply")) {
        app.event("serverHeartbeatAnswered",
            e -> e.serverHeartbeatAnswered(connection, message, reply));
      }
      return; // A protocol heartbeat, not an app message.
    }
    app.listener("onMessage", l -> {
      if (message.isText()) {
        l.onMessage(connection, message.text());
      } else {
        l.onMessage(connection, message.bytes());
      }
    }, handled);
  }
}
