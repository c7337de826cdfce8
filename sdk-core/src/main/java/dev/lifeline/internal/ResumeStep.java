package dev.lifeline.internal;

import dev.lifeline.ConnectionOptions;
import dev.lifeline.Logger;
import dev.lifeline.Message;
import dev.lifeline.StreamResume;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import okhttp3.HttpUrl;

/**
 * The resume step of an attempt (docs/behaviour.md, "Stream resume"): after the credentials step,
 * asks the app's {@link StreamResume.ResumeHook} with the last stream position, run like the
 * credentials provider (on the credentials lane, on the blocking executor, watched), then opens
 * the transport with what the hook added: headers and query parameters for this attempt's
 * handshake, and a first message, sent once the transport is open and before the outbox drains.
 * A hook that throws is logged and the attempt goes on without resume. A call that has not
 * returned is never doubled: a later attempt waits for its answer. Lane-confined.
 */
final class ResumeStep {
  /** What the engine does for this step. */
  interface Owner {
    /** The current attempt, or null. */
    Attempt attempt();

    /** Starts {@code a}'s handshake to {@code url} with {@code headers}. */
    void handshake(Attempt a, String url, Map<String, String> headers);

    /** Sends {@code m} on {@code t} outside delivery's accounting; false when not handed over. */
    boolean sendProtocolMessage(Transport t, Message m, String what);
  }

  private final Owner owner;
  private final StreamResume.ResumeHook hook;
  private final StreamPositions positions;
  private final AppCalls app;
  /** The connection's lane, where answers go. */
  private final SerialLane lane;
  /** The endpoint URL, already validated. */
  private final String url;
  /** True while the hook is being asked. */
  private boolean inFlight;
  /** The headers the waiting attempt's credentials step gave; null while nobody waits. */
  private Map<String, String> waitingHeaders;

  ResumeStep(Owner owner, StreamResume.ResumeHook hook, StreamPositions positions, AppCalls app,
      SerialLane lane, String url) {
    this.owner = owner;
    this.hook = hook;
    this.positions = positions;
    this.app = app;
    this.lane = lane;
    this.url = url;
  }

  /** The connection's resume step, or null when its options have no resume hook. */
  static ResumeStep of(ConnectionOptions options, StreamPositions positions, Owner owner,
      AppCalls app, SerialLane lane) {
    StreamResume resume = options.resume();
    if (resume == null || resume.hook() == null) return null;
    return new ResumeStep(owner, resume.hook(), positions, app, lane, options.url());
  }

  /** Attempt {@code a} has its {@code headers}: its handshake starts once the hook answered. */
  void start(Attempt a, Map<String, String> headers) {
    a.phase = Attempt.Phase.RESUME;
    waitingHeaders = headers;
    if (!inFlight) ask();
    // Else the previous call has not returned; its answer serves this attempt.
  }

  private void ask() {
    inFlight = true;
    AtomicBoolean ran = new AtomicBoolean();
    app.credentials.execute("StreamResume.ResumeHook.resume", () -> {
      ran.set(true);
      Request request = new Request(url);
      Throwable error = null;
      try {
        hook.resume(positions.last(), request);
      } catch (Throwable t) {
        error = t;
      }
      request.done();
      Throwable failed = error;
      lane.execute(() -> answered(failed == null ? request : null, failed));
    }, () -> {
      if (!ran.get()) {
        lane.execute(() -> answered(null, new RejectedExecutionException(
            "the blocking executor refused to run the resume hook")));
      }
    });
  }

  /** Lane: the hook returned ({@code request}) or failed ({@code error}). */
  private void answered(Request request, Throwable error) {
    inFlight = false;
    Attempt a = owner.attempt();
    Map<String, String> headers = waitingHeaders;
    waitingHeaders = null;
    if (a == null || a.phase != Attempt.Phase.RESUME) return; // Nobody waits any more.
    if (error != null) {
      app.log(Logger.Level.WARN, "StreamResume.ResumeHook.resume failed; attempt " + a.number
          + " goes on without resume", error);
      owner.handshake(a, url, headers);
      return;
    }
    Map<String, String> all = new LinkedHashMap<String, String>(headers);
    all.putAll(request.headers);
    a.firstMessage = request.first;
    owner.handshake(a, withQuery(url, request.query), all);
  }

