package dev.lifeline.internal.ws;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.fail;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import okio.ByteString;
import org.jspecify.annotations.Nullable;
import org.junit.Test;

/**
 * The strict UTF-8 check: Unicode's table 3-7 exactly, however the bytes are split, and in
 * agreement with the JDK's own strict decoder.
 */
public final class Utf8ValidatorTest {
  /** The problem with {@code hex} as one whole message, or null when it is valid. */
  private static @Nullable String check(String hex) {
    byte[] bytes = ByteString.decodeHex(hex).toByteArray();
    Utf8Validator v = new Utf8Validator();
    String problem = v.update(bytes, 0, bytes.length, 0);
    return problem != null ? problem : v.finish();
  }

  @Test public void acceptsEachLengthsBoundaries() {
    String[] valid = {
        "", "00", "7f", // U+0000, U+007F
        "c280", "dfbf", // U+0080, U+07FF
        "e0a080", "ecbfbf", "ed9fbf", "ee8080", "efbfbf", // U+0800, U+CFFF, U+D7FF, U+E000, U+FFFF
        "f0908080", "f3bfbfbf", "f48fbfbf", // U+10000, U+FFFFF, U+10FFFF
        "efbbbf", // BOM: a valid code point, passed through.
        "48656c6c6f2c20e282ac20f09f9880", // "Hello, € 😀"
    };
    for (String hex : valid) assertNull(hex, check(hex));
  }

  @Test public void rejectsOverlongs() {
    assertEquals("byte 0xC0 at offset 0 starts an overlong encoding of an ASCII character",
        check("c080"));
    assertNotNull(check("c1bf"));
    assertEquals("overlong 3-byte encoding: 0xE0 at offset 1 then 0x80 at offset 2",
        check("41e08080"));
    assertNotNull(check("e09fbf"));
    assertEquals("overlong 4-byte encoding: 0xF0 at offset 0 then 0x8F at offset 1",
        check("f08fbfbf"));
  }

  @Test public void rejectsSurrogates() {
    assertEquals("UTF-16 surrogate (U+D800-DFFF) encoded as UTF-8: 0xED at offset 0 then 0xA0 at"
        + " offset 1", check("eda080"));
    assertNotNull(check("edbfbf")); // U+DFFF
    assertNotNull(check("eda0bdedb880")); // A CESU-8 pair: JDK decoders once let these through.
  }

  @Test public void rejectsCodePointsAboveU10ffff() {
    assertEquals("code point above U+10FFFF: 0xF4 at offset 0 then 0x90 at offset 1",
        check("f4908080"));
    assertEquals("byte 0xF5 at offset 0 starts a code point above U+10FFFF", check("f5808080"));
    assertEquals("byte 0xF8 at offset 0 is never valid in UTF-8", check("f888808080"));
    assertEquals("byte 0xFF at offset 2 is never valid in UTF-8", check("4142ff"));
  }

  @Test public void rejectsStrayAndMissingContinuationBytes() {
    assertEquals("unexpected continuation byte 0x80 at offset 0", check("80"));
    assertEquals("unexpected continuation byte 0xBF at offset 2", check("c3a9bf"));
    assertEquals("a 2-byte sequence is cut short: 0xC3 at offset 0 then 0x41 at offset 1",
        check("c341"));
    assertEquals("a 4-byte sequence is cut short: 0xF0 at offset 0 then 0xC0 at offset 3",
        check("f09f98c0"));
  }

  @Test public void rejectsASequenceTruncatedAtTheEnd() {
    assertEquals("the message ends inside a 4-byte sequence (lead byte 0xF0 at offset 1, 3 of 4"
        + " bytes present)", check("41f09f98"));
    assertEquals("the message ends inside a 2-byte sequence (lead byte 0xC3 at offset 0, 1 of 2"
        + " bytes present)", check("c3"));
  }

