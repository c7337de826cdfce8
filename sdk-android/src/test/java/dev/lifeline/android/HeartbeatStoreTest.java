package dev.lifeline.android;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertTrue;

import android.app.Application;
import android.content.Context;
import android.content.ContextWrapper;
import android.content.SharedPreferences;
import dev.lifeline.HeartbeatStore;
import dev.lifeline.Lifeline;
import dev.lifeline.internal.ClientContext;
import java.lang.reflect.Field;
import java.util.concurrent.TimeUnit;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.robolectric.RobolectricTestRunner;
import org.robolectric.RuntimeEnvironment;
import org.robolectric.annotation.Config;

/** What the adaptive heartbeat learned, kept across app restarts in SharedPreferences. */
@RunWith(RobolectricTestRunner.class)
@Config(sdk = {23, 34})
public final class HeartbeatStoreTest {
  private static final String KEY = "chat.example.com:443|wifi:192.168.1.1";

  private final Application app = RuntimeEnvironment.getApplication();

  @Test public void absentKeysLoadAsNull() {
    assertNull(LifelineAndroid.heartbeatStore(app).load(KEY));
  }

  @Test public void aSavedValueSurvivesARestartInItsOwnFile() {
    LifelineAndroid.heartbeatStore(app).save(KEY, "v1:3500");
    // A new store, as after a process restart: the value comes from the file.
    assertEquals("v1:3500", LifelineAndroid.heartbeatStore(app).load(KEY));
    SharedPreferences file =
        app.getSharedPreferences(SharedPreferencesHeartbeatStore.FILE_NAME, Context.MODE_PRIVATE);
    assertEquals("v1:3500", file.getString(KEY, null));
    assertEquals("nothing but the saved key in the file", 1, file.getAll().size());
    assertTrue("not in the app's default preferences",
        app.getSharedPreferences(app.getPackageName() + "_preferences", Context.MODE_PRIVATE)
            .getAll().isEmpty());
  }

  @Test public void aLaterSaveReplacesAndNullRemoves() {
    HeartbeatStore store = LifelineAndroid.heartbeatStore(app);
    store.save(KEY, "v1:3500");
    store.save(KEY, "v1:4200");
    assertEquals("v1:4200", store.load(KEY));
    store.save(KEY, null);
    assertNull(LifelineAndroid.heartbeatStore(app).load(KEY));
  }

  @Test public void anUnusableFileNeverThrowsAndKeepsValuesInMemory() {
    // As before the user unlocks a Direct Boot device: credential storage is unavailable.
    Context locked = new ContextWrapper(app) {
      @Override public Context getApplicationContext() {
        return this;
      }

      @Override public SharedPreferences getSharedPreferences(String name, int mode) {
        throw new IllegalStateException("SharedPreferences in credential encrypted storage are"
            + " not available until after user is unlocked");
      }
    };
    HeartbeatStore store = LifelineAndroid.heartbeatStore(locked);
    assertNull(store.load(KEY));
    store.save(KEY, "v1:3500");
    assertEquals("learned for this process", "v1:3500", store.load(KEY));
  }

  @Test public void aValueOfAnotherTypeReadsAsAbsent() {
    app.getSharedPreferences(SharedPreferencesHeartbeatStore.FILE_NAME, Context.MODE_PRIVATE)
        .edit().putInt(KEY, 3500).commit();
    assertNull(LifelineAndroid.heartbeatStore(app).load(KEY));
  }

  @Test public void lifelineBuilderWithAContextUsesThePreferencesStore() throws Exception {
    Lifeline lifeline = LifelineAndroid.lifelineBuilder(app).build();
    try {
      Field field = Lifeline.class.getDeclaredField("context");
      field.setAccessible(true);
      HeartbeatStore store = ((ClientContext) field.get(lifeline)).heartbeatStore;
      assertSame(SharedPreferencesHeartbeatStore.class, store.getClass());
    } finally {
      lifeline.shutdown(5, TimeUnit.SECONDS);
    }
  }
}
