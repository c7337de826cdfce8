/**
 * Not API: the default {@link dev.lifeline.OutboxStore}, an append-only journal file ({@code
 * dev.lifeline.OutboxJournal} makes it). {@link dev.lifeline.internal.journal.FileOutboxStore}
 * is the store; {@code GroupCommit} shares fsyncs at the power-loss level; {@code JournalFormat}
 * encodes records, {@code JournalReader} reads a journal back
 * and {@code JournalLock} keeps a second client out.
 *
 * <p><b>Files</b>, in the journal's directory, for a name {@code N} ({@code [A-Za-z0-9._-]{1,64}}):
 * {@code N.journal} (the journal), {@code N.lock} (locked with {@code FileChannel.tryLock} while a
 * store has the journal open; never deleted), and {@code N.journal.tmp} (a compaction's new
 * journal until it is moved over the old one; one left by a killed compaction is deleted on
 * open).
 *
 * <p><b>Format, version 1.</b> All integers big-endian.
 * <pre>
 * header  "LLOUTBOX" (8 bytes)  version (u32, 1)
 * record  marker (u32 0xFFC14C4A)  length (u32: type + body, 1 .. 64 MiB)  type (u8)  body
 *         crc (u32: CRC32 of length, type and body)
 * ADD      (1) sequence (i64 > 0)  acceptedAtEpochMillis (i64)  flags (u8: 1 sending, 2 text,
 *              4 text is UTF-16BE, 8 id is UTF-16BE)  id length (u16, bytes)  id  payload
 *              (the rest: the bytes, or the text in UTF-8, or UTF-16BE when it has an unpaired
 *              surrogate, which UTF-8 cannot carry; ids likewise, so they survive exactly)
 * SENDING  (2) sequence (i64), one or more
 * REMOVE   (3) sequence (i64), one or more
 * POSITION (4) flags (u8: 1 UTF-16BE)  the position (UTF-8 or UTF-16BE)
 * </pre>
 * What is live is every ADD not followed by a REMOVE of its sequence, SENDING marks applied, in
 * sequence order; the position is the last POSITION's.
 *
 * <p><b>Reading.</b> A record is intact when its marker, a sane length (at least 1, at most 64
 * MiB, within the file: a hostile length is never allocated), its CRC and its body all check. At a
 * record that does not, the reader searches forward, byte by byte, for the next marker that starts
 * an intact record: flipped bytes in the middle lose only the records they touch, and are reported
 * with their offset and size. The marker holds 0xFF and 0xC1, which UTF-8 never contains, so a
 * text payload cannot fake one. Damage that runs to the end of the file is a torn tail (a write
 * cut short): it is reported and cut away, so new records follow the last intact one. An empty
 * file, or one holding only a prefix of the header, is reported (a file system may have truncated
 * it) and started afresh. A header with another magic, or a version newer than this code's, is
 * refused with an exception and the file is not touched.
 *
 * <p><b>Writing.</b> Each record is one positional write at the end of the last intact record,
 * under one lock, so records never interleave. A write that fails is cut back (or overwritten by
 * the next append), so a full disk loses nothing already recorded. At the power-loss level {@code
 * add} and {@code markSending} fsync with group commit; a failed fsync makes the store refuse
 * everything until reopened, as after such a failure the kernel may have dropped the unsynced data.
 *
 * <p><b>Compaction.</b> When removed and damaged bytes exceed both 1 MiB and the live bytes (on
 * {@code remove}, and on open, which also rewrites after damage in the middle), the live records
 * are copied to {@code N.journal.tmp}, a SENDING record and the position follow, the file is
 * fsynced and atomically moved over {@code N.journal}. A crash before the move leaves the old
 * journal intact; the move is atomic; the new journal was complete before it. Java 8 and Android
 * 21 cannot fsync a directory: the move is made durable by an fsync of the moved file, which
 * commits it on ext4 and f2fs.
 */
@NullMarked
package dev.lifeline.internal.journal;

import org.jspecify.annotations.NullMarked;
