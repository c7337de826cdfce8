package dev.lifeline.internal;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Says which library an {@link Error} raised while connecting comes from, and what is missing,
 * for the connection's reason (docs/behaviour.md, "Failure classification"). An app brings its
 * own OkHttp, Okio and Kotlin standard library; with a version Lifeline was not built for, the
 * first use of the missing piece raises a {@link LinkageError} (NoSuchMethodError,
 * NoClassDefFoundError, AbstractMethodError, ...), and every retry would raise it again.
 *
 * <p>The library is read from the error's message, which names the class of the missing piece in
 * one of the JVM's or Android's spellings ({@code 'void okhttp3.A.b(int)'}, {@code okhttp3.A.b(I)V},
 * {@code okio/Buffer}, {@code No virtual method b(I)V in class Lokhttp3/A;}), else from where the
 * error was raised. Pure: no state.
 */
final class LibraryError {
  /**
   * A qualified class or member name: dotted ({@code okhttp3.OkHttpClient}), slashed ({@code
   * okio/Buffer}) or a type descriptor ({@code Lokio/Buffer;}, with the leading L kept here).
   */
  private static final Pattern QUALIFIED =
      Pattern.compile("[A-Za-z_$][\\w$]*(?:[./][A-Za-z_$][\\w$]*)+");
  /** Words that precede the class that lacks something: Android's and Java 11+'s wordings. */
  private static final String[] OWNER_MARKERS = {
      "in class ", "of interface ", "of class " };

  private LibraryError() {}

  /** The first {@link Error} among {@code t} and its causes, or null. */
  static Error find(Throwable t) {
    for (int depth = 0; t != null && depth < 10; t = t.getCause(), depth++) {
      if (t instanceof Error) return (Error) t;
    }
    return null;
  }

  /**
   * The reason for {@code e}: "OkHttp 5.5.1 on the classpath is not compatible: NoSuchMethodError:
   * 'void okhttp3.A.b()' (Lifeline needs OkHttp 4.12 or 5.x)". The error's message is shown
   * whole: it names the missing piece, and no secret reaches it (class and member names).
   */
  static String explain(Error e) {
    boolean linkage = e instanceof LinkageError;
    String missing = Failure.describe(e);
    Throwable initializer = e instanceof ExceptionInInitializerError ? e.getCause() : null;
    if (initializer != null) missing += " (" + Failure.describe(initializer) + ")";
    String type;
    if (linkage && !(e instanceof UnsatisfiedLinkError)) {
      type = fromMessage(e, true);
      if (type == null && initializer != null) type = initializerOf(initializer);
      if (type == null) type = fromMessage(e, false);
    } else {
      // Raised by the code that failed (a native library's loader, an assertion): where it was.
      type = fromStack(e);
      if (type == null) type = fromMessage(e, true);
    }
    String where = "";
    if (type == null) {
      StackTraceElement[] stack = e.getStackTrace();
      if (stack.length > 0) where = " (raised at " + stack[0] + ")";
    }
    String pkg = type == null ? null : packageOf(type);
    Library library = Library.of(pkg);
    String what = library.name(pkg);
    String needs = library.needs();
    if (linkage) {
      return what + (library == Library.PLATFORM ? " lacks what Lifeline uses: "
          : library == Library.LIFELINE ? " are not compatible with each other: "
          : " on the classpath is not compatible: ")
          + missing + where + (needs.isEmpty() ? "" : " (" + needs + ")");
    }
    return what + " raised an Error, which retrying would not fix: " + missing + where;
  }

  /** The libraries Lifeline can name and what it needs of each. */
  private enum Library {
    OKHTTP, OKIO, KOTLIN, LIFELINE, PLATFORM, OTHER;

    static Library of(String pkg) {
      if (pkg == null) return OTHER;
      if (under(pkg, "okhttp3")) return OKHTTP;
      if (under(pkg, "okio")) return OKIO;
      if (under(pkg, "kotlin")) return KOTLIN;
      if (under(pkg, "dev.lifeline")) return LIFELINE;
      if (isPlatform(pkg)) return PLATFORM;
      return OTHER;
    }

    String name(String pkg) {
      switch (this) {
        case OKHTTP:
          return "OkHttp" + version("okhttp3.OkHttp", "VERSION");
        case OKIO:
          return "Okio";
        case KOTLIN:
          return "the Kotlin standard library" + version("kotlin.KotlinVersion", "CURRENT");
        case LIFELINE:
          return "Lifeline's classes (" + pkg + ")";
        case PLATFORM:
          return "this platform (" + pkg + ")";
        default:
          return pkg == null ? "a library" : "the library in package " + pkg;
      }
    }

