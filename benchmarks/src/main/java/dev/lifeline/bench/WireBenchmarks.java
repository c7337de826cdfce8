package dev.lifeline.bench;

import dev.lifeline.AckMatcher;
import dev.lifeline.Connection;
import dev.lifeline.ConnectionListener;
import dev.lifeline.ConnectionOptions;
import dev.lifeline.Lifeline;
import dev.lifeline.Message;
import java.net.InetAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import okio.BufferedSink;
import okio.BufferedSource;
import okio.Okio;

/**
 * Throughput and round trip of Lifeline's WebSocket and tcp:// connections against raw OkHttp /
 * raw Okio clients talking to the same local servers, in interleaved rounds.
 */
final class WireBenchmarks implements Benchmark {
  /** 32 bytes, the message size of the table. */
  static final String MESSAGE = "0123456789abcdef0123456789abcdef";
  /** Messages Lifeline may hold in its outbox while a throughput trial sends (limit 1000). */
  static final int LIFELINE_IN_FLIGHT = 500;
  /**
   * Bytes raw OkHttp may hold in its queue while a throughput trial sends. Lifeline hands its
   * outbox to its WebSocket transport's own write queue without such a cap, so the anchor gets a
   * deep queue too (1 MiB): a shallow one would starve it and flatter Lifeline.
   */
  static final long RAW_QUEUE_BYTES = 1024L * 1024;

  @Override public String name() {
    return "wire";
  }

  @Override public List<Row> run(BenchRun run) throws Exception {
    List<Row> rows = new ArrayList<>();
    OkHttpClient okHttp = new OkHttpClient();
    Lifeline lifeline = Lifeline.builder().okHttpClient(okHttp).build();
    try (Servers.WebSocketServer ws = new Servers.WebSocketServer();
        Servers.LineServer lineSink = new Servers.LineServer(false);
        Servers.LineServer lineEcho = new Servers.LineServer(true)) {
      int warm = run.quick() ? 1 : 2;

      run.progress("WebSocket send throughput");
      Connection llSink = open(lifeline, ConnectionOptions.builder(ws.url("/sink")).build(), null);
      WebSocket rawSink = rawWebSocket(okHttp, ws.url("/sink"), null);
      Rounds.Result r = Rounds.interleave(warm, run.rounds(),
          () -> lifelineThroughput(llSink, ws.received::get, run.trialMillis()),
          () -> rawWebSocketThroughput(rawSink, ws.received::get, run.trialMillis()));
      rows.add(Row.ratioAtLeast("WebSocket send throughput, 32 B messages", "msg/s", r, 0.95));
      llSink.close();
      rawSink.close(1000, null);

      run.progress("WebSocket echo round trip");
      PingPong.Replies llReplies = new PingPong.Replies();
      PingPong.Replies rawReplies = new PingPong.Replies();
      Connection llEcho = open(lifeline, ConnectionOptions.builder(ws.url("/echo")).build(),
          llReplies);
      WebSocket rawEcho = rawWebSocket(okHttp, ws.url("/echo"), rawReplies);
      int n = run.roundTrips();
      r = Rounds.interleave(warm, run.rounds(),
          () -> PingPong.p50Micros(n, m -> llEcho.send(m), llReplies),
          () -> PingPong.p50Micros(n, m -> rawEcho.send(m), rawReplies));
      rows.add(Row.deltaAtMost("WebSocket echo round trip p50", "µs", r, 20));

      run.progress("at-least-once round trip");
      PingPong.Replies delivered = new PingPong.Replies();
      AckMatcher echoIsAck = new AckMatcher() {
        @Override public Object key(Message out) { return out.text(); }
        @Override public Object acknowledgedKey(Message in) { return in.isText() ? in.text() : null; }
      };
      Connection llAck = open(lifeline, ConnectionOptions.builder(ws.url("/echo"))
          .atLeastOnce(echoIsAck).build(), null, delivered);
      r = Rounds.interleave(warm, run.rounds(),
          () -> PingPong.p50Micros(n, m -> llAck.send(m), delivered),
          () -> PingPong.p50Micros(n, m -> rawEcho.send(m), rawReplies));
      rows.add(Row.deltaAtMost("at-least-once round trip p50 overhead (WS; send to onDelivered,"
          + " vs raw OkHttp echo)", "µs", r, 30));
      llEcho.close();
      llAck.close();
      rawEcho.close(1000, null);

      run.progress("TCP send throughput");
      Connection llLines = open(lifeline, ConnectionOptions.builder(lineSink.url()).build(), null);
      RawLineClient rawLines = new RawLineClient(lineSink.port());
      r = Rounds.interleave(warm, run.rounds(),
          () -> lifelineThroughput(llLines, lineSink.received::get, run.trialMillis()),
          () -> rawLines.throughput(lineSink.received::get, run.trialMillis()));
      rows.add(Row.ratioAtLeast("TCP text send throughput, 32 B lines (anchor: raw Okio, flush"
          + " per line)", "msg/s", r, 0.95));
      llLines.close();
      rawLines.close();

      run.progress("TCP echo round trip");
      PingPong.Replies llLineReplies = new PingPong.Replies();
      Connection llLineEcho = open(lifeline, ConnectionOptions.builder(lineEcho.url()).build(),
          llLineReplies);
      RawLineClient rawLineEcho = new RawLineClient(lineEcho.port());
      r = Rounds.interleave(warm, run.rounds(),
          () -> PingPong.p50Micros(n, m -> llLineEcho.send(m), llLineReplies),
          () -> rawLineEcho.roundTripP50(n));
      rows.add(Row.deltaAtMost("TCP echo round trip p50", "µs", r, 20));
      llLineEcho.close();
      rawLineEcho.close();
    } finally {
      lifeline.shutdown(5, TimeUnit.SECONDS);
      okHttp.dispatcher().executorService().shutdown();
      okHttp.connectionPool().evictAll();
    }
    return rows;
  }

