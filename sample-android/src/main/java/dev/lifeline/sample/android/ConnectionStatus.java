package dev.lifeline.sample.android;

import dev.lifeline.Connection;
import dev.lifeline.ConnectionListener;
import dev.lifeline.ConnectionState;
import dev.lifeline.EventListener;
import dev.lifeline.Message;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;

/**
 * What one connection is doing, as {@link MainActivity} shows it: its state, the last message
 * received and a few counters. Fed by the connection's listener (already on the main thread,
 * thanks to {@code LifelineAndroid.lifelineBuilder()}) and its event listener (called on
 * one of Lifeline's hook threads, so each event hops to the main thread first).
 *
 * <p>Main thread only: every field is read and written there.
 */
final class ConnectionStatus {
  /** Told after every change, on the main thread. */
  interface Observer {
    void onStatusChanged(ConnectionStatus status);
  }

  /** Where events from the scheduler thread are moved to: the main thread. */
  private final Executor mainThread;
  /** Registered views, in registration order. */
  private final List<Observer> observers = new ArrayList<>();
  /** The latest state. */
  private ConnectionState state = ConnectionState.idle();
  /** The last text message from the server, or null before the first. */
  private String lastMessage;
  /** Messages received from the server. */
  private int messagesReceived;
  /** Heartbeats handed to the socket: the 55 s timer's and the wake-up probes'. */
  private int heartbeatsSent;
  /** Wake-up probes started: screen on, foreground, end of Doze, detected sleep. */
  private int probes;
  /** Times the connection was CONNECTED again after its first connect. */
  private int reconnects;
  /** True once the first CONNECTED arrived. */
  private boolean connectedOnce;

  ConnectionStatus(Executor mainThread) {
    this.mainThread = mainThread;
  }

  ConnectionState state() { return state; }
  String lastMessage() { return lastMessage; }
  int messagesReceived() { return messagesReceived; }
  int heartbeatsSent() { return heartbeatsSent; }
  int probes() { return probes; }
  int reconnects() { return reconnects; }

  void addObserver(Observer observer) {
    observers.add(observer);
  }

  void removeObserver(Observer observer) {
    observers.remove(observer);
  }

  /** The connection's listener; its calls arrive on the main thread. */
  ConnectionListener connectionListener() {
    return new ConnectionListener() {
      @Override public void onStateChanged(Connection connection, ConnectionState newState) {
        state = newState;
        if (newState.kind() == ConnectionState.Kind.CONNECTED) {
          if (connectedOnce) reconnects++;
          connectedOnce = true;
        }
        changed();
      }

      @Override public void onMessage(Connection connection, String text) {
        lastMessage = text;
        messagesReceived++;
        changed();
      }
    };
  }

  /** The connection's diagnostics; called on one of Lifeline's hook threads, so it hops. */
  EventListener eventListener() {
    return new EventListener() {
      @Override public void heartbeatSent(Connection connection, Message heartbeat) {
        mainThread.execute(new Runnable() {
          @Override public void run() {
            heartbeatsSent++;
            changed();
          }
        });
      }

      @Override public void probeStarted(Connection connection, String trigger) {
        mainThread.execute(new Runnable() {
          @Override public void run() {
            probes++;
            changed();
          }
        });
      }
    };
  }

  private void changed() {
    for (Observer o : new ArrayList<>(observers)) o.onStatusChanged(this);
  }
}
