package dev.lifeline.sample;

import static org.junit.Assert.assertTrue;

import org.junit.Assume;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** {@link DemoTest}'s story over newline-framed TCP text. */
public final class DemoOverTcpTest {
  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  @Test(timeout = 60_000)
  public void quickDemoOverTcpText() throws Exception {
    boolean tcpSupported;
    try {
      dev.lifeline.ConnectionOptions.builder("tcp://127.0.0.1:1");
      tcpSupported = true;
    } catch (IllegalArgumentException e) {
      tcpSupported = false;
    }
    Assume.assumeTrue("this lifeline-core has no tcp:// transport", tcpSupported);
    String text = DemoTest.runQuickDemo(tmp.getRoot().toPath(), "--quick", "--transport", "tcp");
    assertTrue(text, text.contains("listening on tcp://127.0.0.1:"));
  }

}
