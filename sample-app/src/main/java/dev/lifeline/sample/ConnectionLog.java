package dev.lifeline.sample;

import dev.lifeline.Connection;
import dev.lifeline.ConnectionListener;
import dev.lifeline.ConnectionState;
import dev.lifeline.EnvironmentSignals;
import dev.lifeline.EventListener;
import dev.lifeline.Message;
import java.util.concurrent.atomic.AtomicLong;
import okio.ByteString;

/**
 * What the app sees of its connection: Lifeline's {@link ConnectionListener} (states, messages,
 * failed sends) and its diagnostics {@link EventListener} (heartbeats, silence, reconnect
 * scheduling), written to the {@link Timeline} as they happen and counted for the summary.
 */
final class ConnectionLog extends ConnectionListener {
  private final Timeline timeline;
  private final ChatLedger ledger;
  /** The text the server sends as its heartbeat, or null when unknown. */
  private final String serverHeartbeat;
  /** Who the timeline lines are from: source, or a second connection's name. */
  private final String source;
  /** The diagnostics half; pass to {@code ConnectionOptions.Builder.eventListener}. */
  final EventListener events = new Events();

  final AtomicLong connects = new AtomicLong();
  final AtomicLong heartbeatsSent = new AtomicLong();
  final AtomicLong heartbeatsSkipped = new AtomicLong();
  final AtomicLong serverHeartbeats = new AtomicLong();
  final AtomicLong reconnectsScheduled = new AtomicLong();
  final AtomicLong disconnects = new AtomicLong();
  final AtomicLong silences = new AtomicLong();
  final AtomicLong otherMessages = new AtomicLong();
  /** Adaptive heartbeat: interval changes, and the interval chosen last (0 before any change). */
  final AtomicLong intervalChanges = new AtomicLong();
  final AtomicLong lastIntervalMillis = new AtomicLong();

  ConnectionLog(Timeline timeline, ChatLedger ledger, String serverHeartbeat) {
    this(timeline, ledger, serverHeartbeat, "client");
  }

  ConnectionLog(Timeline timeline, ChatLedger ledger, String serverHeartbeat, String source) {
    this.timeline = timeline;
    this.ledger = ledger;
    this.serverHeartbeat = serverHeartbeat;
    this.source = source;
  }

  @Override public void onStateChanged(Connection c, ConnectionState s) {
    String line;
    switch (s.kind()) {
      case CONNECTING:
        line = s.attempt() == 0
            ? "connecting to " + c.options().url()
            : "connecting (reconnect attempt " + s.attempt() + ")";
        break;
      case CONNECTED:
        line = "CONNECTED";
        break;
      case WAITING_TO_RECONNECT:
        line = s.attempt() == 0
            ? "reconnecting in " + Timeline.seconds(s.delayMillis()) + " (short random delay); cause: "
                + s.reason()
            : "reconnect attempt " + s.attempt() + " in " + Timeline.seconds(s.delayMillis())
                + " (jittered backoff); cause: " + s.reason();
        break;
      case PAUSED:
        line = "PAUSED (" + s.pauseReason() + "): " + s.reason();
        break;
      case CLOSED:
        line = "CLOSED: " + s.reason();
        break;
      default:
        line = s.toString();
        break;
    }
    timeline.state(s, source, line);
  }

  @Override public void onMessage(Connection c, String text) {
    if (text.equals(serverHeartbeat)) {
      serverHeartbeats.incrementAndGet();
      timeline.quiet(Timeline.Type.SERVER_HEARTBEAT, source, "server heartbeat received");
      return;
    }
    long rtt = ledger.echoed(text, timeline.now());
    if (rtt >= 0) {
      timeline.log(Timeline.Type.CHAT_ECHOED, "app", "<- echo \"" + text + "\" ("
          + (rtt < 1000 ? rtt + " ms" : "after " + Timeline.seconds(rtt)
              + ": Lifeline held it until a connection could deliver it")
          + ")");
    } else if (rtt == ChatLedger.DUPLICATE) {
      timeline.log(Timeline.Type.CHAT_ECHOED, "app", "<- duplicate echo \"" + text + "\"");
    } else {
      otherMessages.incrementAndGet();
      timeline.log(Timeline.Type.INFO, "app", "<- \"" + text + "\"");
    }
  }

