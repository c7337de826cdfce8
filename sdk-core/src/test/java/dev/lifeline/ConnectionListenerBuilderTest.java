package dev.lifeline;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import okio.ByteString;
import org.junit.Test;

/** {@link ConnectionListener#builder()}: a listener from lambdas, with a handler for every method. */
public final class ConnectionListenerBuilderTest {
  private static final Connection CONNECTION = null; // Handlers only pass it through.

  @Test public void lambdasReceiveWhatTheListenerIsCalledWith() {
    List<String> seen = new ArrayList<>();
    ConnectionListener listener = ConnectionListener.builder()
        .onStateChanged((c, state) -> seen.add("state " + state))
        .onMessage((c, text) -> seen.add("text " + text))
        .onBinaryMessage((c, bytes) -> seen.add("bytes " + bytes.hex()))
        .onDelivered((c, m) -> seen.add("delivered " + m.text()))
        .onSendFailed((c, m, reason) -> seen.add("failed " + m.text() + ": " + reason))
        .build();

    listener.onStateChanged(CONNECTION, ConnectionState.connected());
    listener.onMessage(CONNECTION, "hi");
    listener.onMessage(CONNECTION, ByteString.of((byte) 1));
    listener.onDelivered(CONNECTION, Message.text("m1"));
    listener.onSendFailed(CONNECTION, Message.text("m2"), "outbox full");

    assertEquals(Arrays.asList("state CONNECTED", "text hi", "bytes 01", "delivered m1",
        "failed m2: outbox full"), seen);
    assertEquals("ConnectionListener{handles onStateChanged onMessage onBinaryMessage onDelivered"
        + " onSendFailed}", listener.toString());
  }

  @Test public void methodsWithoutAHandlerDoNothing() {
    List<String> seen = new ArrayList<>();
    ConnectionListener listener =
        ConnectionListener.builder().onMessage((c, text) -> seen.add(text)).build();
    listener.onStateChanged(CONNECTION, ConnectionState.connected());
    listener.onMessage(CONNECTION, ByteString.of((byte) 1));
    listener.onSendFailed(CONNECTION, Message.text("m"), "r");
    listener.onMessage(CONNECTION, "only this");
    assertEquals(Collections.singletonList("only this"), seen);
  }

  @Test public void aLaterHandlerReplacesAnEarlierOne() {
    List<String> seen = new ArrayList<>();
    ConnectionListener listener = ConnectionListener.builder()
        .onMessage((c, text) -> seen.add("first"))
        .onMessage((c, text) -> seen.add("second"))
        .build();
    listener.onMessage(CONNECTION, "x");
    assertEquals(Collections.singletonList("second"), seen);
  }

  @Test public void nullHandlersAreRefused() {
    try {
      ConnectionListener.builder().onSendFailed(null);
      fail();
    } catch (NullPointerException e) {
      assertEquals("onSendFailed handler == null", e.getMessage());
    }
  }

  /**
   * Every listener method, including any added later, has a builder setter taking a handler
   * interface whose one method has the same parameters, and the built listener calls it.
   */
  @Test public void everyListenerMethodHasAHandler() throws Exception {
    List<String> missing = new ArrayList<>();
    for (Method m : ConnectionListener.class.getDeclaredMethods()) {
      int mods = m.getModifiers();
      if (!Modifier.isPublic(mods) || Modifier.isStatic(mods)) continue;
      Method setter = setterFor(m);
      if (setter == null) {
        missing.add(m.toString());
        continue;
      }
      Class<?> handlerType = setter.getParameterTypes()[0];
      List<Object[]> calls = new ArrayList<>();
      Object handler = Proxy.newProxyInstance(handlerType.getClassLoader(),
          new Class<?>[] {handlerType}, (proxy, method, args) -> {
            if (method.getDeclaringClass() == Object.class) return method.invoke(this, args);
            calls.add(args);
            return null;
          });
      ConnectionListener.Builder b = ConnectionListener.builder();
      setter.invoke(b, handler);
      ConnectionListener built = b.build();
      Object[] args = sampleArgs(m.getParameterTypes());
      m.invoke(built, args);
      assertEquals(m.toString(), 1, calls.size());
      assertTrue(m.toString(), Arrays.equals(args, calls.get(0)));
    }
    assertEquals("listener methods without a handler", Collections.emptyList(), missing);
  }

  /** The builder setter whose handler's single method takes {@code m}'s parameters. */
  private static Method setterFor(Method m) {
    for (Method setter : ConnectionListener.Builder.class.getMethods()) {
      if (setter.getParameterCount() != 1 || !setter.getParameterTypes()[0].isInterface()) continue;
      Method[] abstracts = setter.getParameterTypes()[0].getMethods();
      if (abstracts.length == 1
          && Arrays.equals(abstracts[0].getParameterTypes(), m.getParameterTypes())) {
        return setter;
      }
    }
    return null;
  }

  private static Object[] sampleArgs(Class<?>[] types) {
    Object[] args = new Object[types.length];
    for (int i = 0; i < types.length; i++) {
      Class<?> t = types[i];
      args[i] = t == String.class ? "s" + i
          : t == ByteString.class ? ByteString.of((byte) i)
          : t == Message.class ? Message.text("m" + i)
          : t == ConnectionState.class ? ConnectionState.connected()
          : null;
    }
    return args;
  }
}
