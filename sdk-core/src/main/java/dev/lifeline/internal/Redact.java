package dev.lifeline.internal;

/**
 * Hides the secrets a URL may carry before it reaches a log line, an event, a state's reason, an
 * exception or a {@code toString()} (docs/behaviour.md, "Secrets"). Apps put tokens in query
 * parameters ({@code ?access_token=…}) and passwords in user info ({@code user:password@}); those
 * texts end up in crash reports and analytics, which are not the place for them. What stays is
 * what a person needs to tell connections apart: scheme, host, port, path and the parameter names.
 */
public final class Redact {
  /** What replaces a hidden value: visible, and unlike any real value. */
  public static final String MASK = "██";

  private Redact() {}

  /**
   * {@code url} with the user info, every query value and the fragment replaced by {@link #MASK}:
   * {@code wss://██@host/socket?access_token=██&v=██}. Works on any text, also one that failed to
   * parse as a URL, since validation messages quote what the app passed. Null stays null.
   */
  public static String url(String url) {
    if (url == null) return null;
    int scheme = url.indexOf("://");
    int start = scheme >= 0 ? scheme + 3 : 0;
    int authorityEnd = indexOfAny(url, start, "/?#");
    StringBuilder out = new StringBuilder(url.length());
    int at = url.lastIndexOf('@', authorityEnd - 1);
    if (at >= start) {
      out.append(url, 0, start).append(MASK).append(url, at, authorityEnd);
    } else {
      out.append(url, 0, authorityEnd);
    }
    int fragment = url.indexOf('#', authorityEnd);
    int pathEnd = fragment >= 0 ? fragment : url.length();
    int query = url.indexOf('?', authorityEnd);
    if (query < 0 || query > pathEnd) query = pathEnd;
    out.append(url, authorityEnd, query);
    if (query < pathEnd) {
      out.append('?');
      maskValues(url.substring(query + 1, pathEnd), out);
    }
    if (fragment >= 0) out.append('#').append(MASK);
    return out.toString();
  }

  /** Appends {@code name=██&…}; a parameter without '=' may itself be a secret and is masked. */
  private static void maskValues(String query, StringBuilder out) {
    if (query.isEmpty()) return;
    String[] parts = query.split("&", -1);
    for (int i = 0; i < parts.length; i++) {
      if (i > 0) out.append('&');
      int eq = parts[i].indexOf('=');
      if (eq >= 0) {
        out.append(parts[i], 0, eq + 1).append(MASK);
      } else if (!parts[i].isEmpty()) {
        out.append(MASK);
      }
    }
  }

  private static int indexOfAny(String s, int from, String chars) {
    for (int i = from; i < s.length(); i++) {
      if (chars.indexOf(s.charAt(i)) >= 0) return i;
    }
    return s.length();
  }
}
