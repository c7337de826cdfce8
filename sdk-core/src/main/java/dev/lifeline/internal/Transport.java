package dev.lifeline.internal;

import dev.lifeline.ConnectionOptions;
import dev.lifeline.Message;
import java.util.List;
import java.util.Map;

/**
 * One physical connection (a WebSocket, a TCP socket): the only thing the connection manager
 * replaces when it reconnects. A transport is used once; its callbacks may arrive on any thread
 * and the connection moves them onto its own lane.
 */
public interface Transport {
  /**
   * Hands {@code message} to the wire, after messages handed earlier. Returns false when the
   * transport cannot take it (closing, failed, or its buffer is full); the caller keeps it.
   */
  boolean send(Message message);

  /** Starts a graceful close; {@link Listener#onClosed} or {@link Listener#onFailure} follows. */
  void close(int code, String reason);

  /** Releases the socket at once, for a connection presumed dead. No callback follows. */
  void cancel();

  /**
   * Sends a protocol ping now, without blocking. Returns the ping's number (1 for the first of
   * this transport, then 2, ...), which its pong must echo to answer it ({@link #answeredPing()}),
   * or -1 when this transport has no pings (tcp://) or can send none any more.
   */
  long ping();

  /**
   * The highest ping number whose pong arrived, echoing that ping's payload; 0 before any, -1
   * when this transport has no pings. A pong that echoes no ping of ours answers nothing (it still
   * counts as data from the server). Called from any thread; never blocks.
   */
  long answeredPing();

  /**
   * While the transport is connecting: what its handshake is doing right now, as a short phrase
   * for the attempt deadline's reason, e.g. "DNS lookup of example.com", "TCP connect to
   * 10.0.0.7:443", "TLS handshake with example.com", "HTTP upgrade (waiting for the server's
   * response)". Called from any thread; never blocks. Must not contain secrets: no URL path or
   * query, no user info, no header values.
   */
  String handshakeStep();

  /**
   * After the transport failed or closed: the messages accepted by {@link #send} that never
   * reached the socket, in order. The manager puts them back at the front of the outbox.
   */
  List<Message> unsent();

  /**
   * How many messages {@link #send} has accepted so far, heartbeats and replies included. The
   * connection numbers its own messages with it, so it can tell which of them were written
   * ({@code acceptedCount() - unsent().size()} messages, counted from the first) and which are
   * settled ({@link #settledCount()}) without mistaking a heartbeat for an app message.
   */
  long acceptedCount();

  /**
   * How many of the accepted messages, counted from the first, are settled: each was fully
   * written to the socket before the transport received something from the server (a data
   * message or a pong; not a close frame), evidence that the path carried it. Never decreases.
   * The rest of the written ones may or may not have reached the server when the transport is
   * lost (docs/behaviour.md, "Sending and delivery"). Called from any thread; never blocks.
   */
  long settledCount();

  /**
   * True while messages it accepted wait to be written to the socket. A send's flush runs on the
   * app's thread only when this is false (docs/architecture.md, "Threads"). Called from any
   * thread; never blocks.
   */
  boolean hasUnwritten();

  /** What the manager asks a factory to open. */
  final class Request {
    /** The endpoint URL, already validated. */
    public final String url;
    /** Handshake headers for this attempt (credentials included). */
    public final Map<String, String> headers;
    /** Longest inbound line in bytes for line transports (tcp://); others ignore it. */
    public final long maxLineLength;
    /** Largest inbound message in bytes for message transports (WebSocket); others ignore it. */
    public final long maxInboundMessageBytes;
    /** Where the transport's reader counts the time it waited for the socket; see ReadWaits. */
    public final ReadWaits readWaits;

    public Request(String url, Map<String, String> headers) {
      this(url, headers, ConnectionOptions.DEFAULT_MAX_LINE_LENGTH);
    }

    public Request(String url, Map<String, String> headers, long maxLineLength) {
      this(url, headers, maxLineLength, ConnectionOptions.DEFAULT_MAX_INBOUND_MESSAGE_BYTES);
    }

    public Request(String url, Map<String, String> headers, long maxLineLength,
        long maxInboundMessageBytes) {
      this(url, headers, maxLineLength, maxInboundMessageBytes,
          new ReadWaits(MonotonicClock.INSTANCE));
    }

    public Request(String url, Map<String, String> headers, long maxLineLength,
        long maxInboundMessageBytes, ReadWaits readWaits) {
      this.readWaits = readWaits;
      this.url = url;
      this.headers = headers;
      this.maxLineLength = maxLineLength;
      this.maxInboundMessageBytes = maxInboundMessageBytes;
    }
  }

  /** Opens transports. */
  interface Factory {
    /** Starts opening; the outcome arrives on {@code listener}. Must not block. */
    Transport open(Request request, Listener listener);
  }

  /** Transport events, on any thread. */
  interface Listener {
    void onOpen(Transport transport);

    void onMessage(Transport transport, Message message);

    /** The peer started a close. */
    void onClosing(Transport transport, int code, String reason);

    /** The close completed. */
    void onClosed(Transport transport, int code, String reason);

    /**
     * The transport failed: during the handshake ({@code httpCode} > 0 when the server answered
     * with a non-upgrade HTTP status; {@code retryAfterMillis} ≥ 0 when it sent Retry-After) or
     * afterwards ({@code httpCode} 0, {@code retryAfterMillis} -1).
     */
    void onFailure(Transport transport, Throwable error, int httpCode, long retryAfterMillis);
  }
}
