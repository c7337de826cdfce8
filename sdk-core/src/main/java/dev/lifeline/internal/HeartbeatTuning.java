package dev.lifeline.internal;

import dev.lifeline.HeartbeatPolicy;
import dev.lifeline.HeartbeatStore;
import dev.lifeline.Logger;
import java.net.URI;
import java.util.Locale;
import java.util.concurrent.ConcurrentMap;

/**
 * Connects one connection's heartbeat to what the client learned about its path
 * (docs/behaviour.md, "Adaptive heartbeat"): picks the {@link AdaptiveInterval} of the endpoint
 * and network the transport opened on, feeds it the connection's idle gaps and cuts, and reports
 * each change (an event, an INFO line) and keeps it (the client's memory at once, the app's
 * {@link HeartbeatStore} on the hooks lane). Confined to the connection's lane; the store, which is
 * app code, runs only on the hooks lane, and its answers come back as tasks on the engine lane.
 */
final class HeartbeatTuning {
  private final ClientContext ctx;
  private final HeartbeatPolicy policy;
  private final AppCalls app;
  private final SerialLane lane;
  private final RealConnection connection;
  /** "host:port" of the URL: never its path, query or user info. */
  private final String endpoint;
  /** The store key of the path in use: endpoint and network; null before the first open. */
  private String key;
  /** What this connection knows about the path {@link #key}. */
  private AdaptiveInterval path;
  /** Told when the interval changes, so that armed timers can follow; set once by the engine. */
  private Runnable onChange = () -> { };
  /** The interval in use, for {@code Connection.heartbeatIntervalMillis()} on any thread. */
  private volatile long currentMillis;

  HeartbeatTuning(ClientContext ctx, HeartbeatPolicy policy, AppCalls app, SerialLane lane,
      RealConnection connection) {
    this.ctx = ctx;
    this.policy = policy;
    this.app = app;
    this.lane = lane;
    this.connection = connection;
    this.endpoint = endpointOf(connection.options().url());
    this.currentMillis = policy.intervalMillis();
  }

  /** Lane: {@code r} runs after each change of the interval. */
  void onChange(Runnable r) {
    onChange = r;
  }

  /** Any thread: the interval in use. */
  long intervalMillis() {
    return currentMillis;
  }

  /**
   * Lane: a transport opened on the network last signalled: from now on the path is that
   * network's. What this client learned about it applies at once; otherwise the app's store is
   * asked, and the configured interval applies until it answers.
   */
  void opened() {
    String network = ctx.signals.networkKey();
    String k = endpoint + "|" + network;
    if (k.equals(key)) return;
    key = k;
    long before = currentMillis;
    path = new AdaptiveInterval(policy.intervalMillis(), policy.adaptiveMinMillis(),
        policy.adaptiveMaxMillis());
    String known = ctx.learnedHeartbeats.get(k);
    if (known != null) {
      restore(known, "learned earlier on this network");
    } else {
      load(k);
    }
    publish(path.current() == before ? null : new AdaptiveInterval.Change(before, path.current(),
        "network \"" + network + "\": " + (known != null
            ? "heartbeat learned earlier on this network" : "no heartbeat learned yet, starting")
        + " at " + Durations.seconds1(path.current())));
  }

  /** Lane: the connection was idle for {@code gapMillis} and lived. */
  void survived(long gapMillis) {
    if (path == null) return;
    AdaptiveInterval.Change c = path.survived(gapMillis);
    if (c != null) changed(c);
  }

  /**
   * Lane: tells the adaptive heartbeat (docs/behaviour.md, "Adaptive heartbeat") whether the open
   * connection ({@code networkChangedSinceOpen}: a network signal came since it opened) was
   * cut for being idle: an EOF or reset while nothing flowed either way for at
   * least half the adaptive min, or a protocol ping left unanswered; not a server's close frame,
   * a cut after a network change, nor a cut right after traffic.
   */
  void learnFrom(Failure failure, KeepAlive keepAlive, long now, boolean networkChangedSinceOpen) {
    long zombieIdle = keepAlive.zombieIdleMillis();
    long idle = keepAlive.idleMillis(now);
    long threshold = policy.adaptiveMinMillis() / 2;
    if (failure.kind != Failure.Kind.TRANSIENT) {
      notAboutIdleness(failure.reason);
    } else if (networkChangedSinceOpen) {
      notAboutIdleness("the network changed");
    } else if (zombieIdle >= threshold) {
      cutAfterIdle(zombieIdle);
    } else if (Failure.isCut(failure.cause) && idle >= threshold) {
      cutAfterIdle(idle);
    } else {
      notAboutIdleness(failure.reason + "; last traffic " + Durations.seconds1(idle)
          + " before");
    }
  }

