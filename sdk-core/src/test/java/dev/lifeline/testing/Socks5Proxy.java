package dev.lifeline.testing;

import java.io.Closeable;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A minimal SOCKS5 proxy on 127.0.0.1 (RFC 1928: no authentication, CONNECT only) that records
 * the host each client asked for, as the client sent it (a name the proxy resolves, or an
 * address), and tunnels to that port on 127.0.0.1 whatever the host. Bounded like {@link
 * ConnectProxy}.
 */
public final class Socks5Proxy implements Closeable {
  private final ServerSocket server;
  private final Thread acceptor;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private final List<Thread> threads = new CopyOnWriteArrayList<>();
  private final long deadline = System.nanoTime() + ConnectProxy.LIFETIME_MILLIS * 1_000_000L;
  /** "name lifeline.test:7000" or "address 127.0.0.1:7000", per CONNECT. */
  public final List<String> requested = new CopyOnWriteArrayList<>();

  public Socks5Proxy() throws IOException {
    server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
    server.setSoTimeout(1_000);
    acceptor = new Thread(this::acceptLoop, "Socks5Proxy acceptor");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  public int port() {
    return server.getLocalPort();
  }

  private void acceptLoop() {
    while (!server.isClosed() && System.nanoTime() - deadline < 0) {
      try {
        Socket client = server.accept();
        sockets.add(client);
        spawn("Socks5Proxy connection", () -> serve(client));
      } catch (SocketTimeoutException tick) {
        // Check the lifetime, then accept again.
      } catch (IOException closed) {
        break;
      }
    }
    Stopping.closeQuietly(server);
    for (Socket s : sockets) Stopping.closeQuietly(s);
  }

  private void serve(Socket client) {
    try {
      client.setSoTimeout(ConnectProxy.IDLE_MILLIS);
      DataInputStream in = new DataInputStream(client.getInputStream());
      OutputStream out = client.getOutputStream();
      if (in.readUnsignedByte() != 5) throw new IOException("not SOCKS5");
      int methods = in.readUnsignedByte();
      in.readFully(new byte[methods]);
      out.write(new byte[] {5, 0}); // No authentication.
      out.flush();
      byte[] request = new byte[4];
      in.readFully(request); // VER CMD RSV ATYP
      if (request[1] != 1) throw new IOException("only CONNECT");
      String host;
      switch (request[3]) {
        case 1: {
          byte[] a = new byte[4];
          in.readFully(a);
          host = "address " + InetAddress.getByAddress(a).getHostAddress();
          break;
        }
        case 3: {
          byte[] name = new byte[in.readUnsignedByte()];
          in.readFully(name);
          host = "name " + new String(name, StandardCharsets.US_ASCII);
          break;
        }
        case 4: {
          byte[] a = new byte[16];
          in.readFully(a);
          host = "address " + InetAddress.getByAddress(a).getHostAddress();
          break;
        }
        default:
          throw new IOException("bad address type");
      }
      int port = in.readUnsignedShort();
      requested.add(host + ":" + port);
      Socket upstream = new Socket();
      sockets.add(upstream);
      upstream.connect(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port),
          ConnectProxy.IDLE_MILLIS);
      upstream.setSoTimeout(ConnectProxy.IDLE_MILLIS);
      out.write(new byte[] {5, 0, 0, 1, 127, 0, 0, 1, (byte) (port >> 8), (byte) port});
      out.flush();
      spawn("Socks5Proxy upstream→client", () -> ConnectProxy.relay(upstream, client));
      ConnectProxy.relay(client, upstream);
    } catch (IOException e) {
      Stopping.closeQuietly(client);
    }
  }

  private void spawn(String name, Runnable body) {
    Thread t = new Thread(body, name);
    t.setDaemon(true);
    threads.add(t);
    t.start();
  }

  @Override public void close() throws IOException {
    Stopping.closeQuietly(server);
    for (Socket s : sockets) Stopping.closeQuietly(s);
    Stopping.join(acceptor, 5_000);
    for (Thread t : threads) Stopping.join(t, 5_000);
  }
}
