package dev.lifeline.e2e;

import java.io.Closeable;
import java.io.IOException;
import java.util.List;
import okhttp3.OkHttpClient;

/**
 * A real server for the end-to-end tests (the "reference server"), one implementation per
 * transport, behaving like the typical long-connection server of docs/behaviour.md, "Heartbeats":
 * it records the time of the last data message received on each connection, scans all connections
 * every {@code scanIntervalMillis} and closes any connection silent for longer than {@code
 * silenceLimitMillis} ({@link TcpKeepAliveServer}: and whose reader was free to read for all of
 * that time, so a server thread scheduled late is not taken for a silent client). It can also
 * send heartbeats of its own, and go quiet on one connection (socket open, nothing sent) to play
 * a zombie.
 *
 * <p>{@link TcpKeepAliveServer} speaks newline-framed text; a WebSocket implementation over
 * MockWebServer plugs into {@link KeepAliveEndToEndTest#transports()} the same way.
 */
public interface KeepAliveServer extends Closeable {
  /** Creates a server; one per test. */
  interface Factory {
    KeepAliveServer create();
  }

  /** Starts listening on 127.0.0.1 with the reference server's silence rule. */
  void start(long silenceLimitMillis, long scanIntervalMillis) throws IOException;

  /** The URL a client connects to. */
  String url();

  /** The client the SDK should use (TLS trust, for example); {@code base} is a plain client. */
  OkHttpClient client(OkHttpClient base);

  /** Connections accepted so far; they are numbered from 0 in accept order. */
  int connectionCount();

  /** The data messages received on {@code connection}, in order. */
  List<String> dataMessages(int connection);

  /** True while {@code connection} is open on the server's side. */
  boolean isOpen(int connection);

  /** Connections the server closed because they were silent too long. */
  int kicked();

  /** When the server last started closing a silent connection ({@link System#nanoTime()}), or 0. */
  long lastKickAtNanos();

  /**
   * When the server last started sending anything to {@code connection} ({@link
   * System#nanoTime()}), or 0: the client cannot have read it earlier.
   */
  long lastSendAtNanos(int connection);

  /** Sends one message to {@code connection} now. */
  void send(int connection, String text);

  /** From now on sends {@code text} to every open connection every {@code intervalMillis}. */
  void sendHeartbeats(long intervalMillis, String text);

  /** Stops sending anything on {@code connection} but keeps it open and keeps reading it. */
  void goQuiet(int connection);

  /**
   * Names of threads the client-side transport runs for a connection to this server, which must
   * have ended once the connection is closed; empty if the transport starts none of its own.
   */
  List<String> clientTransportThreads();
}
