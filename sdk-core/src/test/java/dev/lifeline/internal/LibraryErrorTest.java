package dev.lifeline.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import org.junit.Test;

/**
 * The reason an {@link Error} raised while connecting gets ({@link LibraryError}, {@link
 * Failure#ofError}): the library and the missing piece, read from the JVM's and Android's
 * spellings of the error message.
 */
public final class LibraryErrorTest {
  /** OkHttp's own version, as the running classes declare it (4.12.0 in this build). */
  private static final String OKHTTP = "OkHttp " + okhttp3.OkHttp.VERSION;
  private static final String NEEDS_OKHTTP = " (Lifeline needs OkHttp 4.12 or 5.x)";

  @Test public void aMissingOkHttpMethodJava11Spelling() {
    assertEquals(OKHTTP + " on the classpath is not compatible: NoSuchMethodError: 'kotlin.Unit"
        + " okhttp3.OkHttpClient$Builder.fastFallback(boolean)'" + NEEDS_OKHTTP,
        LibraryError.explain(new NoSuchMethodError(
            "'kotlin.Unit okhttp3.OkHttpClient$Builder.fastFallback(boolean)'")));
  }

  @Test public void aMissingOkHttpMethodJava8Spelling() {
    assertEquals(OKHTTP + " on the classpath is not compatible: NoSuchMethodError:"
        + " okhttp3.Dns.lookup(Ljava/lang/String;)Ljava/util/List;" + NEEDS_OKHTTP,
        LibraryError.explain(new NoSuchMethodError(
            "okhttp3.Dns.lookup(Ljava/lang/String;)Ljava/util/List;")));
  }

  @Test public void aMissingOkHttpMethodAndroidSpelling() {
    String m = "No virtual method connectionSpecs()Ljava/util/List; in class"
        + " Lokhttp3/OkHttpClient; or its super classes (declaration of 'okhttp3.OkHttpClient'"
        + " appears in /data/app/base.apk)";
    assertEquals(OKHTTP + " on the classpath is not compatible: NoSuchMethodError: " + m
        + NEEDS_OKHTTP, LibraryError.explain(new NoSuchMethodError(m)));
  }

  @Test public void aMissingOkioClassSlashSpellingAndAndroidSpelling() {
    String okio = "Okio on the classpath is not compatible: NoClassDefFoundError: ";
    String needs = " (Lifeline needs Okio 3, at least the version the app's OkHttp depends on)";
    assertEquals(okio + "okio/Buffer" + needs,
        LibraryError.explain(new NoClassDefFoundError("okio/Buffer")));
    assertEquals(okio + "Failed resolution of: Lokio/Okio;" + needs,
        LibraryError.explain(new NoClassDefFoundError("Failed resolution of: Lokio/Okio;")));
  }

  @Test public void theKotlinStandardLibraryIsNamedWithItsVersion() {
    String reason = LibraryError.explain(new NoSuchMethodError(
        "'void kotlin.jvm.internal.Intrinsics.checkNotNullParameter(java.lang.Object,"
            + " java.lang.String)'"));
    assertTrue(reason, reason.startsWith("the Kotlin standard library " + kotlin.KotlinVersion.CURRENT
        + " on the classpath is not compatible: NoSuchMethodError: 'void"
        + " kotlin.jvm.internal.Intrinsics.checkNotNullParameter("));
    assertTrue(reason, reason.endsWith("1.8 for OkHttp 4.12, 2.x for OkHttp 5.x)"));
  }

  @Test public void anAbstractMethodNamesTheInterfaceNotTheReceiver() {
    String m = "Receiver class com.example.TokenDns does not define or inherit an implementation"
        + " of the resolved method 'abstract java.util.List lookup(java.lang.String)' of"
        + " interface okhttp3.Dns.";
    assertEquals(OKHTTP + " on the classpath is not compatible: AbstractMethodError: " + m
        + NEEDS_OKHTTP, LibraryError.explain(new AbstractMethodError(m)));
  }

  @Test public void aClassOutsideTheKnownLibrariesIsNamedByItsPackage() {
    assertEquals("the library in package com.example.tokens on the classpath is not compatible:"
        + " NoSuchMethodError: 'java.lang.String com.example.tokens.Vault.token()' (check which"
        + " version of it the app's build resolves)",
        LibraryError.explain(new NoSuchMethodError(
            "'java.lang.String com.example.tokens.Vault.token()'")));
  }

