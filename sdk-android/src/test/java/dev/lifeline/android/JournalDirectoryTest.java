package dev.lifeline.android;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import android.app.Application;
import dev.lifeline.Message;
import dev.lifeline.OutboxStore;
import dev.lifeline.StoredMessage;
import java.io.File;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.robolectric.RobolectricTestRunner;
import org.robolectric.RuntimeEnvironment;
import org.robolectric.annotation.Config;

/** The outbox journal's default place on Android: under noBackupFilesDir, out of backups. */
@RunWith(RobolectricTestRunner.class)
@Config(sdk = 34)
public final class JournalDirectoryTest {
  private final Application app = RuntimeEnvironment.getApplication();

  @Test public void aJournalOpensAndRestoresUnderNoBackupFilesDir() throws Exception {
    File dir = LifelineAndroid.journalDirectory(app);
    assertEquals(new File(app.getNoBackupFilesDir(), "lifeline-journal"), dir);
    OutboxStore store = LifelineAndroid.journal(app, "chat");
    assertEquals(0, store.open().messages().size());
    store.add(new StoredMessage(1, Message.text("hello").withId("m1"), 7, false));
    store.close();
    assertTrue(new File(dir, "chat.journal").isFile());
    assertTrue(new File(dir, "chat.journal").getCanonicalPath()
        .startsWith(app.getNoBackupFilesDir().getCanonicalPath() + File.separator));

    OutboxStore again = LifelineAndroid.journal(app, "chat");
    StoredMessage restored = again.open().messages().get(0);
    again.close();
    assertEquals("hello", restored.message().text());
    assertEquals("m1", restored.message().id());
  }
}