    String needs() {
      switch (this) {
        case OKHTTP:
          return "Lifeline needs OkHttp 4.12 or 5.x";
        case OKIO:
          return "Lifeline needs Okio 3, at least the version the app's OkHttp depends on";
        case KOTLIN:
          return "OkHttp and Okio need a Kotlin standard library at least as new as the one they"
              + " were built with: 1.8 for OkHttp 4.12, 2.x for OkHttp 5.x";
        case LIFELINE:
          return "use one version of every lifeline-* artifact, e.g. through lifeline-bom";
        case PLATFORM:
          return "Lifeline needs Java 8 or Android API 21";
        default:
          return "check which version of it the app's build resolves";
      }
    }
  }

  /**
   * " 4.12.0": the version the running library declares, read reflectively, because a {@code
   * const} (OkHttp's VERSION) would be inlined at Lifeline's compile time. Empty when unknown.
   */
  private static String version(String className, String field) {
    try {
      Object v = Class.forName(className).getField(field).get(null);
      return v == null ? "" : " " + v;
    } catch (Throwable unknown) {
      // The library is broken or absent: its name alone has to do.
      return "";
    }
  }

  /**
   * The class whose piece is missing, from the message: a method's owner, else a class the
   * message marks as the owner ("in class", "of interface"), else the first class named; {@code
   * foreign}: only a class outside the platform and Lifeline. Null when the message names none.
   */
  private static String fromMessage(Throwable e, boolean foreign) {
    String m = e.getMessage();
    if (m == null) return null;
    String first = null;
    String marked = null;
    Matcher names = QUALIFIED.matcher(m);
    while (names.find()) {
      String name = normalise(m, names.start(), names.end());
      if (foreign && (isPlatform(name) || under(name, "dev.lifeline"))) continue;
      int end = names.end();
      if (end < m.length() && m.charAt(end) == '(' && name.lastIndexOf('.') > 0) {
        return name.substring(0, name.lastIndexOf('.')); // A method: owner.name(...)
      }
      if (marked == null && precededByMarker(m, names.start())) marked = name;
      if (first == null) first = name;
    }
    return marked != null ? marked : first;
  }

  /** Dotted form of the name at [start, end): a descriptor's leading L dropped, slashes dots. */
  private static String normalise(String m, int start, int end) {
    String name = m.substring(start, end);
    if (name.indexOf('/') >= 0 && name.charAt(0) == 'L' && end < m.length()
        && m.charAt(end) == ';') {
      name = name.substring(1);
    }
    return name.replace('/', '.');
  }

  private static boolean precededByMarker(String m, int start) {
    for (String marker : OWNER_MARKERS) {
      int at = start - marker.length();
      if (at >= 0 && m.startsWith(marker, at)) return true;
    }
    return false;
  }

  /**
   * The class that raised {@code e}: its stack's first frame outside the platform, or null when
   * that frame is Lifeline's (what called Lifeline is not where the error came from).
   */
  private static String fromStack(Throwable e) {
    for (StackTraceElement frame : e.getStackTrace()) {
      String c = frame.getClassName();
      if (under(c, "dev.lifeline")) return null;
      if (!isPlatform(c)) return c;
    }
    return null;
  }

  /** The class whose static initialiser threw {@code cause}, or null. */
  private static String initializerOf(Throwable cause) {
    for (StackTraceElement frame : cause.getStackTrace()) {
      if ("<clinit>".equals(frame.getMethodName())) return frame.getClassName();
    }
    return null;
  }

  /** "okhttp3" of "okhttp3.OkHttpClient"; a nested class's package is its outer's. */
  private static String packageOf(String type) {
    String[] parts = type.split("\\.");
    StringBuilder pkg = new StringBuilder();
    for (String part : parts) {
      if (part.isEmpty() || Character.isUpperCase(part.charAt(0))) break;
      if (pkg.length() > 0) pkg.append('.');
      pkg.append(part);
    }
    if (pkg.length() > 0) return pkg.toString();
    int dot = type.lastIndexOf('.');
    return dot > 0 ? type.substring(0, dot) : type;
  }

  private static boolean isPlatform(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    return under(n, "java") || under(n, "javax") || under(n, "jdk") || under(n, "sun")
        || under(n, "com.sun") || under(n, "android") || under(n, "dalvik")
        || under(n, "libcore") || under(n, "com.android");
  }

  /** True when {@code name} is {@code pkg} or inside it. */
  private static boolean under(String name, String pkg) {
    return name.equals(pkg) || name.startsWith(pkg + ".");
  }
}
