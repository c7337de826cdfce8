package dev.lifeline;

import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * Where an adaptive heartbeat ({@link HeartbeatPolicy.Builder#adaptive}) keeps what it learned
 * about a path, so that the next connection over the same endpoint and network starts from it
 * instead of being cut again (docs/behaviour.md, "Adaptive heartbeat").
 *
 * <p>Keys name an endpoint and a network, e.g. {@code "chat.example.com:443|wifi-home"}: the host
 * and port of the URL (never its path, query or user info) and the network key the app or
 * sdk-android gave ({@link EnvironmentSignals#networkChanged(String)}). Values are short opaque
 * strings written by Lifeline, versioned ({@code "v1:…"}); store them as they are. A value that
 * Lifeline cannot read (another version, garbage) is ignored and logged, never trusted.
 *
 * <p><b>Threads.</b> The methods are app code: Lifeline calls them on its hook threads, one at a
 * time per connection, never on the scheduler. A slow store never holds up a connection: until
 * {@link #load} answers, the connection uses the configured interval. An exception thrown here is
 * logged and ignored. A store shared by several clients is called concurrently.
 *
 * <pre>{@code
 * // Android: keep what was learned across app restarts.
 * SharedPreferences prefs = context.getSharedPreferences("lifeline-heartbeat", MODE_PRIVATE);
 * HeartbeatStore store = new HeartbeatStore() {
 *   @Override public String load(String key) { return prefs.getString(key, null); }
 *   @Override public void save(String key, String value) { prefs.edit().putString(key, value).apply(); }
 * };
 * }</pre>
 */
public interface HeartbeatStore {
  /**
   * The value last saved under {@code key}.
   *
   * @param key an endpoint and network, as described above
   * @return the stored value, or null when nothing is stored
   */
  @Nullable String load(String key);

  /**
   * Keeps {@code value} under {@code key}, replacing any earlier value.
   *
   * @param key an endpoint and network, as described above
   * @param value Lifeline's opaque value, to be stored as it is
   */
  void save(String key, String value);

  /**
   * A new, empty store in memory, thread-safe; what a client uses unless told otherwise.
   *
   * @return the store
   */
  static HeartbeatStore inMemory() {
    return new HeartbeatStore() {
      /** Saved values by key. */
      private final ConcurrentHashMap<String, String> values =
          new ConcurrentHashMap<String, String>();

      @Override public @Nullable String load(String key) {
        return values.get(key);
      }

      @Override public void save(String key, String value) {
        values.put(key, value);
      }

      @Override public String toString() {
        return "HeartbeatStore.inMemory(" + values.size() + " entries)";
      }
    };
  }
}
