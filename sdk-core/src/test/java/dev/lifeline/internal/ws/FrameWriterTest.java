package dev.lifeline.internal.ws;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import dev.lifeline.Message;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import okio.Buffer;
import okio.BufferedSink;
import okio.ByteString;
import okio.ForwardingSink;
import okio.Okio;
import org.junit.Test;

/** The writer's frames are RFC 6455 client frames, byte for byte. */
public final class FrameWriterTest {
  private static final long SEED = 6455;

  private final Buffer wire = new Buffer();
  private final FrameWriter writer = new FrameWriter(wire, new Random(SEED));

  /** A client frame taken apart. */
  private static final class ClientFrame {
    int b0;
    int lengthBytes; // 0, 2 or 8: how the length was encoded beyond the 7 bits.
    ByteString key;
    ByteString payload; // Unmasked.
  }

  /** Reads one frame, checking what every client frame must have: MASK set, the key. */
  private static ClientFrame read(Buffer wire) throws IOException {
    ClientFrame f = new ClientFrame();
    f.b0 = wire.readByte() & 0xFF;
    int b1 = wire.readByte() & 0xFF;
    assertEquals("MASK bit", 0x80, b1 & 0x80);
    long length = b1 & 0x7F;
    if (length == 126) {
      length = wire.readShort() & 0xFFFF;
      f.lengthBytes = 2;
    } else if (length == 127) {
      length = wire.readLong();
      f.lengthBytes = 8;
    }
    f.key = wire.readByteString(4);
    byte[] payload = wire.readByteArray(length);
    for (int i = 0; i < payload.length; i++) payload[i] ^= f.key.getByte(i % 4);
    f.payload = ByteString.of(payload);
    return f;
  }

