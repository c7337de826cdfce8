package dev.lifeline.internal;

import java.util.Locale;
import okhttp3.Headers;

/**
 * Handshake header checks. The verdict is OkHttp's own (the rules its handshake applies); the
 * explanation is ours, because OkHttp's message quotes the value, and header values often hold
 * secrets (tokens, API keys): ours names the header and the offending character, never the value.
 */
public final class HeaderChecks {
  private HeaderChecks() {}

  /** Why {@code name: value} cannot be sent as a handshake header, or null when it can. */
  public static String whyInvalid(String name, String value) {
    if (name == null) return "a header name is null";
    if (value == null) return "header '" + printable(name) + "' has a null value";
    try {
      new Headers.Builder().add(name, value);
      return null;
    } catch (IllegalArgumentException rejected) {
      // Not rethrown: its message may contain the value.
    }
    if (name.isEmpty()) return "a header name is empty";
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c <= ' ' || c >= 0x7f) {
        return "invalid header name '" + printable(name) + "': " + describe(c) + " at index " + i
            + " is not allowed in a header name (printable ASCII without spaces)";
      }
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c != '\t' && (c < ' ' || c >= 0x7f)) {
        return "header '" + name + "' has an invalid value: " + describe(c) + " at index " + i
            + " is not allowed in a header value (printable ASCII and tab; a CR or LF would end"
            + " the header early); the value is not shown";
      }
    }
    return "header '" + name + "' is refused by OkHttp; the value is not shown";
  }

  /** "character U+000A (line feed)"-style description of one character. */
  private static String describe(char c) {
    String code = String.format(Locale.ROOT, "U+%04X", (int) c);
    switch (c) {
      case '\r': return "character " + code + " (carriage return)";
      case '\n': return "character " + code + " (line feed)";
      case ' ': return "character " + code + " (space)";
      default: return "character " + code;
    }
  }

  /** {@code s} with control and non-ASCII characters escaped, safe to show in one line. */
  private static String printable(String s) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c >= ' ' && c < 0x7f) {
        b.append(c);
      } else {
        b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
      }
    }
    return b.toString();
  }
}
