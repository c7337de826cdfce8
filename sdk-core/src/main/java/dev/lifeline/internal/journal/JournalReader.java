package dev.lifeline.internal.journal;

import static dev.lifeline.internal.journal.JournalFormat.ADD;
import static dev.lifeline.internal.journal.JournalFormat.ADD_FIXED;
import static dev.lifeline.internal.journal.JournalFormat.ADD_FLAGS;
import static dev.lifeline.internal.journal.JournalFormat.FLAG_ID_UTF16;
import static dev.lifeline.internal.journal.JournalFormat.FLAG_POSITION_UTF16;
import static dev.lifeline.internal.journal.JournalFormat.FLAG_SENDING;
import static dev.lifeline.internal.journal.JournalFormat.FLAG_TEXT;
import static dev.lifeline.internal.journal.JournalFormat.FLAG_TEXT_UTF16;
import static dev.lifeline.internal.journal.JournalFormat.HEADER_BYTES;
import static dev.lifeline.internal.journal.JournalFormat.MAGIC;
import static dev.lifeline.internal.journal.JournalFormat.MARKER;
import static dev.lifeline.internal.journal.JournalFormat.MAX_LENGTH;
import static dev.lifeline.internal.journal.JournalFormat.POSITION;
import static dev.lifeline.internal.journal.JournalFormat.RECORD_OVERHEAD;
import static dev.lifeline.internal.journal.JournalFormat.REMOVE;
import static dev.lifeline.internal.journal.JournalFormat.SENDING;
import static dev.lifeline.internal.journal.JournalFormat.getInt;
import static dev.lifeline.internal.journal.JournalFormat.getLong;

import dev.lifeline.Message;
import dev.lifeline.StoredMessage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import okio.ByteString;
import okio.FileHandle;
import org.jspecify.annotations.Nullable;

/**
 * Reads a whole journal once, in 64 KiB reads through a window that grows only to the largest
 * intact record: what is live, the last position, where the intact part ends and what was
 * damaged. Writes nothing: the store decides what to cut or rewrite. Confined to the opening
 * thread.
 */
final class JournalReader {
  /** Bytes read at a time. */
  static final int CHUNK = 64 * 1024;
  /** Damage descriptions kept in full; the rest are counted. */
  static final int MAX_DAMAGE_LINES = 5;

  /** The journal. */
  private final FileHandle file;
  /** Its path, for messages. */
  private final String path;
  /** Its size when reading began. */
  private final long size;
  /** Bytes of the file from {@link #windowStart}. */
  private byte[] window = new byte[CHUNK];
  /** File offset of {@code window[0]}. */
  private long windowStart;
  /** Valid bytes in {@link #window}. */
  private int windowLength;

  /** Live messages by sequence, with their records. */
  final TreeMap<Long, LiveRecord> live = new TreeMap<Long, LiveRecord>();
  /** Sum of {@link LiveRecord#size} over {@link #live}. */
  long liveBytes;
  /** The last position recorded, or null. */
  @Nullable String position;
  /** Offset after the last intact record (0 when the header itself is missing or cut short). */
  long end;
  /** True when the file has no complete header but is a prefix of one (0 to 11 bytes). */
  boolean headerMissing;
  /** True when damaged bytes lie between intact records: rewriting drops them. */
  boolean middleDamage;
  /** What was damaged, for people. */
  private final List<String> damage = new ArrayList<String>();
  /** Damage descriptions beyond {@link #MAX_DAMAGE_LINES}. */
  private int moreDamage;

  /** The record {@link #recordAt} decoded: its type. */
  private byte type;
  /** The record {@link #recordAt} decoded: an ADD's message. */
  private @Nullable StoredMessage message;
  /** The record {@link #recordAt} decoded: SENDING's or REMOVE's sequences. */
  private long @Nullable [] sequences;
  /** The record {@link #recordAt} decoded: a POSITION. */
  private @Nullable String decodedPosition;

  private JournalReader(FileHandle file, String path, long size) {
    this.file = file;
    this.path = path;
    this.size = size;
  }

  /**
   * Reads {@code file}.
   *
   * @throws IOException when it cannot be read, is not a journal, or has a newer format: the
   *     file is then not to be touched
   */
  static JournalReader read(FileHandle file, String path) throws IOException {
    JournalReader r = new JournalReader(file, path, file.size());
    if (r.readHeader()) r.readRecords();
    return r;
  }

