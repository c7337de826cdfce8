package dev.lifeline.soak;

import static dev.lifeline.soak.KillSoakChild.say;
import static java.util.concurrent.TimeUnit.MILLISECONDS;

import dev.lifeline.Connection;
import dev.lifeline.ConnectionListener;
import dev.lifeline.ConnectionOptions;
import dev.lifeline.ConnectionState;
import dev.lifeline.EventListener;
import dev.lifeline.Lifeline;
import dev.lifeline.ReconnectPolicy;
import dev.lifeline.StreamResume;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.locks.LockSupport;

/**
 * The child of {@link ResumeSoakTest}: follows a {@link StreamServer}'s stream through a
 * connection with a journal (which keeps the stream position across kills) and stream resume
 * ({@code ?from=} the last position, consecutive positions checked for gaps), until the test
 * kills it.
 *
 * <p>Arguments: the server's URL, the soak's directory (the journal and the side files), the run
 * number. Its listener appends the position of every message it handles to {@code handled-r}, and
 * each reported gap ({@code EventListener.streamGap}) to {@code gaps-r} as "expected received"
 * ({@link SideFile}s). It prints {@code STARTED} once {@code connect()} was called, and
 * Lifeline's log lines as {@code LOG …}.
 */
public final class ResumeSoakChild {
  /** No child lives longer, whatever happens to the test. */
  private static final long LIFETIME_MILLIS = 60_000;

  private ResumeSoakChild() {}

  public static void main(String[] args) throws Exception {
    ChildJvm.watchParent(LIFETIME_MILLIS);
    String url = args[0];
    File dir = new File(args[1]);
    int run = Integer.parseInt(args[2]);
    SideFile handled = SideFile.append(new File(dir, "handled-" + run));
    SideFile gaps = SideFile.append(new File(dir, "gaps-" + run));

    Lifeline lifeline = Lifeline.builder()
        .logger((level, message, error) -> say("LOG " + level + " " + message
            + (error != null ? " (" + error + ")" : "")))
        .build();
    ConnectionOptions options = ConnectionOptions.builder(url)
        .journal(new File(dir, "journal"), "resume")
        .resume(StreamResume.builder(
                in -> in.isText() && in.text().startsWith("ev:") ? in.text().substring(3) : null)
            .consecutive(true)
            .hook(StreamResume.queryParameter("from"))
            .build())
        .reconnect(ReconnectPolicy.builder().baseDelay(50, MILLISECONDS)
            .maxDelay(300, MILLISECONDS).build())
        .eventListener(new EventListener() {
          @Override public void streamGap(Connection c, long expected, long received) {
            write(gaps, expected + " " + received);
          }
        })
        .build();
    Connection connection = lifeline.newConnection(options, new ConnectionListener() {
      @Override public void onStateChanged(Connection c, ConnectionState state) {
        if (state.reason() != null) say("STATE " + state);
      }

      @Override public void onMessage(Connection c, String text) {
        if (text.startsWith("ev:")) write(handled, text.substring(3));
      }
    });
    connection.connect();
    say("STARTED run " + run);
    while (true) LockSupport.park(); // Until killed.
  }

  private static void write(SideFile file, String line) {
    try {
      file.line(line);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
