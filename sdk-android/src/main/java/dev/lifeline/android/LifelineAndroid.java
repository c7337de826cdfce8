package dev.lifeline.android;

import android.app.Application;
import android.app.Notification;
import android.content.Context;
import android.net.ConnectivityManager;
import android.os.Handler;
import android.os.Looper;
import android.os.PowerManager;
import android.telephony.TelephonyManager;
import dev.lifeline.Clock;
import dev.lifeline.EnvironmentSignals;
import dev.lifeline.HeartbeatStore;
import dev.lifeline.Lifeline;
import dev.lifeline.Logger;
import dev.lifeline.OutboxJournal;
import dev.lifeline.OutboxStore;
import dev.lifeline.Subscription;
import java.io.File;
import java.util.concurrent.Executor;

/**
 * Lifeline on Android, in two calls from {@code Application.onCreate()}:
 *
 * <pre>{@code
 * public final class App extends Application {
 *   Lifeline lifeline;
 *
 *   @Override public void onCreate() {
 *     super.onCreate();
 *     lifeline = LifelineAndroid.lifelineBuilder(this).build(); // sleep-aware clock, main-thread
 *                                                               // callbacks, heartbeat store
 *     LifelineAndroid.attach(this, lifeline);                   // network, screen, Doze, lifecycle
 *   }
 * }
 * }</pre>
 *
 * <p>What is translated, and into which {@link EnvironmentSignals} signal:
 * <ul>
 *   <li>Network: the default network lost → {@code networkLost}; one available again →
 *       {@code networkAvailable}; the default switched to a different network (Wi-Fi → cellular)
 *       → {@code networkChanged}; on API 29+, blocked for this app (Data Saver, background
 *       restrictions) counts as lost; on API 23+, a network becoming validated (captive portal
 *       passed) → {@code networkAvailable}, to retry at once. Each network is named by a key
 *       ({@code "wifi:192.168.1.1"}, {@code "cellular:26201"}, {@code "vpn"}, ...; see
 *       docs/behaviour.md, "Adaptive heartbeat") under which an adaptive heartbeat keeps what it
 *       learned.
 *   <li>Screen: {@code ACTION_SCREEN_OFF}/{@code ON} → {@code screenOff}/{@code screenOn};
 *       Doze (API 23+) → {@code suspended}/{@code resumed}.
 *   <li>Lifecycle: no activity started for {@link AttachOptions#DEFAULT_LIFECYCLE_DEBOUNCE_MILLIS
 *       700 ms} → {@code background}; an activity started → {@code foreground}.
 * </ul>
 * The initial state is reported at attach (the core starts out assuming network up, screen on,
 * foreground). The reactions (pause, probe, grace period, jitter) are the core's {@link
 * dev.lifeline.EnvironmentPolicy}, set per connection (docs/behaviour.md, "Environment
 * reactions").
 *
 * <p>Background modes (docs/behaviour.md, "Environment reactions"; README "Android"): forward
 * pushes with {@link #pushReceived(Lifeline)} for {@link
 * dev.lifeline.EnvironmentPolicy.BackgroundMode#PUSH_TO_WAKE} connections, and set up {@link
 * #foregroundService} for {@link dev.lifeline.EnvironmentPolicy.BackgroundMode#FOREGROUND_SERVICE}
 * ones.
 *
 * <p>Deep sleep needs no watcher: with {@link #elapsedRealtimeClock()} as the client's clock, a
 * timer that the device's deep sleep delayed fires late against that clock, and the core probes
 * the connection.
 */
public final class LifelineAndroid {
  private LifelineAndroid() {}

  /**
   * A {@link Lifeline.Builder} with Android defaults: {@link #elapsedRealtimeClock()} and
   * listener callbacks on the main thread ({@link #mainThreadExecutor()}). Everything can still
   * be overridden on the returned builder.
   *
   * @return a new builder
   */
  public static Lifeline.Builder lifelineBuilder() {
    return Lifeline.builder()
        .clock(elapsedRealtimeClock())
        .callbackExecutor(mainThreadExecutor());
  }

