package dev.lifeline.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.ProtocolException;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Watches the frames of one WebSocket socket where OkHttp reads and writes them, to hold bounds
 * that OkHttp itself does not (docs/behaviour.md, "Inbound limits on the wire"):
 * <ul>
 *   <li>A message larger than {@code maxMessageBytes} fails the connection from its frame header,
 *       before OkHttp buffers its payload (OkHttp reads every message whole, with no limit).
 *   <li>The reader pauses while {@value #MAX_UNANSWERED_PINGS} pings are read and their pongs not
 *       yet written: OkHttp queues one pong per ping without bound, so a server that floods pings
 *       and never reads would otherwise fill memory with pongs.
 *   <li>Complete data frames written to the socket are counted, so after {@link #seal()} the
 *       transport knows exactly which of its messages reached the socket.
 * </ul>
 * The bytes pass through unchanged and uncopied (except a short tail held back when the reader
 * must stop right after a frame header); only headers are parsed, by one {@link FrameScanner} per
 * direction.
 */
final class WireTap {
  /**
   * Pings read whose pongs are not yet written at which the reader pauses. OkHttp answers pings
   * in order ahead of messages, so against an honest server the gap stays near 0; 64 pongs of at
   * most 125 bytes each bound OkHttp's pong queue to about 8 KiB while leaving room for bursts.
   */
  static final int MAX_UNANSWERED_PINGS = 64;
  /**
   * How long the reader waits for OkHttp's writer to put a close frame on the wire before it fails
   * the connection for an inbound violation: enough for a live peer, short enough that a peer
   * that does not read cannot hold the reader.
   */
  static final long CLOSE_WRITE_WAIT_MILLIS = 1000;
  /** How often a paused reader checks that its socket was not closed under it. */
  private static final long RECHECK_MILLIS = 100;

  /** The transport the tap reports to. */
  interface Peer {
    /** Starts a close with {@code code} and {@code reason}; false when none can be sent. */
    boolean closeForViolation(int code, String reason);

    /** The input side read a {@code 101 Switching Protocols}: this tap carries the frames. */
    void upgraded(WireTap tap);

    /**
     * The input side read an answer other than 101: its status and its Retry-After value (null
     * when absent), as the server sent them. OkHttp may fail on such an answer before it hands
     * it over (a Retry-After beyond 2^31 s throws inside OkHttp); then this is all there is.
     */
    void answered(int status, String retryAfter);
  }

  /** Most bytes of an HTTP answer's head kept to read its Retry-After from. */
  private static final int HEAD_CAPTURE_BYTES = 8192;

  /** Largest message accepted from the server, in payload bytes of its data frames. */
  private final long maxMessageBytes;
  /** Told about the upgrade and about violations. */
  private final Peer peer;
  /** The TCP socket under it all: closing it fails any read or write in progress at once. */
  private final Socket raw;
  /** Serializes writes with {@link #seal()}; held while a chunk is written and scanned. */
  private final Object writeLock = new Object();

  /** The input side, once OkHttp asked for it. */
  private volatile TapInput inputSide;
  /** Guarded by this: set once the input side read the 101 answer. */
  private boolean upgraded;
  /** Guarded by this: ping frame headers read from the server. */
  private long pingsRead;
  /** Guarded by this: pong frames completely written. */
  private long pongsWritten;
  /** Guarded by this: times the reader paused for pongs (diagnostics and tests). */
  private long pongPauses;
  /** Guarded by this: complete data messages written (their final frame included). */
  private long messagesWritten;
  /** Guarded by this: our close frame was completely written; OkHttp queues no pongs after it. */
  private boolean closeWritten;
  /** Guarded by this: the transport was let go; a paused reader gives up. */
  private boolean released;
  /** Guarded by writeLock and this: no write may complete any more; counts are final. */
  private boolean sealed;
  /** The output side, once OkHttp asked for it. */
  private volatile TapOutput outputSide;
  /** Guarded by writeLock: a ping waits for the frame being written to end. */
  private boolean pingAfterFrame;
  /** Guarded by this: pings Lifeline put on the wire (diagnostics and tests). */
  private long pingsWritten;

  WireTap(long maxMessageBytes, Peer peer, Socket raw) {
    this.maxMessageBytes = maxMessageBytes;
    this.peer = peer;
    this.raw = raw;
  }

  /** {@code in} as OkHttp should read it: scanned, paused and failed as this class describes. */
  InputStream input(InputStream in) {
    TapInput input = new TapInput(in);
    inputSide = input;
    return input;
  }

  /** {@code out} as OkHttp should write it: scanned and counted. */
  OutputStream output(OutputStream out) {
    TapOutput output = new TapOutput(out);
    outputSide = output;
    return output;
  }

  /**
   * Writes a ping frame between OkHttp's frames: at once when no frame is half written, else
   * right after the frame being written ends. Lifeline sends its own protocol pings this way
   * because OkHttp's fail the connection when a pong is late, even when the pong is only unread
   * because the app is slow and the inbound bound paused the reader (docs/behaviour.md, "Protocol
   * pings"). Blocks while OkHttp's writer is in the middle of a write, so call it off the
   * connection's lane. Returns false when no ping can be sent any more (sealed, closing, not
   * upgraded yet).
   */
  boolean writePing() throws IOException {
    TapOutput output = outputSide;
    if (output == null) return false;
    synchronized (writeLock) {
      synchronized (this) {
        if (sealed || released || closeWritten || !upgraded) return false;
      }
      // Upgraded and no frame written yet: OkHttp wrote its whole request before it read the 101,
      // so the output stands right where the first frame begins. A connection that has sent
      // nothing yet gets its ping too (returning false here once let a ping count as sent that
      // never left, and the missing pong replaced a healthy connection).
      output.scanner.startFrames();
      if (output.scanner.betweenFrames()) {
        output.writePingFrame();
      } else {
        pingAfterFrame = true;
      }
      return true;
    }
  }

  synchronized long pingsWritten() {
    return pingsWritten;
  }

  /**
   * Makes the counts final: closes the socket, so a write in progress fails, then waits for it
   * to end. Afterwards {@link #messagesWritten()} no longer changes.
   */
  void seal() {
    closeQuietly(raw);
    synchronized (writeLock) {
      synchronized (this) {
        sealed = true;
        released = true;
        notifyAll();
      }
    }
  }

  /** The transport was let go: a reader paused here gives up. */
  synchronized void release() {
    released = true;
    notifyAll();
  }

  /** Data messages written completely to the socket, in the order OkHttp wrote them. */
  synchronized long messagesWritten() {
    return messagesWritten;
  }

  synchronized long pingsRead() {
    return pingsRead;
  }

  synchronized long pongsWritten() {
    return pongsWritten;
  }

  synchronized long pongPauses() {
    return pongPauses;
  }

  synchronized boolean upgraded() {
    return upgraded;
  }

  /** "20.0 MiB", "64.0 KiB", "12 bytes": sizes in reasons, for people. */
  static String size(long bytes) {
    if (bytes >= 1024L * 1024) {
      return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024));
    }
    if (bytes >= 1024) return String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0);
    return bytes + (bytes == 1 ? " byte" : " bytes");
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException | RuntimeException ignored) {
      // Closing is best effort: the socket may be closed already.
    }
  }

  /** Server to client: frames are unmasked; pauses and failures happen here, on OkHttp's reader. */
  private final class TapInput extends InputStream implements FrameScanner.Listener {
    private final InputStream in;
    private final FrameScanner scanner = new FrameScanner(this);
    /** Bytes read from {@code in} but not yet passed on (not yet scanned either). */
    private byte[] heldBack;
    private int heldBackPos;
    private int heldBackEnd;
    /** Payload bytes of the current message so far, continuations included. */
    private long messageBytes;
    /** Why the connection must fail, once a frame header broke a limit; else null. */
    private String violation;
    /** The close code that goes with {@link #violation}. */
    private int violationCode;
    /** The short reason sent in that close frame. */
    private String violationCloseReason;
    /** For {@link #read()}. */
    private final byte[] one = new byte[1];
    /** The head of the HTTP answer being read (its first {@link #HEAD_CAPTURE_BYTES}). */
    private byte[] head;
    private int headLength;

    TapInput(InputStream in) {
      this.in = in;
    }

    @Override public int read() throws IOException {
      int n = read(one, 0, 1);
      return n <= 0 ? -1 : one[0] & 0xff;
    }

    @Override public int read(byte[] b, int off, int len) throws IOException {
      if (len == 0) return 0;
      // A header that broke a limit was passed on by the last read, so that OkHttp, which may
      // have been reading the 101 answer with frames behind it, opens the WebSocket first; it
      // reads on only for that frame's payload, and fails here before getting any of it.
      if (violation != null) failForViolation();
      awaitPongRoom();
      int n;
      boolean held = heldBackPos < heldBackEnd;
      if (held) {
        n = Math.min(len, heldBackEnd - heldBackPos);
        System.arraycopy(heldBack, heldBackPos, b, off, n);
      } else {
        n = in.read(b, off, len);
        if (n <= 0) return n;
      }
      if (!scanner.inFrames()) captureHead(b, off, n);
      int passed = scanner.scan(b, off, n);
      if (held) {
        heldBackPos += passed;
      } else if (passed < n) {
        holdBack(b, off + passed, n - passed);
      }
      return passed;
    }

    /** Keeps the first bytes of an HTTP answer, so a rejection's Retry-After can be read. */
    private void captureHead(byte[] b, int off, int n) {
      if (head == null) head = new byte[HEAD_CAPTURE_BYTES];
      int take = Math.min(n, head.length - headLength);
      System.arraycopy(b, off, head, headLength, take);
      headLength += take;
    }

    /** The Retry-After value in the captured head, or null; then forgets the head. */
    private String takeRetryAfter() {
      String text = new String(head, 0, headLength, StandardCharsets.ISO_8859_1);
      headLength = 0;
      int end = text.indexOf("\r\n\r\n");
      for (String line : (end < 0 ? text : text.substring(0, end)).split("\r\n")) {
        if (line.regionMatches(true, 0, "Retry-After:", 0, 12)) return line.substring(12).trim();
      }
      return null;
    }

    /** Keeps the unscanned tail of a read for the next one (only ever after a stop). */
    private void holdBack(byte[] b, int from, int count) {
      if (heldBack == null || heldBack.length < count) heldBack = new byte[Math.max(count, 8192)];
      System.arraycopy(b, from, heldBack, 0, count);
      heldBackPos = 0;
      heldBackEnd = count;
    }

    /** Blocks while OkHttp owes the server too many pongs; see {@link #MAX_UNANSWERED_PINGS}. */
    private void awaitPongRoom() throws IOException {
      synchronized (WireTap.this) {
        boolean counted = false;
        while (!released && !closeWritten && pingsRead - pongsWritten >= MAX_UNANSWERED_PINGS) {
          if (!counted) {
            pongPauses++;
            counted = true;
          }
          if (raw.isClosed()) break;
          try {
            WireTap.this.wait(RECHECK_MILLIS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for pongs to be written");
          }
        }
        if (released || raw.isClosed()) throw new SocketException("socket closed");
      }
    }

    /** Sends the close that names the violation, gives it a moment, and fails the reader. */
    private void failForViolation() throws IOException {
      boolean enqueued = peer.closeForViolation(violationCode, violationCloseReason);
      boolean written = false;
      if (enqueued) {
        long deadline = System.nanoTime() + CLOSE_WRITE_WAIT_MILLIS * 1_000_000L;
        synchronized (WireTap.this) {
          while (!closeWritten && !released && !raw.isClosed()) {
            long left = (deadline - System.nanoTime()) / 1_000_000L;
            if (left <= 0) break;
            try {
              WireTap.this.wait(Math.min(left, RECHECK_MILLIS));
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
              break;
            }
          }
          written = closeWritten;
        }
      }
      throw new ProtocolException(violation + (written
          ? "; closed with " + violationCode
          : "; the close frame " + violationCode + " could not be written within "
              + CLOSE_WRITE_WAIT_MILLIS + " ms"));
    }

    @Override public int available() throws IOException {
      return heldBackPos < heldBackEnd ? heldBackEnd - heldBackPos : in.available();
    }

    @Override public void close() throws IOException {
      release();
      in.close();
    }

    @Override public boolean httpHeadEnded(int status) {
      if (status != 101) {
        String retryAfter = takeRetryAfter();
        if (status > 0) peer.answered(status, retryAfter);
        return false;
      }
      headLength = 0;
      head = null; // Only an answer that did not upgrade is read for Retry-After: 8 KiB freed.
      synchronized (WireTap.this) {
        upgraded = true;
      }
      peer.upgraded(WireTap.this);
      return true;
    }

    @Override public boolean frameHeader(int opcode, boolean fin, boolean rsv1, long length) {
      if (opcode == FrameScanner.OPCODE_PING) {
        synchronized (WireTap.this) {
          pingsRead++;
          return pingsRead - pongsWritten < MAX_UNANSWERED_PINGS; // Else stop: pause next read.
        }
      }
      if (opcode > FrameScanner.OPCODE_BINARY) return true; // Other control frames: ≤ 125 bytes.
      if (rsv1) {
        violation = "server sent a compressed message (permessage-deflate), which Lifeline does"
            + " not offer: its inflated size could not be bounded";
        violationCode = 1002;
        violationCloseReason = "compression not negotiated";
        return false;
      }
      if (opcode != FrameScanner.OPCODE_CONTINUATION) messageBytes = 0;
      messageBytes = length > Long.MAX_VALUE - messageBytes ? Long.MAX_VALUE : messageBytes + length;
      if (messageBytes > maxMessageBytes) {
        violation = "server sent a message of at least " + size(messageBytes)
            + ", above the limit of " + size(maxMessageBytes) + " (maxInboundMessageBytes)";
        violationCode = 1009;
        violationCloseReason = "message too big (limit " + maxMessageBytes + " bytes)";
        return false;
      }
      return true;
    }

    @Override public void frameEnded(int opcode, boolean fin) {}
  }

  /** Client to server: frames are masked; counts what was written completely. */
  private final class TapOutput extends OutputStream implements FrameScanner.Listener {
    private final OutputStream out;
    /** Guarded by writeLock. */
    private final FrameScanner scanner = new FrameScanner(this);
    /** For {@link #write(int)}; guarded by writeLock. */
    private final byte[] one = new byte[1];

    TapOutput(OutputStream out) {
      this.out = out;
    }

    @Override public void write(int b) throws IOException {
      synchronized (writeLock) {
        one[0] = (byte) b;
        write(one, 0, 1);
      }
    }

    @Override public void write(byte[] b, int off, int len) throws IOException {
      synchronized (writeLock) {
        if (sealed) throw new SocketException("socket closed");
        out.write(b, off, len);
        // Written: the frames that end in this chunk are on the socket. OkHttp writes frames only
        // after it read the 101, which the input side saw first.
        if (!scanner.inFrames() && upgraded()) scanner.startFrames();
        scanner.scan(b, off, len);
        if (pingAfterFrame && scanner.betweenFrames()) writePingFrame();
      }
    }

    /**
     * Writes an empty, masked ping frame (a client's frames must be masked; an empty payload
     * makes the key irrelevant, but it is still random as the RFC asks). Under writeLock, between
     * frames; the scanner does not see it, so it stays in step with OkHttp's own frames.
     */
    void writePingFrame() throws IOException {
      pingAfterFrame = false;
      byte[] frame = new byte[6];
      frame[0] = (byte) (0x80 | FrameScanner.OPCODE_PING);
      frame[1] = (byte) 0x80;
      int key = ThreadLocalRandom.current().nextInt();
      frame[2] = (byte) (key >>> 24);
      frame[3] = (byte) (key >>> 16);
      frame[4] = (byte) (key >>> 8);
      frame[5] = (byte) key;
      out.write(frame, 0, frame.length);
      out.flush();
      synchronized (WireTap.this) {
        pingsWritten++;
      }
    }

    @Override public void flush() throws IOException {
      out.flush();
    }

    @Override public void close() throws IOException {
      release();
      out.close();
    }

    @Override public boolean httpHeadEnded(int status) {
      // A request: a new answer follows (after an authentication challenge, say, on the same
      // socket), and it decides whether frames follow. The same thread writes the request and
      // reads its answer, so the input side's scanner is not in use now.
      TapInput input = inputSide;
      if (input != null) input.scanner.expectHttpHead();
      return false;
    }

    @Override public boolean frameHeader(int opcode, boolean fin, boolean rsv1, long length) {
      return true;
    }

    @Override public void frameEnded(int opcode, boolean fin) {
      synchronized (WireTap.this) {
        if (opcode <= FrameScanner.OPCODE_BINARY) {
          if (fin) messagesWritten++;
        } else if (opcode == FrameScanner.OPCODE_PONG) {
          pongsWritten++;
          WireTap.this.notifyAll();
        } else if (opcode == FrameScanner.OPCODE_CLOSE) {
          closeWritten = true;
          WireTap.this.notifyAll();
        }
      }
    }
  }
}