  /** What was damaged, or null when the journal read cleanly. */
  @Nullable String damage() {
    if (damage.isEmpty()) return null;
    StringBuilder s = new StringBuilder("outbox journal ").append(path).append(": ");
    for (int i = 0; i < damage.size(); i++) s.append(i == 0 ? "" : "; ").append(damage.get(i));
    if (moreDamage > 0) s.append("; and ").append(moreDamage).append(" more damaged regions");
    return s.toString();
  }

  private void damaged(String what) {
    if (damage.size() < MAX_DAMAGE_LINES) damage.add(what); else moreDamage++;
  }

  /** True when records follow; false when the file is empty or its header cut short. */
  private boolean readHeader() throws IOException {
    if (size == 0) {
      headerMissing = true;
      damaged("the file is empty (0 bytes): nothing to restore; it may have been truncated by"
          + " the file system");
      return false;
    }
    int n = (int) Math.min(size, HEADER_BYTES);
    if (!ensure(0, n)) throw new IOException("outbox journal " + path + " could not be read");
    for (int i = 0; i < Math.min(n, MAGIC.length); i++) {
      if (window[i] != MAGIC[i]) {
        throw new IOException(path + " is not a Lifeline outbox journal (it starts with "
            + ByteString.of(window, 0, Math.min(n, MAGIC.length)).hex() + ", a journal with "
            + ByteString.of(MAGIC).hex() + "); it was left untouched");
      }
    }
    if (n < HEADER_BYTES) {
      headerMissing = true;
      damaged("the file has only " + n + " bytes of its " + HEADER_BYTES + "-byte header (its"
          + " creation was cut short): nothing to restore");
      return false;
    }
    int version = getInt(window, 8);
    if (version > JournalFormat.VERSION) {
      throw new IOException("outbox journal " + path + " has format version " + version
          + ", newer than the version " + JournalFormat.VERSION + " this Lifeline reads; it was"
          + " left untouched (use a newer Lifeline, or delete it to drop its messages)");
    }
    if (version < 1) {
      throw new IOException("outbox journal " + path + " has format version " + version
          + ", which no Lifeline writes (this one writes " + JournalFormat.VERSION + "); it was"
          + " left untouched");
    }
    end = HEADER_BYTES;
    return true;
  }

  private void readRecords() throws IOException {
    long p = HEADER_BYTES;
    while (p < size) {
      int n = recordAt(p);
      if (n > 0) {
        apply(p, n);
        p += n;
        end = p;
        continue;
      }
      long next = findRecord(p + 1);
      if (next < 0) {
        damaged("the last " + (size - p) + " bytes, from offset " + p + ", were not a complete"
            + " record (a write cut short, or corrupt) and were cut away");
        return;
      }
      damaged((next - p) + " bytes at offset " + p + " failed their checks and were skipped;"
          + " the records after them were restored");
      middleDamage = true;
      p = next;
    }
  }

  /** The offset of the next intact record at or after {@code from}, or -1. */
  private long findRecord(long from) throws IOException {
    for (long q = from; q + RECORD_OVERHEAD + 1 <= size; q++) {
      if (!ensure(q, 4)) return -1;
      if (getInt(window, (int) (q - windowStart)) == MARKER && recordAt(q) > 0) return q;
    }
    return -1;
  }

  /** Decodes the record at {@code p}: its size when intact, else -1. */
  private int recordAt(long p) throws IOException {
    if (p + RECORD_OVERHEAD + 1 > size || !ensure(p, 8)) return -1;
    int i = (int) (p - windowStart);
    if (getInt(window, i) != MARKER) return -1;
    int length = getInt(window, i + 4);
    // A hostile length is corruption, never an allocation: at most MAX_LENGTH, within the file.
    if (length < 1 || length > MAX_LENGTH || p + RECORD_OVERHEAD + length > size) return -1;
    int total = RECORD_OVERHEAD + length;
    if (!ensure(p, total)) return -1;
    i = (int) (p - windowStart);
    if (JournalFormat.crc(window, i + 4, 4 + length) != getInt(window, i + 8 + length)) return -1;
    return decode(window, i + 8, length) ? total : -1;
  }

