package dev.lifeline.android;

import android.annotation.TargetApi;
import android.app.Notification;
import android.app.Service;
import android.content.ComponentName;
import android.content.Context;
import android.content.Intent;
import android.content.pm.PackageManager;
import android.content.pm.ServiceInfo;
import android.os.Build;
import android.os.Handler;
import android.os.Looper;
import android.os.Process;
import dev.lifeline.EnvironmentSignals;
import dev.lifeline.Subscription;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs {@link LifelineForegroundService} while the core says a foreground service is needed (app
 * in the background, a {@code FOREGROUND_SERVICE} connection live), and tells the core when it
 * runs, stopped or was refused. All state is confined to the main thread, where the platform
 * calls the service; the core's need arrives on Lifeline's scheduler and is posted there.
 */
final class ForegroundServiceController implements EnvironmentSignals.ForegroundServiceNeed,
    Subscription {
  /** A normal permission since API 28: granted when declared. */
  static final String FOREGROUND_SERVICE_PERMISSION = "android.permission.FOREGROUND_SERVICE";
  /** {@code ServiceInfo.FOREGROUND_SERVICE_TYPE_MANIFEST}: every type the manifest declares. */
  static final int MANIFEST_TYPES = -1;

  /** The controller the service asks for its notification; one per process at a time. */
  static final AtomicReference<ForegroundServiceController> CURRENT =
      new AtomicReference<ForegroundServiceController>();
  /**
   * The controller that last asked the platform to start the service, until that start ran: a
   * start must reach the foreground once even when its setup was closed meanwhile, so the
   * service asks it for the notification when no setup is open.
   */
  static final AtomicReference<ForegroundServiceController> LAST_STARTER =
      new AtomicReference<ForegroundServiceController>();

  /**
   * Main thread, from {@link LifelineForegroundService#onStartCommand}: the controller to ask, or
   * null when none ever asked for a start.
   */
  static ForegroundServiceController forStart() {
    ForegroundServiceController c = CURRENT.get();
    return c != null ? c : LAST_STARTER.get();
  }

  /** Where the service stands, as this controller last made or saw it. */
  enum State {
    /** Not running, not asked for. */
    STOPPED,
    /** Asked the platform to start it; waiting for {@code onStartCommand}. */
    STARTING,
    /**
     * Asked to start, then no longer needed before it started: when it starts, it still goes to
     * the foreground once (a service started with startForegroundService that stops before
     * startForeground makes the platform end the app) and then stops itself.
     */
    START_CANCELLED,
    /** In the foreground with the app's notification. */
    RUNNING,
    /** The platform refused it: not asked again until the need goes away and comes back. */
    REFUSED,
    /**
     * {@link #close()} ran: nothing more is started; a start asked for before still reaches the
     * foreground once, then stops (see {@code LAST_STARTER}).
     */
    CLOSED
  }

  private final Context app;
  /** Told STARTED / STOPPED / REFUSED. */
  private final EnvironmentSignals signals;
  /** The notification shown while the service runs, and its id. */
  private final int notificationId;
  private final Notification notification;
  /** The {@code ServiceInfo.FOREGROUND_SERVICE_TYPE_*} bits passed to startForeground (API 29+). */
  private final int serviceType;
  /** Posts the core's need to the main thread. */
  private final Handler main = new Handler(Looper.getMainLooper());
  /** Main thread only. */
  private State state = State.STOPPED;
  /** The need registration; set by {@link #start()}. */
  private volatile Subscription need;

  ForegroundServiceController(Context app, EnvironmentSignals signals, int notificationId,
      Notification notification, int serviceType) {
    this.app = app;
    this.signals = signals;
    this.notificationId = notificationId;
    this.notification = notification;
    this.serviceType = serviceType;
  }

  /** Registers as the process's controller and follows the core's need. */
  void start() {
    if (!CURRENT.compareAndSet(null, this)) {
      throw new IllegalStateException("a foreground service is already set up in this process;"
          + " close() its Subscription first");
    }
    need = signals.observeForegroundServiceNeed(this);
  }

  /** Lifeline's threads (the first time, {@link #start()}'s): posted to the main thread. */
  @Override public void changed(final boolean needed) {
    main.post(new Runnable() {
      @Override public void run() {
        if (needed) {
          startService();
        } else {
          stopService();
        }
      }
    });
  }

  /** Main thread: asks the platform for the service. */
  private void startService() {
    if (state == State.START_CANCELLED) {
      state = State.STARTING; // Needed again before it started: that start serves.
      return;
    }
    if (state != State.STOPPED) return;
    String undeclared = whyNotDeclared();
    if (undeclared != null) {
      refused(undeclared, null);
      return;
    }
    Intent intent = new Intent(app, LifelineForegroundService.class);
    try {
      if (Build.VERSION.SDK_INT >= 26) {
        startForegroundService26(intent);
      } else {
        app.startService(intent);
      }
      state = State.STARTING;
      LAST_STARTER.set(this);
    } catch (RuntimeException e) {
      // ForegroundServiceStartNotAllowedException (API 31+, from the background),
      // IllegalStateException (API 26+), SecurityException (service not declared, not exported).
      refused(Build.VERSION.SDK_INT >= 26 ? "startForegroundService threw" : "startService threw",
          e);
    }
  }

  /**
   * Why the app's manifest cannot run the service, or null. Checked before starting: once started
   * with {@code startForegroundService}, a service that never reaches the foreground makes the
   * platform end the app, so a missing declaration must be caught here, not by startForeground.
   */
  private String whyNotDeclared() {
    ComponentName component = new ComponentName(app, LifelineForegroundService.class);
    ServiceInfo info;
    try {
      info = app.getPackageManager().getServiceInfo(component, 0);
    } catch (PackageManager.NameNotFoundException e) {
      return "LifelineForegroundService is not declared in the app's manifest (see its javadoc)";
    }
    if (Build.VERSION.SDK_INT >= 28 && app.checkPermission(FOREGROUND_SERVICE_PERMISSION,
        Process.myPid(), Process.myUid()) != PackageManager.PERMISSION_GRANTED) {
      return "the app does not hold " + FOREGROUND_SERVICE_PERMISSION;
    }
    if (Build.VERSION.SDK_INT >= 29 && serviceType != MANIFEST_TYPES) {
      int declared = declaredTypes29(info);
      if ((declared & serviceType) != serviceType) {
        return "LifelineForegroundService declares foregroundServiceType 0x"
            + Integer.toHexString(declared) + " in the manifest, but is started with 0x"
            + Integer.toHexString(serviceType);
      }
    }
    if (Build.VERSION.SDK_INT >= 34 && serviceType != MANIFEST_TYPES) {
      for (int i = 0; i < TYPE_BITS.length; i++) {
        int bit = TYPE_BITS[i];
        String permission = "android.permission.FOREGROUND_SERVICE_" + TYPE_PERMISSIONS[i];
        if ((serviceType & bit) != 0 && app.checkPermission(permission, Process.myPid(),
            Process.myUid()) != PackageManager.PERMISSION_GRANTED) {
          return "the app does not hold " + permission + ", which Android 14 requires for"
              + " foregroundServiceType 0x" + Integer.toHexString(bit);
        }
      }
    }
    return null;
  }

  /**
   * Each {@code ServiceInfo.FOREGROUND_SERVICE_TYPE_*} bit and the {@code FOREGROUND_SERVICE_*}
   * permission Android 14 requires for it (shortService needs none). Some types also need a
   * run-time permission (location, camera, ...): those the platform checks, and a refusal is
   * reported like any other.
   */
  private static final int[] TYPE_BITS = {
      1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 8192, 1 << 30};
  /** The permission suffix of each of {@link #TYPE_BITS}, in the same order. */
  private static final String[] TYPE_PERMISSIONS = {
      "DATA_SYNC", "MEDIA_PLAYBACK", "PHONE_CALL", "LOCATION", "CONNECTED_DEVICE",
      "MEDIA_PROJECTION", "CAMERA", "MICROPHONE", "HEALTH", "REMOTE_MESSAGING", "SYSTEM_EXEMPTED",
      "MEDIA_PROCESSING", "SPECIAL_USE"};

  @TargetApi(29)
  private static int declaredTypes29(ServiceInfo info) {
    return info.getForegroundServiceType();
  }

  @TargetApi(26)
  private void startForegroundService26(Intent intent) {
    app.startForegroundService(intent);
  }

  /** Main thread: the need went away. */
  private void stopService() {
    State was = state;
    if (was == State.STOPPED || was == State.CLOSED || was == State.START_CANCELLED) return;
    if (was == State.STARTING) {
      state = State.START_CANCELLED; // Stopped once it has started: see START_CANCELLED.
      return;
    }
    state = State.STOPPED;
    if (was != State.REFUSED) {
      app.stopService(new Intent(app, LifelineForegroundService.class));
      signals.foregroundServiceStopped();
    }
  }

  /**
   * Main thread, from {@link LifelineForegroundService#onStartCommand}: puts the service in the
   * foreground with the app's notification and declared type. Returns false when it must stop:
   * then, unless the platform refused, it was still put in the foreground once, as every start
   * of it (startForegroundService) must be.
   */
  boolean serviceStarting(Service service) {
    LAST_STARTER.compareAndSet(this, null);
    if (state != State.STARTING && state != State.RUNNING) {
      // Not wanted (any more): cancelled, closed, or a start another setup asked for.
      if (state == State.START_CANCELLED) state = State.STOPPED;
      try {
        startForeground(service);
      } catch (RuntimeException ignored) {
        // It stops anyway; nothing was promised to the core.
      }
      return false;
    }
    try {
      startForeground(service);
    } catch (RuntimeException e) {
      // API 34: MissingForegroundServiceTypeException, InvalidForegroundServiceTypeException,
      // SecurityException for a missing FOREGROUND_SERVICE_<TYPE> permission; API 31:
      // ForegroundServiceStartNotAllowedException.
      refused("startForeground threw", e);
      return false;
    }
    if (state != State.RUNNING) {
      state = State.RUNNING;
      signals.foregroundServiceStarted();
    }
    return true;
  }

  /** The 3-argument form from API 29 (Android 14 requires a type), the 2-argument one below. */
  private void startForeground(Service service) {
    if (Build.VERSION.SDK_INT >= 29) {
      startForeground29(service);
    } else {
      service.startForeground(notificationId, notification);
    }
  }

  @TargetApi(29)
  private void startForeground29(Service service) {
    service.startForeground(notificationId, notification, serviceType);
  }

  /**
   * Main thread, from {@link LifelineForegroundService#onDestroy}: stopped by anyone. While a
   * start is pending (STARTING, START_CANCELLED) the instance destroyed is the one stopped before
   * it (foreground and back to the background quickly: the platform destroys the old instance,
   * then runs the new one's onStartCommand): the pending start is still to come.
   */
  void serviceDestroyed() {
    if (state == State.RUNNING) {
      state = State.STOPPED;
      signals.foregroundServiceStopped();
    }
  }

  /**
   * The platform said no: the core carries {@code e} (or {@code what}, when there is no exception)
   * into the connections' close reasons; not asked again until the need ends and comes back.
   */
  private void refused(String what, RuntimeException e) {
    state = State.REFUSED;
    signals.foregroundServiceRefused(e == null ? what
        : what + " " + e.getClass().getSimpleName() + ": " + e.getMessage());
  }

  /** Stops following the need; a running service is stopped. Idempotent; any thread. */
  @Override public void close() {
    Subscription s = need;
    if (s != null) s.close();
    CURRENT.compareAndSet(this, null);
    main.post(new Runnable() {
      @Override public void run() {
        stopService();
        state = State.CLOSED;
      }
    });
  }
}