  @Test public void acceptsEverySplitOfAValidText() {
    byte[] bytes = "a€😀é\u0800\uFFFF".getBytes(StandardCharsets.UTF_8);
    for (int split = 0; split <= bytes.length; split++) {
      Utf8Validator v = new Utf8Validator();
      assertNull(v.update(bytes, 0, split, 0));
      assertNull(v.update(bytes, split, bytes.length, split));
      assertNull("split at " + split, v.finish());
    }
  }

  @Test public void reportsOffsetsInTheWholeMessageAcrossUpdates() {
    Utf8Validator v = new Utf8Validator();
    byte[] bytes = {0x41, 0x42, (byte) 0xED, (byte) 0xA0};
    assertNull(v.update(bytes, 0, 3, 100));
    assertEquals("UTF-16 surrogate (U+D800-DFFF) encoded as UTF-8: 0xED at offset 102 then 0xA0"
        + " at offset 103", v.update(bytes, 3, 4, 103));
  }

  @Test public void resetForgetsASequenceUnderWay() {
    Utf8Validator v = new Utf8Validator();
    byte[] lead = {(byte) 0xE2};
    assertNull(v.update(lead, 0, 1, 0));
    assertNotNull(v.finish());
    v.reset();
    assertNull(v.finish());
  }

  /** Bytes around every boundary of table 3-7. */
  private static final int[] INTERESTING = {0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF,
      0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xE1, 0xEC, 0xED, 0xEE, 0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5,
      0xF7, 0xF8, 0xFF};

  /**
   * Every sequence of 1-3 of those bytes and the 4-byte ones that matter, split at every point, and
   * 10,000 random ones of 4-6 bytes, against the JDK's decoder with REPORT (strict since JDK 8).
   */
  @Test public void agreesWithTheJdksStrictDecoder() {
    CharsetDecoder jdk = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    CharBuffer chars = CharBuffer.allocate(16);
    int k = INTERESTING.length;
    for (int length = 1; length <= 3; length++) {
      int count = (int) Math.pow(k, length);
      for (int n = 0; n < count; n++) {
        byte[] bytes = new byte[length];
        for (int i = 0, rest = n; i < length; i++, rest /= k) {
          bytes[i] = (byte) INTERESTING[rest % k];
        }
        for (int split = 0; split <= length; split++) agree(jdk, chars, bytes, split);
      }
    }
    // 4-byte leads: every pair of first bytes, each followed by the ends of a valid range or ASCII.
    int[] tails = {0x41, 0x80, 0xBF};
    for (int first : INTERESTING) {
      for (int second : INTERESTING) {
        for (int third : tails) {
          for (int fourth : tails) {
            byte[] bytes = {(byte) first, (byte) second, (byte) third, (byte) fourth};
            for (int split = 0; split <= 4; split++) agree(jdk, chars, bytes, split);
          }
        }
      }
    }
    Random random = new Random(6455);
    for (int n = 0; n < 10_000; n++) {
      byte[] bytes = new byte[4 + random.nextInt(3)];
      for (int i = 0; i < bytes.length; i++) bytes[i] = (byte) INTERESTING[random.nextInt(k)];
      agree(jdk, chars, bytes, random.nextInt(bytes.length + 1));
    }
  }

  private static void agree(CharsetDecoder jdk, CharBuffer chars, byte[] bytes, int split) {
    jdk.reset();
    chars.clear();
    CoderResult result = jdk.decode(ByteBuffer.wrap(bytes), chars, true);
    if (!result.isError()) result = jdk.flush(chars);
    boolean jdkValid = !result.isError();
    Utf8Validator v = new Utf8Validator();
    String problem = v.update(bytes, 0, split, 0);
    if (problem == null) problem = v.update(bytes, split, bytes.length, split);
    if (problem == null) problem = v.finish();
    if (jdkValid != (problem == null)) {
      fail(ByteString.of(bytes).hex() + " split at " + split + ": the JDK says "
          + (jdkValid ? "valid" : "invalid") + ", the validator says " + problem);
    }
  }
}
