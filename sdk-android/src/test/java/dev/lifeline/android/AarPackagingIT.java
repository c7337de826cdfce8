package dev.lifeline.android;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipInputStream;
import javax.xml.parsers.DocumentBuilderFactory;
import com.android.tools.r8.CompilationMode;
import com.android.tools.r8.D8;
import com.android.tools.r8.D8Command;
import com.android.tools.r8.Diagnostic;
import com.android.tools.r8.DiagnosticsHandler;
import com.android.tools.r8.JdkClassFileProvider;
import com.android.tools.r8.OutputMode;
import org.junit.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * Opens the AAR built in the package phase (run by Failsafe in verify, once it exists) and checks
 * what a Gradle app's Android plugin will read from it.
 */
public final class AarPackagingIT {
  private static final String ANDROID_NS = "http://schemas.android.com/apk/res/android";

  private final File aar = new File(System.getProperty("lifeline.aar", "target/missing.aar"));

  @Test public void entriesAreExactlyThoseOfALibraryWithoutResources() throws IOException {
    assertTrue("not built: " + aar, aar.isFile());
    TreeSet<String> files = new TreeSet<>();
    try (ZipFile zip = new ZipFile(aar)) {
      for (ZipEntry e : java.util.Collections.list(zip.entries())) {
        if (!e.isDirectory()) files.add(e.getName());
      }
    }
    assertEquals("[AndroidManifest.xml, META-INF/com/android/build/gradle/aar-metadata.properties,"
        + " R.txt, classes.jar, proguard.txt]", files.toString());
  }

  @Test public void manifestDeclaresMinSdk21AndTheNetworkPermissions() throws Exception {
    DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
    factory.setNamespaceAware(true);
    Document doc = factory.newDocumentBuilder()
        .parse(new ByteArrayInputStream(read("AndroidManifest.xml")));
    Element manifest = doc.getDocumentElement();
    assertEquals("manifest", manifest.getTagName());
    assertEquals("dev.lifeline.android", manifest.getAttribute("package"));

    NodeList usesSdk = manifest.getElementsByTagName("uses-sdk");
    assertEquals(1, usesSdk.getLength());
    assertEquals("21", ((Element) usesSdk.item(0)).getAttributeNS(ANDROID_NS, "minSdkVersion"));

    List<String> permissions = new ArrayList<>();
    NodeList uses = manifest.getElementsByTagName("uses-permission");
    for (int i = 0; i < uses.getLength(); i++) {
      permissions.add(((Element) uses.item(i)).getAttributeNS(ANDROID_NS, "name"));
    }
    assertEquals("[android.permission.INTERNET, android.permission.ACCESS_NETWORK_STATE]",
        permissions.toString());
    assertEquals("a library declares no components", 0,
        manifest.getElementsByTagName("application").getLength());
  }

  @Test public void classesJarHoldsOnlyThisModulesJava8Classes() throws IOException {
    List<String> classes = new ArrayList<>();
    try (ZipInputStream jar = new ZipInputStream(new ByteArrayInputStream(read("classes.jar")))) {
      for (ZipEntry e; (e = jar.getNextEntry()) != null; ) {
        if (e.isDirectory() || e.getName().startsWith("META-INF/")) continue;
        assertTrue("unexpected entry " + e.getName(), e.getName().startsWith("dev/lifeline/android/"));
        assertTrue(e.getName(), e.getName().endsWith(".class"));
        byte[] header = new byte[8];
        assertEquals(8, jar.read(header, 0, 8));
        assertEquals(e.getName() + " must be Java 8 bytecode", 52, ((header[6] & 0xff) << 8) | (header[7] & 0xff));
        classes.add(e.getName());
      }
    }
    assertTrue(classes.toString(), classes.contains("dev/lifeline/android/LifelineAndroid.class"));
    assertTrue(classes.toString(), classes.contains("dev/lifeline/android/AndroidEnvironment.class"));
    assertFalse("test code leaked into the AAR", classes.toString().contains("Test"));
    assertFalse("test code leaked into the AAR", classes.toString().contains("Fixture"));
  }

