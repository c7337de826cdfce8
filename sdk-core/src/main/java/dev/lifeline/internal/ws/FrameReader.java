package dev.lifeline.internal.ws;

import dev.lifeline.Message;
import java.io.IOException;
import okio.BufferedSource;
import okio.ByteString;

/** Reads server frames from a BufferedSource (the socket), one call per frame. Not thread-safe: the reader thread only. */
final class FrameReader {
  /** What the frames complete. */
  interface Callback {
    /** A complete data message (fragments joined; text validated as UTF-8). Runs on the reader thread. */
    void onMessage(Message message) throws IOException;

    void onPing(ByteString payload) throws IOException;

    void onPong(ByteString payload) throws IOException;

    /** The server's close frame: code (1005 when the frame had no payload) and reason. */
    void onClose(int code, String reason) throws IOException;
  }

  /** The socket's input. */
  private final BufferedSource source;
  /** The largest message accepted, fragments summed (maxInboundMessageBytes). */
  private final long maxMessageBytes;
  /** Told of each message and control frame. */
  private final Callback callback;

  FrameReader(BufferedSource source, long maxMessageBytes, Callback callback) {
    this.source = source;
    this.maxMessageBytes = maxMessageBytes;
    this.callback = callback;
  }

  /** Reads one frame and reports what it completes; throws ProtocolViolation, EOFException, IOException. */
  void readFrame() throws IOException {
    throw new UnsupportedOperationException("TODO");
  }
}
