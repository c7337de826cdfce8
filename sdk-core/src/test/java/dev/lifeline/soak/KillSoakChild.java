package dev.lifeline.soak;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;

import dev.lifeline.AckMatcher;
import dev.lifeline.Connection;
import dev.lifeline.ConnectionListener;
import dev.lifeline.ConnectionOptions;
import dev.lifeline.ConnectionState;
import dev.lifeline.EventListener;
import dev.lifeline.Lifeline;
import dev.lifeline.Message;
import dev.lifeline.OutboxJournal;
import dev.lifeline.ReconnectPolicy;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;

/**
 * The child of {@link KillSoakTest}: sends numbered messages through a Lifeline connection with a
 * journal until the test kills it, or, as the last run, sends nothing new and exits 0 once what it
 * restored is settled.
 *
 * <p>Arguments: the mode ({@code at-least-once} or {@code at-most-once}), the server's URL, the
 * soak's directory (the journal and the side files), the run number, {@code last} or {@code
 * send}, and the journal's durability.
 *
 * <p>Run {@code r} sends {@code "msg:N"} with id {@code N} for N = r × 1,000,000 + 1, + 2, …, one
 * every {@value #SEND_PACE_MILLIS} ms, so no two runs ever share a number. After each {@code
 * send()} that returned true it appends N to {@code accepted-r} (a {@link SideFile}); a refused
 * send is tried again with the same N. {@code onSendFailed} appends the id and the reason to
 * {@code reported-r}. The server answers {@code "msg:N"} with {@code "ack:N"}: at-least-once
 * mode takes that as the acknowledgement of id N.
 *
 * <p>It prints {@code STARTED} once the connection exists (the journal is open and restored) and
 * {@code connect()} was called; {@code CONNECTED} when it first is; {@code RESTORED …} when
 * Lifeline reports the restore; {@code DONE …} before a last run exits; Lifeline's log lines as
 * {@code LOG …}.
 */
public final class KillSoakChild {
  /** The pace of sending: steady, and fast enough for a few hundred messages per run. */
  static final long SEND_PACE_MILLIS = 1;
  /** Run r's numbers start above r times this. */
  static final long RUN_STRIDE = 1_000_000;
  /** No child lives longer, whatever happens to the test. */
  private static final long LIFETIME_MILLIS = 60_000;
  /** How long a last run may take to settle what it restored. */
  private static final long SETTLE_MILLIS = 30_000;

  /** At-least-once: the key of {@code "msg:N"} is its id, acknowledged by {@code "ack:N"}. */
  static final AckMatcher ACK_BY_ID = new AckMatcher() {
    @Override public Object key(Message outbound) {
      return outbound.id();
    }

    @Override public @Nullable Object acknowledgedKey(Message inbound) {
      return inbound.isText() && inbound.text().startsWith("ack:") ? inbound.text().substring(4)
          : null;
    }
  };

  private KillSoakChild() {}

  public static void main(String[] args) throws Exception {
    ChildJvm.watchParent(LIFETIME_MILLIS);
    boolean atLeastOnce = args[0].equals("at-least-once");
    String url = args[1];
    File dir = new File(args[2]);
    int run = Integer.parseInt(args[3]);
    boolean last = args[4].equals("last");
    OutboxJournal.Durability durability = OutboxJournal.Durability.valueOf(args[5]);

    SideFile accepted = SideFile.append(new File(dir, "accepted-" + run));
    SideFile reported = SideFile.append(new File(dir, "reported-" + run));
    AtomicInteger delivered = new AtomicInteger();
    AtomicInteger failed = new AtomicInteger();
    AtomicInteger restored = new AtomicInteger(-1);
    AtomicInteger connects = new AtomicInteger();

    Lifeline lifeline = Lifeline.builder()
        .logger((level, message, error) -> say("LOG " + level + " " + message
            + (error != null ? " (" + error + ")" : "")))
        .build();
    ConnectionOptions.Builder options = ConnectionOptions.builder(url)
        .outboxStore(OutboxJournal.builder(new File(dir, "journal"), "soak")
            .durability(durability).build())
        .reconnect(ReconnectPolicy.builder().baseDelay(50, MILLISECONDS)
            .maxDelay(300, MILLISECONDS).build())
        .eventListener(new EventListener() {
          @Override public void outboxRestored(Connection c, int count, int reportedCount,
              @Nullable String damage) {
            say("RESTORED " + count + " reported " + reportedCount + " damage " + damage);
            restored.set(count);
          }
        });
    if (atLeastOnce) options.atLeastOnce(ACK_BY_ID);
    Connection connection = lifeline.newConnection(options.build(), new ConnectionListener() {
      @Override public void onStateChanged(Connection c, ConnectionState state) {
        if (state.kind() == ConnectionState.Kind.CONNECTED && connects.incrementAndGet() == 1) {
          say("CONNECTED");
        }
        if (state.reason() != null) say("STATE " + state);
      }

      @Override public void onDelivered(Connection c, Message message) {
        delivered.incrementAndGet();
      }

      @Override public void onSendFailed(Connection c, Message message, String reason) {
        try {
          reported.line(message.id() + " " + reason.replace('\n', ' '));
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
        failed.incrementAndGet();
      }
    });
    connection.connect();
    say("STARTED run " + run);

    if (!last) {
      sendUntilKilled(connection, run, accepted);
      return;
    }
    long deadline = System.nanoTime() + MILLISECONDS.toNanos(SETTLE_MILLIS);
    while (!(connects.get() > 0 && restored.get() >= 0 && connection.queuedMessages() == 0
        && (!atLeastOnce || delivered.get() + failed.get() >= restored.get()))) {
      if (System.nanoTime() - deadline > 0) {
        say("NOT SETTLED after " + SETTLE_MILLIS + " ms: restored " + restored + ", queued "
            + connection.queuedMessages() + ", delivered " + delivered + ", failed " + failed
            + ", state " + connection.state());
        System.exit(2);
      }
      LockSupport.parkNanos(MILLISECONDS.toNanos(5));
    }
    connection.close();
    boolean ended = lifeline.shutdown(10, SECONDS);
    say("DONE restored " + restored + " delivered " + delivered + " failed " + failed
        + " shutdown " + (ended ? "clean" : "timed out"));
    System.exit(ended ? 0 : 5);
  }

  /** Sends N, N + 1, … at the pace, recording each accepted one, until the process is killed. */
  private static void sendUntilKilled(Connection connection, int run, SideFile accepted)
      throws IOException {
    int refused = 0;
    for (long n = run * RUN_STRIDE + 1; ; n++) {
      Message m = Message.text("msg:" + n).withId(Long.toString(n));
      while (!connection.send(m)) {
        if (refused++ % 100 == 0) say("REFUSED " + n + " (" + refused + " refusals so far)");
        LockSupport.parkNanos(MILLISECONDS.toNanos(5));
      }
      accepted.line(Long.toString(n));
      LockSupport.parkNanos(MILLISECONDS.toNanos(SEND_PACE_MILLIS));
    }
  }

  /** One line on standard output, flushed: the test reads it as it comes. */
  static void say(String line) {
    synchronized (System.out) {
      System.out.println(line);
      System.out.flush();
    }
  }
}
