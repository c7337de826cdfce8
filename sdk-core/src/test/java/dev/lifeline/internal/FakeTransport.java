package dev.lifeline.internal;

import dev.lifeline.Message;
import java.util.ArrayList;
import java.util.List;

/**
 * A scripted {@link Transport} for virtual-time tests: records what the manager sends and lets
 * the test play the server (open, messages, pongs, closes, failures).
 */
public final class FakeTransport implements Transport {
  /** Opens {@link FakeTransport}s and remembers each, in order. */
  public static final class Factory implements Transport.Factory {
    public final List<FakeTransport> opened = new ArrayList<>();
    /** When set, the next open() throws this. */
    public RuntimeException failNextOpen;
    /** When set, the next open() raises this (e.g. a LinkageError from the app's OkHttp). */
    public Error errorOnNextOpen;

    @Override public Transport open(Request request, Listener listener) {
      if (errorOnNextOpen != null) {
        Error e = errorOnNextOpen;
        errorOnNextOpen = null;
        throw e;
      }
      if (failNextOpen != null) {
        RuntimeException e = failNextOpen;
        failNextOpen = null;
        throw e;
      }
      FakeTransport t = new FakeTransport(request, listener);
      opened.add(t);
      return t;
    }

    public FakeTransport last() {
      if (opened.isEmpty()) throw new AssertionError("no transport was opened");
      return opened.get(opened.size() - 1);
    }

    public int count() {
      return opened.size();
    }
  }

  public final Request request;
  private final Listener listener;
  /** Everything handed to send(), in order. */
  public final List<Message> sent = new ArrayList<>();
  /** Messages accepted but "not written yet": returned by unsent(). */
  public final List<Message> unwritten = new ArrayList<>();
  public boolean holdWrites;
  public boolean refuseSends;
  /** Messages larger than this are refused (a limit the engine does not know). */
  public long refuseLargerThan = Long.MAX_VALUE;
  /** See {@link Transport#settledCount()}: what was written when the server last sent. */
  public long settled;
  public boolean cancelled;
  public int closeCode = -1;
  public String closeReason;
  public long pongs;
  /** Whether ping() works (a WebSocket); off by default, as most tests play a silent server. */
  public boolean pingsSupported;
  /** Pings asked for so far. */
  public int pings;

  FakeTransport(Request request, Listener listener) {
    this.request = request;
    this.listener = listener;
  }

  @Override public boolean send(Message message) {
    if (refuseSends || cancelled || closeCode != -1) return false;
    if (message.byteCount() > refuseLargerThan) return false;
    sent.add(message);
    if (holdWrites) unwritten.add(message);
    return true;
  }

  @Override public void close(int code, String reason) {
    closeCode = code;
    closeReason = reason;
  }

  @Override public void cancel() {
    cancelled = true;
  }

  /** What {@link #handshakeStep()} reports; the test sets it. */
  public volatile String step = "fake handshake";

  @Override public String handshakeStep() {
    return step;
  }

  @Override public long ping() {
    if (!pingsSupported || cancelled || closeCode != -1) return -1;
    return ++pings;
  }

  /** The fake's pongs answer its pings in order: n pongs answer pings 1 to n. */
  @Override public long answeredPing() {
    return pongs;
  }

  @Override public List<Message> unsent() {
    return new ArrayList<>(unwritten);
  }

  @Override public boolean hasUnwritten() {
    return !unwritten.isEmpty();
  }

  @Override public long acceptedCount() {
    return sent.size();
  }

  @Override public long settledCount() {
    return settled;
  }

  /** The held messages are written now (later ones too). */
  public void writesHeld() {
    holdWrites = false;
    unwritten.clear();
  }

  /** Everything written so far is settled: the server was heard after it. */
  private void heard() {
    settled = sent.size() - unwritten.size();
  }

  /** Texts sent so far. */
  public List<String> sentTexts() {
    List<String> texts = new ArrayList<>();
    for (Message m : sent) texts.add(m.isText() ? m.text() : m.bytes().hex());
    return texts;
  }

  public boolean isClosedOrCancelled() {
    return cancelled || closeCode != -1;
  }

  // Server side.
  public void serverAccepts() { listener.onOpen(this); }
  public void serverSends(String text) {
    heard();
    listener.onMessage(this, Message.text(text));
  }

  public void serverSends(Message message) {
    heard();
    listener.onMessage(this, message);
  }

  public void serverPongs() {
    heard();
    pongs++;
  }
  public void serverCloses(int code, String reason) { listener.onClosing(this, code, reason); }

  // The reader's waits for the socket (ReadWaits), for a transport that measures them, as tcp://
  // does; call before serverAccepts() so the keep-alive sees them from the open.

  /** The reader counts its waits from now on, and waits for data. */
  public void measuresReader() {
    request.readWaits.measured();
    request.readWaits.waiting();
  }

  /** The reader stops waiting for the socket: it reads, hands a message on, or is not scheduled. */
  public void readerBusy() {
    request.readWaits.woke();
  }

  /** The reader waits for the socket again. */
  public void readerWaits() {
    request.readWaits.waiting();
  }

  public void closed(int code, String reason) { listener.onClosed(this, code, reason); }
  public void fails(Throwable t) { listener.onFailure(this, t, 0, -1); }
  public void rejectsHandshake(int httpCode, long retryAfterMillis) {
    listener.onFailure(this, new java.net.ProtocolException("Expected HTTP 101 response but was '"
        + httpCode + "'"), httpCode, retryAfterMillis);
  }
}
