package dev.lifeline.consumer;

import static org.junit.Assert.assertEquals;

import java.util.Arrays;
import org.junit.Test;

/** Runs the Kotlin 1.9 app against the built lifeline-kotlin and lifeline-core. */
public final class KotlinConsumerTest {
  @Test public void theAppConnectsSendsAndReceivesWithStateFlowAndTheFlows() throws Exception {
    try (EchoLineServer server = new EchoLineServer()) {
      assertEquals(Arrays.asList("hi from kotlin", "hi from kotlin again"),
          KotlinConsumerApp.echo(server.url(), "hi from kotlin"));
    }
  }
}
