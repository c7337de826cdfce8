package dev.lifeline.internal.ws;

import static dev.lifeline.internal.ws.WebSocketProtocol.hexByte;

import org.jspecify.annotations.Nullable;

/**
 * Strict streaming UTF-8 check (Unicode 15, table 3-7), fed the bytes of a message as they arrive
 * so a code point may be split between fragments. Rejects what RFC 6455 8.1 calls invalid:
 * overlong forms, UTF-16 surrogates (U+D800-DFFF), code points above U+10FFFF, stray continuation
 * bytes and a sequence cut short. A state machine of our own rather than a {@code CharsetDecoder},
 * whose strictness differed between JDK 8 and later ones and on Android.
 */
final class Utf8Validator {
  /** Continuation bytes the current sequence still expects; 0 between code points. */
  private int needed;
  /** Bytes in the current sequence, 2-4; meaningful while needed > 0. */
  private int sequenceLength;
  /** The lead byte of the current sequence, for reasons. */
  private int lead;
  /** Offset of the current sequence's lead byte in the message, for reasons. */
  private long leadOffset;
  /** Smallest and largest value of the next byte: right after some leads, narrower than 80-BF. */
  private int lower, upper;

  /** Forgets any sequence under way: a new message starts. */
  void reset() {
    needed = 0;
  }

  /**
   * Checks {@code data[start..end)}, the bytes at {@code offset} and on in the message.
   *
   * @return what is wrong, with the byte and its offset, or null while the bytes are valid so far
   */
  @Nullable String update(byte[] data, int start, int end, long offset) {
    int i = start;
    while (i < end) {
      if (needed == 0) {
        // Fast path: runs of ASCII.
        while (i < end && data[i] >= 0) i++;
        if (i == end) return null;
        int b = data[i] & 0xFF;
        long at = offset + (i - start);
        i++;
        String problem = startSequence(b, at);
        if (problem != null) return problem;
      } else {
        int b = data[i] & 0xFF;
        long at = offset + (i - start);
        i++;
        if (b < lower || b > upper) return badContinuation(b, at);
        lower = 0x80;
        upper = 0xBF;
        needed--;
      }
    }
    return null;
  }

  /** Checks that the message did not end inside a sequence; null when it did not. */
  @Nullable String finish() {
    if (needed == 0) return null;
    return "the message ends inside a " + sequenceLength + "-byte sequence (lead byte "
        + hexByte(lead) + " at offset " + leadOffset + ", " + (sequenceLength - needed)
        + " of " + sequenceLength + " bytes present)";
  }

  private @Nullable String startSequence(int b, long at) {
    lead = b;
    leadOffset = at;
    lower = 0x80;
    upper = 0xBF;
    if (b < 0xC0) {
      return "unexpected continuation byte " + hexByte(b) + " at offset " + at;
    } else if (b < 0xC2) {
      return "byte " + hexByte(b) + " at offset " + at + " starts an overlong encoding of an"
          + " ASCII character";
    } else if (b < 0xE0) {
      sequenceLength = 2;
    } else if (b < 0xF0) {
      sequenceLength = 3;
      if (b == 0xE0) lower = 0xA0; // Else an overlong form of a code point below U+0800.
      if (b == 0xED) upper = 0x9F; // Else a surrogate, U+D800-DFFF.
    } else if (b < 0xF5) {
      sequenceLength = 4;
      if (b == 0xF0) lower = 0x90; // Else an overlong form of a code point below U+10000.
      if (b == 0xF4) upper = 0x8F; // Else above U+10FFFF.
    } else {
      return "byte " + hexByte(b) + " at offset " + at + (b < 0xF8
          ? " starts a code point above U+10FFFF" : " is never valid in UTF-8");
    }
    needed = sequenceLength - 1;
    return null;
  }

  private String badContinuation(int b, long at) {
    String what = hexByte(lead) + " at offset " + leadOffset + " then " + hexByte(b) + " at offset "
        + at;
    if (b >= 0x80 && b <= 0xBF) { // A continuation byte, but outside the lead's narrower range.
      if (lead == 0xE0 || lead == 0xF0) {
        return "overlong " + sequenceLength + "-byte encoding: " + what;
      }
      if (lead == 0xED) return "UTF-16 surrogate (U+D800-DFFF) encoded as UTF-8: " + what;
      return "code point above U+10FFFF: " + what;
    }
    return "a " + sequenceLength + "-byte sequence is cut short: " + what;
  }
}
