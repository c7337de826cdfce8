package dev.lifeline.internal.tcp;



import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import dev.lifeline.Message;
import java.io.EOFException;
import java.io.IOException;
import java.net.ProtocolException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Arrays;
import okio.Buffer;
import okio.BufferedSource;
import okio.ByteString;
import okio.Okio;
import okio.Source;
import okio.Timeout;
import org.junit.Test;

/**
 * The line format on {@link Buffer}s, no sockets: the limit's boundaries, terminators, UTF-8 split
 * across reads, EOF with and without a partial line, and that an endless line is refused after a
 * bounded number of bytes.
 */
public final class LineFramingTest {
  /** Small, so boundaries are easy to see. */
  private static final long LIMIT = 16;

  /** The bytes that {@link Chunks} hand out, one written chunk per read, then EOF. */
  private final Chunks chunks = new Chunks();
  /** What the framing reads from: a buffered view of {@link #chunks}. */
  private final BufferedSource source = Okio.buffer(chunks);

  /** A source that returns one chunk per read, as a socket returns what one packet carried. */
  private static final class Chunks implements Source {
    /** Chunks not yet read, oldest first. */
    final ArrayDeque<Buffer> pending = new ArrayDeque<>();
    /** Reads that returned bytes. */
    int reads;

    Chunks write(String s) {
      return write(s.getBytes(StandardCharsets.UTF_8));
    }

    Chunks write(byte[] bytes) {
      pending.addLast(new Buffer().write(bytes));
      return this;
    }

    @Override public long read(Buffer sink, long byteCount) {
      Buffer next = pending.peekFirst();
      if (next == null) return -1;
      reads++;
      long read = next.read(sink, byteCount);
      if (next.exhausted()) pending.removeFirst();
      return read;
    }

    @Override public Timeout timeout() {
      return Timeout.NONE;
    }

    @Override public void close() {}
  }

  private String readLine(long limit) throws IOException {
    return LineFraming.readLine(source, limit);
  }

  private String readLine() throws IOException {
    return readLine(LIMIT);
  }

  /** The message of the exception that reading the next line throws. */
  private String failure(long limit) throws IOException {
    try {
      String line = readLine(limit);
      throw new AssertionError("read a line: " + line);
    } catch (ProtocolException | EOFException expected) {
      return expected.getClass().getSimpleName() + ": " + expected.getMessage();
    }
  }

  private static String repeat(char c, long n) {
    char[] chars = new char[(int) n];
    Arrays.fill(chars, c);
    return new String(chars);
  }

  @Test public void severalLinesInOneRead() throws IOException {
    chunks.write("one\ntwo\nthree\n");
    assertEquals("one", readLine());
    assertEquals("two", readLine());
    assertEquals("three", readLine());
    assertEquals(1, chunks.reads);
  }

  @Test public void lineSplitAcrossReads() throws IOException {
    chunks.write("hel").write("lo\nwor").write("ld\n");
    assertEquals("hello", readLine());
    assertEquals("world", readLine());
    assertEquals(3, chunks.reads);
  }

  @Test public void crlfAcceptedAndLoneCarriageReturnKept() throws IOException {
    chunks.write("a\r\nb\nc\r\nx\ry\n\r\n\rz\n");
    assertEquals("a", readLine());
    assertEquals("b", readLine());
    assertEquals("c", readLine());
    assertEquals("x\ry", readLine());
    assertEquals("", readLine()); // "\r\n" alone: an empty line.
    assertEquals("\rz", readLine());
  }

  @Test public void crlfSplitAcrossReads() throws IOException {
    chunks.write("split\r").write("\nnext\n");
    assertEquals("split", readLine());
    assertEquals("next", readLine());
  }

  @Test public void loneCarriageReturnBeforeEofIsAPartialLine() throws IOException {
    chunks.write("\r");
    assertEquals("EOFException: server closed the connection (EOF) in the middle of a line: 1"
        + " bytes without a terminating '\\n' were discarded", failure(LIMIT));
  }

  @Test public void emptyLinesAreEmptyStrings() throws IOException {
    chunks.write("\n\r\n\n");
    assertEquals("", readLine());
    assertEquals("", readLine());
    assertEquals("", readLine());
  }

  @Test public void lineExactlyAtLimitIsRead() throws IOException {
    chunks.write(repeat('a', LIMIT) + "\n" + repeat('b', LIMIT) + "\r\n" + "after\n");
    assertEquals(repeat('a', LIMIT), readLine());
    assertEquals("the terminator does not count", repeat('b', LIMIT), readLine());
    assertEquals("after", readLine());
  }

  @Test public void carriageReturnEndingALineAtTheLimitIsPartOfIt() throws IOException {
    // LIMIT - 1 bytes and a '\r' are the line (LIMIT bytes); the second '\r' starts "\r\n".
    String line = repeat('c', LIMIT - 1) + "\r";
    chunks.write(line + "\r\n");
    assertEquals(line, readLine());
  }

  @Test public void lineOneByteOverLimitIsRefusedWithItsLength() throws IOException {
    chunks.write(repeat('a', LIMIT + 1) + "\n");
    assertEquals("ProtocolException: inbound line exceeds the maximum line length of 16 bytes"
        + " (it has 17 bytes); raise ConnectionOptions.Builder.maxLineLength() if the server's"
        + " lines are legitimately this long", failure(LIMIT));
  }

