package dev.lifeline;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.Test;

/**
 * The Javadoc's worked examples compile and the ones that only build options run: every {@code
 * <pre>{@code …}</pre>} block of the public package must appear, modulo indentation, in
 * DocExamples (which the compiler checks), and each main type has one. Examples that start a
 * client are compiled only: running them would leave its threads behind.
 */
public final class DocExamplesTest {
  private static final File SOURCES = new File("src/main/java/dev/lifeline");
  private static final File EXAMPLES = new File("src/test/java/dev/lifeline/DocExamples.java");
  private static final Pattern BLOCK =
      Pattern.compile("<pre>\\{@code\\n(.*?)\\n\\s*\\*\\s*\\}</pre>", Pattern.DOTALL);
  /** Examples that need the Android framework, which this module cannot compile against. */
  private static final List<String> ANDROID_ONLY = Arrays.asList("HeartbeatStore.java");
  /** The types a newcomer meets first; each must show a worked example. */
  private static final List<String> MAIN_TYPES = Arrays.asList("Lifeline", "Connection",
      "ConnectionOptions", "ConnectionListener", "EventListener", "HeartbeatPolicy",
      "ReconnectPolicy", "OutboxPolicy", "EnvironmentSignals", "EnvironmentPolicy", "AckMatcher",
      "CredentialsProvider");

  @Test public void everyJavadocExampleIsCompiledInDocExamples() throws IOException {
    String compiled = squeeze(read(EXAMPLES));
    File[] files = SOURCES.listFiles((dir, name) -> name.endsWith(".java"));
    assertTrue("run from the module directory: " + SOURCES.getAbsolutePath(),
        files != null && files.length > 0);
    int blocks = 0;
    List<String> missing = new ArrayList<>();
    for (File f : files) {
      if (ANDROID_ONLY.contains(f.getName())) continue;
      Matcher m = BLOCK.matcher(read(f));
      while (m.find()) {
        blocks++;
        String code = m.group(1).replaceAll("(?m)^\\s*\\* ?", "");
        if (!compiled.contains(squeeze(code))) missing.add(f.getName() + ":\n" + code);
      }
    }
    assertTrue("no examples found", blocks >= MAIN_TYPES.size());
    assertEquals("Javadoc examples not (or no longer) in DocExamples.java", "",
        String.join("\n\n", missing));
  }

  @Test public void everyMainTypeHasAWorkedExample() throws IOException {
    List<String> without = new ArrayList<>();
    for (String type : MAIN_TYPES) {
      if (!read(new File(SOURCES, type + ".java")).contains("<pre>{@code")) without.add(type);
    }
    assertEquals("main types without an example", "[]", without.toString());
  }

  @Test public void optionExamplesBuildWithoutComplaint() {
    DocExamples.connectionOptions();
    DocExamples.heartbeatPolicy();
    DocExamples.heartbeatPayload();
    DocExamples.serverHeartbeatResponder();
    DocExamples.reconnectPolicy();
    DocExamples.outboxPolicy();
    DocExamples.environmentPolicy();
    DocExamples.ackMatcher();
    DocExamples.heartbeatMatcher();
    DocExamples.streamResume(null);
    DocExamples.streamResumeFirstLine();
  }

  private static String read(File f) throws IOException {
    return new String(Files.readAllBytes(f.toPath()), StandardCharsets.UTF_8);
  }

  /** Whitespace-insensitive form: indentation differs between Javadoc and a method body. */
  private static String squeeze(String code) {
    return code.replaceAll("\\s+", "");
  }
}
