package dev.lifeline.internal;

/**
 * Follows one direction of a WebSocket connection's bytes as they pass, reading only what
 * Lifeline needs to bound memory and count writes: where each HTTP head ends, and each frame's
 * header (RFC 6455 section 5.2: FIN, RSV, opcode, mask bit, 7/16/64-bit payload length, 4-byte
 * mask key). Payloads are skipped by count, never copied, and nothing is allocated per byte or
 * per frame, so the scanner costs the same for a 1-byte and a 1 GiB message.
 *
 * <p>Until {@link #startFrames()} the bytes are HTTP: the scanner finds the end of each head
 * ({@code \r\n\r\n}) and, for a response, its status code, and asks its {@link Listener} whether
 * frames follow. Not thread-safe: each direction has one reader or one writer at a time.
 */
final class FrameScanner {
  static final int OPCODE_CONTINUATION = 0x0;
  static final int OPCODE_TEXT = 0x1;
  static final int OPCODE_BINARY = 0x2;
  static final int OPCODE_CLOSE = 0x8;
  static final int OPCODE_PING = 0x9;
  static final int OPCODE_PONG = 0xA;

  /** What a scan reports; called on the scanning thread, in stream order. */
  interface Listener {
    /**
     * The head of an HTTP message ended. {@code status} is the response's status code, or -1 when
     * the head is not a response (a request). Returns true when WebSocket frames follow it.
     */
    boolean httpHeadEnded(int status);

    /**
     * A frame's header was read completely ({@code rsv1} is RFC 7692's "compressed" bit). Returns
     * false to end the scan right after this header, so the caller can stop before its payload.
     */
    boolean frameHeader(int opcode, boolean fin, boolean rsv1, long payloadLength);

    /** The last byte of the frame whose header was reported last went by. */
    void frameEnded(int opcode, boolean fin);
  }

  /** Where the scanner is. */
  private enum Mode {
    /** Inside an HTTP head, looking for its end. */
    HTTP_HEAD,
    /** After a head that frames do not follow (a body, or a request waiting for its answer). */
    HTTP_OTHER,
    /** Inside a frame header. */
    FRAME_HEADER,
    /** Inside a frame's payload. */
    FRAME_PAYLOAD
  }

  private final Listener listener;
  private Mode mode = Mode.HTTP_HEAD;
  /** How many of "\r\n\r\n" the last bytes of the head matched. */
  private int headEndMatched;
  /** The first bytes of the current head: enough for "HTTP/1.1 101". */
  private final byte[] headStart = new byte[16];
  /** How many bytes of {@link #headStart} are filled. */
  private int headStartLength;

  /** Bytes of the current frame header read so far. */
  private int headerRead;
  /** The header's length once its second byte is known (2 to 14), else 2. */
  private int headerLength = 2;
  /** Whether the current header carries a 4-byte mask key (the mask bit of its second byte). */
  private boolean masked;
  /** The header's first byte: FIN, RSV1-3, opcode. */
  private int b0;
  /** The payload length being assembled from the header. */
  private long payloadLength;
  /** The opcode of the frame in {@link Mode#FRAME_PAYLOAD} (or whose header was just read). */
  private int opcode;
  /** The FIN bit of that frame. */
  private boolean fin;
  /** Payload bytes of the current frame still to pass. */
  private long payloadRemaining;

  FrameScanner(Listener listener) {
    this.listener = listener;
  }

  /** From now on the bytes are frames (this direction's HTTP part ended elsewhere). */
  void startFrames() {
    if (!inFrames()) beginHeader();
  }

  /** True once this direction carries WebSocket frames. */
  boolean inFrames() {
    return mode == Mode.FRAME_HEADER || mode == Mode.FRAME_PAYLOAD;
  }

  /** True between two frames: the next byte would start a frame header. */
  boolean betweenFrames() {
    return mode == Mode.FRAME_HEADER && headerRead == 0;
  }

  /** A new HTTP head starts (a request was written after an answer that did not upgrade). */
  void expectHttpHead() {
    if (mode == Mode.HTTP_OTHER) {
      mode = Mode.HTTP_HEAD;
      headEndMatched = 0;
      headStartLength = 0;
    }
  }