  @Test public void lifelinesOwnClassesFromTwoVersions() {
    assertEquals("Lifeline's classes (dev.lifeline.internal) are not compatible with each other:"
        + " NoSuchMethodError: 'void dev.lifeline.internal.Redact.gone()' (use one version of"
        + " every lifeline-* artifact, e.g. through lifeline-bom)",
        LibraryError.explain(new NoSuchMethodError("'void dev.lifeline.internal.Redact.gone()'")));
  }

  @Test public void aPlatformThatLacksAMethod() {
    assertEquals("this platform (java.util) lacks what Lifeline uses: NoSuchMethodError:"
        + " 'java.lang.Object java.util.Map.getOrDefault(java.lang.Object, java.lang.Object)'"
        + " (Lifeline needs Java 8 or Android API 21)",
        LibraryError.explain(new NoSuchMethodError("'java.lang.Object"
            + " java.util.Map.getOrDefault(java.lang.Object, java.lang.Object)'")));
  }

  @Test public void aMessageWithoutAClassSaysWhereTheErrorWasRaised() {
    NoSuchFieldError e = new NoSuchFieldError("VERSION"); // Java 8's spelling.
    e.setStackTrace(new StackTraceElement[] {
        new StackTraceElement("dev.lifeline.internal.Probe", "run", "Probe.java", 7)});
    assertEquals("a library on the classpath is not compatible: NoSuchFieldError: VERSION (raised"
        + " at dev.lifeline.internal.Probe.run(Probe.java:7)) (check which version of it the"
        + " app's build resolves)", LibraryError.explain(e));
  }

  @Test public void anotherErrorIsNamedByTheCodeThatRaisedIt() {
    AssertionError e = new AssertionError("pool exhausted");
    e.setStackTrace(new StackTraceElement[] {
        new StackTraceElement("java.util.Objects", "check", null, -1),
        new StackTraceElement("okhttp3.internal.connection.RealCall", "execute", null, -1),
        new StackTraceElement("dev.lifeline.internal.tcp.TcpTransport", "run", null, -1)});
    assertEquals(OKHTTP + " raised an Error, which retrying would not fix: AssertionError: pool"
        + " exhausted", LibraryError.explain(e));
  }

  @Test public void aFailedStaticInitialiserNamesItsClass() {
    IllegalStateException thrown = new IllegalStateException("no TLS provider");
    thrown.setStackTrace(new StackTraceElement[] {
        new StackTraceElement("okhttp3.internal.platform.Platform", "<clinit>", null, -1)});
    assertEquals(OKHTTP + " on the classpath is not compatible: ExceptionInInitializerError"
        + " (IllegalStateException: no TLS provider)" + NEEDS_OKHTTP,
        LibraryError.explain(new ExceptionInInitializerError(thrown)));
  }

  @Test public void anErrorWrappedInAnIOExceptionIsFound() {
    NoClassDefFoundError e = new NoClassDefFoundError("okio/Buffer");
    assertSame(e, LibraryError.find(new IOException("OkHttp failed", e)));
    assertNull(LibraryError.find(new IOException("reset")));
  }

  @Test public void aLinkageErrorIsAConfigurationError() {
    Failure f = Failure.ofTransport(new NoSuchMethodError("'void okhttp3.WebSocket.x()'"), 0, -1,
        new Failure.Timing(false, 300, -1, false));
    assertEquals(Failure.Kind.CONFIGURATION, f.kind);
    assertTrue(f.reason, f.reason.startsWith(OKHTTP + " on the classpath is not compatible"));
  }

  @Test public void outOfMemoryEndsTheConnectionWithTheErrorInTheReason() {
    OutOfMemoryError oom = new OutOfMemoryError("Java heap space");
    Failure f = Failure.ofTransport(oom, 0, -1, new Failure.Timing(true, 4_400, 4_400, false));
    assertEquals(Failure.Kind.FATAL, f.kind);
    assertSame(oom, f.cause);
    assertEquals("the JVM failed: OutOfMemoryError: Java heap space (a VirtualMachineError; the"
        + " connection is not retried, as the JVM may not recover)", f.reason);
  }
}