  @Test public void consumerRulesDoNotChangeTheWholeAppsShrinking() throws IOException {
    String rules = new String(read("proguard.txt"), StandardCharsets.UTF_8);
    for (String line : rules.split("\n")) {
      String rule = line.trim();
      if (rule.isEmpty() || rule.startsWith("#")) continue;
      // Global switches in a consumer file apply to the entire app: never ship them.
      assertFalse(rule, rule.startsWith("-dont") && !rule.startsWith("-dontwarn"));
      assertFalse(rule, rule.startsWith("-keep class dev.lifeline.** { *; }"));
    }
  }

  @Test public void metadataAndRTxtArePresent() throws IOException {
    String metadata = new String(
        read("META-INF/com/android/build/gradle/aar-metadata.properties"), StandardCharsets.UTF_8);
    assertTrue(metadata, metadata.contains("aarFormatVersion=1.0"));
    assertTrue(metadata, metadata.contains("aarMetadataVersion=1.0"));
    assertEquals("no resources, so no R symbols", 0, read("R.txt").length);
  }

  /**
   * Dexes the AAR's classes and the core jar as an app build would, at min API 21, against the
   * Android framework and the real dependencies: any error or warning fails.
   */
  @Test public void classesAndCoreDexAtMinApi21() throws Exception {
    Path work = Files.createTempDirectory("lifeline-d8");
    Path classesJar = work.resolve("classes.jar");
    Files.write(classesJar, read("classes.jar"));
    List<Path> program = new ArrayList<>();
    program.add(classesJar);
    List<Path> library = new ArrayList<>();
    List<Path> classpath = new ArrayList<>();
    String testClassPath = System.getProperty("surefire.test.class.path",
        System.getProperty("java.class.path"));
    for (String entry : testClassPath.split(File.pathSeparator)) {
      Path path = Paths.get(entry);
      String name = path.getFileName().toString();
      if (!name.endsWith(".jar")) continue;
      if (name.startsWith("android-all-")) {
        library.add(path); // The API 34 framework, as compileSdk.
      } else if (name.startsWith("lifeline-core-") && !name.endsWith("-tests.jar")) {
        program.add(path);
      } else if (name.startsWith("okhttp-") || name.startsWith("okio")
          || name.startsWith("kotlin")) {
        classpath.add(path);
      }
    }
    assertEquals("the AAR's classes and the core jar: " + program, 2, program.size());
    assertEquals("android-all on the test class path", 1, library.size());

    final List<String> problems = new ArrayList<>();
    D8.run(D8Command.builder(new DiagnosticsHandler() {
          @Override public void error(Diagnostic d) {
            problems.add("error: " + d.getDiagnosticMessage() + " in " + d.getOrigin());
          }

          @Override public void warning(Diagnostic d) {
            problems.add("warning: " + d.getDiagnosticMessage() + " in " + d.getOrigin());
          }
        })
        .addProgramFiles(program)
        .addLibraryFiles(library)
        // Robolectric's android-all lacks java.*: the JDK stands in for the platform's libcore.
        .addLibraryResourceProvider(JdkClassFileProvider.fromSystemJdk())
        .addClasspathFiles(classpath)
        .setMinApiLevel(21)
        .setMode(CompilationMode.RELEASE)
        .setOutput(work, OutputMode.DexIndexed)
        .build());
    assertEquals("[]", problems.toString());
    assertTrue(Files.size(work.resolve("classes.dex")) > 0);
  }

  private byte[] read(String entry) throws IOException {
    try (ZipFile zip = new ZipFile(aar)) {
      ZipEntry e = zip.getEntry(entry);
      assertNotNull(entry + " missing from " + aar, e);
      try (InputStream in = zip.getInputStream(e)) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        for (int n; (n = in.read(buffer)) != -1; ) out.write(buffer, 0, n);
        return out.toByteArray();
      }
    }
  }
}
