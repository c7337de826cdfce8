package dev.lifeline.android;

import static org.junit.Assert.assertEquals;

import java.io.File;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.TreeMap;
import org.junit.Test;

/**
 * The public API of {@code dev.lifeline.android}, written down in {@code api/lifeline-android.api}
 * so that every change to it shows up in review. After an intended change, regenerate the file
 * with {@code -Dlifeline.updateApi=true} and commit it.
 */
public final class PublicApiTest {
  private static final Path API_FILE = Paths.get("api", "lifeline-android.api");

  @Test public void publicApiMatchesTheRecordedOne() throws Exception {
    String actual = describe();
    if (Boolean.getBoolean("lifeline.updateApi")) {
      Files.write(API_FILE, actual.getBytes(StandardCharsets.UTF_8));
    }
    String recorded = new String(Files.readAllBytes(API_FILE), StandardCharsets.UTF_8);
    assertEquals("public API changed; if intended, run with -Dlifeline.updateApi=true and commit "
        + API_FILE, recorded, actual);
  }

  private static String describe() throws IOException, ClassNotFoundException {
    File dir = new File("target/classes/dev/lifeline/android");
    String[] files = dir.list();
    if (files == null) throw new IOException("no compiled classes in " + dir);
    TreeMap<String, List<String>> classes = new TreeMap<>();
    for (String file : files) {
      if (!file.endsWith(".class")) continue;
      String binaryName = "dev.lifeline.android." + file.substring(0, file.length() - 6);
      Class<?> c = Class.forName(binaryName, false, PublicApiTest.class.getClassLoader());
      if (!isVisible(c)) continue;
      String prefix = c.getName() + ".";
      List<String> members = new ArrayList<>();
      for (Constructor<?> k : c.getDeclaredConstructors()) {
        if (Modifier.isPublic(k.getModifiers())) members.add(k.toGenericString());
      }
      for (Method m : c.getDeclaredMethods()) {
        if (Modifier.isPublic(m.getModifiers()) && !m.isSynthetic()) {
          members.add(m.toGenericString().replace(prefix, ""));
        }
      }
      for (Field f : c.getDeclaredFields()) {
        if (Modifier.isPublic(f.getModifiers())) members.add(f.toGenericString().replace(prefix, ""));
      }
      Collections.sort(members);
      String header = Modifier.toString(c.getModifiers() & ~Modifier.STATIC) + " " + kind(c) + " "
          + c.getName();
      classes.put(c.getName(), new ArrayList<>(Collections.singletonList(header)));
      classes.get(c.getName()).addAll(members);
    }
    StringBuilder out = new StringBuilder();
    for (List<String> block : classes.values()) {
      out.append(block.get(0)).append('\n');
      for (String member : block.subList(1, block.size())) out.append("  ").append(member).append('\n');
    }
    return out.toString();
  }

  /** Public, and (for nested classes) enclosed only by public classes. */
  private static boolean isVisible(Class<?> c) {
    for (Class<?> k = c; k != null; k = k.getEnclosingClass()) {
      if (!Modifier.isPublic(k.getModifiers()) || k.isAnonymousClass()) return false;
    }
    return true;
  }

  private static String kind(Class<?> c) {
    if (c.isInterface()) return "interface";
    if (c.isEnum()) return "enum";
    return "class";
  }
}
