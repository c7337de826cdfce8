package dev.lifeline.internal;

import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The ids Lifeline gives messages ({@code Message.id()}): a random part drawn once per process,
 * so that ids from a restarted process never repeat earlier ones, and a counter. A message keeps
 * only its counter value; the text is made when asked for.
 */
public final class MessageIds {
  /** 13 random base-36 digits (67 bits); the same for every id of this process. */
  private static final String PROCESS = randomDigits(13);
  /** The next serial. */
  private static final AtomicLong NEXT = new AtomicLong(1);

  private MessageIds() {}

  /** A new serial, unique in this process. */
  public static long next() {
    return NEXT.getAndIncrement();
  }

  private static String randomDigits(int count) {
    SecureRandom random = new SecureRandom();
    char[] digits = new char[count];
    for (int i = 0; i < count; i++) digits[i] = Character.forDigit(random.nextInt(36), 36);
    return new String(digits);
  }

  /** The id of {@code serial}: the process's random part, '-', the serial in base 36. */
  public static String format(long serial) {
    return PROCESS + "-" + Long.toString(serial, 36);
  }
}
