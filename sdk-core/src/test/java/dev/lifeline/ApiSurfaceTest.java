package dev.lifeline;

import static org.junit.Assert.assertEquals;

import java.io.File;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.junit.Test;

/**
 * The public API is written down in {@code sdk-core/api/lifeline-core.api} and reviewed with every
 * change: this test fails when the compiled API differs from the file. After an intended change,
 * regenerate it with {@code mvn test -pl sdk-core -Dtest=ApiSurfaceTest -Dlifeline.updateApi=true}
 * and review the diff.
 */
public final class ApiSurfaceTest {
  private static final Path API_FILE = Paths.get("api", "lifeline-core.api");

  @Test public void publicApiMatchesTheReviewedFile() throws Exception {
    String actual = String.join("\n", describe()) + "\n";
    if (Boolean.getBoolean("lifeline.updateApi")) {
      Files.createDirectories(API_FILE.getParent());
      Files.write(API_FILE, actual.getBytes(StandardCharsets.UTF_8));
    }
    String expected = new String(Files.readAllBytes(API_FILE), StandardCharsets.UTF_8);
    assertEquals("public API changed: review, then regenerate " + API_FILE
        + " with -Dlifeline.updateApi=true", expected, actual);
  }

  private static List<String> describe() throws IOException, URISyntaxException, ClassNotFoundException {
    File dir = new File(Lifeline.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    File pkg = new File(dir, "dev/lifeline");
    List<String> lines = new ArrayList<>();
    String[] names = pkg.list((d, n) -> n.endsWith(".class"));
    Arrays.sort(names);
    for (String file : names) {
      Class<?> c = Class.forName("dev.lifeline." + file.substring(0, file.length() - 6));
      if (!isVisible(c)) continue;
      if (c.isAnonymousClass() || c.isSynthetic()) continue;
      int mods = c.getModifiers() & ~Modifier.STATIC & ~Modifier.INTERFACE;
      if (c.isInterface()) mods &= ~Modifier.ABSTRACT;
      lines.add(Modifier.toString(mods) + " "
          + (c.isInterface() ? "interface " : c.isEnum() ? "enum " : "class ") + c.getName()
          + (c.getSuperclass() != null && c.getSuperclass() != Object.class && !c.isEnum()
              ? " extends " + c.getSuperclass().getName() : ""));
      List<String> members = new ArrayList<>();
      for (Field f : c.getDeclaredFields()) {
        if (isVisible(f.getModifiers()) && !f.isSynthetic()) {
          members.add("  " + Modifier.toString(f.getModifiers()) + " " + f.getType().getTypeName()
              + " " + f.getName());
        }
      }
      for (Constructor<?> k : c.getDeclaredConstructors()) {
        if (isVisible(k.getModifiers()) && !k.isSynthetic()) {
          members.add("  " + Modifier.toString(k.getModifiers()) + " <init>"
              + params(k.getGenericParameterTypes()));
        }
      }
      for (Method m : c.getDeclaredMethods()) {
        if (isVisible(m.getModifiers()) && !m.isSynthetic() && !m.isBridge()) {
          members.add("  " + Modifier.toString(m.getModifiers()) + " "
              + m.getGenericReturnType().getTypeName() + " " + m.getName()
              + params(m.getGenericParameterTypes()));
        }
      }
      Collections.sort(members);
      lines.addAll(members);
    }
    return lines;
  }

  private static boolean isVisible(Class<?> c) {
    for (Class<?> x = c; x != null; x = x.getEnclosingClass()) {
      if (!isVisible(x.getModifiers())) return false;
    }
    return true;
  }

  private static boolean isVisible(int modifiers) {
    return Modifier.isPublic(modifiers) || Modifier.isProtected(modifiers);
  }

  private static String params(java.lang.reflect.Type[] types) {
    List<String> names = new ArrayList<>();
    for (java.lang.reflect.Type t : types) names.add(t.getTypeName());
    return "(" + String.join(", ", names) + ")";
  }
}