  /**
   * Passes over {@code b[off, off + len)}. Returns how many bytes it passed: {@code len}, or fewer
   * when {@link Listener#frameHeader} asked to stop right after a header.
   */
  int scan(byte[] b, int off, int len) {
    int i = off;
    int end = off + len;
    while (i < end) {
      switch (mode) {
        case HTTP_HEAD:
          i = scanHead(b, i, end);
          break;
        case HTTP_OTHER:
          i = end;
          break;
        case FRAME_PAYLOAD: {
          long step = Math.min(payloadRemaining, end - i);
          i += (int) step;
          payloadRemaining -= step;
          if (payloadRemaining == 0) endFrame();
          break;
        }
        default: { // FRAME_HEADER
          boolean more = readHeaderByte(b[i++] & 0xff);
          if (!more) return i - off;
          break;
        }
      }
    }
    return len;
  }

  /** Scans head bytes from {@code i}; returns where it stopped (the head's end, or {@code end}). */
  private int scanHead(byte[] b, int i, int end) {
    while (i < end) {
      byte c = b[i++];
      if (headStartLength < headStart.length) headStart[headStartLength++] = c;
      if (c == (headEndMatched % 2 == 0 ? '\r' : '\n')) {
        headEndMatched++;
      } else {
        headEndMatched = c == '\r' ? 1 : 0;
      }
      if (headEndMatched == 4) {
        headEndMatched = 0;
        int status = status();
        headStartLength = 0;
        if (listener.httpHeadEnded(status)) {
          beginHeader();
        } else if (status >= 200) {
          mode = Mode.HTTP_OTHER; // A body or nothing follows; a new head only after a request.
        } // A request (OkHttp's have no body) or an informational (1xx) answer: another head.
        return i;
      }
    }
    return i;
  }

  /** The status code of a response head ("HTTP/1.1 101 ..."), or -1 for anything else. */
  private int status() {
    if (headStartLength < 12 || headStart[0] != 'H' || headStart[1] != 'T' || headStart[2] != 'T'
        || headStart[3] != 'P' || headStart[4] != '/') {
      return -1;
    }
    int space = 5;
    while (space < headStartLength && headStart[space] != ' ') space++;
    if (space + 3 >= headStartLength) return -1;
    int code = 0;
    for (int k = space + 1; k <= space + 3; k++) {
      int d = headStart[k] - '0';
      if (d < 0 || d > 9) return -1;
      code = code * 10 + d;
    }
    return code;
  }

  private void beginHeader() {
    mode = Mode.FRAME_HEADER;
    headerRead = 0;
    headerLength = 2;
    payloadLength = 0;
  }

  /** Takes one header byte; returns false when the listener asked to stop after the header. */
  private boolean readHeaderByte(int v) {
    int k = headerRead++;
    if (k == 0) {
      b0 = v;
    } else if (k == 1) {
      int len7 = v & 0x7f;
      int extended = len7 == 126 ? 2 : len7 == 127 ? 8 : 0;
      masked = (v & 0x80) != 0;
      headerLength = 2 + extended + (masked ? 4 : 0);
      payloadLength = extended == 0 ? len7 : 0;
    } else if (k < headerLength - (masked ? 4 : 0)) { // The extended length; then the mask key.
      payloadLength = (payloadLength << 8) | v; // A 64-bit length's top bit must be 0 (RFC).
    } // Else a mask key byte: skipped.
    if (headerRead < headerLength) return true;
    opcode = b0 & 0x0f;
    fin = (b0 & 0x80) != 0;
    boolean rsv1 = (b0 & 0x40) != 0;
    // A length with the top bit set is invalid (negative here): treat it as "more than anything".
    long length = payloadLength < 0 ? Long.MAX_VALUE : payloadLength;
    payloadRemaining = length;
    boolean more = listener.frameHeader(opcode, fin, rsv1, length);
    if (payloadRemaining == 0) {
      endFrame();
    } else {
      mode = Mode.FRAME_PAYLOAD;
    }
    return more;
  }

  private void endFrame() {
    int endedOpcode = opcode;
    boolean endedFin = fin;
    beginHeader();
    listener.frameEnded(endedOpcode, endedFin);
  }
}
