package dev.lifeline.internal.ws;

import static java.util.Arrays.asList;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import dev.lifeline.Message;
import java.io.EOFException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import okio.Buffer;
import okio.BufferedSource;
import okio.ByteString;
import okio.Okio;
import okio.Source;
import okio.Timeout;
import org.junit.Test;

/** The reader accepts what RFC 6455 allows a server to send and fails on the rest, with the code. */
public final class FrameReaderTest {
  private static final int FIN = 0x80;
  private static final int TEXT = WebSocketProtocol.OPCODE_TEXT;
  private static final int BINARY = WebSocketProtocol.OPCODE_BINARY;
  private static final int CONTINUATION = WebSocketProtocol.OPCODE_CONTINUATION;
  private static final int CLOSE = WebSocketProtocol.OPCODE_CLOSE;
  private static final int PING = WebSocketProtocol.OPCODE_PING;
  private static final int PONG = WebSocketProtocol.OPCODE_PONG;
  private static final long MiB = 1024L * 1024;

  /** Writes what the reader reports as lines. */
  private static final class Recorder implements FrameReader.Callback {
    final List<String> events = new ArrayList<>();
    final List<Message> messages = new ArrayList<>();

    @Override public void onMessage(Message message) {
      messages.add(message);
      events.add(message.isText() ? "text " + message.text() : "binary " + message.bytes().hex());
    }

    @Override public void onPing(ByteString payload) {
      events.add("ping " + payload.utf8());
    }

    @Override public void onPong(ByteString payload) {
      events.add("pong " + payload.utf8());
    }

    @Override public void onClose(int code, String reason) {
      events.add("close " + code + " " + reason);
    }

    /** The events so far, forgotten. */
    List<String> take() {
      List<String> result = new ArrayList<>(events);
      events.clear();
      return result;
    }
  }

  private final Recorder recorder = new Recorder();
  private final Buffer wire = new Buffer();

  /** A server frame: unmasked, byte 0 as given, the shortest length encoding. */
  static void frame(Buffer out, int b0, ByteString payload) {
    out.writeByte(b0);
    long length = payload.size();
    if (length <= 125) {
      out.writeByte((int) length);
    } else if (length <= 0xFFFF) {
      out.writeByte(126);
      out.writeShort((int) length);
    } else {
      out.writeByte(127);
      out.writeLong(length);
    }
    out.write(payload);
  }

  private void frame(int b0, String utf8) {
    frame(wire, b0, ByteString.encodeUtf8(utf8));
  }

  private void frameHex(int b0, String hex) {
    frame(wire, b0, ByteString.decodeHex(hex));
  }

  /** A close frame's payload: the code, then the reason's bytes. */
  private static ByteString closePayload(int code, ByteString reason) {
    return new Buffer().writeShort(code).write(reason).readByteString();
  }

  private FrameReader reader(long maxMessageBytes) {
    return new FrameReader(wire, maxMessageBytes, recorder);
  }

  /** Reads every frame on the wire. */
  private List<String> readAll(long maxMessageBytes) throws IOException {
    FrameReader reader = reader(maxMessageBytes);
    while (!wire.exhausted()) reader.readFrame();
    return recorder.take();
  }

  private List<String> readAll() throws IOException {
    return readAll(16 * MiB);
  }

  /** Reads until the reader fails, which it must before the wire runs dry. */
  private ProtocolViolation violation(long maxMessageBytes) throws IOException {
    FrameReader reader = reader(maxMessageBytes);
    try {
      while (true) reader.readFrame();
    } catch (ProtocolViolation expected) {
      return expected;
    } catch (EOFException e) {
      throw new AssertionError("no violation before the end of the wire; read " + recorder.events,
          e);
    }
  }

  private ProtocolViolation violation() throws IOException {
    return violation(16 * MiB);
  }

  private void assertViolation(int code, String reason) throws IOException {
    ProtocolViolation v = violation();
    assertEquals(reason, v.getMessage());
    assertEquals(code, v.closeCode);
  }

  private static ByteString bytes(int size) {
    byte[] b = new byte[size];
    for (int i = 0; i < size; i++) b[i] = (byte) (i * 31);
    return ByteString.of(b);
  }

  // Messages.

