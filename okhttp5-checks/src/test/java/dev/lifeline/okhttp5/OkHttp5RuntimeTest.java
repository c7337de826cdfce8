package dev.lifeline.okhttp5;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.net.URL;
import okhttp3.OkHttp;
import okhttp3.OkHttpClient;
import okhttp3.mockwebserver.MockWebServer;
import org.junit.Test;

/**
 * This module exists to run sdk-core's suites on OkHttp 5: it fails unless OkHttp 5 is what the
 * test JVM actually loaded, so it can never pass quietly on 4.12.
 */
public final class OkHttp5RuntimeTest {
  private static final String EXPECTED = System.getProperty("okhttp5.expectedVersion", "5.");

  @Test public void okHttpAtRunTimeIsVersion5() {
    assertTrue("OkHttp at run time is " + OkHttp.VERSION + ", not 5.x", OkHttp.VERSION.startsWith("5."));
    assertEquals(EXPECTED, OkHttp.VERSION);
  }

  @Test public void okHttpClientIsLoadedFromTheOkHttpJvm5Jar() {
    String jar = jarOf(OkHttpClient.class);
    assertTrue("OkHttpClient comes from " + jar,
        jar.endsWith("/okhttp-jvm-" + OkHttp.VERSION + ".jar"));
  }

  @Test public void mockWebServerIsVersion5sCompatibilityLayer() throws Exception {
    // okhttp3.mockwebserver 5.x delegates to mockwebserver3; 4.12 has no such class.
    Class.forName("mockwebserver3.MockWebServer");
    String jar = jarOf(MockWebServer.class);
    assertTrue("MockWebServer comes from " + jar, jar.endsWith("/mockwebserver-" + OkHttp.VERSION + ".jar"));
  }

  @Test public void noOkHttp4IsOnTheClassPath() {
    // Surefire passes the class path in a manifest jar; it names the real one here.
    String classPath = System.getProperty("surefire.test.class.path",
        System.getProperty("java.class.path"));
    assertTrue(classPath, classPath.contains("okhttp-jvm-" + OkHttp.VERSION + ".jar"));
    for (String entry : classPath.split(java.io.File.pathSeparator)) {
      String name = entry.substring(entry.lastIndexOf(java.io.File.separatorChar) + 1);
      if (name.matches("(okhttp|mockwebserver|okhttp-tls)-4\\..*\\.jar")) {
        fail("OkHttp 4 on the test class path: " + entry);
      }
    }
  }

  @Test public void lifelineAndItsSuitesComeFromSdkCoresJars() throws Exception {
    // The suites this module runs are sdk-core's, from its test-jar (in the reactor, before the
    // package phase, its test-classes folder): not copies. And Lifeline from its main jar.
    String tests = jarOf(Class.forName("dev.lifeline.e2e.WebSocketEndToEndTest"));
    assertTrue("sdk-core's tests come from " + tests,
        tests.endsWith("-tests.jar") || tests.endsWith("/sdk-core/target/test-classes/"));
    String core = jarOf(Class.forName("dev.lifeline.Lifeline"));
    assertTrue("lifeline-core comes from " + core,
        core.endsWith("/lifeline-core-" + System.getProperty("lifeline.version", "") + ".jar")
            || core.endsWith("/sdk-core/target/classes/"));
  }

  private static String jarOf(Class<?> type) {
    URL location = type.getProtectionDomain().getCodeSource().getLocation();
    return location.getPath();
  }
}
