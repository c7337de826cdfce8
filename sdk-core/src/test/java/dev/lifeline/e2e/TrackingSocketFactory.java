package dev.lifeline.e2e;

import dev.lifeline.testing.UnconnectedSocketFactory;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Remembers every client socket OkHttp creates, so a test can assert they were all closed. */
public final class TrackingSocketFactory extends UnconnectedSocketFactory {
  public final List<Socket> sockets = new CopyOnWriteArrayList<>();

  @Override public Socket createSocket() {
    Socket s = new Socket();
    sockets.add(s);
    return s;
  }

  public boolean allClosed() {
    for (Socket s : sockets) if (!s.isClosed()) return false;
    return true;
  }
}
