package dev.lifeline.internal;

import dev.lifeline.Clock;

import dev.lifeline.Message;
import java.util.Map;

/**
 * One attempt to connect, from its start until the transport it opened is gone: its number, when
 * it started, the credentials step, the transport and its way through the inbound gate. Transport
 * callbacks
 * arrive on any thread; the attempt moves them onto the connection's lane, where the callbacks of
 * an attempt that is no longer the connection's current one are recognised by identity and
 * dropped (a replaced socket's late failure must not touch its successor).
 */
final class Attempt implements Transport.Listener {
  /** Where the attempt stands. */
  enum Phase {
    /** Waiting for the credentials provider. */
    CREDENTIALS,
    /** Waiting for the stream resume hook ({@link ResumeStep}). */
    RESUME,
    /** The transport is connecting: DNS, TCP, TLS, HTTP upgrade. */
    HANDSHAKE,
    /** The transport is open. */
    OPEN,
    /** The transport is gone or was never made. */
    ENDED
  }

  /** What an attempt needs from its connection, on the connection's lane unless noted. */
  interface Owner {
    /** The connection's serial lane. */
    SerialLane lane();

    /** The attempt the connection is on now, or null. */
    Attempt current();

    void opened(Attempt a);

    /**
     * On the transport's reader thread, once the inbound gate let {@code message} in: routes it
     * to the lane. {@code handled} must run once the message was delivered or dropped.
     */
    void arrived(Attempt a, Message message, Runnable handled);

    void peerClosing(Attempt a, int code, String reason);

    void closed(Attempt a, int code, String reason);

    void failed(Attempt a, Throwable error, int httpCode, long retryAfterMillis);
  }

  private final Owner owner;
  /** Consecutive failures this attempt follows: 0 for a first attempt. */
  final int number;
  /** When it started, by the client's clock. */
  final long startedAtMillis;
  /** This transport's way through the connection's inbound bound; closed when it is let go. */
  private final InboundGate.Admission inbound;
  /** The connection's inbound bound, where handled messages leave. */
  private final InboundGate gate;
  /** How long this attempt's transport waited for the socket; read by the keep-alive. */
  final ReadWaits readWaits;
  /** Lane-confined. */
  Phase phase = Phase.CREDENTIALS;
  /** The transport, once opening started; lane-confined. */
  Transport transport;
  /** The headers the credentials provider gave this attempt, or null; lane-confined. */
  Map<String, String> providedHeaders;
  /** The resume hook's first message, sent once the transport is open, or null; lane-confined. */
  Message firstMessage;

  Attempt(Owner owner, int number, long startedAtMillis, InboundGate gate, Clock clock) {
    this.readWaits = new ReadWaits(clock);
    this.owner = owner;
    this.number = number;
    this.startedAtMillis = startedAtMillis;
    this.gate = gate;
    this.inbound = gate.admission();
  }

  boolean isOpen() {
    return phase == Phase.OPEN;
  }

  /** Why the attempt is abandoned at its deadline: how long, the limit and the slow step. */
  String deadlineReason(long nowMillis, long limitMillis) {
    String step = phase == Phase.CREDENTIALS ? "CredentialsProvider.headers()"
        : phase == Phase.RESUME ? "StreamResume.ResumeHook.resume()"
        : transport.handshakeStep();
    return "handshake not finished after " + Durations.seconds1(nowMillis - startedAtMillis)
        + " (limit " + Durations.seconds(limitMillis) + "): " + step + " still running";
  }

  /** The transport is let go: its reader is released and its late callbacks ignored. */
  void end() {
    phase = Phase.ENDED;
    inbound.close();
  }

  private boolean current() {
    return owner.current() == this;
  }

  @Override public void onOpen(Transport t) {
    owner.lane().execute(() -> {
      if (current() && phase == Phase.HANDSHAKE) {
        owner.opened(this);
      } else {
        t.cancel(); // Opened after it was abandoned (close, deadline, network change).
      }
    });
  }

  /** On the transport's reader thread, which waits here while the gate is full. */
  @Override public void onMessage(Transport t, Message message) {
    long bytes = message.byteCount();
    if (!inbound.enter(bytes)) return; // Abandoned while the reader waited.
    owner.arrived(this, message, () -> gate.leave(bytes));
  }

  @Override public void onClosing(Transport t, int code, String reason) {
    owner.lane().execute(() -> {
      if (current()) owner.peerClosing(this, code, reason);
    });
  }

  @Override public void onClosed(Transport t, int code, String reason) {
    owner.lane().execute(() -> {
      if (current()) owner.closed(this, code, reason);
    });
  }

  @Override public void onFailure(Transport t, Throwable error, int httpCode,
      long retryAfterMillis) {
    owner.lane().execute(() -> {
      if (current()) owner.failed(this, error, httpCode, retryAfterMillis);
    });
  }

  @Override public String toString() {
    return "attempt " + number + " (" + phase + ")";
  }
}
