package dev.lifeline.internal;

import static java.util.Arrays.asList;
import static org.junit.Assert.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import okio.Buffer;
import org.junit.Test;

/** The frame scanner reads HTTP heads and frame headers exactly, however the bytes are split. */
public final class FrameScannerTest {
  private static final String UPGRADE = "HTTP/1.1 101 Switching Protocols\r\n"
      + "Upgrade: websocket\r\nConnection: Upgrade\r\n\r\n";

  /** Writes what the scanner reports as lines. */
  private static final class Recorder implements FrameScanner.Listener {
    final List<String> events = new ArrayList<>();
    /** Opcode whose header makes the scan stop, or -1. */
    int stopAt = -1;

    @Override public boolean httpHeadEnded(int status) {
      events.add("head " + status);
      return status == 101;
    }

    @Override public boolean frameHeader(int opcode, boolean fin, boolean rsv1, long length) {
      events.add("header " + opcode + (fin ? " fin" : "") + (rsv1 ? " rsv1" : "") + " " + length);
      return opcode != stopAt;
    }

    @Override public void frameEnded(int opcode, boolean fin) {
      events.add("end " + opcode + (fin ? " fin" : ""));
    }
  }

  /** A frame with {@code length} payload bytes of 'x', masked with a fixed key if asked. */
  static void frame(Buffer out, int opcode, boolean fin, boolean masked, int length) {
    out.writeByte((fin ? 0x80 : 0) | opcode);
    int mask = masked ? 0x80 : 0;
    if (length < 126) {
      out.writeByte(mask | length);
    } else if (length <= 0xffff) {
      out.writeByte(mask | 126);
      out.writeShort(length);
    } else {
      out.writeByte(mask | 127);
      out.writeLong(length);
    }
    if (masked) out.write(new byte[] {1, 2, 3, 4});
    for (int i = 0; i < length; i++) out.writeByte('x');
  }

  private static List<String> scanWhole(byte[] bytes) {
    Recorder r = new Recorder();
    FrameScanner s = new FrameScanner(r);
    assertEquals(bytes.length, s.scan(bytes, 0, bytes.length));
    return r.events;
  }

  private static List<String> scanByteByByte(byte[] bytes) {
    Recorder r = new Recorder();
    FrameScanner s = new FrameScanner(r);
    for (int i = 0; i < bytes.length; i++) assertEquals(1, s.scan(bytes, i, 1));
    return r.events;
  }

  private static byte[] upgradeThen(Buffer frames) {
    Buffer all = new Buffer().writeUtf8(UPGRADE);
    all.write(frames, frames.size());
    return all.readByteArray();
  }

  @Test public void readsEveryLengthFormUnmaskedAndMasked() {
    Buffer frames = new Buffer();
    frame(frames, FrameScanner.OPCODE_TEXT, true, false, 125);
    frame(frames, FrameScanner.OPCODE_BINARY, true, true, 126);
    frame(frames, FrameScanner.OPCODE_TEXT, true, false, 65535);
    frame(frames, FrameScanner.OPCODE_BINARY, true, true, 65536);
    frame(frames, FrameScanner.OPCODE_TEXT, true, true, 0);
    List<String> expected = asList("head 101",
        "header 1 fin 125", "end 1 fin",
        "header 2 fin 126", "end 2 fin",
        "header 1 fin 65535", "end 1 fin",
        "header 2 fin 65536", "end 2 fin",
        "header 1 fin 0", "end 1 fin");
    byte[] bytes = upgradeThen(frames);
    assertEquals(expected, scanWhole(bytes));
    assertEquals(expected, scanByteByByte(bytes));
  }

  @Test public void aSixtyFourBitLengthIsReadWhole() {
    Buffer header = new Buffer().writeByte(0x82).writeByte(127).writeLong(1L << 40);
    byte[] bytes = upgradeThen(header);
    assertEquals(asList("head 101", "header 2 fin " + (1L << 40)), scanByteByByte(bytes));
  }

