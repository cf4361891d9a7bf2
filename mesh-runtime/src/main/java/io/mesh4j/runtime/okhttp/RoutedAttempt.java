package io.mesh4j.runtime.okhttp;

/**
 * The tag on the request of one routed attempt, which the {@link MeshNetworkInterceptor} marks once OkHttp has a
 * connection for it: a failure before that mark (connect, TLS handshake) never reached the upstream's HTTP layer,
 * one after it did. OkHttp's public API has no typed way to tell a connect timeout from a read timeout; this is it.
 */
final class RoutedAttempt {
  private volatile boolean connected;

  void connected() {
    connected = true;
  }

  /** Whether OkHttp had a connection for this attempt (pooled or new, handshake done). */
  boolean isConnected() {
    return connected;
  }
}
