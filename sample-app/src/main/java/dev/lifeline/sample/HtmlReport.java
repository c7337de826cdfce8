package dev.lifeline.sample;

import dev.lifeline.ConnectionState;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes a run's {@link Timeline} as one self-contained HTML page: summary cards, an SVG timeline
 * chart (state bands, reconnect delays, heartbeats, messages, server and network events, the
 * scenario's faults shaded) and the full event log. No external resources: it opens anywhere.
 */
final class HtmlReport {
  /** One summary card: a label, a value, and whether it is the number that matters. */
  record Card(String label, String value, String note, boolean alarm) {}

  private static final int WIDTH = 1300;
  private static final int LEFT = 150;
  private static final int RIGHT = 30;
  private static final int PLOT = WIDTH - LEFT - RIGHT;

  /** Lane tops and heights. */
  private static final int PHASE_LABEL_Y = 16;
  private static final int STATE_Y = 30;
  private static final int STATE_H = 44;
  private static final int RECONNECT_Y = 86;
  private static final int RECONNECT_H = 64;
  private static final int HEARTBEAT_Y = 162;
  private static final int HEARTBEAT_H = 44;
  private static final int MESSAGE_Y = 218;
  private static final int MESSAGE_H = 44;
  private static final int SERVER_Y = 274;
  private static final int SERVER_H = 36;
  private static final int AXIS_Y = 322;
  private static final int HEIGHT = AXIS_Y + 46;

  private static final Map<ConnectionState.Kind, String> STATE_COLORS = Map.of(
      ConnectionState.Kind.IDLE, "#d0d4da",
      ConnectionState.Kind.CONNECTING, "#f2b134",
      ConnectionState.Kind.CONNECTED, "#2e9d57",
      ConnectionState.Kind.WAITING_TO_RECONNECT, "#e8743b",
      ConnectionState.Kind.PAUSED, "#8a8f98",
      ConnectionState.Kind.CLOSED, "#3b3f46");

  private HtmlReport() {}

  static List<Card> demoSummary(Demo.Result r) {
    List<Card> cards = new ArrayList<>();
    cards.add(new Card("uptime", String.format(Locale.ROOT, "%.1f %%", r.uptimePercent()),
        "connected " + Timeline.seconds(r.connectedMillis()) + " of "
            + Timeline.seconds(r.observedMillis()), false));
    cards.add(new Card("reconnects", Long.toString(r.reconnects()),
        r.reconnectAttempts() + " attempts scheduled", false));
    cards.add(new Card("heartbeats sent", Long.toString(r.heartbeatsSent()),
        r.heartbeatsSkipped() + " skipped, " + r.serverHeartbeats() + " from the server", false));
    cards.add(new Card("zombies caught", Long.toString(r.silencesDetected()),
        "by the server-silence watch", false));
    cards.add(new Card("messages delivered", r.delivered() + " / " + r.sent(),
        r.failed() + " failed and reported", false));
    cards.add(new Card("lost", Long.toString(r.lost()), "sent, never echoed, never reported",
        r.lost() > 0));
    ProcessDeathStage.Outcome d = r.processDeath();
    if (d != null) {
      cards.add(new Card("after kill -9", d.error() != null ? "failed"
          : d.reachedServer() + " / " + d.accepted(), d.error() != null ? d.error()
          : d.restored() + " restored from the journal, " + d.duplicates()
              + " duplicates dropped by id, " + d.lost() + " lost", !d.ok()));
    }
    return cards;
  }

  static List<Card> externalSummary(Timeline t, ConnectionLog log, ChatLedger ledger) {
    long observed = t.observedMillis();
    long connected = t.timeIn(ConnectionState.Kind.CONNECTED);
    List<Card> cards = new ArrayList<>();
    cards.add(new Card("uptime", String.format(Locale.ROOT, "%.1f %%",
        observed == 0 ? 0.0 : 100.0 * connected / observed), "connected "
        + Timeline.seconds(connected) + " of " + Timeline.seconds(observed), false));
    cards.add(new Card("reconnects", Long.toString(Math.max(0, log.connects.get() - 1)),
        log.reconnectsScheduled.get() + " attempts scheduled", false));
    cards.add(new Card("heartbeats sent", Long.toString(log.heartbeatsSent.get()),
        log.heartbeatsSkipped.get() + " skipped", false));
    cards.add(new Card("messages sent", Long.toString(ledger.sent()),
        ledger.failed() + " failed and reported", false));
    return cards;
  }

  static void write(Path file, Timeline timeline, List<Card> cards, String title)
      throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) Files.createDirectories(parent);
    Files.write(file, render(timeline, cards, title).getBytes(StandardCharsets.UTF_8));
  }

  static String render(Timeline timeline, List<Card> cards, String title) {
    StringBuilder h = new StringBuilder(64 * 1024);
    h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
        .append("<title>").append(esc(title)).append("</title>\n<style>\n").append(CSS)
        .append("</style></head><body>\n");
    h.append("<h1>").append(esc(title)).append("</h1>\n");
    h.append("<p class=\"sub\">One Lifeline connection over time. Hover over any mark for details."
        + " Shaded columns are the faults the scenario induced.</p>\n");
    h.append("<div class=\"cards\">\n");
    for (Card c : cards) {
      h.append("<div class=\"card").append(c.alarm() ? " alarm" : "").append("\"><div class=\"v\">")
          .append(esc(c.value())).append("</div><div class=\"l\">").append(esc(c.label()))
          .append("</div><div class=\"n\">").append(esc(c.note())).append("</div></div>\n");
    }
    h.append("</div>\n<div class=\"chart\">\n");
    svg(h, timeline);
    h.append("</div>\n");
    legend(h);
    eventLog(h, timeline);
    h.append("</body></html>\n");
    return h.toString();
  }

  private static void svg(StringBuilder h, Timeline t) {
    long end = Math.max(1_000, t.endMillis());
    Scale x = new Scale(end);
    h.append("<svg viewBox=\"0 0 ").append(WIDTH).append(' ').append(HEIGHT)
        .append("\" width=\"100%\" role=\"img\" aria-label=\"connection timeline\""
            + " font-family=\"system-ui, sans-serif\" font-size=\"12\">\n");

    h.append("<defs><pattern id=\"halfopen\" width=\"8\" height=\"8\""
        + " patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">"
        + "<rect width=\"4\" height=\"8\" fill=\"#1d2330\" opacity=\"0.45\"/></pattern></defs>\n");

    // Time grid first, everything else on top.
    long step = tickStep(end);
    for (long ms = 0; ms <= end; ms += step) {
      double px = x.at(ms);
      h.append(String.format(Locale.ROOT,
          "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" class=\"grid\"/>\n",
          px, STATE_Y - 6, px, AXIS_Y));
    }

    // Faults the scenario induced: shaded columns across every lane.
    for (Timeline.Phase p : t.phases()) {
      double x0 = x.at(p.startMillis());
      double x1 = x.at(p.endMillis() < 0 ? end : p.endMillis());
      h.append(String.format(Locale.ROOT,
          "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" class=\"phase\"><title>%s: %s → %s"
              + "</title></rect>\n",
          x0, STATE_Y - 8, Math.max(1, x1 - x0), AXIS_Y - STATE_Y + 8, esc(p.name()),
          Timeline.clock(p.startMillis()), Timeline.clock(p.endMillis() < 0 ? end : p.endMillis())));
      h.append(String.format(Locale.ROOT,
          "<text x=\"%.1f\" y=\"%d\" class=\"phaselabel\">%s</text>\n", x0 + 3, PHASE_LABEL_Y,
          esc(p.name())));
    }

    laneLabel(h, "connection", STATE_Y, STATE_H);
    laneLabel(h, "reconnects", RECONNECT_Y, RECONNECT_H);
    laneLabel(h, "heartbeats", HEARTBEAT_Y, HEARTBEAT_H);
    laneLabel(h, "messages", MESSAGE_Y, MESSAGE_H);
    laneLabel(h, "server / network", SERVER_Y, SERVER_H);

    // State bands.
    for (Timeline.Band b : t.bands()) {
      double x0 = x.at(b.startMillis());
      double x1 = x.at(b.endMillis() < 0 ? end : b.endMillis());
      h.append(String.format(Locale.ROOT,
          "<rect x=\"%.1f\" y=\"%d\" width=\"%.2f\" height=\"%d\" fill=\"%s\"><title>%s → %s  %s"
              + "</title></rect>\n",
          x0, STATE_Y, Math.max(0.8, x1 - x0), STATE_H, STATE_COLORS.get(b.kind()),
          Timeline.clock(b.startMillis()),
          Timeline.clock(b.endMillis() < 0 ? end : b.endMillis()), esc(b.label())));
      if (x1 - x0 > 70 && b.kind() == ConnectionState.Kind.CONNECTED) {
        h.append(String.format(Locale.ROOT,
            "<text x=\"%.1f\" y=\"%d\" class=\"bandlabel\">connected</text>\n", x0 + 6,
            STATE_Y + STATE_H / 2 + 4));
      } else if (x1 - x0 > 50 && b.kind() == ConnectionState.Kind.PAUSED) {
        h.append(String.format(Locale.ROOT,
            "<text x=\"%.1f\" y=\"%d\" class=\"bandlabel\">paused</text>\n", x0 + 6,
            STATE_Y + STATE_H / 2 + 4));
      }
    }

    // Half-open stretches: the state says connected, but nothing gets through. They end when the
    // client drops the connection.
    List<Timeline.Event> events = t.events();
    for (int i = 0; i < events.size(); i++) {
      Timeline.Event e = events.get(i);
      if (e.type() != Timeline.Type.NETWORK || !e.text().contains("half-open")) continue;
      long until = end;
      for (int j = i + 1; j < events.size(); j++) {
        if (events.get(j).type() == Timeline.Type.DISCONNECTED) {
          until = events.get(j).atMillis();
          break;
        }
      }
      double x0 = x.at(e.atMillis());
      double x1 = x.at(until);
      h.append(String.format(Locale.ROOT,
          "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"url(#halfopen)\">"
              + "<title>%s → %s  half-open: looks connected, nothing gets through</title></rect>\n",
          x0, STATE_Y, Math.max(1, x1 - x0), STATE_H, Timeline.clock(e.atMillis()),
          Timeline.clock(until)));
    }

    // Reconnects: a marker when scheduled and a bracket as long as the jittered delay.
    int row = 0;
    double lastLabelEnd = -1;
    for (Timeline.Event e : t.events()) {
      if (e.type() != Timeline.Type.RECONNECT_SCHEDULED) continue;
      double x0 = x.at(e.atMillis());
      double x1 = x.at(e.atMillis() + e.value());
      String label = (e.attempt() > 0 ? "#" + e.attempt() + " " : "") + Timeline.seconds(e.value());
      row = x0 < lastLabelEnd ? (row + 1) % 3 : 0;
      int y = RECONNECT_Y + 14 + row * 20;
      lastLabelEnd = Math.max(lastLabelEnd, x0 + 8 + label.length() * 6.3);
      h.append("<g class=\"rc\"><title>").append(esc(Timeline.clock(e.atMillis()) + "  "
          + e.text())).append("</title>");
      h.append(String.format(Locale.ROOT,
          "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" class=\"rcline\"/>"
              + "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" class=\"rcline\"/>"
              + "<circle cx=\"%.1f\" cy=\"%d\" r=\"4\" class=\"rcdot\"/>"
              + "<text x=\"%.1f\" y=\"%d\" class=\"rclabel\">%s</text></g>\n",
          x0, y + 6, x1, y + 6, x1, y + 1, x1, y + 11, x0, y + 6, x0 + 6, y + 1, esc(label)));
    }

    // Heartbeats: client beats sent (tall), skipped (short, hollow), server beats (lower half).
    for (Timeline.Event e : t.events()) {
      double px = x.at(e.atMillis());
      switch (e.type()) {
        case HEARTBEAT_SENT:
          h.append(String.format(Locale.ROOT,
              "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" class=\"hb\"><title>%s %s</title>"
                  + "</line>\n", px, HEARTBEAT_Y, px, HEARTBEAT_Y + 22,
              Timeline.clock(e.atMillis()), esc(e.text())));
          break;
        case HEARTBEAT_SKIPPED:
          h.append(String.format(Locale.ROOT,
              "<circle cx=\"%.1f\" cy=\"%d\" r=\"3\" class=\"hbskip\"><title>%s %s</title>"
                  + "</circle>\n", px, HEARTBEAT_Y + 11, Timeline.clock(e.atMillis()),
              esc(e.text())));
          break;
        case SERVER_HEARTBEAT:
          h.append(String.format(Locale.ROOT,
              "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" class=\"shb\"><title>%s %s"
                  + "</title></line>\n", px, HEARTBEAT_Y + 28, px, HEARTBEAT_Y + HEARTBEAT_H,
              Timeline.clock(e.atMillis()), esc(e.text())));
          break;
        case HEARTBEAT_INTERVAL:
          // The adaptive heartbeat changed its interval: a marker across the lane, the new value.
          h.append(String.format(Locale.ROOT,
              "<g class=\"hbint\"><title>%s %s</title><line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\""
                  + " y2=\"%d\" class=\"hbintline\"/><text x=\"%.1f\" y=\"%d\""
                  + " class=\"hbintlabel\">%s</text></g>\n",
              Timeline.clock(e.atMillis()), esc(e.text()), px, HEARTBEAT_Y - 4, px,
              HEARTBEAT_Y + HEARTBEAT_H, px + 4, HEARTBEAT_Y + 36,
              esc("→ " + Timeline.seconds(e.value()))));
          break;
        case SILENCE_DETECTED:
          h.append(String.format(Locale.ROOT,
              "<g><title>%s %s</title><path d=\"M%.1f %d l7 12 h-14 z\" class=\"silence\"/>"
                  + "<text x=\"%.1f\" y=\"%d\" class=\"silencelabel\">silence</text></g>\n",
              Timeline.clock(e.atMillis()), esc(e.text()), px, HEARTBEAT_Y + 2, px + 9,
              HEARTBEAT_Y + 13));
          break;
        default:
          break;
      }
    }

    // Messages: a triangle when sent, a dot when the echo came back, joined by the wait.
    Map<String, Long> sentAt = new HashMap<>();
    for (Timeline.Event e : t.events()) {
      if (e.type() == Timeline.Type.CHAT_SENT) sentAt.put(quoted(e.text()), e.atMillis());
    }
    int my = MESSAGE_Y + MESSAGE_H / 2;
    for (Timeline.Event e : t.events()) {
      double px = x.at(e.atMillis());
      if (e.type() == Timeline.Type.CHAT_SENT) {
        h.append(String.format(Locale.ROOT,
            "<path d=\"M%.1f %d l5 9 h-10 z\" class=\"sent\"><title>%s %s</title></path>\n",
            px, my - 14, Timeline.clock(e.atMillis()), esc(e.text())));
      } else if (e.type() == Timeline.Type.CHAT_ECHOED) {
        Long from = sentAt.get(quoted(e.text()));
        if (from != null) {
          h.append(String.format(Locale.ROOT,
              "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" class=\"wait\"/>\n",
              x.at(from), my - 3, px, my + 6));
        }
        h.append(String.format(Locale.ROOT,
            "<circle cx=\"%.1f\" cy=\"%d\" r=\"3.5\" class=\"echo\"><title>%s %s</title>"
                + "</circle>\n", px, my + 8, Timeline.clock(e.atMillis()), esc(e.text())));
      } else if (e.type() == Timeline.Type.SEND_FAILED) {
        h.append(String.format(Locale.ROOT,
            "<text x=\"%.1f\" y=\"%d\" class=\"fail\">✕<title>%s %s</title></text>\n",
            px - 4, my + 5, Timeline.clock(e.atMillis()), esc(e.text())));
      }
    }

    // Server and network events.
    for (Timeline.Event e : t.events()) {
      double px = x.at(e.atMillis());
      String cls;
      if (e.type() == Timeline.Type.SERVER) {
        cls = e.text().startsWith("closing connection") ? "srvclose"
            : e.text().startsWith("stopping") || e.text().startsWith("listening") ? "srvlife"
            : "srv";
      } else if (e.type() == Timeline.Type.NETWORK || e.type() == Timeline.Type.SIGNAL) {
        cls = "net";
      } else {
        continue;
      }
      int y = e.type() == Timeline.Type.SERVER ? SERVER_Y + 8 : SERVER_Y + 26;
      h.append(String.format(Locale.ROOT,
          "<rect x=\"%.1f\" y=\"%d\" width=\"6\" height=\"6\" class=\"%s\" transform=\"rotate(45 "
              + "%.1f %d)\"><title>%s %s</title></rect>\n",
          px - 3, y - 3, cls, px, y, Timeline.clock(e.atMillis()), esc(e.text())));
    }

    // Time axis.
    h.append(String.format(Locale.ROOT,
        "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" class=\"axis\"/>\n", LEFT, AXIS_Y,
        LEFT + PLOT, AXIS_Y));
    for (long ms = 0; ms <= end; ms += step) {
      double px = x.at(ms);
      h.append(String.format(Locale.ROOT,
          "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" class=\"axis\"/>"
              + "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" class=\"tick\">%d s</text>\n",
          px, AXIS_Y, px, AXIS_Y + 5, px, AXIS_Y + 18, ms / 1000));
    }
    h.append(String.format(Locale.ROOT,
        "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" class=\"axistitle\">seconds since start"
            + "</text>\n", LEFT + PLOT / 2, AXIS_Y + 38));
    h.append("</svg>\n");
  }

  private static void laneLabel(StringBuilder h, String name, int y, int height) {
    h.append(String.format(Locale.ROOT,
        "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" class=\"lane\">%s</text>\n"
            + "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" class=\"lanesep\"/>\n",
        LEFT - 10, y + height / 2 + 4, esc(name), LEFT, y + height + 5, LEFT + PLOT,
        y + height + 5));
  }

  private static void legend(StringBuilder h) {
    h.append("<div class=\"legend\">\n");
    swatch(h, "#2e9d57", "connected");
    swatch(h, "#f2b134", "connecting");
    swatch(h, "#e8743b", "waiting to reconnect");
    swatch(h, "#8a8f98", "paused (network down)");
    swatch(h, "#3b3f46", "closed");
    h.append("<span><svg width=\"22\" height=\"12\"><rect width=\"22\" height=\"12\""
        + " fill=\"#2e9d57\"/><rect width=\"22\" height=\"12\" fill=\"url(#halfopen)\"/></svg>"
        + "half-open: looks connected, nothing gets through</span>\n");
    h.append("<span><svg width=\"34\" height=\"14\"><line x1=\"4\" y1=\"7\" x2=\"30\" y2=\"7\""
        + " class=\"rcline\"/><line x1=\"30\" y1=\"2\" x2=\"30\" y2=\"12\" class=\"rcline\"/>"
        + "<circle cx=\"4\" cy=\"7\" r=\"4\" class=\"rcdot\"/></svg>reconnect scheduled:"
        + " attempt and jittered delay</span>\n");
    h.append("<span><svg width=\"12\" height=\"16\"><line x1=\"6\" y1=\"0\" x2=\"6\" y2=\"16\""
        + " class=\"hb\"/></svg>client heartbeat sent</span>\n");
    h.append("<span><svg width=\"12\" height=\"16\"><circle cx=\"6\" cy=\"8\" r=\"3\""
        + " class=\"hbskip\"/></svg>heartbeat skipped (other traffic)</span>\n");
    h.append("<span><svg width=\"12\" height=\"16\"><line x1=\"6\" y1=\"2\" x2=\"6\" y2=\"14\""
        + " class=\"shb\"/></svg>server heartbeat received</span>\n");
    h.append("<span><svg width=\"12\" height=\"16\"><line x1=\"6\" y1=\"0\" x2=\"6\" y2=\"16\""
        + " class=\"hbintline\"/></svg>adaptive heartbeat interval changed (→ new interval)</span>\n");
    h.append("<span><svg width=\"16\" height=\"16\"><path d=\"M8 2 l7 12 h-14 z\""
        + " class=\"silence\"/></svg>server silence detected</span>\n");
    h.append("<span><svg width=\"40\" height=\"16\"><path d=\"M6 1 l5 9 h-10 z\" class=\"sent\"/>"
        + "<line x1=\"6\" y1=\"8\" x2=\"32\" y2=\"12\" class=\"wait\"/><circle cx=\"33\" cy=\"12\""
        + " r=\"3.5\" class=\"echo\"/></svg>message sent … echo received</span>\n");
    h.append("<span><svg width=\"14\" height=\"14\"><rect x=\"4\" y=\"4\" width=\"6\" height=\"6\""
        + " class=\"srvclose\" transform=\"rotate(45 7 7)\"/></svg>server closed a silent"
        + " connection</span>\n");
    h.append("<span><svg width=\"14\" height=\"14\"><rect x=\"4\" y=\"4\" width=\"6\" height=\"6\""
        + " class=\"net\" transform=\"rotate(45 7 7)\"/></svg>network event / signal</span>\n");
    h.append("<span><i class=\"sw phaseSw\"></i>induced fault</span>\n");
    h.append("</div>\n");
  }

  private static void swatch(StringBuilder h, String color, String label) {
    h.append("<span><i class=\"sw\" style=\"background:").append(color).append("\"></i>")
        .append(esc(label)).append("</span>\n");
  }

  private static void eventLog(StringBuilder h, Timeline t) {
    h.append("<details><summary>Event log (").append(t.events().size())
        .append(" events)</summary>\n<table><tr><th>time</th><th>who</th><th>what</th></tr>\n");
    for (Timeline.Event e : t.events()) {
      h.append("<tr class=\"").append(e.type().name().toLowerCase(Locale.ROOT)).append("\"><td>")
          .append(Timeline.clock(e.atMillis())).append("</td><td>").append(esc(e.source()))
          .append("</td><td>").append(esc(e.text())).append("</td></tr>\n");
    }
    h.append("</table></details>\n");
  }

  /** The text between the first and the last double quote: a chat message in a log line. */
  private static String quoted(String text) {
    int a = text.indexOf('"');
    int b = text.lastIndexOf('"');
    return a >= 0 && b > a ? text.substring(a + 1, b) : text;
  }

  /** A round step giving at most about 15 ticks. */
  static long tickStep(long endMillis) {
    long[] steps = {1_000, 2_000, 5_000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000,
        600_000, 1_800_000, 3_600_000};
    for (long s : steps) {
      if (endMillis / s <= 15) return s;
    }
    return 7_200_000;
  }

  static String esc(String s) {
    StringBuilder b = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '<': b.append("&lt;"); break;
        case '>': b.append("&gt;"); break;
        case '&': b.append("&amp;"); break;
        case '"': b.append("&quot;"); break;
        default: b.append(c);
      }
    }
    return b.toString();
  }

  /** Time → x. */
  private static final class Scale {
    private final long end;

    Scale(long end) {
      this.end = end;
    }

    double at(long millis) {
      return LEFT + PLOT * (Math.min(Math.max(millis, 0), end) / (double) end);
    }
  }

  private static final String CSS = String.join("\n",
      "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:24px;color:#1d2330;"
          + "background:#f7f8fa}",
      "h1{font-size:22px;margin:0 0 4px}",
      ".sub{color:#5b6270;margin:0 0 16px}",
      ".cards{display:flex;flex-wrap:wrap;gap:12px;margin-bottom:16px}",
      ".card{background:#fff;border:1px solid #dde1e7;border-radius:8px;padding:10px 16px;"
          + "min-width:140px}",
      ".card .v{font-size:26px;font-weight:600}",
      ".card .l{font-size:13px;color:#3b4250;text-transform:uppercase;letter-spacing:.04em}",
      ".card .n{font-size:12px;color:#6b7280}",
      ".card.alarm{border-color:#d33;background:#fff0f0}",
      ".card.alarm .v{color:#c62828}",
      ".chart{background:#fff;border:1px solid #dde1e7;border-radius:8px;padding:8px}",
      ".grid{stroke:#eceef2;stroke-width:1}",
      ".phase{fill:#fde2e2;opacity:.7}",
      ".phaselabel{fill:#b3261e;font-weight:600;font-size:12px}",
      ".lane{fill:#3b4250;font-weight:600}",
      ".lanesep{stroke:#e3e6eb}",
      ".bandlabel{fill:#fff;font-size:12px;font-weight:600;pointer-events:none}",
      ".rcline{stroke:#c2410c;stroke-width:2}",
      ".rcdot{fill:#c2410c}",
      ".rclabel{fill:#7c2d12;font-size:11px}",
      ".hb{stroke:#d62f5b;stroke-width:2}",
      ".hbskip{fill:none;stroke:#9aa1ad;stroke-width:1.5}",
      ".shb{stroke:#2f6fd6;stroke-width:1.5}",
      ".silence{fill:#111}",
      ".hbintline{stroke:#7b2cbf;stroke-width:2;stroke-dasharray:4 2}",
      ".hbintlabel{fill:#7b2cbf;font-size:11px;font-weight:600}",
      ".silencelabel{font-size:11px;font-weight:600}",
      ".sent{fill:#5b3fd6}",
      ".echo{fill:#2e9d57}",
      ".wait{stroke:#a99de8;stroke-width:1.5}",
      ".fail{fill:#c62828;font-weight:700}",
      ".srv{fill:#6b7280}",
      ".srvlife{fill:#111}",
      ".srvclose{fill:#c62828}",
      ".net{fill:#2f6fd6}",
      ".axis{stroke:#3b4250}",
      ".tick{fill:#3b4250;font-size:11px}",
      ".axistitle{fill:#3b4250;font-size:12px}",
      ".legend{display:flex;flex-wrap:wrap;gap:6px 18px;margin:12px 0 20px;font-size:13px;"
          + "align-items:center}",
      ".legend span{display:inline-flex;align-items:center;gap:6px}",
      ".sw{display:inline-block;width:22px;height:12px;border-radius:2px}",
      ".phaseSw{background:#fde2e2;border:1px solid #f3b4b4}",
      "details{background:#fff;border:1px solid #dde1e7;border-radius:8px;padding:8px 12px}",
      "summary{cursor:pointer;font-weight:600}",
      "table{border-collapse:collapse;font-size:12px;margin-top:8px;width:100%}",
      "td,th{text-align:left;padding:2px 10px 2px 0;vertical-align:top}",
      "td:first-child{font-variant-numeric:tabular-nums;white-space:nowrap;color:#5b6270}",
      "tr.scenario td{font-weight:600;padding-top:8px}",
      "tr.disconnected td,tr.silence_detected td{color:#b3261e}",
      "tr.heartbeat_interval td{color:#7b2cbf;font-weight:600}",
      "");
}