  @Test public void followsAFragmentedMessageWithControlFramesBetweenItsFragments() {
    Buffer frames = new Buffer();
    frame(frames, FrameScanner.OPCODE_TEXT, false, false, 3);
    frame(frames, FrameScanner.OPCODE_PING, true, false, 4);
    frame(frames, FrameScanner.OPCODE_CONTINUATION, false, false, 300);
    frame(frames, FrameScanner.OPCODE_PONG, true, false, 0);
    frame(frames, FrameScanner.OPCODE_CONTINUATION, true, false, 2);
    frame(frames, FrameScanner.OPCODE_CLOSE, true, false, 2);
    List<String> expected = asList("head 101",
        "header 1 3", "end 1",
        "header 9 fin 4", "end 9 fin",
        "header 0 300", "end 0",
        "header 10 fin 0", "end 10 fin",
        "header 0 fin 2", "end 0 fin",
        "header 8 fin 2", "end 8 fin");
    byte[] bytes = upgradeThen(frames);
    assertEquals(expected, scanWhole(bytes));
    assertEquals(expected, scanByteByByte(bytes));
  }

  @Test public void reportsTheCompressedBit() {
    Buffer frames = new Buffer().writeByte(0xC1).writeByte(1).writeByte('x');
    assertEquals(asList("head 101", "header 1 fin rsv1 1", "end 1 fin"),
        scanWhole(upgradeThen(frames)));
  }

  @Test public void stopsRightAfterAHeaderWhenAsked() {
    Buffer frames = new Buffer();
    frame(frames, FrameScanner.OPCODE_TEXT, true, false, 2);
    frame(frames, FrameScanner.OPCODE_PING, true, false, 1);
    frame(frames, FrameScanner.OPCODE_TEXT, true, false, 2);
    byte[] bytes = upgradeThen(frames);
    Recorder r = new Recorder();
    r.stopAt = FrameScanner.OPCODE_PING;
    FrameScanner s = new FrameScanner(r);
    int upTo = UPGRADE.length() + 4 + 2; // The first frame and the ping's header.
    assertEquals(upTo, s.scan(bytes, 0, bytes.length));
    assertEquals(asList("head 101", "header 1 fin 2", "end 1 fin", "header 9 fin 1"), r.events);
    assertEquals(bytes.length - upTo, s.scan(bytes, upTo, bytes.length - upTo));
    assertEquals(asList("head 101", "header 1 fin 2", "end 1 fin", "header 9 fin 1", "end 9 fin",
        "header 1 fin 2", "end 1 fin"), r.events);
  }

  @Test public void aBodyOfAnAnswerThatDidNotUpgradeIsNotReadAsFrames() {
    String refused = "HTTP/1.1 401 Unauthorized\r\nContent-Length: 4\r\n\r\n\u0081\u0001x\r";
    Recorder r = new Recorder();
    FrameScanner s = new FrameScanner(r);
    byte[] first = refused.getBytes(StandardCharsets.ISO_8859_1);
    s.scan(first, 0, first.length);
    assertEquals(asList("head 401"), r.events);

    s.expectHttpHead(); // The client asked again (with credentials) on the same socket.
    Buffer frames = new Buffer();
    frame(frames, FrameScanner.OPCODE_TEXT, true, false, 1);
    byte[] second = upgradeThen(frames);
    s.scan(second, 0, second.length);
    assertEquals(asList("head 401", "head 101", "header 1 fin 1", "end 1 fin"), r.events);
  }

  @Test public void anInformationalAnswerIsFollowedByTheRealOne() {
    Buffer all = new Buffer().writeUtf8("HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n")
        .writeUtf8(UPGRADE);
    frame(all, FrameScanner.OPCODE_BINARY, true, false, 0);
    assertEquals(asList("head 103", "head 101", "header 2 fin 0", "end 2 fin"),
        scanByteByByte(all.readByteArray()));
  }

  @Test public void aRequestHeadIsNotAnAnswer() {
    String request = "GET /socket HTTP/1.1\r\nHost: example.com\r\nUpgrade: websocket\r\n\r\n";
    Recorder r = new Recorder();
    FrameScanner s = new FrameScanner(r);
    byte[] bytes = request.getBytes(StandardCharsets.ISO_8859_1);
    s.scan(bytes, 0, bytes.length);
    assertEquals(asList("head -1"), r.events);

    s.startFrames(); // The answer upgraded: what the client writes next are frames.
    Buffer frames = new Buffer();
    frame(frames, FrameScanner.OPCODE_PONG, true, true, 5);
    byte[] pong = frames.readByteArray();
    s.scan(pong, 0, pong.length);
    assertEquals(asList("head -1", "header 10 fin 5", "end 10 fin"), r.events);
  }
}
