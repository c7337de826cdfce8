package dev.lifeline.sample;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A typical long-connection server, scaled down, embedded for the demo. It behaves like the
 * server design described in docs/behaviour.md, "Heartbeats":
 *
 * <ul>
 *   <li>It records the time of the last <em>data message</em> of each connection when the message
 *       handler sees it. Protocol pings never reach that handler (the WebSocket library answers
 *       them), so they keep nothing alive here, exactly as on a real server.
 *   <li>It scans every {@link Config#scanMillis} and closes connections silent for more than
 *       {@link Config#idleLimitMillis}.
 *   <li>It sends its own heartbeat every {@link Config#heartbeatMillis}, so a client can watch for
 *       silence, and echoes every other message.
 *   <li>It can be stopped and started again on the same port: a server restart or deploy.
 * </ul>
 *
 * <p>The wire side is an {@link Endpoint}: WebSocket through Java-WebSocket, or newline-framed TCP
 * text. This is demo infrastructure, not SDK code.
 */
final class DemoServer implements AutoCloseable {
  /** The client heartbeat this server recognises: Lifeline's default payload. */
  static final String CLIENT_HEARTBEAT = dev.lifeline.HeartbeatPolicy.DEFAULT_PAYLOAD;
  /** What this server sends as its own heartbeat. */
  static final String SERVER_HEARTBEAT = "{\"type\":\"server-heartbeat\"}";

  /** The wire protocols the demo server speaks. */
  enum Protocol { WEBSOCKET, TCP_TEXT }

  /** The server's timing, the scaled-down version of 55 s / 10 s. */
  record Config(long idleLimitMillis, long scanMillis, long heartbeatMillis) {}

  /** One accepted connection, as the server logic sees it, whatever the wire protocol. */
  interface Peer {
    void send(String text);

    /** Closes with a reason; WebSocket sends a close frame, TCP just closes the socket. */
    void close(int code, String reason);
  }

  /** A listening socket that turns connections into {@link Peer} callbacks on this server. */
  interface Endpoint {
    /** Binds (port 0: any free port) and returns the bound port. */
    int start(int port) throws IOException;

    /** Closes every connection with {@code reason}, then the listening socket. */
    void stop(String reason);

  }

  /** What the server knows of one connection. */
  private static final class Session {
    /** Sequence number, for log lines. */
    final int id;
    /** When the handler last saw a data message (or the open), in ms since the timeline start. */
    volatile long lastMessageAtMillis;

    Session(int id, long openedAtMillis) {
      this.id = id;
      this.lastMessageAtMillis = openedAtMillis;
    }
  }

  private final Config config;
  private final Protocol protocol;
  /** Where server events go. */
  private final Timeline timeline;
  /** Open connections. */
  private final Map<Peer, Session> sessions = new ConcurrentHashMap<>();
  /** Runs the idle scan and the server heartbeat; one daemon thread. */
  private final ScheduledExecutorService timers;
  private final AtomicInteger nextId = new AtomicInteger(1);
  /** The current endpoint; null while stopped. Guarded by this. */
  private Endpoint endpoint;
  /** The bound port, kept across restarts. Guarded by this. */
  private int port;

  /** Data messages handled (heartbeats included). */
  final AtomicLong messagesReceived = new AtomicLong();
  /** Client heartbeats recognised. */
  final AtomicLong heartbeatsReceived = new AtomicLong();
  /** Messages echoed. */
  final AtomicLong echoed = new AtomicLong();
  /** Connections closed by the idle scan. */
  final AtomicLong idleClosed = new AtomicLong();
  /** Sees each data message other than a client heartbeat, before it is echoed. */
  private volatile Consumer<String> tap = text -> { };
  /** How long after a message its echo goes out; 0: at once. */
  private volatile long echoDelayMillis;

  DemoServer(Config config, Protocol protocol, Timeline timeline) {
    this.config = config;
    this.protocol = protocol;
    this.timeline = timeline;
    this.timers = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "demo server timers");
      t.setDaemon(true);
      return t;
    });
    timers.scheduleAtFixedRate(this::scan, config.scanMillis(), config.scanMillis(),
        TimeUnit.MILLISECONDS);
    if (config.heartbeatMillis() > 0) {
      timers.scheduleAtFixedRate(this::beat, config.heartbeatMillis(), config.heartbeatMillis(),
          TimeUnit.MILLISECONDS);
    }
  }

  /** Starts listening on 127.0.0.1: on a free port the first time, on the same port after. */
  synchronized void start() throws IOException {
    if (endpoint != null) return;
    Endpoint e = protocol == Protocol.WEBSOCKET
        ? new WebSocketEndpoint(this)
        : new TcpTextEndpoint(this);
    port = e.start(port);
    endpoint = e;
    timeline.log(Timeline.Type.SERVER, "server", "listening on " + url() + " (closes connections"
        + " silent for more than " + Timeline.seconds(config.idleLimitMillis())
        + (config.heartbeatMillis() > 0
            ? ", heartbeat every " + Timeline.seconds(config.heartbeatMillis()) : ", no heartbeat")
        + ")");
  }

  /** Stops like a deploy does: every client is told the server is going away. */
  synchronized void stop() {
    if (endpoint == null) return;
    timeline.log(Timeline.Type.SERVER, "server", "stopping: closing " + sessions.size()
        + " connection(s)" + (protocol == Protocol.WEBSOCKET ? " with 1001 going away" : ""));
    endpoint.stop("server restarting");
    endpoint = null;
    sessions.clear();
  }

  synchronized int port() {
    return port;
  }

  /** The URL clients use to reach this server directly. */
  synchronized String url() {
    return urlFor("127.0.0.1", port);
  }

  /** The URL of this server's protocol at another address (e.g. the network simulator's). */
  String urlFor(String host, int port) {
    return protocol == Protocol.WEBSOCKET
        ? "ws://" + host + ":" + port + "/chat"
        : "tcp://" + host + ":" + port;
  }

  /** Hands {@code tap} each data message other than a client heartbeat, before its echo. */
  void tap(Consumer<String> tap) {
    this.tap = tap;
  }

  /**
   * Echoes each message {@code millis} after it arrived, as a server that acknowledges a message
   * only once it has stored it: a client that dies meanwhile never sees the acknowledgement.
   */
  void delayEchoes(long millis) {
    this.echoDelayMillis = millis;
  }

  int openConnections() {
    return sessions.size();
  }

  @Override public void close() {
    stop();
    timers.shutdownNow();
  }

  // ---- Called by endpoints, on their threads. ----

  void opened(Peer peer, String remote) {
    Session s = new Session(nextId.getAndIncrement(), timeline.now());
    sessions.put(peer, s);
    timeline.log(Timeline.Type.SERVER, "server", "connection #" + s.id + " opened from " + remote);
  }

  /** The message handler: the only place that counts as activity (pings never get here). */
  void message(Peer peer, String text) {
    Session s = sessions.get(peer);
    if (s == null) return; // Already closed by the scan or a stop.
    s.lastMessageAtMillis = timeline.now();
    messagesReceived.incrementAndGet();
    if (text.equals(CLIENT_HEARTBEAT)) {
      heartbeatsReceived.incrementAndGet();
      return;
    }
    tap.accept(text);
    echoed.incrementAndGet();
    long delay = echoDelayMillis;
    if (delay == 0) {
      peer.send(text);
      return;
    }
    timers.schedule(() -> {
      try {
        peer.send(text);
      } catch (RuntimeException ignored) {
        // Closed meanwhile: the echo is lost, as it would be.
      }
    }, delay, TimeUnit.MILLISECONDS);
  }

  void closed(Peer peer, int code, String reason, boolean byClient) {
    Session s = sessions.remove(peer);
    if (s == null) return;
    // 1006: no close handshake (reset, EOF); nobody closed it on purpose, whatever the library says.
    String who = code == 1006 ? "lost without a close handshake"
        : "closed by the " + (byClient ? "client" : "server");
    timeline.log(Timeline.Type.SERVER, "server", "connection #" + s.id + " " + who + " (" + code
        + (reason.isEmpty() ? "" : " " + reason) + ")");
  }

  // ---- Timers. ----

  /** The reference server's scan: close whatever has been silent beyond the limit. */
  private void scan() {
    long now = timeline.now();
    for (Map.Entry<Peer, Session> e : new ArrayList<>(sessions.entrySet())) {
      Session s = e.getValue();
      long silent = now - s.lastMessageAtMillis;
      if (silent > config.idleLimitMillis() && sessions.remove(e.getKey(), s)) {
        idleClosed.incrementAndGet();
        String why = "no message for " + Timeline.seconds(silent) + " (limit "
            + Timeline.seconds(config.idleLimitMillis()) + ")";
        timeline.log(Timeline.Type.SERVER, "server", "closing connection #" + s.id + ": " + why);
        try {
          e.getKey().close(4000, "idle: " + why);
        } catch (RuntimeException ignored) {
          // Already gone.
        }
      }
    }
  }

  private void beat() {
    List<Peer> peers = new ArrayList<>(sessions.keySet());
    for (Peer p : peers) {
      try {
        p.send(SERVER_HEARTBEAT);
      } catch (RuntimeException ignored) {
        // Closing; the close callback cleans up.
      }
    }
  }
}
