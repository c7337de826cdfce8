package dev.lifeline.android;

import android.app.Service;
import android.content.Intent;
import android.os.IBinder;

/**
 * The foreground service that keeps {@link dev.lifeline.EnvironmentPolicy.BackgroundMode#FOREGROUND_SERVICE}
 * connections up while the app is in the background. Set it up with {@link
 * LifelineAndroid#foregroundService}; the app declares it in its own manifest (the AAR does not,
 * so that apps without this mode declare no foreground service):
 *
 * <pre>{@code
 * <uses-permission android:name="android.permission.FOREGROUND_SERVICE" />
 * <uses-permission android:name="android.permission.FOREGROUND_SERVICE_REMOTE_MESSAGING" />
 * <uses-permission android:name="android.permission.POST_NOTIFICATIONS" />
 * <application>
 *   <service android:name="dev.lifeline.android.LifelineForegroundService"
 *       android:exported="false"
 *       android:foregroundServiceType="remoteMessaging" />
 * </application>
 * }</pre>
 *
 * <p>It runs no connection code: the connections run on Lifeline's own threads; the service only
 * tells the platform the app is doing work the user knows about (its notification). Its callbacks
 * run on the main thread. Not restarted by the system after the process dies ({@code
 * START_NOT_STICKY}): the app's next start connects again.
 */
public final class LifelineForegroundService extends Service {
  /** Created by the platform. */
  public LifelineForegroundService() {}

  /**
   * Puts the service in the foreground with the app's notification and service type. When no
   * Lifeline client needs it any more (or its setup was closed meanwhile), it still reaches the
   * foreground once, as a service started with {@code startForegroundService} must, then stops;
   * when the platform refuses, it stops.
   *
   * @param intent the start intent
   * @param flags start flags
   * @param startId this start's id
   * @return {@link Service#START_NOT_STICKY}
   */
  @Override public int onStartCommand(Intent intent, int flags, int startId) {
    ForegroundServiceController controller = ForegroundServiceController.forStart();
    if (controller == null || !controller.serviceStarting(this)) stopSelf();
    return START_NOT_STICKY;
  }

  /** Tells the core the service no longer runs. */
  @Override public void onDestroy() {
    ForegroundServiceController controller = ForegroundServiceController.CURRENT.get();
    if (controller != null) controller.serviceDestroyed();
    super.onDestroy();
  }

  /**
   * Not bindable.
   *
   * @param intent the bind intent
   * @return null
   */
  @Override public IBinder onBind(Intent intent) {
    return null;
  }
}