  /**
   * {@link #lifelineBuilder()} plus {@link #heartbeatStore(Context)}: what an adaptive heartbeat
   * learns survives app restarts. The store is set on the client, not by {@link #attach}, because
   * a client's store is fixed when it is built; this is the builder to start from.
   *
   * @param context any context; its application context is kept
   * @return a new builder
   */
  public static Lifeline.Builder lifelineBuilder(Context context) {
    return lifelineBuilder().heartbeatStore(heartbeatStore(context));
  }

  /**
   * A {@link HeartbeatStore} in the app's private SharedPreferences file {@code
   * dev.lifeline.heartbeat}: the interval an adaptive heartbeat ({@link
   * dev.lifeline.HeartbeatPolicy.Builder#adaptive}) learned per endpoint and network is kept across
   * app restarts, so a restarted app is not cut again while it relearns the path. It never throws;
   * when the file is unusable (Direct Boot before unlock) values are kept in memory only. The file
   * is opened on first use, off the main thread.
   *
   * @param context any context; its application context is kept.
   * @return the store
   */
  public static HeartbeatStore heartbeatStore(Context context) {
    if (context == null) throw new NullPointerException("context == null");
    return new SharedPreferencesHeartbeatStore(context);
  }

  /** The directory, under {@code noBackupFilesDir}, that holds Lifeline's outbox journals. */
  public static final String JOURNAL_DIRECTORY = "lifeline-journal";

  /**
   * Where Lifeline's outbox journals go on this device: {@code lifeline-journal} under {@link
   * Context#getNoBackupFilesDir()}, app-private and left out of Auto Backup, so a journal is
   * never restored onto another device (where its messages would be sent a second time).
   *
   * @param context any context of the app
   * @return the directory; created by the journal when missing
   */
  public static File journalDirectory(Context context) {
    return new File(context.getNoBackupFilesDir(), JOURNAL_DIRECTORY);
  }

  /**
   * A durable outbox for one connection, at the {@link OutboxJournal.Durability#PROCESS_DEATH}
   * level: {@code OutboxJournal.builder(journalDirectory(context), name).build()}. Pass it to
   * {@code ConnectionOptions.Builder#outboxStore}; what {@code send()} accepted survives the app
   * being killed. For {@link OutboxJournal.Durability#POWER_LOSS}, use {@link
   * OutboxJournal#builder} with {@link #journalDirectory}.
   *
   * @param context any context of the app
   * @param name the journal's name, 1 to 64 characters of {@code [A-Za-z0-9._-]}, the same across
   *     restarts and different for each connection
   * @return the store, not yet opened
   * @throws IllegalArgumentException when the name is not valid
   */
  public static OutboxStore journal(Context context, String name) {
    return OutboxJournal.builder(journalDirectory(context), name).build();
  }

  /**
   * {@code SystemClock.elapsedRealtime()}, which keeps counting in deep sleep. The scheduler's
   * own timers do not (Java's and Handler's delays pause with the CPU), so a timer that was due
   * during a sleep fires late against this clock, which is how the core detects the sleep and
   * probes the connection (docs/behaviour.md, "Wake-up probe").
   *
   * @return the clock
   */
  public static Clock elapsedRealtimeClock() {
    return ElapsedRealtimeClock.INSTANCE;
  }

  /**
   * Runs tasks on the main thread, in order; always posts, never runs inline.
   *
   * @return the executor
   */
  public static Executor mainThreadExecutor() {
    return MainThreadExecutor.INSTANCE;
  }

  /**
   * A {@link Logger} that writes to logcat under {@code tag}, at INFO and above.
   *
   * @param tag the logcat tag
   * @return the logger
   */
  public static Logger logcat(String tag) {
    if (tag == null) throw new NullPointerException("tag == null");
    return new LogcatLogger(tag, Logger.Level.INFO);
  }

  /**
   * Shorthand for {@code attach(context, lifeline.signals(), AttachOptions.defaults())}.
   *
   * @param context any context; its application context is used
   * @param lifeline the client whose signals to feed
   * @return the attachment, to {@link AndroidEnvironment#detach()} later
   */
  public static AndroidEnvironment attach(Context context, Lifeline lifeline) {
    if (lifeline == null) throw new NullPointerException("lifeline == null");
    return attach(context, lifeline.signals(), AttachOptions.defaults());
  }

