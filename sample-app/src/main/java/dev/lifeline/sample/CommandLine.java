package dev.lifeline.sample;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Locale;

/** The sample's flags, parsed and checked; anything wrong is a {@link UsageException}. */
final class CommandLine {
  static final String USAGE = String.format(Locale.ROOT, String.join("\n",
      "Usage: lifeline-sample [options]",
      "",
      "Without --url: a scripted demo. An embedded server, a flaky network in front of it and a",
      "Lifeline connection that survives a server restart, a network loss and a zombie connection.",
      "",
      "Demo options:",
      "  --duration TIME          length of the demo [%ds]; at least %ds (with --quick: %ds)",
      "  --quick                  a shortened demo on a faster clock (about %d s)",
      "  --transport ws|tcp       the demo server's protocol [ws]; tcp needs Lifeline's tcp://",
      "                           transport",
      "  --report [FILE.html]     also write an HTML timeline of the run; a relative FILE goes",
      "                           under target/ [target/%s]",
      "",
      "Your own server:",
      "  --url URL                connect to ws://, wss:// or tcp:// URL instead of the demo",
      "  --heartbeat TIME         client heartbeat interval [55s]",
      "  --payload TEXT           heartbeat message [{\"type\":\"ping\"}]",
      "  --server-timeout TIME    replace the connection after this long without any data from",
      "                           the server [off]; independent of --heartbeat, at most 24 h",
      "  --duration TIME          stop after this long [until Ctrl-C]",
      "  --report [FILE.html]     as for the demo",
      "  Lines typed on standard input are sent as messages. Ctrl-C closes gracefully.",
      "",
      "  --help                   this text",
      "",
      "TIME is seconds (2, 2.5) or has a unit: 500ms, 2s, 1m.",
      "Exit code: 0 on success, 1 when a message was lost, the connection failed for good or",
      "(--url) it never connected,",
      "2 for bad flags.",
      ""),
      Main.DEFAULT_DEMO_MILLIS / 1000,
      (Demo.minimumDurationMillis(Demo.Clock.NORMAL) + 999) / 1000,
      (Demo.minimumDurationMillis(Demo.Clock.QUICK) + 999) / 1000,
      (Demo.minimumDurationMillis(Demo.Clock.QUICK) + 999) / 1000,
      CommandLine.DEFAULT_REPORT);

  /** The file {@code --report} writes when given no name (under the report directory). */
  static final String DEFAULT_REPORT = "lifeline-report.html";
  /** System property naming the directory for a relative {@code --report} path. */
  static final String REPORT_DIR_PROPERTY = "lifeline.sample.reportDir";

