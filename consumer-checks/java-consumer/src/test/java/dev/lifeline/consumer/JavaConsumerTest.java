package dev.lifeline.consumer;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.fail;

import org.junit.Test;

/** Runs the Java app against the built lifeline-core. */
public final class JavaConsumerTest {
  @Test public void theAppConnectsSendsAndReceivesOnARealSocket() throws Exception {
    try (EchoLineServer server = new EchoLineServer()) {
      assertEquals("hello from java", JavaConsumerApp.echo(server.url(), "hello from java"));
    }
  }

  @Test public void kotlinxCoroutinesIsNotOnAJavaAppsClasspath() {
    try {
      Class.forName("kotlinx.coroutines.flow.StateFlow");
      fail("kotlinx-coroutines reached a Java app's classpath through lifeline-core");
    } catch (ClassNotFoundException expected) {
      // lifeline-core needs no coroutines.
    }
  }
}
