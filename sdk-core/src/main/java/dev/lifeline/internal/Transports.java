package dev.lifeline.internal;

import okhttp3.OkHttpClient;

/** Chooses the transport for a URL's scheme. */
public final class Transports {
  private Transports() {}

  /** The factory for every scheme Lifeline speaks: ws and wss over OkHttp. */
  public static Transport.Factory factory(OkHttpClient okHttp) {
    return new WebSocketTransport.Factory(okHttp);
  }
}
