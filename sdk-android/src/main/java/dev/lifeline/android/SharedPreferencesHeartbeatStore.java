package dev.lifeline.android;

import android.content.Context;
import android.content.SharedPreferences;
import dev.lifeline.HeartbeatStore;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keeps what the adaptive heartbeat learned (per endpoint and network) in the app's own
 * SharedPreferences file {@value #FILE_NAME}, so that a restarted app starts from the interval
 * that survived last time instead of being cut again while it relearns the path's idle limit
 * (docs/behaviour.md, "Adaptive heartbeat"). Get one with {@link
 * LifelineAndroid#heartbeatStore(android.content.Context)}.
 *
 * <p>Never throws: Lifeline calls it from its hook threads and only logs what a store throws, and
 * a failing store must not cost the learning of the running process. So every value is also kept
 * in memory: when the file cannot be used (before the user unlocks a Direct Boot device, a full
 * disk, a key written with another type by foreign code), the store behaves like {@link
 * HeartbeatStore#inMemory()} for that key. Saves use {@code apply()}, which updates the file's
 * in-memory copy at once and writes to disk in the background; {@code commit()} would block the
 * calling thread on the disk.
 *
 * <p>The file is opened on first use, not at construction: the first {@code
 * getSharedPreferences} reads the file from disk, and construction happens in {@code
 * Application.onCreate()} on the main thread. Thread-safe.
 */
final class SharedPreferencesHeartbeatStore implements HeartbeatStore {
  /** The preferences file, private to the app; only this store writes it. */
  static final String FILE_NAME = "dev.lifeline.heartbeat";

  /** The application context (an activity's would be leaked). */
  private final Context context;
  /** Every value saved through this store, by key: the answer when the file cannot be read. */
  private final ConcurrentHashMap<String, String> memory = new ConcurrentHashMap<String, String>();

  SharedPreferencesHeartbeatStore(Context context) {
    Context app = context.getApplicationContext();
    this.context = app != null ? app : context;
  }

  @Override public String load(String key) {
    if (key == null) return null;
    try {
      // The file first: it is shared by every store of the app (one per client).
      return preferences().getString(key, null);
    } catch (RuntimeException unreadable) {
      // IllegalStateException (credential storage locked), ClassCastException (not a string):
      // what this process saved, or nothing (the configured interval; learning starts over).
      return memory.get(key);
    }
  }

  @Override public void save(String key, String value) {
    if (key == null) return;
    if (value == null) {
      memory.remove(key);
    } else {
      memory.put(key, value);
    }
    try {
      SharedPreferences.Editor editor = preferences().edit();
      if (value == null) {
        editor.remove(key);
      } else {
        editor.putString(key, value);
      }
      editor.apply();
    } catch (RuntimeException unwritable) {
      // Kept in memory above: learned for this process, relearned after a restart.
    }
  }

  private SharedPreferences preferences() {
    // Cached by the framework after the first call: cheap from then on.
    return context.getSharedPreferences(FILE_NAME, Context.MODE_PRIVATE);
  }

  @Override public String toString() {
    return "SharedPreferencesHeartbeatStore(" + FILE_NAME + ")";
  }
}