  /** Lane: an idle connection was cut after {@code idleMillis} of silence both ways. */
  void cutAfterIdle(long idleMillis) {
    if (path == null) return;
    AdaptiveInterval.Change c = path.cutAfterIdle(idleMillis);
    if (c != null) {
      changed(c);
    } else {
      app.log(Logger.Level.INFO, "heartbeat: " + Redact.url(connection.options().url())
          + " was cut after " + Durations.seconds1(idleMillis) + " idle; the interval stays "
          + Durations.seconds1(path.current()) + " until the same idle cut repeats");
      remember();
    }
  }

  /** Lane: a cut that says nothing about the path's idle limit (why: for the log). */
  void notAboutIdleness(String why) {
    if (path == null) return;
    app.log(Logger.Level.DEBUG, "heartbeat: connection lost, not an idle cut (" + why
        + "); the interval stays " + Durations.seconds1(path.current()));
  }

  private void changed(AdaptiveInterval.Change c) {
    remember();
    publish(c);
  }

  /** Shows the interval in use; tells the app about {@code c} when not null. */
  private void publish(AdaptiveInterval.Change c) {
    long before = currentMillis;
    currentMillis = path.current();
    if (currentMillis != before) onChange.run();
    if (c == null) return;
    app.log(Logger.Level.INFO, "heartbeat interval " + Durations.seconds1(c.fromMillis) + " → "
        + Durations.seconds1(c.toMillis) + " on " + Redact.url(connection.options().url())
        + ": " + c.why);
    app.event("heartbeatIntervalChanged",
        e -> e.heartbeatIntervalChanged(connection, c.fromMillis, c.toMillis, c.why));
  }

  /** Keeps the path's state in the client's memory now, and in the app's store on the hooks lane. */
  private void remember() {
    String k = key;
    String value = path.encode();
    ctx.learnedHeartbeats.put(k, value);
    HeartbeatStore store = ctx.heartbeatStore;
    app.hooks.execute("HeartbeatStore.save", () -> {
      try {
        store.save(k, value);
      } catch (Throwable t) {
        app.log(Logger.Level.WARN, "HeartbeatStore.save(\"" + k + "\") threw; ignored", t);
      }
    });
  }

  /** Asks the store for {@code k} on the hooks lane; the answer comes back to the engine lane. */
  private void load(String k) {
    HeartbeatStore store = ctx.heartbeatStore;
    app.hooks.execute("HeartbeatStore.load", () -> {
      String value;
      try {
        value = store.load(k);
      } catch (Throwable t) {
        app.log(Logger.Level.WARN, "HeartbeatStore.load(\"" + k + "\") threw; starting from the"
            + " configured interval", t);
        return;
      }
      if (value == null) return;
      lane.execute(() -> loaded(k, value));
    });
  }

  /** Lane: the store's answer for {@code k}; too late when the path changed or learned since. */
  private void loaded(String k, String value) {
    if (!k.equals(key) || path.learned()) return;
    ctx.learnedHeartbeats.putIfAbsent(k, value);
    long before = path.current();
    if (!restore(value, "stored")) return;
    if (path.current() != before) {
      publish(new AdaptiveInterval.Change(before, path.current(), "stored from an earlier run on"
          + " this network: heartbeat " + Durations.seconds1(path.current())));
    }
  }

  private boolean restore(String value, String what) {
    try {
      path.restore(value);
      return true;
    } catch (IllegalArgumentException e) {
      app.log(Logger.Level.WARN, "heartbeat: ignored the " + what + " state for \"" + key + "\" ("
          + e.getMessage() + ": \"" + AdaptiveInterval.abbreviate(value) + "\"); starting from "
          + Durations.seconds1(policy.intervalMillis()));
      return false;
    }
  }

  /** "chat.example.com:443": the part of the URL that names the server, and nothing secret. */
  static String endpointOf(String url) {
    try {
      URI u = new URI(url);
      String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
      int port = u.getPort();
      if (port < 0) port = scheme.equals("wss") || scheme.equals("https") ? 443 : 80;
      String host = u.getHost() == null ? "unknown" : u.getHost().toLowerCase(Locale.ROOT);
      return host + ":" + port;
    } catch (Exception e) {
      return "unknown";
    }
  }
}
