package dev.lifeline;

import static java.util.concurrent.TimeUnit.MINUTES;
import static java.util.concurrent.TimeUnit.SECONDS;

import java.io.File;
import java.util.Collections;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The worked examples of the public Javadoc, compiled: each method body holds one {@code
 * <pre>{@code …}</pre>} block exactly as the Javadoc shows it (DocExamplesTest checks that every
 * block appears here), and its parameters are the example's free variables. The examples that
 * only build options also run, so a rejected setting fails the test too.
 */
@SuppressWarnings("unused")
final class DocExamples {
  private DocExamples() {}

  static void lifeline() {
    List<String> inbox = new CopyOnWriteArrayList<>();
    AtomicReference<ConnectionState> status = new AtomicReference<>();
    Lifeline lifeline = Lifeline.builder().build();
    Connection connection = lifeline.newConnection(
        ConnectionOptions.builder("wss://chat.example.com/socket").build(),
        new ConnectionListener() {
          @Override public void onMessage(Connection c, String text) {
            inbox.add(text);
          }

          @Override public void onStateChanged(Connection c, ConnectionState state) {
            status.set(state); // e.g. "WAITING_TO_RECONNECT (attempt 1 in 0.7 s): …"
          }
        });
    connection.connect();
    connection.send("hello"); // queued until connected
  }

  static int sendAll(Connection connection, List<String> readings) {
    List<Message> burst = new ArrayList<>();
    for (String reading : readings) burst.add(Message.text(reading));
    int accepted = connection.sendAll(burst); // one fsync at POWER_LOSS
    return accepted;
  }

  static void messageId(Connection connection) {
    String id = Message.newId();
    connection.send(Message.text("{\"id\":\"" + id + "\",\"body\":\"hello\"}").withId(id));
  }

  static void connection(Lifeline lifeline, String url, ConnectionListener listener,
      CountDownLatch done) throws Exception {
    try (Connection connection = lifeline.newConnection(url, listener)) {
      connection.connect();
      connection.send("report");
      done.await(30, SECONDS);
    } // close(): queued messages flushed, then a close 1000
  }

  static void lifelineClosed(String url, CountDownLatch stop, List<String> inbox)
      throws Exception {
    try (Lifeline lifeline = Lifeline.builder().build()) {
      Connection connection = lifeline.newConnection(url, ConnectionListener.builder()
          .onMessage((c, text) -> inbox.add(text))
          .build());
      connection.connect();
      stop.await();
    } // every connection closed, threads stopped
  }

  /** The app's own log, as the ConnectionListener example uses it. */
  interface AppLog {
    void warn(String line);
  }

  static void connectionListener(
      AtomicReference<ConnectionState> status, List<String> inbox, AppLog log) {
    ConnectionListener listener = ConnectionListener.builder()
        .onStateChanged((c, state) -> status.set(state))
        .onMessage((c, text) -> inbox.add(text))
        .onSendFailed((c, message, reason) -> log.warn("not sent: " + reason))
        .build();

    // The same as a subclass:
    ConnectionListener subclass = new ConnectionListener() {
      @Override public void onMessage(Connection c, String text) {
        inbox.add(text);
      }
    };
  }

  static void stateObserver(Connection connection, AtomicReference<String> statusLabel) {
    Subscription watching = connection.observeState(state -> statusLabel.set(state.toString()));
    // ...
    watching.close(); // no further call starts
  }

  static void julLogger() {
    Lifeline lifeline = Lifeline.builder()
        .logger(JulLogger.named("dev.lifeline"))
        .build();
  }

  static void heartbeatMatcher() {
    // The server sends {"type":"heartbeat"} every 25 s and echoes our {"type":"ping"}.
    HeartbeatPolicy heartbeat = HeartbeatPolicy.builder()
        .serverHeartbeat(in -> in.isText() && in.text().equals("{\"type\":\"heartbeat\"}"))
        .consumeEchoes(true)
        .expectServerHeartbeats(25, SECONDS)
        .build();
  }

  static void connectionOptions() {
    ConnectionOptions options = ConnectionOptions.builder("wss://chat.example.com/socket")
        .heartbeat(HeartbeatPolicy.builder().interval(25, SECONDS).build())
        .reconnect(ReconnectPolicy.builder().maxDelay(30, SECONDS).build())
        .build();

    // A line-based server that sends "PING" lines every 30 s and expects "HB" lines from us:
    ConnectionOptions tcp = ConnectionOptions.builder("tcp+tls://push.example.com:7001")
        .heartbeat(HeartbeatPolicy.builder()
            .textPayload("HB")
            .expectServerHeartbeats(30, SECONDS)
            .build())
        .maxLineLength(64 * 1024)
        .build();
  }

  static void eventListener(LongAdder disconnects, LongAdder serverBeats) {
    EventListener metrics = new EventListener() {
      @Override public void disconnected(Connection c, String reason, Throwable error) {
        disconnects.increment();
      }

      @Override public void serverHeartbeatReceived(Connection c, Message heartbeat) {
        serverBeats.increment();
      }
    };
  }

  static void heartbeatPolicy() {
    // Send {"op":"hb"} after 25 s without outbound traffic, and replace the connection when the
    // server, which sends its own heartbeat every 30 s, falls silent for several of its intervals.
    HeartbeatPolicy heartbeat = HeartbeatPolicy.builder()
        .interval(25, SECONDS)
        .textPayload("{\"op\":\"hb\"}")
        .expectServerHeartbeats(30, SECONDS)
        .build();
  }

