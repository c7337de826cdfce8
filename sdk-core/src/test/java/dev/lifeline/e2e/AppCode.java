package dev.lifeline.e2e;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.Assert.assertTrue;

import dev.lifeline.Connection;
import dev.lifeline.ConnectionListener;
import dev.lifeline.ConnectionState;
import dev.lifeline.EventListener;
import dev.lifeline.Logger;
import dev.lifeline.Message;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;

/**
 * App code for end-to-end tests of the client's threads: listeners and a logger that record what
 * they hear, and a {@link Gate} that makes one piece of app code stuck until the test's
 * {@code @After} releases it.
 */
final class AppCode {
  private AppCode() {}

  /** Where stuck app code waits. Release it in {@code @After}, so no thread stays blocked. */
  static final class Gate {
    /** A stuck call gives up after this even if a test never released it: no thread leaks. */
    private static final long BACKSTOP_SECONDS = 30;

    private final CountDownLatch released = new CountDownLatch(1);
    private final CountDownLatch entered = new CountDownLatch(1);
    /** The first call that got stuck here, e.g. "ConnectionListener.onMessage". */
    private volatile String first;
    /** True once a stuck call returned, released or not. */
    private volatile boolean anyReturned;

    /** Blocks the calling thread (app code named {@code call}) until {@link #release()}. */
    void block(String call) {
      if (first == null) first = call;
      entered.countDown();
      try {
        released.await(BACKSTOP_SECONDS, SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        anyReturned = true;
      }
    }

    /** Waits until some app code is stuck here and checks that it is {@code call}. */
    void awaitStuck(String call, long timeoutMillis) throws InterruptedException {
      assertTrue(call + " did not get stuck within " + timeoutMillis + " ms",
          entered.await(timeoutMillis, MILLISECONDS));
      assertTrue("stuck: " + first + ", expected " + call, call.equals(first));
    }

    /** True while nothing stuck here has returned. */
    boolean stillStuck() {
      return entered.getCount() == 0 && !anyReturned;
    }

    void release() {
      released.countDown();
    }
  }

  /** Records one connection's states, texts and send failures. */
  static class Listener extends ConnectionListener {
    final List<ConnectionState> states = new CopyOnWriteArrayList<>();
    final List<String> messages = new CopyOnWriteArrayList<>();
    /** "text: reason" per message reported through onSendFailed. */
    final List<String> sendFailures = new CopyOnWriteArrayList<>();

    @Override public void onStateChanged(Connection c, ConnectionState state) {
      states.add(state);
    }

    @Override public void onMessage(Connection c, String text) {
      messages.add(text);
    }

    @Override public void onSendFailed(Connection c, Message message, String reason) {
      sendFailures.add(message.text() + ": " + reason);
    }

    /** The last state heard, or null. */
    ConnectionState last() {
      return states.isEmpty() ? null : states.get(states.size() - 1);
    }

    boolean isIn(ConnectionState.Kind kind) {
      ConnectionState s = last();
      return s != null && s.kind() == kind;
    }

    List<ConnectionState.Kind> kinds() {
      List<ConnectionState.Kind> kinds = new ArrayList<>();
      for (ConnectionState s : states) kinds.add(s.kind());
      return kinds;
    }
  }

  /** Records log lines as "LEVEL message"; stuck on lines mentioning {@link #stuckOn}, if set. */
  static final class Log implements Logger {
    final List<String> lines = new CopyOnWriteArrayList<>();
    /** Lines containing this get the logger stuck in {@link #gate}; null: never. */
    private volatile String stuckOn;
    private volatile Gate gate;

    @Override public void log(Level level, String message, Throwable error) {
      lines.add(level + " " + message);
      if (stuckOn != null && message.contains(stuckOn)) gate.block("Logger.log");
    }

    /** From now on, a line containing {@code text} gets the logger stuck in {@code gate}. */
    void stuckOnLinesMentioning(String text, Gate gate) {
      this.gate = gate;
      this.stuckOn = text;
    }

    boolean has(String... fragments) {
      return lineWith(fragments) != null;
    }

    /** The first line containing every fragment, or null. */
    String lineWith(String... fragments) {
      for (String line : lines) {
        boolean all = true;
        for (String f : fragments) all &= line.contains(f);
        if (all) return line;
      }
      return null;
    }
  }

  /**
   * Records events as "url event detail", shared by several connections; stuck in {@code
   * connectStart} of the connection to {@link #stuckInConnectStartOf}, if set.
   */
  static final class Events extends EventListener {
    final List<String> events = new CopyOnWriteArrayList<>();
    private volatile String stuckInConnectStartOf;
    private volatile Gate gate;

    void stuckInConnectStartOf(String url, Gate gate) {
      this.gate = gate;
      this.stuckInConnectStartOf = url;
    }

    @Override public void connectStart(Connection connection, int attempt, String url) {
      events.add(url + " connectStart");
      if (url.equals(stuckInConnectStartOf)) gate.block("EventListener.connectStart");
    }

    @Override public void connectEnd(Connection connection, int attempt, long handshakeMillis) {
      events.add(connection.options().url() + " connectEnd");
    }

    @Override public void hookStuck(Connection connection, String hook, long runningMillis) {
      events.add(connection.options().url() + " hookStuck " + hook + " " + runningMillis);
    }

    /** The recorded "url event …" entries of {@code url} starting with {@code event}. */
    List<String> of(String url, String event) {
      List<String> out = new ArrayList<>();
      for (String e : events) if (e.startsWith(url + " " + event)) out.add(e);
      return out;
    }
  }
}