  /** Decodes type and body; false when they make no sense (a bug or a forged record). */
  private boolean decode(byte[] b, int i, int length) {
    type = b[i];
    int body = i + 1;
    int bodyLength = length - 1;
    message = null;
    sequences = null;
    decodedPosition = null;
    switch (type) {
      case ADD: {
        if (bodyLength < ADD_FIXED) return false;
        long sequence = getLong(b, body);
        long acceptedAt = getLong(b, body + 8);
        int flags = b[body + 16] & 0xff;
        int idLength = (b[body + 17] & 0xff) << 8 | (b[body + 18] & 0xff);
        if (sequence <= 0 || (flags & ~ADD_FLAGS) != 0 || idLength < 1
            || ADD_FIXED + idLength > bodyLength) {
          return false;
        }
        if ((flags & FLAG_TEXT_UTF16) != 0 && (flags & FLAG_TEXT) == 0) return false;
        boolean idUtf16 = (flags & FLAG_ID_UTF16) != 0;
        if (idUtf16 && idLength % 2 != 0) return false;
        String id = JournalFormat.decode(b, body + ADD_FIXED, idLength, idUtf16);
        if (id.length() > Message.MAX_ID_LENGTH) return false;
        int payload = body + ADD_FIXED + idLength;
        int payloadLength = bodyLength - ADD_FIXED - idLength;
        Message m;
        if ((flags & FLAG_TEXT) != 0) {
          boolean utf16 = (flags & FLAG_TEXT_UTF16) != 0;
          if (utf16 && payloadLength % 2 != 0) return false;
          m = Message.text(JournalFormat.decode(b, payload, payloadLength, utf16));
        } else {
          m = Message.binary(ByteString.of(b, payload, payloadLength));
        }
        message = new StoredMessage(sequence, m.withId(id), acceptedAt,
            (flags & FLAG_SENDING) != 0);
        return true;
      }
      case SENDING:
      case REMOVE: {
        if (bodyLength < 8 || bodyLength % 8 != 0) return false;
        long[] s = new long[bodyLength / 8];
        for (int k = 0; k < s.length; k++) s[k] = getLong(b, body + 8 * k);
        sequences = s;
        return true;
      }
      case POSITION: {
        if (bodyLength < 1) return false;
        int flags = b[body] & 0xff;
        if ((flags & ~FLAG_POSITION_UTF16) != 0) return false;
        boolean utf16 = flags != 0;
        if (utf16 && (bodyLength - 1) % 2 != 0) return false;
        decodedPosition = JournalFormat.decode(b, body + 1, bodyLength - 1, utf16);
        return true;
      }
      default:
        return false;
    }
  }

  /** Applies the record {@link #recordAt} just decoded, at {@code p}, {@code n} bytes. */
  private void apply(long p, int n) {
    switch (type) {
      case ADD: {
        StoredMessage m = message;
        if (live.containsKey(m.sequence())) {
          damaged("a second record for sequence " + m.sequence() + " at offset " + p
              + " was ignored");
          middleDamage = true;
          return;
        }
        live.put(m.sequence(), new LiveRecord(p, n, m.sending(), m));
        liveBytes += n;
        return;
      }
      case SENDING:
        for (long s : sequences) {
          LiveRecord r = live.get(s);
          if (r != null) r.sending = true;
        }
        return;
      case REMOVE:
        for (long s : sequences) {
          LiveRecord r = live.remove(s);
          if (r != null) liveBytes -= r.size;
        }
        return;
      default:
        position = decodedPosition;
    }
  }

  /**
   * Makes {@link #window} hold {@code count} bytes from {@code offset}: false when the file ends
   * first. {@code count} is at most a record's size, so the window never outgrows the largest
   * record that passed the length check.
   */
  private boolean ensure(long offset, int count) throws IOException {
    if (offset >= windowStart && offset + count <= windowStart + windowLength) return true;
    if (offset + count > size) return false;
    if (count > window.length) window = new byte[Math.max(count, CHUNK)];
    windowStart = offset;
    windowLength = 0;
    int want = (int) Math.min(window.length, size - offset);
    while (windowLength < want) {
      int read = file.read(offset + windowLength, window, windowLength, want - windowLength);
      if (read < 0) break;
      windowLength += read;
    }
    return windowLength >= count;
  }
}
