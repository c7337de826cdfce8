package dev.lifeline.consumer;

import dev.lifeline.Connection;
import dev.lifeline.ConnectionListener;
import dev.lifeline.ConnectionState;
import dev.lifeline.Lifeline;
import dev.lifeline.Subscription;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** A Java app as its author would write it against lifeline-core, with nothing else. */
public final class JavaConsumerApp {
  private JavaConsumerApp() {}

  /** Connects to {@code url}, sends {@code text}, returns the first message received back. */
  public static String echo(String url, String text) throws Exception {
    Lifeline lifeline = Lifeline.builder().build();
    final BlockingQueue<String> inbox = new ArrayBlockingQueue<String>(16);
    final CountDownLatch connected = new CountDownLatch(1);
    try {
      Connection connection = lifeline.newConnection(url, new ConnectionListener() {
        @Override public void onMessage(Connection c, String message) {
          inbox.add(message);
        }
      });
      Subscription watching = connection.observeState(state -> {
        if (state.kind() == ConnectionState.Kind.CONNECTED) connected.countDown();
      });
      connection.connect();
      if (!connected.await(10, TimeUnit.SECONDS)) {
        throw new IllegalStateException("not CONNECTED within 10 s: " + connection.state());
      }
      watching.close();
      connection.send(text);
      String reply = inbox.poll(10, TimeUnit.SECONDS);
      if (reply == null) throw new IllegalStateException("no reply within 10 s");
      connection.close();
      return reply;
    } finally {
      lifeline.shutdown(5, TimeUnit.SECONDS);
    }
  }

  public static void main(String[] args) throws Exception {
    System.out.println(echo(args[0], args.length > 1 ? args[1] : "hello"));
  }
}
