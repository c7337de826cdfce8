package dev.lifeline.soak;

import java.io.Closeable;
import java.io.File;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

/**
 * A file of lines that a soak child appends to and the test reads afterwards: what the child
 * knows for sure (an id {@code send()} accepted, a message its listener handled, a report it was
 * given). Each line goes to the OS in one {@code write} before {@link #line} returns, so a
 * {@code kill -9} after that keeps it (the page cache outlives the process; only a power loss
 * would need an fsync) and never tears it; the reader ignores a last line without its newline
 * anyway.
 */
final class SideFile implements Closeable {
  /** {@link #lastLine} reads this much of the end: more than any line. */
  private static final int TAIL_BYTES = 256;

  /** Unbuffered: every {@link #line} is one {@code write(2)}. */
  private final FileOutputStream out;

  private SideFile(FileOutputStream out) {
    this.out = out;
  }

  /** Opens {@code file} to append to, creating it. */
  static SideFile append(File file) throws IOException {
    return new SideFile(new FileOutputStream(file, true));
  }

  /** Appends {@code text} and a newline, in one write: in the OS when this returns. */
  synchronized void line(String text) throws IOException {
    out.write((text + "\n").getBytes(StandardCharsets.UTF_8));
  }

  @Override public void close() throws IOException {
    out.close();
  }

  /** The last complete line of {@code file}, or null when it has none: cheap to poll. */
  static String lastLine(File file) throws IOException {
    if (!file.exists()) return null;
    try (RandomAccessFile f = new RandomAccessFile(file, "r")) {
      long length = f.length();
      int n = (int) Math.min(length, TAIL_BYTES);
      byte[] tail = new byte[n];
      f.seek(length - n);
      f.readFully(tail);
      String text = new String(tail, StandardCharsets.UTF_8);
      int end = text.lastIndexOf('\n');
      if (end < 0) return null;
      return text.substring(text.lastIndexOf('\n', end - 1) + 1, end);
    }
  }

  /** The complete lines of {@code file}, or none when it does not exist. */
  static List<String> read(File file) throws IOException {
    List<String> lines = new ArrayList<>();
    if (!file.exists()) return lines;
    String all = new String(Files.readAllBytes(file.toPath()), StandardCharsets.UTF_8);
    int start = 0;
    for (int nl; (nl = all.indexOf('\n', start)) >= 0; start = nl + 1) {
      lines.add(all.substring(start, nl));
    }
    return lines;
  }
}
