package dev.lifeline.sample.android;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import android.app.Activity;
import android.app.Application;
import java.io.File;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The manifest against the code. Without aapt there is no resource APK, and without one
 * Robolectric reads little from a manifest (the target SDK; activities, permissions and
 * meta-data are not registered), so this plain JUnit test reads the XML itself.
 */
public final class ManifestTest {
  private static final String ANDROID = "http://schemas.android.com/apk/res/android";

  private final Element manifest = parse(new File("src/main/android/AndroidManifest.xml"));
  private final String pkg = manifest.getAttribute("package");

  @Test public void declaresTheApplicationAndTheLauncherActivity() throws Exception {
    Element application = only(manifest, "application");
    Class<?> app = Class.forName(className(android(application, "name")));
    assertEquals(SampleApplication.class, app);
    assertTrue(Application.class.isAssignableFrom(app));

    Element activity = only(application, "activity");
    Class<?> main = Class.forName(className(android(activity, "name")));
    assertEquals(MainActivity.class, main);
    assertTrue(Activity.class.isAssignableFrom(main));
    assertEquals("an activity with an intent filter must say (API 31+)", "true",
        android(activity, "exported"));
    Element filter = only(activity, "intent-filter");
    assertEquals("android.intent.action.MAIN", android(only(filter, "action"), "name"));
    assertEquals("android.intent.category.LAUNCHER", android(only(filter, "category"), "name"));
  }

  @Test public void declaresTheServerUrlTheCodeReads() {
    Element metaData = only(only(manifest, "application"), "meta-data");
    assertEquals(SampleApplication.SERVER_URL_META_DATA, android(metaData, "name"));
    assertEquals(SampleApplication.DEFAULT_SERVER_URL, android(metaData, "value"));
  }

  @Test public void declaresMinSdkAndPermissions() {
    assertEquals("dev.lifeline.sample.android", pkg);
    assertEquals("21", android(only(manifest, "uses-sdk"), "minSdkVersion"));
    List<String> permissions = new ArrayList<>();
    for (Element e : children(manifest, "uses-permission")) permissions.add(android(e, "name"));
    assertEquals("[android.permission.INTERNET, android.permission.ACCESS_NETWORK_STATE]",
        permissions.toString());
  }

  /** ".MainActivity" is relative to the manifest's package. */
  private String className(String name) {
    return name.startsWith(".") ? pkg + name : name;
  }

  private static String android(Element e, String attribute) {
    return e.getAttributeNS(ANDROID, attribute);
  }

  private static Element only(Element parent, String tag) {
    List<Element> found = children(parent, tag);
    assertEquals("<" + tag + "> under <" + parent.getTagName() + ">", 1, found.size());
    return found.get(0);
  }

  private static List<Element> children(Element parent, String tag) {
    List<Element> result = new ArrayList<>();
    NodeList nodes = parent.getChildNodes();
    for (int i = 0; i < nodes.getLength(); i++) {
      if (nodes.item(i) instanceof Element && ((Element) nodes.item(i)).getTagName().equals(tag)) {
        result.add((Element) nodes.item(i));
      }
    }
    return result;
  }

  private static Element parse(File file) {
    try {
      DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
      factory.setNamespaceAware(true);
      Document doc = factory.newDocumentBuilder().parse(file);
      return doc.getDocumentElement();
    } catch (Exception e) {
      throw new AssertionError("cannot read " + file.getAbsolutePath(), e);
    }
  }
}