  static void heartbeatPayload() {
    AtomicLong seq = new AtomicLong();
    HeartbeatPolicy.builder()
        .payload(() -> Message.text("{\"type\":\"ping\",\"seq\":" + seq.incrementAndGet() + "}"))
        .build();
  }

  static void serverHeartbeatResponder() {
    ServerHeartbeatResponder pong = inbound ->
        inbound.isText() && inbound.text().equals("ping") ? Message.text("pong") : null;
  }

  static void reconnectPolicy() {
    // Retry after about 1 s, 2 s, 4 s … at most 60 s apart; give up after 10 minutes, or at once
    // when the server closes with 4001 or 4003 (its "banned" and "bad token" codes).
    ReconnectPolicy reconnect = ReconnectPolicy.builder()
        .baseDelay(1, SECONDS)
        .maxDelay(60, SECONDS)
        .maxRetryDuration(10, MINUTES)
        .fatalCloseCodes(4001, 4003)
        .build();
  }

  static void outboxPolicy() {
    // While offline, hold at most 100 messages or 64 KiB; drop (and report) any older than 2 min.
    OutboxPolicy outbox = OutboxPolicy.builder()
        .maxMessages(100)
        .maxBytes(64 * 1024)
        .ttl(2, MINUTES)
        .build();
  }

  static void environmentPolicy() {
    // Keep the connection for 30 s after the app leaves the foreground, then close it until the
    // app comes back.
    EnvironmentPolicy environment = EnvironmentPolicy.builder()
        .closeInBackgroundAfter(30, SECONDS)
        .build();
  }

  static void backgroundMode() {
    // A chat connection that the app's push service (e.g. FCM) wakes up in the background.
    EnvironmentPolicy pushed = EnvironmentPolicy.builder()
        .backgroundMode(EnvironmentPolicy.BackgroundMode.PUSH_TO_WAKE)
        .pushIdleWindow(20, SECONDS)
        .build();
  }

  static void environmentSignals(Lifeline lifeline) {
    // A desktop app passes on what the OS tells it (Android: LifelineAndroid does this).
    EnvironmentSignals signals = lifeline.signals();
    signals.suspended(); // the lid is closing
    signals.resumed(); // awake again
    signals.networkChanged(); // e.g. Wi-Fi to Ethernet: open sockets belong to the old network
  }

  static void outboxJournal(File dataDir) {
    OutboxStore store = OutboxJournal.builder(new File(dataDir, "lifeline"), "chat")
        .durability(OutboxJournal.Durability.POWER_LOSS)
        .build();
    ConnectionOptions options = ConnectionOptions.builder("wss://example.com/chat")
        .outboxStore(store)
        .build();
  }

  static void ackMatcher() {
    // Outbound "msg:42:hello" is acknowledged by inbound "ack:42"; other messages need no ack.
    // The server must tolerate duplicates: after a reconnect, "msg:42:hello" may arrive again.
    Pattern outbound = Pattern.compile("msg:([^:]+):.*", Pattern.DOTALL);
    AckMatcher acks = new AckMatcher() {
      @Override public Object key(Message out) {
        Matcher m = outbound.matcher(out.isText() ? out.text() : "");
        return m.matches() ? m.group(1) : null;
      }

      @Override public Object acknowledgedKey(Message in) {
        return in.isText() && in.text().startsWith("ack:") ? in.text().substring(4) : null;
      }
    };
    ConnectionOptions options = ConnectionOptions.builder("wss://chat.example.com/socket")
        .atLeastOnce(acks)
        .build();
  }

  // current and refresh are the app's own, e.g. calls to its token endpoint that may block.
  static CredentialsProvider bearer(Callable<String> current, Callable<String> refresh) {
    return (attempt, rejected) -> {
      String token = rejected ? refresh.call() : current.call();
      return token == null ? null : Collections.singletonMap("Authorization", "Bearer " + token);
    };
  }

  /** The app's own in the example: the "offset" field of a message's JSON, or null. */
  static String offsetOf(String json) {
    int at = json.indexOf("\"offset\":");
    if (at < 0) return null;
    int end = at + 9;
    while (end < json.length() && Character.isDigit(json.charAt(end))) end++;
    return json.substring(at + 9, end);
  }

  static ConnectionOptions streamResume(OutboxStore store) {
    // offsetOf is the app's own: the "offset" field of a message's JSON, or null.
    StreamResume resume = StreamResume.builder(message -> offsetOf(message.text()))
        .consecutive(true)                         // offsets 1, 2, 3, …: a jump is a gap
        .hook(StreamResume.queryParameter("from")) // wss://…/feed?from=41 after a reconnect
        .build();
    ConnectionOptions options = ConnectionOptions.builder("wss://feed.example.com/feed")
        .resume(resume)
        .outboxStore(store) // optional: the position then survives the process too
        .build();
    return options;
  }

  static StreamResume.ResumeHook streamResumeFirstLine() {
    StreamResume.ResumeHook firstLine = (lastPosition, request) -> {
      if (lastPosition != null) request.firstMessage(Message.text("RESUME " + lastPosition));
    };
    return firstLine;
  }
}
