package dev.lifeline.sample.android;

import android.app.Application;
import android.content.pm.ApplicationInfo;
import android.content.pm.PackageManager;
import android.os.Bundle;
import dev.lifeline.Connection;
import dev.lifeline.ConnectionOptions;
import dev.lifeline.Lifeline;
import dev.lifeline.android.AndroidEnvironment;
import dev.lifeline.android.LifelineAndroid;

/**
 * Owns the app's one {@link Lifeline} client and its one {@link Connection}, for the whole
 * process: connections outlive activities, so they belong here, not in an Activity. The
 * integration itself is the two lines marked below; everything else is the sample's display.
 *
 * <p>The server comes from the manifest's {@value #SERVER_URL_META_DATA} meta-data, so a Gradle
 * user points the sample at a real server without touching code (a {@code manifestPlaceholders}
 * entry works too). Without it, {@link #DEFAULT_SERVER_URL}.
 */
public class SampleApplication extends Application {
  /** Where the sample connects when the manifest names no server: unreachable on purpose. */
  public static final String DEFAULT_SERVER_URL = "wss://echo.example.invalid/socket";
  /** The {@code <meta-data>} name under {@code <application>} holding the server's URL. */
  public static final String SERVER_URL_META_DATA = "dev.lifeline.sample.android.SERVER_URL";
  /** Lifeline's and the watchers' logcat tag. */
  static final String LOG_TAG = "LifelineSample";

  /** What the connection is doing, for {@link MainActivity}. Main thread only. */
  private final ConnectionStatus status = new ConnectionStatus(LifelineAndroid.mainThreadExecutor());
  /** Created in {@link #onCreate()}. */
  private Lifeline lifeline;
  /** The Android signal sources feeding {@link #lifeline}. */
  private AndroidEnvironment environment;
  /** The one connection; lives as long as the process. */
  private Connection connection;
  /** Where {@link #connection} goes. */
  private String serverUrl;

  @Override public void onCreate() {
    super.onCreate();
    // The integration: Android defaults (sleep-counting clock, main-thread callbacks), then
    // network, screen, Doze and activity lifecycle fed into the client's signals.
    lifeline = lifelineBuilder().logger(LifelineAndroid.logcat(LOG_TAG)).build();
    environment = LifelineAndroid.attach(this, lifeline);

    serverUrl = serverUrl();
    connection = lifeline.newConnection(
        ConnectionOptions.builder(serverUrl).eventListener(status.eventListener()).build(),
        status.connectionListener());
    connection.connect();
  }

  /**
   * The client's builder: {@link LifelineAndroid#lifelineBuilder()}. A hook for the Robolectric
   * test, which only swaps in a scheduler on Robolectric's clock; a real app inlines the call.
   */
  protected Lifeline.Builder lifelineBuilder() {
    return LifelineAndroid.lifelineBuilder();
  }

  /**
   * The manifest's {@value #SERVER_URL_META_DATA}, else {@link #DEFAULT_SERVER_URL}. A hook for
   * the Robolectric test, which connects to a server on 127.0.0.1.
   */
  @SuppressWarnings("deprecation") // The ApplicationInfoFlags overload is API 33+; this is 21+.
  protected String serverUrl() {
    try {
      ApplicationInfo info = getPackageManager()
          .getApplicationInfo(getPackageName(), PackageManager.GET_META_DATA);
      Bundle metaData = info.metaData;
      String url = metaData != null ? metaData.getString(SERVER_URL_META_DATA) : null;
      return url != null && !url.isEmpty() ? url : DEFAULT_SERVER_URL;
    } catch (PackageManager.NameNotFoundException e) {
      return DEFAULT_SERVER_URL; // Our own package: cannot happen outside odd test setups.
    }
  }

  /** The app's connection. */
  public Connection connection() {
    return connection;
  }

  /** Where {@link #connection()} connects: the manifest's URL, or the default. */
  public String connectionUrl() {
    return serverUrl;
  }

  /** The Android signal sources; {@code detach()} them only when dropping the client. */
  public AndroidEnvironment environment() {
    return environment;
  }

  /** The client, e.g. to {@link Lifeline#shutdown} it in a test. */
  public Lifeline lifeline() {
    return lifeline;
  }

  /** What the connection is doing, as the screen shows it. Main thread only. */
  ConnectionStatus status() {
    return status;
  }
}
