package dev.lifeline.sample;

import dev.lifeline.AckMatcher;
import dev.lifeline.Connection;
import dev.lifeline.ConnectionListener;
import dev.lifeline.ConnectionOptions;
import dev.lifeline.ConnectionState;
import dev.lifeline.Lifeline;
import dev.lifeline.Message;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.util.concurrent.TimeUnit;

/**
 * The app process the PROCESS DEATH stage kills ({@link ProcessDeathStage}): a JVM of its own that
 * sends a burst through a connection with a journal until it is killed with SIGKILL. What an app
 * needs for the durable outbox is in {@link #main}: the journal, an id in each payload, the
 * acknowledgement by id.
 *
 * <p>Arguments: URL, journal directory, journal name, messages, ms between two. It prints one
 * line per step on standard output, for the stage to read: {@code connected}, then {@code accepted
 * ID} right after each {@code send()} that returned true ({@code refused ID} otherwise), then
 * {@code burst sent}. It halts when its standard input ends (the stage's JVM went away), and after
 * {@link #MAX_LIFE_MILLIS} in any case, so it never outlives the demo.
 */
final class DyingClient {
  /** The longest this process lives, killed or not. */
  static final long MAX_LIFE_MILLIS = 60_000;

  /** The text before each burst message's id: {@code burst 7 id=<id>}. */
  static final String ID_MARK = " id=";

  /** The server echoes each burst message: the echo, matched by id, acknowledges it. */
  static final AckMatcher BY_ID = new AckMatcher() {
    @Override public Object key(Message outbound) {
      return outbound.isText() && idOf(outbound.text()) != null ? outbound.id() : null;
    }

    @Override public Object acknowledgedKey(Message inbound) {
      return inbound.isText() ? idOf(inbound.text()) : null;
    }
  };

  private DyingClient() {}

  /** Burst message {@code n}, its id in the payload so the server can drop a resend by id. */
  static Message burstMessage(int n) {
    String id = Message.newId();
    return Message.text("burst " + n + ID_MARK + id).withId(id);
  }

  /** The id in a burst message's text, or null when it is not one. */
  static String idOf(String text) {
    int at = text.startsWith("burst ") ? text.indexOf(ID_MARK) : -1;
    return at < 0 ? null : text.substring(at + ID_MARK.length());
  }

  public static void main(String[] args) throws Exception {
    PrintStream out = System.out;
    if (args.length != 5) {
      out.println("usage: DyingClient URL JOURNAL_DIR JOURNAL_NAME MESSAGES SPACING_MS");
      Runtime.getRuntime().halt(2);
    }
    haltWhenOrphaned();
    haltAfter(MAX_LIFE_MILLIS);
    int messages = Integer.parseInt(args[3]);
    long spacingMillis = Long.parseLong(args[4]);

    Lifeline lifeline = Lifeline.builder().build();
    Connection connection = lifeline.newConnection(ConnectionOptions.builder(args[0])
        // The durable outbox: each accepted message is in this journal before send() returns
        // (PROCESS_DEATH, the default: in the OS, which a SIGKILL does not undo).
        .journal(new File(args[1]), args[2])
        .atLeastOnce(BY_ID)
        .build(), new ConnectionListener() {});
    connection.connect();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (connection.state().kind() != ConnectionState.Kind.CONNECTED) {
      if (System.nanoTime() > deadline) {
        out.println("not connected after 10 s: " + connection.state());
        Runtime.getRuntime().halt(1);
      }
      Thread.sleep(5);
    }
    out.println("connected");
    for (int n = 1; n <= messages; n++) {
      Message m = burstMessage(n);
      boolean accepted = connection.send(m);
      // Written (and flushed: a pipe keeps what was written before a SIGKILL) only after send()
      // returned, so the stage knows exactly which ids this process was promised.
      out.println((accepted ? "accepted " : "refused ") + m.id());
      out.flush();
      Thread.sleep(spacingMillis);
    }
    out.println("burst sent");
    out.flush();
    // Waits to be killed; haltAfter ends it if nobody does.
    Thread.sleep(Long.MAX_VALUE);
  }

  /** Halts this JVM after {@code millis}, whatever it is doing. */
  private static void haltAfter(long millis) {
    Thread timer = new Thread(() -> {
      try {
        Thread.sleep(millis);
      } catch (InterruptedException ignored) {
        // Halting anyway.
      }
      Runtime.getRuntime().halt(4);
    }, "dying client: life limit");
    timer.setDaemon(true);
    timer.start();
  }

  /** Halts this JVM once its standard input ends: the stage's JVM, which holds the pipe, is gone. */
  private static void haltWhenOrphaned() {
    Thread watch = new Thread(() -> {
      try {
        while (System.in.read() != -1) {
          // The stage writes nothing; only the end matters.
        }
      } catch (IOException ignored) {
        // Broken pipe: the same as the end.
      }
      Runtime.getRuntime().halt(3);
    }, "dying client: orphan watch");
    watch.setDaemon(true);
    watch.start();
  }
}