  @Test public void textAndBinaryMessagesInOneFrameEach() throws IOException {
    frame(FIN | TEXT, "Hello, € 😀");
    frameHex(FIN | BINARY, "00ff10");
    frame(FIN | TEXT, "");
    frameHex(FIN | BINARY, "");
    assertEquals(asList("text Hello, € 😀", "binary 00ff10", "text ", "binary "), readAll());
  }

  @Test public void binaryMessagesAreNotCheckedAsUtf8() throws IOException {
    frameHex(FIN | BINARY, "c080eda080fffe");
    assertEquals(asList("binary c080eda080fffe"), readAll());
  }

  @Test public void lengthsAtEachEncodingBoundary() throws IOException {
    for (int size : new int[] {0, 1, 125, 126, 127, 65535, 65536, 100_000}) {
      frame(wire, FIN | BINARY, bytes(size));
      readAll();
      assertEquals("size " + size, bytes(size), recorder.messages.remove(0).bytes());
    }
  }

  @Test public void aLengthInA64BitFieldIsAcceptedEvenWhenShort() throws IOException {
    // RFC 6455 asks for the minimal encoding but a reader gains nothing by refusing others.
    wire.writeByte(FIN | BINARY).writeByte(127).writeLong(3).write(ByteString.decodeHex("010203"));
    wire.writeByte(FIN | BINARY).writeByte(126).writeShort(1).writeByte(4);
    assertEquals(asList("binary 010203", "binary 04"), readAll());
  }

  @Test public void threeFragmentsJoinAndControlFramesBetweenThemAreReportedAtOnce()
      throws IOException {
    FrameReader reader = reader(16 * MiB);
    frame(TEXT, "Hel");
    reader.readFrame();
    assertEquals(Collections.emptyList(), recorder.take());
    frame(FIN | PING, "p1");
    reader.readFrame();
    assertEquals(asList("ping p1"), recorder.take());
    frame(CONTINUATION, "lo, ");
    reader.readFrame();
    frame(FIN | PONG, "p2");
    reader.readFrame();
    assertEquals(asList("pong p2"), recorder.take());
    frame(FIN | CONTINUATION, "world");
    reader.readFrame();
    assertEquals(asList("text Hello, world"), recorder.take());
    // The next message starts afresh.
    frameHex(BINARY, "01");
    frameHex(FIN | CONTINUATION, "02");
    reader.readFrame();
    reader.readFrame();
    assertEquals(asList("binary 0102"), recorder.take());
  }

  @Test public void emptyFragmentsAreFine() throws IOException {
    frame(TEXT, "");
    frame(CONTINUATION, "a");
    frame(CONTINUATION, "");
    frame(FIN | CONTINUATION, "");
    assertEquals(asList("text a"), readAll());
  }

  @Test public void aCodePointSplitAcrossFragmentsIsAccepted() throws IOException {
    frameHex(TEXT, "41e2"); // "A" and the first byte of "€" (e2 82 ac)
    frameHex(CONTINUATION, "82");
    frameHex(CONTINUATION, "acf0"); // The end of "€", the first byte of "😀" (f0 9f 98 80)
    frameHex(CONTINUATION, "9f98");
    frameHex(FIN | CONTINUATION, "80");
    assertEquals(asList("text A€😀"), readAll());
  }

  @Test public void aCodePointTruncatedAtTheEndOfAFragmentedMessageIs1007() throws IOException {
    frameHex(TEXT, "41e2");
    frameHex(FIN | CONTINUATION, "82");
    assertViolation(1007, "server sent a text message that is not valid UTF-8: the message ends"
        + " inside a 3-byte sequence (lead byte 0xE2 at offset 1, 2 of 3 bytes present)"
        + " (RFC 6455 8.1)");
  }

  @Test public void invalidUtf8FailsAtTheFragmentThatHoldsIt() throws IOException {
    frame(TEXT, "fine");
    frameHex(CONTINUATION, "41c0af");
    // No more frames: the reader must fail without waiting for the message's end.
    assertViolation(1007, "server sent a text message that is not valid UTF-8: byte 0xC0 at"
        + " offset 5 starts an overlong encoding of an ASCII character (RFC 6455 8.1)");
  }

