package dev.lifeline.internal.journal;

import dev.lifeline.Message;
import dev.lifeline.OutboxStore;
import dev.lifeline.StoredMessage;
import java.io.File;
import java.nio.file.Files;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import okio.FileSystem;
import okio.Path;

/**
 * Not a test: prints the journal's costs on this machine (add at each level, open of 10,000
 * messages). Run with the test class path: {@code java -cp ... JournalMeasure [dir]}.
 */
public final class JournalMeasure {
  private JournalMeasure() {}

  public static void main(String[] args) throws Exception {
    File root = args.length > 0 ? new File(args[0]) : Files.createTempDirectory("journal").toFile();
    String payload = new String(new char[100]).replace('\0', 'p');
    // add at PROCESS_DEATH, one thread
    for (int round = 0; round < 3; round++) {
      FileOutboxStore s =
          new FileOutboxStore(FileSystem.SYSTEM, Path.get(root), "pd" + round, false);
      s.open();
      int n = 100_000;
      long t0 = System.nanoTime();
      for (int i = 1; i <= n; i++) s.add(new StoredMessage(i, Message.text(payload), i, false));
      long t1 = System.nanoTime();
      s.close();
      System.out.printf("PROCESS_DEATH add: %.2f us/message (%d adds)%n",
          (t1 - t0) / 1000.0 / n, n);
    }
    // add at POWER_LOSS, 1 and 4 threads, 3 s each
    for (int threads : new int[] {1, 4, 1, 4}) {
      FileOutboxStore s = new FileOutboxStore(FileSystem.SYSTEM, Path.get(root), "pl" + threads
          + System.nanoTime(), true);
      s.open();
      long syncs0 = s.syncCount();
      AtomicLong seq = new AtomicLong();
      long deadline = System.nanoTime() + 3_000_000_000L;
      CountDownLatch done = new CountDownLatch(threads);
      long t0 = System.nanoTime();
      for (int t = 0; t < threads; t++) {
        new Thread(() -> {
          try {
            while (System.nanoTime() < deadline) {
              long q = seq.incrementAndGet();
              s.add(new StoredMessage(q, Message.text(payload), q, false));
            }
          } catch (Exception e) {
            e.printStackTrace();
          } finally {
            done.countDown();
          }
        }).start();
      }
      done.await();
      long t1 = System.nanoTime();
      long adds = seq.get();
      long syncs = s.syncCount() - syncs0;
      s.close();
      System.out.printf("POWER_LOSS %d thread(s): %.0f adds/s, %d adds, %d fsyncs, %.0f fsyncs"
          + " per 1,000 adds%n", threads, adds * 1e9 / (t1 - t0), adds, syncs,
          syncs * 1000.0 / adds);
    }
    // a compaction: 1,000 live messages of ~100 bytes behind 1 MiB of removed ones
    for (int round = 0; round < 3; round++) {
      FileOutboxStore c = new FileOutboxStore(FileSystem.SYSTEM, Path.get(root), "compact" + round,
          false);
      c.open();
      long seq = 0;
      for (int i = 0; i < 1000; i++) {
        c.add(new StoredMessage(++seq, Message.text(payload), seq, false));
      }
      File file = new File(root, "compact" + round + ".journal");
      long garbageAdds = 0;
      while (true) {
        c.add(new StoredMessage(++seq, Message.text(payload), seq, false));
        garbageAdds++;
        long before = file.length();
        long t0 = System.nanoTime();
        c.remove(new long[] {seq}); // compacts once removed bytes pass the floor
        long t1 = System.nanoTime();
        if (file.length() < before) {
          System.out.printf("compaction (1,000 live, %d removed, %d bytes before): %.1f ms,"
              + " journal now %d bytes%n", garbageAdds, before, (t1 - t0) / 1e6, file.length());
          break;
        }
      }
      c.close();
    }
    // open of 10,000 messages of ~100 bytes
    FileOutboxStore w = new FileOutboxStore(FileSystem.SYSTEM, Path.get(root), "open", false);
    w.open();
    for (int i = 1; i <= 10_000; i++) w.add(new StoredMessage(i, Message.text(payload), i, false));
    w.close();
    System.out.printf("journal of 10,000 messages: %d bytes%n",
        new File(root, "open.journal").length());
    for (int round = 0; round < 10; round++) {
      FileOutboxStore r = new FileOutboxStore(FileSystem.SYSTEM, Path.get(root), "open", false);
      long t0 = System.nanoTime();
      OutboxStore.Contents c = r.open();
      long t1 = System.nanoTime();
      r.close();
      if (round == 0 || round == 9) {
        System.out.printf("open (round %d): %d messages in %.1f ms%n", round,
            c.messages().size(), (t1 - t0) / 1e6);
      }
    }
    // the same 10,000 restored by newConnection: the store's open plus the engine's work
    dev.lifeline.Lifeline lifeline = dev.lifeline.Lifeline.builder().build();
    try {
      for (int round = 0; round < 10; round++) {
        Files.copy(new File(root, "open.journal").toPath(),
            new File(root, "e2e" + round + ".journal").toPath());
        dev.lifeline.ConnectionOptions options = dev.lifeline.ConnectionOptions
            .builder("ws://127.0.0.1:1/x")
            .outbox(dev.lifeline.OutboxPolicy.builder().maxMessages(10_000)
                .maxBytes(100L * 1024 * 1024).build())
            .outboxStore(new FileOutboxStore(FileSystem.SYSTEM, Path.get(root), "e2e" + round,
                false))
            .build();
        long t0 = System.nanoTime();
        dev.lifeline.Connection c =
            lifeline.newConnection(options, new dev.lifeline.ConnectionListener() {});
        long t1 = System.nanoTime();
        if (round == 0 || round == 9) {
          System.out.printf("newConnection restoring (round %d): %d queued in %.1f ms%n", round,
              c.queuedMessages(), (t1 - t0) / 1e6);
        }
        c.close();
      }
    } finally {
      lifeline.shutdown(5, java.util.concurrent.TimeUnit.SECONDS);
    }
  }
}
