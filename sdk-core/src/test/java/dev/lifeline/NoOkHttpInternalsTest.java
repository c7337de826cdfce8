package dev.lifeline;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.Test;

/**
 * Lifeline uses OkHttp through its public API only: {@code okhttp3.internal} changes without
 * notice (OkHttp 5 moved what the old WebSocket tap reached into, and every wss:// failed).
 */
public final class NoOkHttpInternalsTest {
  @Test public void noLibrarySourceMentionsOkHttpInternals() throws IOException {
    Path main = Paths.get("src", "main");
    assertTrue("run from the module directory: " + main.toAbsolutePath(), Files.isDirectory(main));
    List<String> offenders = new ArrayList<>();
    try (Stream<Path> files = Files.walk(main)) {
      files.filter(Files::isRegularFile).forEach(f -> {
        try {
          String text = new String(Files.readAllBytes(f), StandardCharsets.UTF_8);
          if (text.contains("okhttp3.internal")) offenders.add(f.toString());
        } catch (IOException e) {
          offenders.add(f + " (unreadable: " + e + ")");
        }
      });
    }
    assertEquals("files under src/main naming okhttp3.internal", new ArrayList<String>(),
        offenders);
  }
}
