package dev.lifeline.consumer;

import dev.lifeline.Connection;
import dev.lifeline.ConnectionListener;
import dev.lifeline.ConnectionState;
import dev.lifeline.Lifeline;
import dev.lifeline.Subscription;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import okhttp3.OkHttpClient;
import okhttp3.tls.HandshakeCertificates;

/**
 * A Java app that brings its own OkHttp 5 and hands Lifeline its OkHttpClient, one that trusts
 * the app's server certificate (as apps with a private CA or pinned certificates do).
 */
public final class JavaOkHttp5ConsumerApp {
  private JavaOkHttp5ConsumerApp() {}

  /** The app's own OkHttpClient: trusts {@code serverCertificate} only. */
  public static OkHttpClient okHttpClientTrusting(X509Certificate serverCertificate) {
    HandshakeCertificates trusted = new HandshakeCertificates.Builder()
        .addTrustedCertificate(serverCertificate)
        .build();
    return new OkHttpClient.Builder()
        .sslSocketFactory(trusted.sslSocketFactory(), trusted.trustManager())
        .build();
  }

  /**
   * Connects to {@code url} (ws:// or wss://) with Lifeline on {@code okHttp}, sends each message,
   * returns what came back once every message has, in order of arrival. Throws with the
   * connection's reason if the first attempt fails, or if anything is missing after 10 s.
   */
  public static List<String> echo(OkHttpClient okHttp, String url, List<String> messages)
      throws Exception {
    Lifeline lifeline = Lifeline.builder().okHttpClient(okHttp).build();
    final BlockingQueue<String> inbox = new LinkedBlockingQueue<String>();
    final BlockingQueue<ConnectionState> outcome = new LinkedBlockingQueue<ConnectionState>();
    try {
      Connection connection = lifeline.newConnection(url, new ConnectionListener() {
        @Override public void onMessage(Connection c, String message) {
          inbox.add(message);
        }
      });
      final AtomicReference<ConnectionState> last = new AtomicReference<ConnectionState>();
      Subscription watching = connection.observeState(state -> {
        last.set(state);
        // The first attempt's outcome: open, or failed (and about to retry, or closed).
        if (state.kind() == ConnectionState.Kind.CONNECTED
            || state.kind() == ConnectionState.Kind.WAITING_TO_RECONNECT
            || state.kind() == ConnectionState.Kind.CLOSED) {
          outcome.add(state);
        }
      });
      connection.connect();
      ConnectionState first = outcome.poll(10, TimeUnit.SECONDS);
      watching.close();
      if (first == null) {
        throw new IllegalStateException(url + ": no outcome within 10 s: " + last.get());
      }
      if (first.kind() != ConnectionState.Kind.CONNECTED) {
        throw new IllegalStateException(url + ": the first attempt failed: " + first, first.cause());
      }
      for (String message : messages) {
        if (!connection.send(message)) throw new IllegalStateException("send refused: " + message);
      }
      List<String> replies = new ArrayList<String>();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (replies.size() < messages.size()) {
        String reply = inbox.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        if (reply == null) {
          throw new IllegalStateException(url + ": " + replies.size() + " of " + messages.size()
              + " messages came back within 10 s; state " + connection.state());
        }
        replies.add(reply);
      }
      connection.close();
      return replies;
    } finally {
      lifeline.shutdown(5, TimeUnit.SECONDS);
    }
  }
}
