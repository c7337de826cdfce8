package dev.lifeline.internal.journal;

import dev.lifeline.Message;
import dev.lifeline.StoredMessage;
import java.io.IOException;
import java.nio.charset.Charset;
import java.util.zip.CRC32;
import okio.ByteString;

/**
 * The bytes of an outbox journal, version {@value #VERSION} (the layout is in package-info).
 * Encodes records for {@link FileOutboxStore} and decodes them for {@link JournalReader}.
 * Stateless.
 */
final class JournalFormat {
  /** The first 8 bytes of every journal. */
  static final byte[] MAGIC = {'L', 'L', 'O', 'U', 'T', 'B', 'O', 'X'};
  /** The format this code writes, and the newest it reads. */
  static final int VERSION = 1;
  /** Magic and version. */
  static final int HEADER_BYTES = 12;
  /**
   * Starts every record, so that a reader can find the next record after damage. 0xFF and 0xC1
   * never occur in UTF-8, so the marker cannot appear inside a text payload stored as UTF-8.
   */
  static final int MARKER = 0xFFC14C4A;
  /** Marker, length and CRC around a record's type and body. */
  static final int RECORD_OVERHEAD = 12;
  /**
   * The largest value of a length field (type and body): 64 MiB. A larger one is corruption and
   * is never allocated; a message too large for it is refused by {@code add}.
   */
  static final int MAX_LENGTH = 64 * 1024 * 1024;

  /** A message accepted by {@code send()}. */
  static final byte ADD = 1;
  /** Messages about to be written to the network. */
  static final byte SENDING = 2;
  /** Messages settled. */
  static final byte REMOVE = 3;
  /** The inbound stream position. */
  static final byte POSITION = 4;

  /** ADD flag: marked sending. */
  static final int FLAG_SENDING = 1;
  /** ADD flag: a text message (else binary). */
  static final int FLAG_TEXT = 2;
  /** ADD flag: the text is UTF-16BE (it has an unpaired surrogate), else UTF-8. */
  static final int FLAG_TEXT_UTF16 = 4;
  /** ADD flag: the id is UTF-16BE, else UTF-8. */
  static final int FLAG_ID_UTF16 = 8;
  /** All ADD flags; another bit set is corruption. */
  static final int ADD_FLAGS = 15;
  /** POSITION flag: the position is UTF-16BE, else UTF-8. */
  static final int FLAG_POSITION_UTF16 = 1;
  /** ADD's fixed part: sequence, accepted at, flags, id length. */
  static final int ADD_FIXED = 8 + 8 + 1 + 2;

  /** UTF-8. */
  static final Charset UTF_8 = Charset.forName("UTF-8");

  private JournalFormat() {}

  /** The 12 bytes a journal starts with. */
  static byte[] header() {
    byte[] h = new byte[HEADER_BYTES];
    System.arraycopy(MAGIC, 0, h, 0, MAGIC.length);
    putInt(h, 8, VERSION);
    return h;
  }

  /** An ADD record for {@code m}. */
  static byte[] add(StoredMessage m) throws IOException {
    Message message = m.message();
    String id = message.id();
    boolean idUtf16 = hasUnpairedSurrogate(id);
    byte[] idBytes = encode(id, idUtf16);
    int flags = (m.sending() ? FLAG_SENDING : 0) | (idUtf16 ? FLAG_ID_UTF16 : 0);
    byte[] text = null;
    ByteString binary = null;
    long payloadSize;
    if (message.isText()) {
      String s = message.text();
      boolean utf16 = hasUnpairedSurrogate(s);
      flags |= FLAG_TEXT | (utf16 ? FLAG_TEXT_UTF16 : 0);
      text = encode(s, utf16);
      payloadSize = text.length;
    } else {
      binary = message.bytes();
      payloadSize = binary.size();
    }
    long length = 1L + ADD_FIXED + idBytes.length + payloadSize;
    if (length > MAX_LENGTH) {
      throw new IOException("message of " + payloadSize + " bytes is too large for an outbox"
          + " journal record (at most " + MAX_LENGTH + " bytes with its id)");
    }
    byte[] r = begin(ADD, (int) length);
    int p = 9;
    putLong(r, p, m.sequence());
    putLong(r, p + 8, m.acceptedAtEpochMillis());
    r[p + 16] = (byte) flags;
    r[p + 17] = (byte) (idBytes.length >>> 8);
    r[p + 18] = (byte) idBytes.length;
    p += ADD_FIXED;
    System.arraycopy(idBytes, 0, r, p, idBytes.length);
    p += idBytes.length;
    if (text != null) {
      System.arraycopy(text, 0, r, p, text.length);
    } else {
      binary.copyInto(0, r, p, binary.size());
    }
    return finish(r);
  }

