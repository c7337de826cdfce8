package dev.lifeline;

import org.jspecify.annotations.Nullable;

/**
 * Inbound stream resume (docs/behaviour.md, "Stream resume"): where each message from the server
 * stands in the server's stream, and how that position reaches the server again on every connect
 * and reconnect, so that it resends what the app has not handled yet.
 *
 * <p>The app gives a {@link PositionExtractor} (an offset, a serial, an event id: whatever the
 * server numbers its messages with). Lifeline keeps the position of the last message whose {@link
 * ConnectionListener#onMessage} returned, in the connection's {@link OutboxStore} when it has one
 * ({@link OutboxStore#savePosition}), and before each attempt's handshake hands it to the {@link
 * ResumeHook}, which adds it to the handshake (a query parameter or a header on {@code ws://} and
 * {@code wss://}) or sends it as the first message (every transport). With {@link
 * Builder#consecutive}, a server that skipped messages is reported through {@link
 * EventListener#streamGap}.
 *
 * <p>Example: a server that numbers its messages {@code {"offset":41,…}} and resends from {@code
 * ?from=N} the messages after offset N:
 *
 * <pre>{@code
 * // offsetOf is the app's own: the "offset" field of a message's JSON, or null.
 * StreamResume resume = StreamResume.builder(message -> offsetOf(message.text()))
 *     .consecutive(true)                         // offsets 1, 2, 3, …: a jump is a gap
 *     .hook(StreamResume.queryParameter("from")) // wss://…/feed?from=41 after a reconnect
 *     .build();
 * ConnectionOptions options = ConnectionOptions.builder("wss://feed.example.com/feed")
 *     .resume(resume)
 *     .outboxStore(store) // optional: the position then survives the process too
 *     .build();
 * }</pre>
 *
 * <p>A server that reads the position from a first message instead (any transport, e.g. {@code
 * tcp://}):
 *
 * <pre>{@code
 * StreamResume.ResumeHook firstLine = (lastPosition, request) -> {
 *   if (lastPosition != null) request.firstMessage(Message.text("RESUME " + lastPosition));
 * };
 * }</pre>
 *
 * <p>Resuming is at least once: messages the old connection read but the app had not handled yet
 * when it was lost still reach the listener, and the server sends them again, so the app sees
 * those twice. Drop a message whose position is at or below the last one you handled.
 */
public final class StreamResume {
  /**
   * 256: the longest position kept, in characters. A position comes from the server's data; a
   * longer one is not kept (a WARN is logged) and never reaches a header, a URL or the store.
   */
  public static final int MAX_POSITION_LENGTH = 256;
  /** False: positions are not assumed to be consecutive numbers, and no gap is reported. */
  public static final boolean DEFAULT_CONSECUTIVE = false;

  /**
   * Finds the stream position of a message from the server.
   *
   * <p><b>Threads.</b> Called for every inbound message that reaches the app (not for
   * acknowledgements, heartbeats or echoes consumed before it), one at a time and in the order
   * the messages arrived, on the connection's message-hook lane with the {@link AckMatcher} and
   * the heartbeat hooks (Lifeline's "Lifeline hooks" threads, never the scheduler). Keep it fast:
   * the messages behind it wait. An exception is logged (WARN, the first time per connection) and
   * the message counts as having no position.
   */
  public interface PositionExtractor {
    /**
     * The position of {@code inbound} in the server's stream.
     *
     * @param inbound a message from the server
     * @return its position, 1 to {@link #MAX_POSITION_LENGTH} printable ASCII characters (with
     *     {@link Builder#consecutive}, a decimal integer), or null when it is not a stream message
     *     (it then leaves the kept position as it is)
     * @throws Exception when the message cannot be read; logged, and the message has no position
     */
    @Nullable String position(Message inbound) throws Exception;
  }

  /**
   * Adds the last position to an attempt: called before every connect and reconnect, once the
   * {@link CredentialsProvider} (if any) answered and before the handshake starts.
   *
   * <p><b>Threads.</b> Runs like the {@link CredentialsProvider}: on the executor chosen with
   * {@link Lifeline.Builder#blockingExecutor}, never the scheduler, one call at a time per
   * connection, within the attempt deadline; a call running past {@link
   * Lifeline.Builder#stuckHookThreshold} is reported as stuck. An exception (including one from
   * {@link ResumeRequest}) is logged at WARN and the attempt goes on without resume: nothing the
   * hook added to the request is used, and the server starts wherever it starts for a new client
   * (with {@link Builder#consecutive}, a jump is then reported as a gap).
   */
  public interface ResumeHook {
    /**
     * Adds {@code lastPosition} to {@code request}.
     *
     * @param lastPosition the position of the last message the app handled on this connection
     *     (or restored from its {@link OutboxStore}), or null before the first one
     * @param request this attempt's handshake and first message; valid during this call only
     * @throws Exception any failure: logged, and the attempt goes on without resume
     */
    void resume(@Nullable String lastPosition, ResumeRequest request) throws Exception;
  }

  /** What a {@link ResumeHook} can add to one attempt. */
  public interface ResumeRequest {
    /**
     * Adds a header to this attempt's WebSocket handshake (after the connection's own headers and
     * the credentials provider's, replacing one of the same name).
     *
     * @param name the header name
     * @param value its value
     * @throws IllegalArgumentException when the handshake cannot carry it (the message names the
     *     header and the offending character, never the value)
     * @throws IllegalStateException on {@code tcp://} and {@code tcp+tls://}, which have no
     *     handshake, or after the hook returned
     */
    void header(String name, String value);

