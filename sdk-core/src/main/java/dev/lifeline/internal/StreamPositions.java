package dev.lifeline.internal;

import dev.lifeline.Connection;
import dev.lifeline.ConnectionOptions;
import dev.lifeline.Logger;
import dev.lifeline.Message;
import dev.lifeline.OutboxStore;
import dev.lifeline.StreamResume;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Where the app stands in the server's stream (docs/behaviour.md, "Stream resume"). On the
 * message-hook lane it asks the app's extractor for each inbound app message's position, refuses
 * hostile ones and checks consecutive positions for gaps, in arrival order; on the callbacks lane,
 * once the listener's {@code onMessage} returned, it keeps that position as the last one and has
 * it saved in the outbox store (coalesced: a burst costs one save of its newest position, not one
 * per message). The resume hook reads the last position from any thread. One per connection.
 */
final class StreamPositions {
  /** The app's settings. */
  private final StreamResume resume;
  private final AppCalls app;
  /** Passed to the gap event. */
  private final Connection connection;
  /** Where the position is saved, or null. */
  private final OutboxStore store;
  /** The position of the last message the listener handled, or null; any thread. */
  private final AtomicReference<String> last;
  /** True while a save is queued on the positions lane and has not read {@link #last} yet. */
  private final AtomicBoolean savePending = new AtomicBoolean();
  /** The last position saved; positions lane only. */
  private String saved;
  /** True after a save failed, until one succeeds: one WARN per outage. Positions lane only. */
  private boolean saveFailing;
  /**
   * The highest consecutive position extracted so far (-1 before any: valid positions are ≥ 0
   * for the gap check). Message-hook lane only.
   */
  private long highest = -1;
  /** Set once the extractor's failure was logged: one WARN per connection. Message-hook lane. */
  private boolean extractorFailureLogged;
  /** Set once a refused position was logged: one WARN per connection. Message-hook lane. */
  private boolean refusedLogged;
  /** Set once a position that is not a number was logged. Message-hook lane. */
  private boolean notNumberLogged;

  /**
   * {@code initial}: the position the connection starts from (the outbox store's, restored by
   * {@code Lifeline.newConnection}), or null.
   */
  StreamPositions(StreamResume resume, AppCalls app, Connection connection, OutboxStore store,
      String initial) {
    this.resume = resume;
    this.app = app;
    this.connection = connection;
    this.store = store;
    String start = initial != null && whyRefused(initial) == null ? initial : null;
    this.last = new AtomicReference<String>(start);
    this.saved = start;
    if (start != null && resume.isConsecutive()) highest = parse(start);
  }

  /** The connection's positions, or null when its options track none. */
  static StreamPositions of(ConnectionOptions options, AppCalls app, Connection connection,
      String initial) {
    StreamResume resume = options.resume();
    return resume == null ? null
        : new StreamPositions(resume, app, connection, options.outboxStore(), initial);
  }

  /** Any thread: the position of the last message the listener handled, or null. */
  String last() {
    return last.get();
  }

  /**
   * Message-hook lane, for each inbound app message in arrival order: its position, or null when
   * it has none (the extractor said so, threw, or gave one that is not kept).
   */
  String extract(Message message) {
    String position;
    try {
      position = resume.extractor().position(message);
    } catch (Throwable t) {
      if (!extractorFailureLogged) {
        extractorFailureLogged = true;
        app.log(Logger.Level.WARN, "StreamResume.PositionExtractor.position threw; the message"
            + " reaches the listener without a position (later exceptions of this extractor on"
            + " this connection are not logged)", t);
      }
      return null;
    }
    if (position == null) return null;
    String refused = whyRefused(position);
    if (refused != null) {
      if (!refusedLogged) {
        refusedLogged = true;
        app.log(Logger.Level.WARN, "stream position not kept: " + refused + "; the message"
            + " reaches the listener without a position (later refused positions on this"
            + " connection are not logged)");
      }
      return null;
    }
    if (resume.isConsecutive()) checkGap(position);
    return position;
  }

  /** Message-hook lane: reports a jump past the highest consecutive position so far. */
  private void checkGap(String position) {
    long received = parse(position);
    if (received < 0) {
      if (!notNumberLogged) {
        notNumberLogged = true;
        app.log(Logger.Level.WARN, "stream position of " + position.length() + " characters is"
            + " not a decimal integer from 0 to " + Long.MAX_VALUE + ": consecutive mode cannot"
            + " check it for gaps (later ones on this connection are not logged)");
      }
      return;
    }
    long previous = highest;
    if (received <= previous) return; // A message sent again after a resume: the app drops it.
    highest = received;
    if (previous < 0 || received == previous + 1) return;
    long expected = previous + 1;
    app.log(Logger.Level.WARN, "stream gap: expected position " + expected + ", received "
        + received + " (" + (received - expected) + " message(s) never arrived; the server did"
        + " not resume from " + previous + ")");
    app.event("streamGap", e -> e.streamGap(connection, expected, received));
  }

  /**
   * Callbacks lane, once the listener's {@code onMessage} returned for a message at {@code
   * position}: keeps it, and has it saved.
   */
  void handled(String position) {
    last.set(position);
    if (store == null || !savePending.compareAndSet(false, true)) return;
    app.positions.execute("OutboxStore.savePosition", this::save);
  }

  /** Positions lane: saves the newest position, unless it is already saved. */
  private void save() {
    savePending.set(false); // Before reading: a later position then queues a save of its own.
    String position = last.get();
    if (position == null || position.equals(saved)) return;
    try {
      store.savePosition(position);
      saved = position;
      if (saveFailing) {
        saveFailing = false;
        app.log(Logger.Level.INFO, "OutboxStore.savePosition works again");
      }
    } catch (Throwable t) {
      if (!saveFailing) {
        saveFailing = true;
        app.log(Logger.Level.WARN, "OutboxStore.savePosition failed; the stream position is kept"
            + " in memory and saved again with the next message (later failures are not logged"
            + " until a save works)", t);
      }
    }
  }

  /**
   * Why {@code position} is not kept, or null: it comes from the server's data and may reach a
   * header, a URL or the store, so it must be 1 to {@link StreamResume#MAX_POSITION_LENGTH}
   * printable ASCII characters. The position itself is never quoted: it is app data.
   */
  static String whyRefused(String position) {
    int length = position.length();
    if (length == 0) return "it is empty";
    if (length > StreamResume.MAX_POSITION_LENGTH) {
      return "it has " + length + " characters (limit " + StreamResume.MAX_POSITION_LENGTH + ")";
    }
    for (int i = 0; i < length; i++) {
      char c = position.charAt(i);
      if (c < 0x20 || c > 0x7e) {
        return "character U+" + String.format(java.util.Locale.ROOT, "%04X", (int) c)
            + " at index " + i + " of " + length + " is not printable ASCII";
      }
    }
    return null;
  }

  /** {@code position} as a non-negative decimal long, or -1 when it is not one. */
  private static long parse(String position) {
    int length = position.length();
    if (length > 19) return -1; // Long.MAX_VALUE has 19 digits.
    for (int i = 0; i < length; i++) {
      char c = position.charAt(i);
      if (c < '0' || c > '9') return -1;
    }
    try {
      return Long.parseLong(position);
    } catch (NumberFormatException tooLarge) {
      return -1;
    }
  }
}
