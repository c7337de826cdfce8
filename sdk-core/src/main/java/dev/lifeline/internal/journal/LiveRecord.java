package dev.lifeline.internal.journal;

import dev.lifeline.StoredMessage;
import org.jspecify.annotations.Nullable;

/**
 * Where a live message's ADD record is in the journal file: what compaction copies. Guarded by
 * the store's lock (by the reader's thread while a journal is read).
 */
final class LiveRecord {
  /** Offset of the record's marker in the journal file. */
  long offset;
  /** The record's size in bytes, marker and CRC included. */
  final int size;
  /** Whether a SENDING record (or the ADD itself) marked the message. */
  boolean sending;
  /** The decoded message, kept only while the journal is being opened; null after. */
  @Nullable StoredMessage message;

  LiveRecord(long offset, int size, boolean sending, @Nullable StoredMessage message) {
    this.offset = offset;
    this.size = size;
    this.sending = sending;
    this.message = message;
  }
}