    /**
     * Adds {@code name=value} to the query of this attempt's WebSocket URL, both URL-encoded.
     *
     * @param name the parameter name
     * @param value its value, not yet encoded
     * @throws IllegalStateException on {@code tcp://} and {@code tcp+tls://}, which have no URL
     *     query, or after the hook returned
     */
    void queryParameter(String name, String value);

    /**
     * Sends {@code message} as the first message once the connection is open, before the outbox
     * drains. It is not app data: no acknowledgement is expected, it is not sent again after a
     * loss and never reported through {@link ConnectionListener#onSendFailed}; the next attempt
     * asks the hook again.
     *
     * @param message the message; on {@code tcp://} one line of text
     * @throws IllegalArgumentException when the transport cannot carry it
     * @throws IllegalStateException when a first message was already given for this attempt, or
     *     after the hook returned
     */
    void firstMessage(Message message);
  }

  /** The extractor. */
  private final PositionExtractor extractor;
  /** Whether positions are consecutive decimal integers. */
  private final boolean consecutive;
  /** The hook, or null: positions are kept (and gaps reported) but not sent. */
  private final @Nullable ResumeHook hook;

  private StreamResume(Builder b) {
    this.extractor = b.extractor;
    this.consecutive = b.consecutive;
    this.hook = b.hook;
  }

  /**
   * Starts options that find positions with {@code extractor}.
   *
   * @param extractor finds each inbound message's position
   * @return a builder
   */
  public static Builder builder(PositionExtractor extractor) {
    Checks.notNull("extractor", extractor);
    return new Builder(extractor);
  }

  /**
   * A hook that adds {@code name=<last position>} to the URL's query when there is a position,
   * and nothing before the first one. {@code ws://} and {@code wss://} only.
   *
   * @param name the query parameter's name
   * @return the hook
   */
  public static ResumeHook queryParameter(String name) {
    Checks.notNull("name", name);
    return new ReadyMadeHook(name, false);
  }

  /**
   * A hook that adds the header {@code name: <last position>} to the handshake when there is a
   * position, and nothing before the first one. {@code ws://} and {@code wss://} only.
   *
   * @param name the header's name
   * @return the hook
   */
  public static ResumeHook header(String name) {
    Checks.notNull("name", name);
    return new ReadyMadeHook(name, true);
  }

  /**
   * The extractor.
   *
   * @return the extractor
   */
  public PositionExtractor extractor() { return extractor; }

  /**
   * Whether positions are consecutive decimal integers, so that a jump is reported as a gap.
   *
   * @return true in consecutive mode
   */
  public boolean isConsecutive() { return consecutive; }

  /**
   * The resume hook.
   *
   * @return the hook, or null when positions are only kept
   */
  public @Nullable ResumeHook hook() { return hook; }

  /** True when the hook is a ready-made one, which only a WebSocket handshake can carry. */
  boolean hookNeedsHandshake() {
    return hook instanceof ReadyMadeHook;
  }

  /**
   * Describes the settings; app code by class name only.
   *
   * @return a one-line description
   */
  @Override public String toString() {
    return "StreamResume{extractor=" + HeartbeatPolicy.describe(extractor)
        + ", consecutive=" + consecutive
        + ", hook=" + (hook == null ? "none" : hook instanceof ReadyMadeHook ? hook.toString()
            : HeartbeatPolicy.describe(hook)) + "}";
  }

  /** Builds {@link StreamResume}. */
  public static final class Builder {
    /** The extractor. */
    private final PositionExtractor extractor;
    /** See {@link #consecutive(boolean)}. */
    private boolean consecutive = DEFAULT_CONSECUTIVE;
    /** See {@link #hook(ResumeHook)}. */
    private @Nullable ResumeHook hook;

    private Builder(PositionExtractor extractor) {
      this.extractor = extractor;
    }

    /**
     * Positions are decimal integers from 0 to {@link Long#MAX_VALUE}, numbered n, n+1, …
     * [{@value StreamResume#DEFAULT_CONSECUTIVE}]: a message whose position is more than one past
     * the highest one so far is reported through {@link EventListener#streamGap} (expected n+1,
     * received m) and logged at WARN, and still reaches the listener. The first position of a
     * connection (or the one its {@link OutboxStore} restored) starts the count. A position at or
     * below the highest (a message sent again after a resume) reaches the listener unchanged:
     * drop duplicates in the app. A position that is not a decimal integer is logged (WARN, the first time) and
     * not checked.
     *
     * @param consecutive whether positions are consecutive numbers
     * @return this builder
     */
    public Builder consecutive(boolean consecutive) {
      this.consecutive = consecutive;
      return this;
    }

    /**
     * How the last position reaches the server on every connect and reconnect [none: positions
     * are kept, and gaps reported, but not sent]. See {@link #queryParameter(String)} and {@link
     * #header(String)} for ready-made hooks.
     *
     * @param hook the hook, or null
     * @return this builder
     */
    public Builder hook(@Nullable ResumeHook hook) {
      this.hook = hook;
      return this;
    }

    /**
     * Builds the options.
     *
     * @return the options
     */
    public StreamResume build() {
      return new StreamResume(this);
    }
  }

  /** {@link #queryParameter(String)} and {@link #header(String)}. */
  private static final class ReadyMadeHook implements ResumeHook {
    /** The parameter's or header's name. */
    private final String name;
    /** True for a header, false for a query parameter. */
    private final boolean header;

    ReadyMadeHook(String name, boolean header) {
      this.name = name;
      this.header = header;
    }

    @Override public void resume(@Nullable String lastPosition, ResumeRequest request) {
      if (lastPosition == null) return;
      if (header) {
        request.header(name, lastPosition);
      } else {
        request.queryParameter(name, lastPosition);
      }
    }

    @Override public String toString() {
      return (header ? "header " : "query parameter ") + name;
    }
  }
}