  @Test public void lineOneByteOverLimitWithCrlfIsRefusedBeforeItsNewline() throws IOException {
    // 17 bytes, then '\r' at index 17: no '\n' within 18 bytes, so no need to read further.
    chunks.write(repeat('a', LIMIT + 1) + "\r").write("\n");
    assertTrue(failure(LIMIT).startsWith("ProtocolException: inbound line exceeds the maximum line"
        + " length of 16 bytes (no '\\n' within the first 18 bytes); raise"));
    assertEquals("the '\\n' was never read", 1, chunks.pending.size());
  }

  @Test public void multiByteUtf8SplitAcrossReads() throws IOException {
    String text = "h\u00e9llo \u20ac \uD83D\uDE00!"; // é (2 bytes), € (3), 😀 (4).
    byte[] bytes = (text + "\n").getBytes(StandardCharsets.UTF_8);
    int inEmoji = bytes.length - 4; // Inside the 4-byte emoji.
    chunks.write(Arrays.copyOfRange(bytes, 0, 2)) // "h" and the first byte of "é".
        .write(Arrays.copyOfRange(bytes, 2, inEmoji))
        .write(Arrays.copyOfRange(bytes, inEmoji, bytes.length));
    assertEquals(text, readLine(64));
    assertEquals(3, chunks.reads);
  }

  @Test public void limitCountsUtf8BytesNotChars() throws IOException {
    String nineBytes = "\u00e9\u20ac\uD83D\uDE00"; // 2 + 3 + 4 bytes, 4 chars.
    chunks.write(nineBytes + "\n" + nineBytes + "a\n");
    assertEquals(nineBytes, readLine(9));
    assertTrue(failure(9).contains("maximum line length of 9 bytes (it has 10 bytes)"));
  }

  @Test public void eofAtLineBoundary() throws IOException {
    chunks.write("last\n");
    assertEquals("last", readLine());
    assertEquals("EOFException: server closed the connection (EOF)", failure(LIMIT));
  }

  @Test public void eofOnAnEmptySource() throws IOException {
    assertEquals("EOFException: server closed the connection (EOF)", failure(LIMIT));
  }

  @Test public void eofMidLineNamesTheDiscardedBytes() throws IOException {
    chunks.write("whole\npar").write("tial");
    assertEquals("whole", readLine());
    assertEquals("EOFException: server closed the connection (EOF) in the middle of a line: 7"
        + " bytes without a terminating '\\n' were discarded", failure(LIMIT));
  }

  @Test public void endlessLineIsRefusedAfterTheLimitPlusOneSegment() throws IOException {
    final long[] handedOut = {0};
    // A source that never ends and never sends '\n'.
    Source endless = new Source() {
      @Override public long read(Buffer sink, long byteCount) {
        sink.writeUtf8(repeat('x', byteCount));
        handedOut[0] += byteCount;
        return byteCount;
      }

      @Override public Timeout timeout() {
        return Timeout.NONE;
      }

      @Override public void close() {}
    };
    long limit = 1024;
    try {
      LineFraming.readLine(Okio.buffer(endless), limit);
      fail();
    } catch (ProtocolException expected) {
      assertTrue(expected.getMessage(), expected.getMessage().startsWith("inbound line exceeds"
          + " the maximum line length of 1024 bytes (no '\\n' within the first 1026 bytes)"));
    }
    long segment = 8192;
    assertTrue(handedOut[0] + " bytes read", handedOut[0] <= limit + 2 + segment);
  }

  @Test public void writeLineAppendsNewlineInUtf8() throws IOException {
    Buffer out = new Buffer();
    LineFraming.writeLine(out, "w\u00f6rld");
    LineFraming.writeLine(out, "");
    LineFraming.writeLine(out, "cr\r");
    assertEquals(ByteString.encodeUtf8("w\u00f6rld\n\ncr\r\n"), out.readByteString());
  }

  @Test public void writtenLinesReadBack() throws IOException {
    Buffer wire = new Buffer();
    for (String line : Arrays.asList("a", "", "\u20ac", repeat('z', LIMIT))) {
      LineFraming.writeLine(wire, line);
    }
    assertEquals("a", LineFraming.readLine(wire, LIMIT));
    assertEquals("", LineFraming.readLine(wire, LIMIT));
    assertEquals("\u20ac", LineFraming.readLine(wire, LIMIT));
    assertEquals(repeat('z', LIMIT), LineFraming.readLine(wire, LIMIT));
    assertTrue(wire.exhausted());
  }

  @Test public void whyNotALine() {
    String url = "tcp://h:1";
    assertNull(LineFraming.whyNotALine(url, Message.text("fine\r")));
    assertNull(LineFraming.whyNotALine(url, Message.text("")));
    assertEquals("cannot send text \"a\nb\" on tcp://h:1: it contains '\\n' at index 1, which would"
        + " split it into two messages (every message on a tcp:// connection is one line);"
        + " escape or remove line breaks before sending",
        LineFraming.whyNotALine(url, Message.text("a\nb")));
    assertEquals("cannot send binary (2 bytes) on tcp://h:1: newline-framed TCP carries UTF-8"
        + " text lines only; encode binary data as text (e.g. Base64) or use a ws:// or wss://"
        + " URL", LineFraming.whyNotALine(url, Message.binary(ByteString.of((byte) 1, (byte) 2))));
  }
}