  @Test public void invalidUtf8IsNeverReplaced() throws IOException {
    String[] invalid = {
        "c0af", "e080af", "f08080af", // overlongs
        "eda080", "edbfbf", // surrogates
        "f4908080", "f5808080", "ff", // above U+10FFFF, never valid
        "80", "c341", // stray and missing continuation bytes
        "e282", // truncated at the end
    };
    for (String hex : invalid) {
      wire.clear();
      frameHex(FIN | TEXT, hex);
      ProtocolViolation v = violation();
      assertEquals(hex, 1007, v.closeCode);
      assertTrue(v.getMessage(), v.getMessage().startsWith(
          "server sent a text message that is not valid UTF-8: "));
    }
    assertEquals(Collections.emptyList(), recorder.messages);
  }

  @Test public void textAcrossManySegmentsIsCheckedFromWhereEachFrameStarts() throws IOException {
    // Fragments of 10,001 bytes make Okio's 8 KiB segments start at odd offsets of the message.
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < 20_000; i++) text.append(i % 7 == 0 ? "€" : "a");
    ByteString all = ByteString.encodeUtf8(text.toString());
    int chunk = 10_001;
    for (int at = 0; at < all.size(); at += chunk) {
      int end = Math.min(all.size(), at + chunk);
      frame(wire, (end == all.size() ? FIN : 0) | (at == 0 ? TEXT : CONTINUATION),
          all.substring(at, end));
    }
    readAll();
    assertEquals(text.toString(), recorder.messages.get(0).text());
  }

  // Header violations.

  @Test public void rsv1IsCompressionThatWasNotNegotiated() throws IOException {
    frame(FIN | 0x40 | TEXT, "x");
    assertViolation(1002, "server sent a text frame with RSV1 set (compression was not"
        + " negotiated) (RFC 6455 5.2)");
  }

  @Test public void rsv2AndRsv3AreExtensionsThatWereNotNegotiated() throws IOException {
    frame(FIN | 0x20 | BINARY, "x");
    assertViolation(1002, "server sent a binary frame with RSV2 set (no extension was"
        + " negotiated) (RFC 6455 5.2)");
    wire.clear();
    frame(FIN | 0x10 | PING, "x");
    assertViolation(1002, "server sent a ping frame with RSV3 set (no extension was negotiated)"
        + " (RFC 6455 5.2)");
    wire.clear();
    frame(FIN | 0x30 | TEXT, "x");
    assertViolation(1002, "server sent a text frame with RSV2 and RSV3 set (no extension was"
        + " negotiated) (RFC 6455 5.2)");
  }

  @Test public void reservedOpcodesAre1002() throws IOException {
    for (int opcode : new int[] {0x3, 0x4, 0x5, 0x6, 0x7, 0xB, 0xC, 0xD, 0xE, 0xF}) {
      wire.clear();
      frame(FIN | opcode, "");
      assertViolation(1002, "server sent a frame with reserved opcode 0x"
          + Integer.toHexString(opcode).toUpperCase(Locale.ROOT) + " (RFC 6455 5.2)");
    }
  }

  @Test public void aMaskedServerFrameIs1002() throws IOException {
    wire.writeByte(FIN | TEXT).writeByte(0x80 | 1).writeInt(0x01020304).writeByte('x' ^ 1);
    assertViolation(1002, "server sent a masked text frame; servers must not mask (RFC 6455 5.1)");
  }

  @Test public void aFragmentedControlFrameIs1002() throws IOException {
    frame(PING, "x");
    assertViolation(1002, "server sent a fragmented ping frame (FIN clear); control frames must"
        + " not be fragmented (RFC 6455 5.5)");
  }

  @Test public void controlPayloadsUpTo125BytesAreAcceptedAnd126Is1002() throws IOException {
    frame(wire, FIN | PING, bytes(125));
    frame(wire, FIN | PONG, bytes(125));
    frame(wire, FIN | CLOSE, closePayload(1000, ByteString.encodeUtf8(rep('r', 123))));
    assertEquals(3, readAll().size());
    frame(wire, FIN | PONG, bytes(126));
    assertViolation(1002, "server sent a pong frame of 126 bytes, above the control frame limit"
        + " of 125 bytes (RFC 6455 5.5)");
    wire.clear();
    wire.writeByte(FIN | CLOSE).writeByte(127).writeLong(1L << 40);
    assertViolation(1002, "server sent a close frame of 1099511627776 bytes, above the control"
        + " frame limit of 125 bytes (RFC 6455 5.5)");
  }

  @Test public void aContinuationWithNoMessageStartedIs1002() throws IOException {
    frame(FIN | CONTINUATION, "x");
    assertViolation(1002, "server sent a continuation frame with no message started"
        + " (RFC 6455 5.4)");
  }

  @Test public void aContinuationAfterACompleteMessageIs1002() throws IOException {
    frame(FIN | TEXT, "done");
    frame(CONTINUATION, "x");
    assertViolation(1002, "server sent a continuation frame with no message started"
        + " (RFC 6455 5.4)");
    assertEquals(asList("text done"), recorder.events);
  }

  @Test public void aNewDataFrameWhileAFragmentedMessageIsUnfinishedIs1002() throws IOException {
    frame(TEXT, "abc");
    frame(FIN | PING, "between"); // Fine.
    frameHex(FIN | BINARY, "00");
    assertViolation(1002, "server sent a new binary frame while a fragmented text message was"
        + " unfinished (3 bytes received) (RFC 6455 5.4)");
    assertEquals(asList("ping between"), recorder.events);
  }

  @Test public void a64BitLengthWithTheTopBitSetIs1002() throws IOException {
    wire.writeByte(FIN | BINARY).writeByte(127).writeLong(0x8000000000000001L);
    assertViolation(1002, "server sent a frame length with the most significant bit set"
        + " (0x8000000000000001) (RFC 6455 5.2)");
  }

  // Close frames.

  @Test public void aCloseWithNoPayloadIs1005() throws IOException {
    frame(FIN | CLOSE, "");
    assertEquals(asList("close 1005 "), readAll());
  }

  @Test public void aCloseWithCodeAndReason() throws IOException {
    frame(wire, FIN | CLOSE, closePayload(1000, ByteString.encodeUtf8("bye €")));
    frame(wire, FIN | CLOSE, closePayload(4999, ByteString.EMPTY));
    assertEquals(asList("close 1000 bye €", "close 4999 "), readAll());
  }

  @Test public void aOneByteCloseIs1002() throws IOException {
    frameHex(FIN | CLOSE, "03");
    assertViolation(1002, "server sent a close frame with a 1-byte payload; a close payload is"
        + " empty or starts with a 2-byte code (RFC 6455 5.5.1)");
  }

  @Test public void closeCodesThatMustNotBeSentAre1002() throws IOException {
    for (int code : new int[] {0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 65535}) {
      wire.clear();
      frame(wire, FIN | CLOSE, closePayload(code, ByteString.encodeUtf8("r")));
      ProtocolViolation v = violation();
      assertEquals(1002, v.closeCode);
      assertEquals("server sent a close frame with an invalid code: "
          + WebSocketProtocol.closeCodeProblem(code), v.getMessage());
    }
    assertEquals(Collections.emptyList(), recorder.events);
  }

  @Test public void closeCodesThatMayBeSentAreReported() throws IOException {
    int[] codes = {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000,
        4999};
    for (int code : codes) frame(wire, FIN | CLOSE, closePayload(code, ByteString.EMPTY));
    assertEquals(codes.length, readAll().size());
  }

  @Test public void aCloseReasonThatIsNotUtf8Is1007() throws IOException {
    frame(wire, FIN | CLOSE, closePayload(1001, ByteString.decodeHex("41eda080")));
    assertViolation(1007, "server sent a close frame (code 1001) whose reason is not valid UTF-8:"
        + " UTF-16 surrogate (U+D800-DFFF) encoded as UTF-8: 0xED at offset 1 then 0xA0 at"
        + " offset 2 (RFC 6455 5.5.1, 8.1)");
    wire.clear();
    frame(wire, FIN | CLOSE, closePayload(1000, ByteString.decodeHex("41e282")));
    assertEquals(1007, violation().closeCode);
  }

  // Size limit.

  @Test public void aMessageAtExactlyTheLimitIsAcceptedAndOneByteMoreIs1009() throws IOException {
    frame(wire, FIN | BINARY, bytes(1000));
    frame(wire, FIN | TEXT, ByteString.encodeUtf8(rep('a', 1000)));
    assertEquals(2, readAll(1000).size());
    frame(wire, FIN | BINARY, bytes(1001));
    ProtocolViolation v = violation(1000);
    assertEquals(1009, v.closeCode);
    assertEquals("server sent a message of at least 1001 bytes, above the limit of 1000 bytes"
        + " (maxInboundMessageBytes)", v.getMessage());
  }

  @Test public void fragmentsAreSummedAgainstTheLimitAndEachMessageStartsAtZero()
      throws IOException {
    frame(wire, BINARY, bytes(4));
    frame(wire, CONTINUATION, bytes(4));
    frame(wire, FIN | PING, bytes(100)); // Control frames don't count.
    frame(wire, FIN | CONTINUATION, bytes(2));
    frame(wire, TEXT, ByteString.encodeUtf8("aaaaa"));
    frame(wire, FIN | CONTINUATION, ByteString.encodeUtf8("aaaaa"));
    assertEquals(3, readAll(10).size());
    frame(wire, BINARY, bytes(4));
    frame(wire, CONTINUATION, bytes(4));
    frame(wire, FIN | CONTINUATION, bytes(3));
    ProtocolViolation v = violation(10);
    assertEquals(1009, v.closeCode);
    assertEquals("server sent a message of at least 11 bytes, above the limit of 10 bytes"
        + " (maxInboundMessageBytes)", v.getMessage());
  }

  @Test public void theLimitIsCheckedAtTheHeaderBeforeAnyPayloadIsRead() throws IOException {
    // Only the header is on the wire: a reader that waited for the payload would hit EOF.
    wire.writeByte(FIN | BINARY).writeByte(127).writeLong(256 * MiB);
    ProtocolViolation v = violation(16 * MiB);
    assertEquals(1009, v.closeCode);
    assertEquals("server sent a message of at least 256.0 MiB, above the limit of 16.0 MiB"
        + " (maxInboundMessageBytes)", v.getMessage());
  }

  @Test public void theLimitCountsWhatEarlierFragmentsBuffered() throws IOException {
    frame(wire, TEXT, ByteString.encodeUtf8(rep('a', 1024)));
    wire.writeByte(CONTINUATION).writeByte(127).writeLong(16 * MiB);
    ProtocolViolation v = violation(16 * MiB);
    assertEquals("server sent a message of at least 16.0 MiB, above the limit of 16.0 MiB"
        + " (maxInboundMessageBytes)", v.getMessage());
  }

  @Test public void aLengthNearLongMaxValueDoesNotOverflowTheSum() throws IOException {
    frame(wire, BINARY, bytes(10));
    wire.writeByte(FIN | CONTINUATION).writeByte(127).writeLong(Long.MAX_VALUE);
    ProtocolViolation v = violation(Long.MAX_VALUE - 5);
    assertEquals(1009, v.closeCode);
    assertTrue(v.getMessage(), v.getMessage().startsWith("server sent a message of at least "
        + WebSocketProtocol.size(Long.MAX_VALUE) + ", above the limit of "));
  }

  // End of stream and reading exactly one frame.

  @Test public void endOfStreamInsideAFrameIsEofException() throws IOException {
    String[] cut = {
        "", // before a header
        "81", // after byte 0
        "827e00", // inside a 16-bit length
        "827f00000000", // inside a 64-bit length
        "8205010203", // inside a payload
        "8902aa", // inside a ping
    };
    for (String hex : cut) {
      wire.clear();
      wire.write(ByteString.decodeHex(hex));
      try {
        reader(16 * MiB).readFrame();
        fail(hex);
      } catch (ProtocolViolation e) {
        throw new AssertionError(hex, e);
      } catch (EOFException expected) {
        // The stream ended.
      }
    }
  }

  @Test public void readsOneFrameWithoutAskingTheSocketForMore() throws IOException {
    // A socket that has delivered exactly two frames: asking for more would block forever.
    Buffer delivered = new Buffer();
    frame(delivered, FIN | TEXT, ByteString.encodeUtf8("one"));
    frame(delivered, FIN | BINARY, bytes(70_000));
    Source socket = new Source() {
      @Override public long read(Buffer sink, long byteCount) {
        if (delivered.exhausted()) throw new AssertionError("read past the frame: would block");
        return delivered.read(sink, Math.min(byteCount, 1000)); // A socket returns what it has.
      }

      @Override public Timeout timeout() {
        return Timeout.NONE;
      }

      @Override public void close() {}
    };
    BufferedSource source = Okio.buffer(socket);
    FrameReader reader = new FrameReader(source, 16 * MiB, recorder);
    reader.readFrame();
    assertEquals(asList("text one"), recorder.take());
    reader.readFrame();
    assertEquals(bytes(70_000), recorder.messages.get(1).bytes());
  }

  private static String rep(char c, int count) {
    char[] chars = new char[count];
    Arrays.fill(chars, c);
    return new String(chars);
  }
}
