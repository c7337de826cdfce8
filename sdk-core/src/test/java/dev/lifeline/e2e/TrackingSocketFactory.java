package dev.lifeline.e2e;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.SocketFactory;

/** Remembers every client socket OkHttp creates, so a test can assert they were all closed. */
public final class TrackingSocketFactory extends SocketFactory {
  public final List<Socket> sockets = new CopyOnWriteArrayList<>();

  private Socket track(Socket s) {
    sockets.add(s);
    return s;
  }

  @Override public Socket createSocket() {
    return track(new Socket());
  }

  @Override public Socket createSocket(String host, int port) throws IOException {
    return track(new Socket(host, port));
  }

  @Override public Socket createSocket(String host, int port, InetAddress local, int localPort)
      throws IOException {
    return track(new Socket(host, port, local, localPort));
  }

  @Override public Socket createSocket(InetAddress host, int port) throws IOException {
    return track(new Socket(host, port));
  }

  @Override public Socket createSocket(InetAddress host, int port, InetAddress local, int localPort)
      throws IOException {
    return track(new Socket(host, port, local, localPort));
  }

  public boolean allClosed() {
    for (Socket s : sockets) if (!s.isClosed()) return false;
    return true;
  }
}