  /**
   * Lane: {@code a}'s transport just opened: sends the hook's first message, if it gave one,
   * before the outbox drains. Outside delivery's accounting, like a heartbeat: not acknowledged,
   * not sent again, never reported as failed; the next attempt asks the hook again.
   */
  void opened(Attempt a) {
    Message first = a.firstMessage;
    if (first == null) return;
    a.firstMessage = null;
    if (!owner.sendProtocolMessage(a.transport, first, "the resume hook's first message")) {
      app.log(Logger.Level.WARN, "the resume hook's first message could not be handed to the"
          + " transport of attempt " + a.number + "; the stream is not resumed on it");
    }
  }

  /** {@code url} (ws:// or wss://, validated) with {@code query} added, URL-encoded. */
  static String withQuery(String url, List<String[]> query) {
    if (query.isEmpty()) return url;
    int colon = url.indexOf(':');
    String scheme = url.substring(0, colon);
    HttpUrl parsed = HttpUrl.parse((scheme.equalsIgnoreCase("wss") ? "https" : "http")
        + url.substring(colon));
    if (parsed == null) throw new IllegalStateException("not a WebSocket URL: " + Redact.url(url));
    HttpUrl.Builder b = parsed.newBuilder();
    for (String[] p : query) b.addQueryParameter(p[0], p[1]);
    String built = b.build().toString();
    return scheme + built.substring(built.indexOf(':'));
  }

  /** What one call of the hook added; valid until it returned. */
  private static final class Request implements StreamResume.ResumeRequest {
    /** The endpoint URL, to check the first message against. */
    private final String url;
    /** True for tcp:// and tcp+tls://: no handshake, no query. */
    private final boolean lineProtocol;
    /** Headers added. Guarded by this. */
    final Map<String, String> headers = new LinkedHashMap<String, String>();
    /** Query parameters added, name and value. Guarded by this. */
    final List<String[]> query = new ArrayList<String[]>();
    /** The first message, or null. Guarded by this. */
    Message first;
    /** Set once the hook returned. Guarded by this. */
    private boolean done;

    Request(String url) {
      this.url = url;
      this.lineProtocol = Transports.isLineProtocol(url);
    }

    @Override public synchronized void header(String name, String value) {
      usable("header");
      String invalid = HeaderChecks.whyInvalid(name, value);
      if (invalid != null) throw new IllegalArgumentException("resume header: " + invalid);
      headers.put(name, value);
    }

    @Override public synchronized void queryParameter(String name, String value) {
      usable("queryParameter");
      if (name == null) throw new NullPointerException("name == null");
      if (value == null) throw new NullPointerException("value == null");
      query.add(new String[] {name, value});
    }

    @Override public synchronized void firstMessage(Message message) {
      if (message == null) throw new NullPointerException("message == null");
      if (done) throw new IllegalStateException("firstMessage() after the resume hook returned");
      if (first != null) {
        throw new IllegalStateException("firstMessage() called twice: one first message per"
            + " attempt");
      }
      String invalid = Transports.whyNotSendable(url, message);
      if (invalid == null) invalid = Transports.whyTooLarge(url, message);
      if (invalid != null) throw new IllegalArgumentException("resume first message: " + invalid);
      first = message;
    }

    /** Throws unless a handshake addition can still be made. */
    private void usable(String method) {
      if (done) throw new IllegalStateException(method + "() after the resume hook returned");
      if (lineProtocol) {
        throw new IllegalStateException(method + "() on a tcp:// or tcp+tls:// connection:"
            + " newline-framed TCP has no handshake; send the position with firstMessage()");
      }
    }

    synchronized void done() {
      done = true;
    }
  }
}