  /** A SENDING or REMOVE record for {@code sequences[from, to)}. */
  static byte[] sequences(byte type, long[] sequences, int from, int to) {
    byte[] r = begin(type, 1 + 8 * (to - from));
    for (int i = from, p = 9; i < to; i++, p += 8) putLong(r, p, sequences[i]);
    return finish(r);
  }

  /** A POSITION record. */
  static byte[] position(String position) throws IOException {
    boolean utf16 = hasUnpairedSurrogate(position);
    byte[] bytes = encode(position, utf16);
    if (bytes.length + 2L > MAX_LENGTH) {
      throw new IOException("stream position of " + position.length()
          + " chars is too large for an outbox journal record (at most " + MAX_LENGTH + " bytes)");
    }
    byte[] r = begin(POSITION, 2 + bytes.length);
    r[9] = (byte) (utf16 ? FLAG_POSITION_UTF16 : 0);
    System.arraycopy(bytes, 0, r, 10, bytes.length);
    return finish(r);
  }

  /** A record's array with its marker, length and type written. */
  private static byte[] begin(byte type, int length) {
    byte[] r = new byte[RECORD_OVERHEAD + length];
    putInt(r, 0, MARKER);
    putInt(r, 4, length);
    r[8] = type;
    return r;
  }

  /** Writes the CRC of the length, type and body into the last 4 bytes. */
  private static byte[] finish(byte[] r) {
    putInt(r, r.length - 4, crc(r, 4, r.length - 8));
    return r;
  }

  /** The CRC32 of {@code count} bytes at {@code offset}. */
  static int crc(byte[] b, int offset, int count) {
    CRC32 crc = new CRC32();
    crc.update(b, offset, count);
    return (int) crc.getValue();
  }

  /** Whether UTF-8 would lose part of {@code s}: it has a surrogate that is not in a pair. */
  static boolean hasUnpairedSurrogate(String s) {
    for (int i = 0, n = s.length(); i < n; i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        return true;
      }
    }
    return false;
  }

  /**
   * {@code s} in UTF-8, or char by char in UTF-16BE: Java's UTF-16 encoder would replace an
   * unpaired surrogate as its UTF-8 encoder does.
   */
  static byte[] encode(String s, boolean utf16) {
    if (!utf16) return s.getBytes(UTF_8);
    byte[] b = new byte[2 * s.length()];
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      b[2 * i] = (byte) (c >>> 8);
      b[2 * i + 1] = (byte) c;
    }
    return b;
  }

  /** The string {@link #encode} wrote into {@code count} bytes at {@code offset}. */
  static String decode(byte[] b, int offset, int count, boolean utf16) {
    if (!utf16) return new String(b, offset, count, UTF_8);
    char[] chars = new char[count / 2];
    for (int i = 0; i < chars.length; i++) {
      chars[i] = (char) ((b[offset + 2 * i] & 0xff) << 8 | (b[offset + 2 * i + 1] & 0xff));
    }
    return new String(chars);
  }

  static void putInt(byte[] b, int p, int v) {
    b[p] = (byte) (v >>> 24);
    b[p + 1] = (byte) (v >>> 16);
    b[p + 2] = (byte) (v >>> 8);
    b[p + 3] = (byte) v;
  }

  static void putLong(byte[] b, int p, long v) {
    putInt(b, p, (int) (v >>> 32));
    putInt(b, p + 4, (int) v);
  }

  static int getInt(byte[] b, int p) {
    return (b[p] & 0xff) << 24 | (b[p + 1] & 0xff) << 16 | (b[p + 2] & 0xff) << 8
        | (b[p + 3] & 0xff);
  }

  static long getLong(byte[] b, int p) {
    return (long) getInt(b, p) << 32 | (getInt(b, p + 4) & 0xffffffffL);
  }
}
