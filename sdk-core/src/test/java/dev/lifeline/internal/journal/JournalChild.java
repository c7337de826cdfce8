package dev.lifeline.internal.journal;

import dev.lifeline.Message;
import dev.lifeline.OutboxJournal;
import dev.lifeline.OutboxStore;
import dev.lifeline.StoredMessage;
import java.io.File;
import java.io.FileOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A child JVM for the journal's process tests. {@code append DIR SIDE}: adds numbered messages
 * forever at the process-death level, writing each number to SIDE once {@code add} returned.
 * {@code hold DIR}: opens the journal "j", prints "open" and waits to be killed.
 */
public final class JournalChild {
  private JournalChild() {}

  public static void main(String[] args) throws Exception {
    OutboxStore store = OutboxJournal.builder(new File(args[1]), "j").build();
    if (args[0].equals("hold")) {
      store.open();
      System.out.println("open");
      System.out.flush();
      while (true) Thread.sleep(60_000); // killed by the test
    }
    OutboxStore.Contents contents = store.open();
    long next = 1;
    for (StoredMessage m : contents.messages()) next = Math.max(next, m.sequence() + 1);
    try (FileOutputStream side = new FileOutputStream(args[2], true)) {
      System.out.println("appending from " + next);
      System.out.flush();
      for (long n = next; ; n++) {
        store.add(new StoredMessage(n, Message.text("message " + n), n, false));
        side.write((n + "\n").getBytes(StandardCharsets.UTF_8));
        side.flush();
      }
    }
  }
}
