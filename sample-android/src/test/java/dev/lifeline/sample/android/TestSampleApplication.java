package dev.lifeline.sample.android;

import dev.lifeline.Lifeline;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * {@link SampleApplication} with two hooks overridden: the connection goes to an {@link
 * EchoServer} on 127.0.0.1, and Lifeline's timers run on the main looper (Robolectric's clock).
 * Everything else, the one-line integration included, is the sample's own code.
 */
public final class TestSampleApplication extends SampleApplication {
  /** Started before the sample connects, so its URL is known in onCreate. */
  final EchoServer server = new EchoServer();
  @Override protected String serverUrl() {
    try {
      return server.start().url();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The URL the sample itself would connect to, read now. */
  String sampleServerUrl() {
    return super.serverUrl();
  }

  @Override protected Lifeline.Builder lifelineBuilder() {
    return super.lifelineBuilder().scheduler(new MainLooperScheduler());
  }
}
