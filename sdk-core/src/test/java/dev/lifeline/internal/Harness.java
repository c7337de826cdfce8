package dev.lifeline.internal;

import dev.lifeline.Connection;
import dev.lifeline.ConnectionListener;
import dev.lifeline.ConnectionOptions;
import dev.lifeline.ConnectionState;
import dev.lifeline.EnvironmentSignals;
import dev.lifeline.EventListener;
import dev.lifeline.Logger;
import dev.lifeline.Message;
import dev.lifeline.TestAccess;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import okio.ByteString;

/**
 * One connection in virtual time with a scripted transport: the fixture of the unit suite.
 * Listener calls and events run synchronously on the test thread and are recorded.
 */
public final class Harness {
  public final VirtualTime time = new VirtualTime();
  public final FakeTransport.Factory transports = new FakeTransport.Factory();
  public final List<ConnectionState> states = Collections.synchronizedList(new ArrayList<>());
  public final List<String> received = Collections.synchronizedList(new ArrayList<>());
  public final List<String> sendFailures = Collections.synchronizedList(new ArrayList<>());
  public final List<String> delivered = Collections.synchronizedList(new ArrayList<>());
  public final List<String> events = Collections.synchronizedList(new ArrayList<>());
  public final List<String> logs = Collections.synchronizedList(new ArrayList<>());
  public final ClientContext context;
  public final EnvironmentSignals signals;

  public Harness() {
    this(new Random(42));
  }

  public Harness(Random random) {
    this(random, Runnable::run);
  }

  /** With listener calls on {@code callbacks} instead of synchronously. */
  public Harness(Random random, java.util.concurrent.Executor callbacks) {
    this(random, callbacks, Runnable::run);
  }

  /**
   * With listener calls on {@code callbacks} and credentials providers on {@code blocking} (e.g.
   * a thread of its own, so that a provider can be left stuck) instead of synchronously.
   */
  public Harness(Random random, java.util.concurrent.Executor callbacks,
      java.util.concurrent.Executor blocking) {
    this(random, callbacks, blocking, null);
  }

  /**
   * As {@link #Harness(Random, java.util.concurrent.Executor, java.util.concurrent.Executor)},
   * with event listener, logger and per-message hook calls on {@code hooks} (e.g. real threads,
   * so that one can be left stuck) instead of in virtual time; null: in virtual time.
   */
  public Harness(Random random, java.util.concurrent.Executor callbacks,
      java.util.concurrent.Executor blocking, java.util.concurrent.Executor hooks) {
    this(random, callbacks, blocking, hooks, dev.lifeline.HeartbeatStore.inMemory());
  }

  /** As above, with the client's heartbeat store (adaptive heartbeats keep what they learn). */
  public Harness(Random random, java.util.concurrent.Executor callbacks,
      java.util.concurrent.Executor blocking, java.util.concurrent.Executor hooks,
      dev.lifeline.HeartbeatStore heartbeatStore) {
    Logger logger = (level, message, error) -> logs.add(level + " " + message);
    context = new ClientContext(time, time, callbacks, blocking,
        hooks != null ? hooks : time::execute, logger, random, transports,
        dev.lifeline.Lifeline.DEFAULT_STUCK_HOOK_THRESHOLD_MILLIS, heartbeatStore);
    signals = TestAccess.signals(context.signals);
  }

  /** Options whose event listener records into {@link #events}. */
  public ConnectionOptions.Builder options() {
    return ConnectionOptions.builder("ws://127.0.0.1:1/socket").eventListener(recordingEvents());
  }

  public RealConnection connection(ConnectionOptions options) {
    return connection(options, recordingListener());
  }

  public RealConnection connection(ConnectionOptions options, ConnectionListener listener) {
    RealConnection c = new RealConnection(context, options, listener);
    context.register(c);
    return c;
  }

  public ConnectionListener recordingListener() {
    return new ConnectionListener() {
      @Override public void onStateChanged(Connection c, ConnectionState state) {
        states.add(state);
      }

      @Override public void onMessage(Connection c, String text) {
        received.add(text);
      }

      @Override public void onMessage(Connection c, ByteString bytes) {
        received.add(bytes.hex());
      }

      @Override public void onDelivered(Connection c, Message message) {
        delivered.add(message.text());
      }

      @Override public void onSendFailed(Connection c, Message message, String reason) {
        sendFailures.add(message + ": " + reason);
      }
    };
  }

  public EventListener recordingEvents() {
    return new EventListener() {
      @Override public void connectStart(Connection c, int attempt, String url) {
        events.add("connectStart " + attempt);
      }

      @Override public void connectFailed(Connection c, int attempt, int httpCode, String reason, Throwable e) {
        events.add("connectFailed " + attempt + " " + reason);
      }

      @Override public void disconnected(Connection c, String reason, Throwable e) {
        events.add("disconnected " + reason);
      }

      @Override public void heartbeatSent(Connection c, Message heartbeat) {
        events.add("heartbeatSent");
      }

      @Override public void heartbeatSkipped(Connection c, long since) {
        events.add("heartbeatSkipped " + since);
      }

      @Override public void serverSilence(Connection c, long silent, long limit) {
        events.add("serverSilence " + silent + "/" + limit);
      }

      @Override public void probeStarted(Connection c, String trigger) {
        events.add("probeStarted " + trigger);
      }

      @Override public void probeSucceeded(Connection c, long after) {
        events.add("probeSucceeded " + after);
      }

      @Override public void sleepDetected(Connection c, long late) {
        events.add("sleepDetected " + late);
      }

      @Override public void reconnectScheduled(Connection c, int attempt, long delay, String cause) {
        events.add("reconnectScheduled " + attempt + " " + delay);
      }

      @Override public void serverHeartbeatAnswered(Connection c, Message in, Message reply) {
        events.add("answered " + reply);
      }

      @Override public void streamGap(Connection c, long expected, long received) {
        events.add("streamGap " + expected + " " + received);
      }

      @Override public void serverHeartbeatReceived(Connection c, Message heartbeat) {
        events.add("serverHeartbeatReceived "
            + (heartbeat.isText() ? heartbeat.text() : heartbeat.bytes().hex()));
      }
    };
  }

  /** Connects and lets the fake server accept; returns the open transport. */
  public FakeTransport connectAndOpen(RealConnection c) {
    c.connect();
    time.runUntilIdle();
    FakeTransport t = transports.last();
    t.serverAccepts();
    time.runUntilIdle();
    return t;
  }

  public ConnectionState lastState() {
    return states.get(states.size() - 1);
  }
}