  static Connection open(Lifeline lifeline, ConnectionOptions options,
      PingPong.Replies replies) throws InterruptedException {
    return open(lifeline, options, replies, null);
  }

  /** A connected Lifeline connection whose messages go to {@code replies}, deliveries to {@code delivered}. */
  static Connection open(Lifeline lifeline, ConnectionOptions options,
      PingPong.Replies replies, PingPong.Replies delivered) throws InterruptedException {
    ConnectionListener.Builder b = ConnectionListener.builder();
    if (replies != null) b.onMessage((c, text) -> replies.arrived(text));
    if (delivered != null) b.onDelivered((c, m) -> delivered.arrived(m.text()));
    Connection c = lifeline.newConnection(options, b.build());
    c.connect();
    Clients.awaitConnected(c);
    return c;
  }

  static WebSocket rawWebSocket(OkHttpClient client, String url, PingPong.Replies replies)
      throws InterruptedException {
    BlockingQueue<Boolean> opened = new ArrayBlockingQueue<>(1);
    WebSocket ws = client.newWebSocket(new Request.Builder().url(url.replace("ws:", "http:"))
        .build(), new WebSocketListener() {
          @Override public void onOpen(WebSocket webSocket, okhttp3.Response response) {
            opened.offer(true);
          }

          @Override public void onMessage(WebSocket webSocket, String text) {
            if (replies != null) replies.arrived(text);
          }
        });
    if (opened.poll(10, TimeUnit.SECONDS) == null) {
      throw new IllegalStateException("raw OkHttp WebSocket to " + url + " not open after 10 s");
    }
    return ws;
  }

  /** Sends for {@code millis}, keeping the outbox below {@link #LIFELINE_IN_FLIGHT}; msg/s received. */
  static double lifelineThroughput(Connection c, java.util.function.LongSupplier received,
      long millis) {
    return sendFor(millis, () -> c.queuedMessages() >= LIFELINE_IN_FLIGHT, () -> c.send(MESSAGE),
        received, "Lifeline messages received");
  }

  /** Sends for {@code millis}, keeping OkHttp's queue below {@link #RAW_QUEUE_BYTES}; msg/s received. */
  static double rawWebSocketThroughput(WebSocket ws, java.util.function.LongSupplier received,
      long millis) {
    return sendFor(millis, () -> ws.queueSize() >= RAW_QUEUE_BYTES, () -> ws.send(MESSAGE),
        received, "raw OkHttp messages received");
  }

  /**
   * Sends {@link #MESSAGE} for {@code millis}, spinning while {@code full}, then waits until the
   * server counted every message sent; messages per second from the first send to the last
   * arrival.
   */
  private static double sendFor(long millis, java.util.function.BooleanSupplier full,
      java.util.function.BooleanSupplier send, java.util.function.LongSupplier received,
      String what) {
    long base = received.getAsLong();
    long start = System.nanoTime();
    long end = start + TimeUnit.MILLISECONDS.toNanos(millis);
    long sent = 0;
    while (System.nanoTime() < end) {
      for (int i = 0; i < 64; i++) {
        if (full.getAsBoolean()) {
          Thread.onSpinWait();
        } else if (send.getAsBoolean()) {
          sent++;
        }
      }
    }
    long done = Clients.awaitCount(received, base + sent, what);
    return sent / ((done - start) / 1e9);
  }

  /** Numbers round-trip messages, so a reply is matched to its request (and ack keys differ). */
  private static long sequence;

  /** A 32-byte message no earlier round trip used. */
  static synchronized String unique32() {
    String n = Long.toString(++sequence);
    return MESSAGE.substring(0, 32 - n.length()) + n;
  }

  /** The raw anchor for tcp://: Okio over a socket, one flush per line, as a simple client would. */
  static final class RawLineClient implements AutoCloseable {
    private final Socket socket;
    private final BufferedSink out;
    private final BufferedSource in;

    RawLineClient(int port) throws java.io.IOException {
      socket = new Socket(InetAddress.getByName("127.0.0.1"), port);
      socket.setTcpNoDelay(true);
      out = Okio.buffer(Okio.sink(socket));
      in = Okio.buffer(Okio.source(socket));
    }

    double throughput(java.util.function.LongSupplier received, long millis)
        throws java.io.IOException {
      long base = received.getAsLong();
      long start = System.nanoTime();
      long end = start + TimeUnit.MILLISECONDS.toNanos(millis);
      long sent = 0;
      while (System.nanoTime() < end) {
        for (int i = 0; i < 64; i++) {
          out.writeUtf8(MESSAGE).writeByte('\n');
          out.flush();
          sent++;
        }
      }
      long done = Clients.awaitCount(received, base + sent, "raw Okio lines received");
      return sent / ((done - start) / 1e9);
    }

    double roundTripP50(int n) throws java.io.IOException {
      long[] nanos = new long[n];
      for (int i = 0; i < n; i++) {
        String unique = unique32();
        long t0 = System.nanoTime();
        out.writeUtf8(unique).writeByte('\n');
        out.flush();
        String reply = in.readUtf8LineStrict();
        nanos[i] = System.nanoTime() - t0;
        if (!unique.equals(reply)) {
          throw new IllegalStateException("expected the echo of " + unique + ", got " + reply);
        }
      }
      return Rounds.percentileMicros(nanos, 50);
    }

    @Override public void close() throws java.io.IOException {
      socket.close();
    }
  }
}