  /**
   * At-least-once mode (the demo): the server's echo of a chat message is its acknowledgement,
   * so Lifeline reports it here instead of through {@link #onMessage}.
   */
  @Override public void onDelivered(Connection c, Message message) {
    onMessage(c, message.text());
  }

  @Override public void onMessage(Connection c, ByteString bytes) {
    otherMessages.incrementAndGet();
    timeline.log(Timeline.Type.INFO, "app", "<- binary message, " + bytes.size() + " bytes");
  }

  @Override public void onSendFailed(Connection c, Message message, String reason) {
    String text = message.isText() ? message.text() : message.toString();
    ledger.failed(text);
    timeline.log(Timeline.Type.SEND_FAILED, "app", "send failed, and we were told: \"" + text
        + "\": " + reason);
  }

  /** Diagnostics: called on Lifeline's scheduler thread, so only records and prints. */
  private final class Events extends EventListener {
    @Override public void connectEnd(Connection c, int attempt, long handshakeMillis) {
      connects.incrementAndGet();
      timeline.quiet(Timeline.Type.INFO, source, "handshake took " + handshakeMillis + " ms");
    }

    @Override public void connectFailed(Connection c, int attempt, int httpCode, String reason,
        Throwable error) {
      timeline.quiet(Timeline.Type.INFO, source, "attempt " + attempt + " failed: " + reason);
    }

    @Override public void disconnected(Connection c, String reason, Throwable error) {
      disconnects.incrementAndGet();
      timeline.log(Timeline.Type.DISCONNECTED, source, "DISCONNECTED: " + reason);
    }

    @Override public void heartbeatSent(Connection c, Message heartbeat) {
      heartbeatsSent.incrementAndGet();
      timeline.log(Timeline.Type.HEARTBEAT_SENT, source, "heartbeat sent "
          + (heartbeat.isText() ? heartbeat.text() : heartbeat.toString()));
    }

    @Override public void heartbeatSkipped(Connection c, long sinceLastSendMillis) {
      heartbeatsSkipped.incrementAndGet();
      timeline.log(Timeline.Type.HEARTBEAT_SKIPPED, source, "heartbeat skipped: a message went"
          + " out " + Timeline.seconds(sinceLastSendMillis) + " ago (idle-only)");
    }

    @Override public void heartbeatIntervalChanged(Connection c, long fromMillis, long toMillis,
        String why) {
      intervalChanges.incrementAndGet();
      lastIntervalMillis.set(toMillis);
      timeline.record(Timeline.Type.HEARTBEAT_INTERVAL, source, "HEARTBEAT INTERVAL "
          + Timeline.seconds(fromMillis) + " -> " + Timeline.seconds(toMillis) + ": " + why,
          toMillis, 0, true);
    }

    @Override public void serverHeartbeatAnswered(Connection c, Message inbound, Message reply) {
      serverHeartbeats.incrementAndGet();
      timeline.quiet(Timeline.Type.SERVER_HEARTBEAT, source, "server heartbeat " + inbound
          + " answered with " + reply);
    }

    @Override public void serverSilence(Connection c, long silentMillis, long limitMillis) {
      silences.incrementAndGet();
      timeline.log(Timeline.Type.SILENCE_DETECTED, source, "SILENCE: nothing from the server for "
          + Timeline.seconds(silentMillis) + " (limit " + Timeline.seconds(limitMillis)
          + "): the connection is a zombie, replacing it");
    }

    @Override public void probeStarted(Connection c, String trigger) {
      timeline.log(Timeline.Type.INFO, source, "wake-up probe after " + trigger);
    }

    @Override public void probeSucceeded(Connection c, long afterMillis) {
      timeline.log(Timeline.Type.INFO, source, "probe answered after " + afterMillis + " ms");
    }

    @Override public void sleepDetected(Connection c, long lateByMillis) {
      timeline.log(Timeline.Type.INFO, source, "a timer fired " + Timeline.seconds(lateByMillis)
          + " late: the machine slept");
    }

    @Override public void reconnectScheduled(Connection c, int attempt, long delayMillis,
        String cause) {
      reconnectsScheduled.incrementAndGet();
      timeline.record(Timeline.Type.RECONNECT_SCHEDULED, source, "attempt " + attempt + " in "
          + Timeline.seconds(delayMillis) + ": " + cause, delayMillis, attempt, false);
    }

    @Override public void signalReceived(Connection c, EnvironmentSignals.Signal signal) {
      timeline.log(Timeline.Type.SIGNAL, source, "signal " + signal);
    }
  }
}