  /** A flag problem: printed with {@link #USAGE}, exit code 2. */
  static final class UsageException extends Exception {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
      super(message);
    }
  }

  boolean help;
  boolean quick;
  /** -1 when not given. */
  long durationMillis = -1;
  DemoServer.Protocol protocol = DemoServer.Protocol.WEBSOCKET;
  /** Null when not given. */
  Path report;
  /** Null for the demo. */
  String url;
  /** -1 when not given. */
  long heartbeatMillis = -1;
  /** Null when not given. */
  String payload;
  /** -1 when not given. */
  long serverTimeoutMillis = -1;

  private CommandLine() {}

  static CommandLine parse(String[] args) throws UsageException {
    CommandLine c = new CommandLine();
    boolean transportGiven = false;
    for (int i = 0; i < args.length; i++) {
      String flag = args[i];
      String value = null;
      int eq = flag.indexOf('=');
      if (flag.startsWith("--") && eq > 0) {
        value = flag.substring(eq + 1);
        flag = flag.substring(0, eq);
      }
      switch (flag) {
        case "--help":
        case "-h":
          c.help = true;
          break;
        case "--quick":
          c.quick = true;
          break;
        case "--duration":
          c.durationMillis = time(flag, value != null ? value : next(args, ++i, flag));
          break;
        case "--transport": {
          String t = value != null ? value : next(args, ++i, flag);
          if (t.equals("ws")) {
            c.protocol = DemoServer.Protocol.WEBSOCKET;
          } else if (t.equals("tcp")) {
            c.protocol = DemoServer.Protocol.TCP_TEXT;
          } else {
            throw new UsageException("--transport must be ws or tcp, was '" + t + "'");
          }
          transportGiven = true;
          break;
        }
        case "--report": {
          String p = value != null ? value
              : i + 1 < args.length && !args[i + 1].startsWith("-") ? args[++i]
              : DEFAULT_REPORT;
          if (p.isEmpty()) throw new UsageException("--report needs a file name");
          try {
            c.report = reportPath(p);
          } catch (RuntimeException e) {
            throw new UsageException("--report: not a valid path: '" + p + "'");
          }
          break;
        }
        case "--url":
          c.url = value != null ? value : next(args, ++i, flag);
          break;
        case "--heartbeat":
          c.heartbeatMillis = time(flag, value != null ? value : next(args, ++i, flag));
          break;
        case "--payload":
          c.payload = value != null ? value : next(args, ++i, flag);
          if (c.payload.isEmpty()) throw new UsageException("--payload must not be empty");
          break;
        case "--server-timeout":
          c.serverTimeoutMillis = time(flag, value != null ? value : next(args, ++i, flag));
          break;
        default:
          throw new UsageException(flag.startsWith("-")
              ? "unknown option '" + flag + "'"
              : "unexpected argument '" + flag + "'");
      }
    }
    if (c.url == null) {
      if (c.heartbeatMillis >= 0 || c.payload != null || c.serverTimeoutMillis >= 0) {
        throw new UsageException("--heartbeat, --payload and --server-timeout go with --url;"
            + " the demo uses its own scaled-down clock");
      }
    } else {
      if (c.quick || transportGiven) {
        throw new UsageException("--quick and --transport are for the demo, not with --url");
      }
    }
    return c;
  }

  /**
   * A relative {@code --report} path goes under the sample's {@code target/}: Maven runs the
   * demo in the repository's root, which is no place for a generated file. The demo profile
   * names the directory ({@value #REPORT_DIR_PROPERTY}); otherwise it is {@code target} in the
   * working directory.
   */
  static Path reportPath(String p) {
    Path path = Paths.get(p);
    if (path.isAbsolute()) return path;
    return Paths.get(System.getProperty(REPORT_DIR_PROPERTY, "target")).resolve(path);
  }

  private static String next(String[] args, int i, String flag) throws UsageException {
    if (i >= args.length) throw new UsageException(flag + " needs a value");
    return args[i];
  }

  /** "2", "2.5", "500ms", "2s", "1m" → positive milliseconds. */
  static long time(String flag, String text) throws UsageException {
    String t = text.trim().toLowerCase(Locale.ROOT);
    double factor = 1000;
    if (t.endsWith("ms")) {
      factor = 1;
      t = t.substring(0, t.length() - 2);
    } else if (t.endsWith("s")) {
      t = t.substring(0, t.length() - 1);
    } else if (t.endsWith("m")) {
      factor = 60_000;
      t = t.substring(0, t.length() - 1);
    }
    double v;
    try {
      v = Double.parseDouble(t.trim());
    } catch (NumberFormatException e) {
      throw new UsageException(flag + ": '" + text + "' is not a time (examples: 2, 2.5, 500ms,"
          + " 2s, 1m)");
    }
    if (!(v > 0) || Double.isInfinite(v) || v * factor > Long.MAX_VALUE / 2) {
      throw new UsageException(flag + " must be a positive time, was '" + text + "'");
    }
    long millis = Math.round(v * factor);
    if (millis < 1) throw new UsageException(flag + " is below one millisecond: '" + text + "'");
    return millis;
  }
}
