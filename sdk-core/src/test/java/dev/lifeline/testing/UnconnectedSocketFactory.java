package dev.lifeline.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import javax.net.SocketFactory;

/**
 * A {@link SocketFactory} for tests that only implements {@link #createSocket()}: OkHttp and the
 * TCP transport create unconnected sockets and connect them themselves, so the connecting
 * variants are never called.
 */
public abstract class UnconnectedSocketFactory extends SocketFactory {
  @Override public abstract Socket createSocket() throws IOException;

  @Override public final Socket createSocket(String host, int port) {
    throw new UnsupportedOperationException();
  }

  @Override public final Socket createSocket(String host, int port, InetAddress local, int localPort) {
    throw new UnsupportedOperationException();
  }

  @Override public final Socket createSocket(InetAddress host, int port) {
    throw new UnsupportedOperationException();
  }

  @Override public final Socket createSocket(
      InetAddress address, int port, InetAddress local, int localPort) {
    throw new UnsupportedOperationException();
  }
}
