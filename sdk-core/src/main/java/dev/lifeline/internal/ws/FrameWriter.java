package dev.lifeline.internal.ws;

import dev.lifeline.Message;
import java.io.IOException;
import java.util.Random;
import okio.BufferedSink;
import okio.ByteString;

/** Writes client frames (always masked, FIN set, one frame per message) to a BufferedSink. Not thread-safe: one writer at a time. Writes do not flush. */
final class FrameWriter {
  /** The socket's output. */
  private final BufferedSink sink;
  /** Makes the mask keys: a SecureRandom in production, a seeded Random in tests. */
  private final Random random;

  /** {@code random} makes the mask keys; tests pass a seeded one, production a SecureRandom. */
  FrameWriter(BufferedSink sink, Random random) {
    this.sink = sink;
    this.random = random;
  }

  /** Writes a text or binary message as one frame. */
  void writeMessage(Message message) throws IOException {
    throw new UnsupportedOperationException("TODO");
  }

  void writePing(ByteString payload) throws IOException {
    throw new UnsupportedOperationException("TODO");
  }

  void writePong(ByteString payload) throws IOException {
    throw new UnsupportedOperationException("TODO");
  }

  /** Reason ≤ 123 UTF-8 bytes (truncated safely, never splitting a code point); code must be valid. */
  void writeClose(int code, String reason) throws IOException {
    throw new UnsupportedOperationException("TODO");
  }

  void flush() throws IOException {
    sink.flush();
  }
}