  /** The mask keys a writer given {@code new Random(SEED)} must use, in order. */
  private static List<ByteString> expectedKeys(int count) {
    Random random = new Random(SEED);
    List<ByteString> keys = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      byte[] key = new byte[4];
      random.nextBytes(key);
      keys.add(ByteString.of(key));
    }
    return keys;
  }

  /** Always returns the same key. */
  private static final class FixedKey extends Random {
    private static final long serialVersionUID = 1L;
    private final byte[] key;

    FixedKey(String hex) {
      key = ByteString.decodeHex(hex).toByteArray();
    }

    @Override public void nextBytes(byte[] bytes) {
      System.arraycopy(key, 0, bytes, 0, 4);
    }
  }

  private static ByteString bytes(int size) {
    byte[] b = new byte[size];
    new Random(size).nextBytes(b);
    return ByteString.of(b);
  }

  @Test public void rfc6455MaskedHelloByteForByte() throws IOException {
    // RFC 6455 5.7: "A single-frame masked text message".
    FrameWriter w = new FrameWriter(wire, new FixedKey("37fa213d"));
    w.writeMessage(Message.text("Hello"));
    assertEquals("818537fa213d7f9f4d5158", wire.readByteString().hex());
  }

  @Test public void eachFrameHasAFreshKeyFromTheRandomByteForByte() throws IOException {
    writer.writeMessage(Message.text("Hello"));
    writer.writeMessage(Message.binary(ByteString.decodeHex("0102030405")));
    writer.writePing(ByteString.encodeUtf8("p"));
    List<ByteString> keys = expectedKeys(3);
    assertNotEquals(keys.get(0), keys.get(1));
    assertEquals(new Buffer().writeByte(0x81).writeByte(0x85).write(keys.get(0))
        .write(mask(ByteString.encodeUtf8("Hello"), keys.get(0))).readByteString(),
        wire.readByteString(2 + 4 + 5));
    assertEquals(new Buffer().writeByte(0x82).writeByte(0x85).write(keys.get(1))
        .write(mask(ByteString.decodeHex("0102030405"), keys.get(1))).readByteString(),
        wire.readByteString(2 + 4 + 5));
    assertEquals(new Buffer().writeByte(0x89).writeByte(0x81).write(keys.get(2))
        .write(mask(ByteString.encodeUtf8("p"), keys.get(2))).readByteString(),
        wire.readByteString());
  }

  private static ByteString mask(ByteString payload, ByteString key) {
    byte[] b = payload.toByteArray();
    for (int i = 0; i < b.length; i++) b[i] ^= key.getByte(i % 4);
    return ByteString.of(b);
  }

  @Test public void lengthEncodingsAtTheirBoundaries() throws IOException {
    int[] sizes = {0, 1, 125, 126, 127, 65535, 65536, 100_003};
    int[] lengthBytes = {0, 0, 0, 2, 2, 2, 8, 8};
    List<ByteString> keys = expectedKeys(sizes.length);
    for (int i = 0; i < sizes.length; i++) {
      writer.writeMessage(Message.binary(bytes(sizes[i])));
      ClientFrame f = read(wire);
      assertEquals("size " + sizes[i], 0x82, f.b0);
      assertEquals("size " + sizes[i], lengthBytes[i], f.lengthBytes);
      assertEquals("size " + sizes[i], keys.get(i), f.key);
      assertEquals("size " + sizes[i], bytes(sizes[i]), f.payload);
    }
    assertTrue(wire.exhausted());
  }

  @Test public void theExactHeaderBytesAtEachBoundary() throws IOException {
    writer.writeMessage(Message.binary(bytes(125)));
    assertEquals("82fd", wire.readByteString(2).hex());
    wire.clear();
    writer.writeMessage(Message.binary(bytes(126)));
    assertEquals("82fe007e", wire.readByteString(4).hex());
    wire.clear();
    writer.writeMessage(Message.binary(bytes(65535)));
    assertEquals("82feffff", wire.readByteString(4).hex());
    wire.clear();
    writer.writeMessage(Message.binary(bytes(65536)));
    assertEquals("82ff0000000000010000", wire.readByteString(10).hex());
  }

  @Test public void textIsUtf8AndMaskedAcrossSegmentsThatEndAtOddOffsets() throws IOException {
    // 3-byte characters leave Okio's 8 KiB segments a byte or two short of full, so segments
    // start at offsets that are not multiples of 4: the key must rotate to match.
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < 10_000; i++) text.append(i % 5 == 0 ? "a" : i % 5 == 1 ? "😀" : "€");
    writer.writeMessage(Message.text(text.toString()));
    ClientFrame f = read(wire);
    assertEquals(0x81, f.b0);
    ByteString expected = ByteString.encodeUtf8(text.toString());
    assertEquals("first wrong byte", -1, firstDifference(expected, f.payload));
  }

  /** Where two byte strings first differ, or -1: a failure message people can read. */
  private static long firstDifference(ByteString a, ByteString b) {
    for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
      if (a.getByte(i) != b.getByte(i)) return i;
    }
    return a.size() == b.size() ? -1 : Math.min(a.size(), b.size());
  }

  @Test public void pingAndPongCarryUpTo125Bytes() throws IOException {
    writer.writePing(bytes(125));
    writer.writePong(bytes(125));
    writer.writePing(ByteString.EMPTY);
    ClientFrame ping = read(wire);
    assertEquals(0x89, ping.b0);
    assertEquals(bytes(125), ping.payload);
    ClientFrame pong = read(wire);
    assertEquals(0x8A, pong.b0);
    assertEquals(bytes(125), pong.payload);
    ClientFrame empty = read(wire);
    assertEquals(ByteString.EMPTY, empty.payload);
    try {
      writer.writePong(bytes(126));
      fail();
    } catch (IllegalArgumentException expected) {
      assertEquals("can't send a pong of 126 bytes: control frames carry at most 125 bytes"
          + " (RFC 6455 5.5)", expected.getMessage());
    }
    assertTrue(wire.exhausted());
  }

  @Test public void closeIsCodeThenReason() throws IOException {
    writer.writeClose(1000, "bye");
    ClientFrame f = read(wire);
    assertEquals(0x88, f.b0);
    assertEquals("03e8627965", f.payload.hex());
    writer.writeClose(4999, "");
    assertEquals("1387", read(wire).payload.hex());
  }

  @Test public void closeReasonsAreCutAt123BytesOnACodePointBoundary() throws IOException {
    String[][] cases = {
        // reason, what is sent
        {rep('a', 123), rep('a', 123)},
        {rep('a', 124), rep('a', 123)},
        {rep('a', 120) + "€", rep('a', 120) + "€"}, // 123 bytes: fits.
        {rep('a', 121) + "€", rep('a', 121)}, // 124 bytes: "€" (3 bytes) is dropped whole.
        {rep('a', 122) + "é", rep('a', 122)}, // "é" is 2 bytes.
        {rep('a', 119) + "😀", rep('a', 119) + "😀"}, // A surrogate pair, 4 bytes: fits.
        {rep('a', 120) + "😀", rep('a', 120)}, // Never half of the pair.
        {rep('€', 41), rep('€', 41)},
        {rep('€', 42), rep('€', 41)},
    };
    for (String[] c : cases) {
      writer.writeClose(1001, c[0]);
      ClientFrame f = read(wire);
      assertEquals(c[0], 1001, f.payload.substring(0, 2).toByteArray()[0] << 8
          | f.payload.getByte(1) & 0xFF);
      assertEquals(c[0], c[1], f.payload.substring(2).utf8());
      assertTrue(f.payload.size() <= 125);
    }
  }

  @Test public void closeReasonEndCountsLoneSurrogatesAsOkioWritesThem() {
    // Okio writes a lone surrogate as '?', 1 byte.
    assertEquals(123, FrameWriter.closeReasonEnd(rep('a', 122) + "\uD800" + "b"));
    assertEquals(0, FrameWriter.closeReasonEnd(""));
  }

  @Test public void anInvalidCloseCodeIsRefusedAndNothingIsWritten() throws IOException {
    for (int code : new int[] {0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000}) {
      try {
        writer.writeClose(code, "r");
        fail("code " + code);
      } catch (IllegalArgumentException expected) {
        assertEquals("can't send " + WebSocketProtocol.closeCodeProblem(code),
            expected.getMessage());
      }
    }
    assertTrue(wire.exhausted());
    writer.writeMessage(Message.text("after")); // Nothing left over from the refused frames.
    assertEquals("after", read(wire).payload.utf8());
  }

  @Test public void writesDoNotFlush() throws IOException {
    Buffer socket = new Buffer();
    int[] flushes = {0};
    BufferedSink sink = Okio.buffer(new ForwardingSink(socket) {
      @Override public void flush() throws IOException {
        flushes[0]++;
        super.flush();
      }
    });
    FrameWriter w = new FrameWriter(sink, new Random(SEED));
    w.writeMessage(Message.text("a"));
    w.writePing(ByteString.EMPTY);
    w.writePong(ByteString.EMPTY);
    w.writeClose(1000, "");
    assertEquals(0, flushes[0]);
    assertEquals(0, socket.size());
    w.flush();
    assertEquals(1, flushes[0]);
    assertEquals(7 + 6 + 6 + 8, socket.size());
  }

  @Test public void writerFramesUnmaskedReadBackAsTheSameMessages() throws IOException {
    // The reader refuses masked frames (servers don't mask), so unmask in between.
    List<Message> sent = Arrays.asList(Message.text(""), Message.text("Hello, € 😀"),
        Message.binary(bytes(126)), Message.binary(bytes(70_000)),
        Message.text(rep('€', 30_000)));
    for (Message m : sent) writer.writeMessage(m);
    Buffer serverForm = new Buffer();
    while (!wire.exhausted()) {
      ClientFrame f = read(wire);
      FrameReaderTest.frame(serverForm, f.b0, f.payload);
    }
    List<Message> received = new ArrayList<>();
    FrameReader reader = new FrameReader(serverForm, 1L << 20, new FrameReader.Callback() {
      @Override public void onMessage(Message message) {
        received.add(message);
      }

      @Override public void onPing(ByteString payload) {}

      @Override public void onPong(ByteString payload) {}

      @Override public void onClose(int code, String reason) {}
    });
    while (!serverForm.exhausted()) reader.readFrame();
    assertEquals(sent, received);
  }

  private static String rep(char c, int count) {
    char[] chars = new char[count];
    Arrays.fill(chars, c);
    return new String(chars);
  }
}