  /**
   * Shorthand for {@code attach(context, signals, AttachOptions.defaults())}.
   *
   * @param context any context; its application context is used
   * @param signals where to report
   * @return the attachment, to {@link AndroidEnvironment#detach()} later
   */
  public static AndroidEnvironment attach(Context context, EnvironmentSignals signals) {
    return attach(context, signals, AttachOptions.defaults());
  }

  /**
   * Reports the current network, screen, Doze and lifecycle state to {@code signals}, then
   * registers the callbacks and receivers that keep reporting changes until {@link
   * AndroidEnvironment#detach()}. Attach once per {@link Lifeline} client, ideally from {@code
   * Application.onCreate()}: activities started before the attach are only noticed when they
   * resume again.
   *
   * @param context any context; its application context is used, so nothing is leaked.
   * @param signals where to report
   * @param options which signals to watch, and where to log them
   * @return the attachment, to {@link AndroidEnvironment#detach()} later
   * @throws IllegalStateException if not called on the main thread.
   */
  public static AndroidEnvironment attach(Context context, EnvironmentSignals signals,
      AttachOptions options) {
    if (context == null) throw new NullPointerException("context == null");
    if (signals == null) throw new NullPointerException("signals == null");
    if (options == null) throw new NullPointerException("options == null");
    checkMainThread("attach()");
    Context app = context.getApplicationContext() != null ? context.getApplicationContext() : context;
    Logger logger = options.logger();

    NetworkWatcher network = null;
    if (options.watchNetwork()) {
      ConnectivityManager cm = (ConnectivityManager) app.getSystemService(Context.CONNECTIVITY_SERVICE);
      if (cm == null) {
        warn(logger, "no ConnectivityManager: network changes are not followed", null);
      } else {
        TelephonyManager phone = (TelephonyManager) app.getSystemService(Context.TELEPHONY_SERVICE);
        network = new NetworkWatcher(cm, new NetworkKeys(cm, phone), signals, logger);
        try {
          network.start();
        } catch (RuntimeException e) {
          // SecurityException (permission stripped from the merged manifest) or, on API 30+,
          // TooManyRequestsException (the app holds 100 callbacks): degrade, don't crash.
          warn(logger, "could not register a network callback: network changes are not followed", e);
          network.stop();
          if (network.reportedDown()) signals.networkAvailable();
          network = null;
        }
      }
    }

    ScreenWatcher screen = null;
    if (options.watchScreen() || options.watchDeviceIdle()) {
      PowerManager power = (PowerManager) app.getSystemService(Context.POWER_SERVICE);
      if (power == null) {
        warn(logger, "no PowerManager: screen and Doze changes are not followed", null);
      } else {
        screen = new ScreenWatcher(app, power, signals, logger, options.watchScreen(),
            options.watchDeviceIdle());
        screen.start();
      }
    }

    LifecycleWatcher lifecycle = null;
    if (options.watchLifecycle()) {
      if (app instanceof Application) {
        lifecycle = new LifecycleWatcher((Application) app, signals, logger,
            new Handler(Looper.getMainLooper()), options.lifecycleDebounceMillis());
        lifecycle.start();
      } else {
        warn(logger, "the application context is a " + app.getClass().getName()
            + ", not an Application: foreground/background is not followed", null);
      }
    }
    return new AndroidEnvironment(signals, network, screen, lifecycle);
  }

  /**
   * Forwards a push to every connection of {@code lifeline}: {@code
   * lifeline.signals().pushReceived()}. Call it from any thread, e.g. from {@code
   * FirebaseMessagingService.onMessageReceived} (Lifeline does not depend on Firebase): a
   * backgrounded {@link dev.lifeline.EnvironmentPolicy.BackgroundMode#PUSH_TO_WAKE} connection
   * connects at once, sends its outbox, receives, and closes after its idle window.
   *
   * <pre>{@code
   * public final class PushService extends FirebaseMessagingService {
   *   @Override public void onMessageReceived(RemoteMessage message) {
   *     LifelineAndroid.pushReceived(((App) getApplication()).lifeline);
   *   }
   * }
   * }</pre>
   *
   * @param lifeline the client whose connections to wake
   * @throws NullPointerException if {@code lifeline} is null (e.g. a push service started before
   *     the {@code Application} built the client).
   */
  public static void pushReceived(Lifeline lifeline) {
    if (lifeline == null) throw new NullPointerException("lifeline == null");
    lifeline.signals().pushReceived();
  }

