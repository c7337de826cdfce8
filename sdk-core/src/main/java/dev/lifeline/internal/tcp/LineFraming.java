package dev.lifeline.internal.tcp;



import dev.lifeline.Message;
import java.io.EOFException;
import java.io.IOException;
import java.net.ProtocolException;
import okio.BufferedSink;
import okio.BufferedSource;

/**
 * The wire format of tcp:// and tcp+tls://: every message is one UTF-8 line ending in {@code \n};
 * {@code \r\n} is accepted inbound, a {@code \r} elsewhere is part of the line. Pure framing on
 * Okio streams, with no sockets and no threads, so every boundary is testable with an {@code
 * okio.Buffer}.
 *
 * <p>Reading asks the source for the next {@code \n} within the line limit ({@link
 * BufferedSource#indexOf(byte, long, long)}), so an endless line is detected after at most the
 * limit plus one segment of buffered bytes, never by growing memory.
 */
public final class LineFraming {
  /** The advice closing every line-limit error. */
  private static final String RAISE_LIMIT = "raise ConnectionOptions.Builder.maxLineLength() if"
      + " the server's lines are legitimately this long";

  private LineFraming() {}

  /**
   * Reads the next line from {@code source}, without its terminator, blocking until a whole line
   * is buffered.
   *
   * @throws ProtocolException if the line is longer than {@code maxLineLength} bytes (the
   *     terminator excluded); nothing of it is returned.
   * @throws EOFException if the source ends, naming the bytes discarded when it ends mid-line.
   */
  static String readLine(BufferedSource source, long maxLineLength) throws IOException {
    // Look one byte past the limit for '\n', and one more for a '\r' before it.
    long scanLimit = maxLineLength + 2;
    long newline = source.indexOf((byte) '\n', 0, scanLimit);
    if (newline == -1) {
      long buffered = source.getBuffer().size();
      if (buffered >= scanLimit) {
        throw new ProtocolException("inbound line exceeds the maximum line length of "
            + maxLineLength + " bytes (no '\\n' within the first " + scanLimit + " bytes); "
            + RAISE_LIMIT);
      }
      // indexOf() stopped short of the limit, so the source is exhausted.
      if (buffered == 0) throw new EOFException("server closed the connection (EOF)");
      throw new EOFException("server closed the connection (EOF) in the middle of a line: "
          + buffered + " bytes without a terminating '\\n' were discarded");
    }
    long end = newline > 0 && source.getBuffer().getByte(newline - 1) == '\r'
        ? newline - 1
        : newline;
    if (end > maxLineLength) {
      throw new ProtocolException("inbound line exceeds the maximum line length of "
          + maxLineLength + " bytes (it has " + end + " bytes); " + RAISE_LIMIT);
    }
    String line = source.readUtf8(end);
    source.skip(newline + 1 - end);
    return line;
  }

  /**
   * Writes {@code line} and its {@code \n} to {@code sink}, without flushing. The caller checked
   * it with {@link #whyNotALine}.
   */
  static void writeLine(BufferedSink sink, String line) throws IOException {
    sink.writeUtf8(line).writeByte('\n');
  }

  /**
   * Why {@code message} cannot travel as one line on {@code url}, or null when it can: binary
   * messages have no place on a text protocol, and a {@code \n} inside a message would make the
   * server read two messages.
   */
  public static String whyNotALine(String url, Message message) {
    if (!message.isText()) {
      return "cannot send " + message + " on " + url + ": newline-framed TCP carries UTF-8 text"
          + " lines only; encode binary data as text (e.g. Base64) or use a ws:// or wss:// URL";
    }
    int newline = message.text().indexOf('\n');
    if (newline >= 0) {
      return "cannot send " + message + " on " + url + ": it contains '\\n' at index " + newline
          + ", which would split it into two messages (every message on a tcp:// connection is"
          + " one line); escape or remove line breaks before sending";
    }
    return null;
  }
}