  /**
   * Shorthand for {@code foregroundService(context, lifeline.signals(), notificationId,
   * notification, foregroundServiceType)}.
   *
   * @param context any context; its application context is used
   * @param lifeline the client whose connections the service keeps
   * @param notificationId the notification's id, not 0
   * @param notification the notification shown while the service runs (API 26+: with a channel)
   * @param foregroundServiceType {@code ServiceInfo.FOREGROUND_SERVICE_TYPE_*} bits, also declared
   *     on the service in the manifest; not 0
   * @return closes the setup, stopping a running service
   */
  public static Subscription foregroundService(Context context, Lifeline lifeline,
      int notificationId, Notification notification, int foregroundServiceType) {
    if (lifeline == null) throw new NullPointerException("lifeline == null");
    return foregroundService(context, lifeline.signals(), notificationId, notification,
        foregroundServiceType);
  }

  /**
   * Runs {@link LifelineForegroundService} with {@code notification} while a foreground service
   * is needed: the app is in the background and a connection with {@link
   * dev.lifeline.EnvironmentPolicy.BackgroundMode#FOREGROUND_SERVICE} was connected and not
   * closed. It is started when the app goes to the background (Android 12+ refuses a start from
   * the background later on) and stopped when the app comes back, the last such connection
   * closes or the client shuts down. On API 29+ it is started with {@code
   * startForeground(id, notification, foregroundServiceType)}, which Android 14 requires; below,
   * with {@code startForeground(id, notification)}.
   *
   * <p>When the platform refuses (the service or its type not declared, a missing permission,
   * {@code ForegroundServiceStartNotAllowedException}), nothing crashes: the connections fall back
   * to closing after their grace period, with the platform's reason in their close reason. The
   * manifest lines the app must add are in {@link LifelineForegroundService}.
   *
   * <pre>{@code
   * LifelineAndroid.foregroundService(this, lifeline, 1, notification,
   *     ServiceInfo.FOREGROUND_SERVICE_TYPE_REMOTE_MESSAGING);
   * }</pre>
   *
   * @param context any context; its application context is used
   * @param signals the signals of the client whose connections the service keeps
   * @param notificationId the notification's id, not 0
   * @param notification the notification shown while the service runs (API 26+: with a channel)
   * @param foregroundServiceType {@code ServiceInfo.FOREGROUND_SERVICE_TYPE_*} bits, also declared
   *     on the service in the manifest; not 0
   * @return closes the setup, stopping a running service
   * @throws IllegalArgumentException when {@code notificationId} or {@code
   *     foregroundServiceType} is 0
   * @throws IllegalStateException when another setup of this process is still open
   */
  public static Subscription foregroundService(Context context, EnvironmentSignals signals,
      int notificationId, Notification notification, int foregroundServiceType) {
    if (context == null) throw new NullPointerException("context == null");
    if (signals == null) throw new NullPointerException("signals == null");
    if (notification == null) throw new NullPointerException("notification == null");
    if (notificationId == 0) {
      throw new IllegalArgumentException("notificationId must not be 0: startForeground refuses 0");
    }
    if (foregroundServiceType == 0) {
      throw new IllegalArgumentException("foregroundServiceType must be ServiceInfo"
          + ".FOREGROUND_SERVICE_TYPE_* bits (Android 14 refuses a foreground service without"
          + " one), was 0");
    }
    Context app = context.getApplicationContext() != null ? context.getApplicationContext() : context;
    ForegroundServiceController controller = new ForegroundServiceController(app, signals,
        notificationId, notification, foregroundServiceType);
    controller.start();
    return controller;
  }

  /**
   * The watchers' state is confined to the main thread, where the platform delivers broadcasts
   * and activity callbacks; attach and detach touch it, so they run there too.
   */
  static void checkMainThread(String what) {
    if (Looper.myLooper() != Looper.getMainLooper()) {
      throw new IllegalStateException(what + " must be called on the main thread, not on "
          + Thread.currentThread().getName());
    }
  }

  private static void warn(Logger logger, String message, Throwable error) {
    try {
      logger.log(Logger.Level.WARN, message, error);
    } catch (Throwable ignored) {
      // A broken logger must not break attach.
    }
  }
}
