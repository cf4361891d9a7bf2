package io.mesh4j;

import okhttp3.OkHttpClient;

/**
 * An in-process service mesh: one connection to an xDS control plane, and the clients it routes.
 *
 * <pre>{@code
 * Mesh mesh = Mesh.fromEnvironment();
 * OkHttpClient http = mesh.okHttp(new OkHttpClient.Builder()).build();
 * }</pre>
 *
 * <p>A mesh is thread-safe and meant to live as long as the application; close it on shutdown.
 */
public interface Mesh extends AutoCloseable {

  /** A mesh bootstrapped from {@code GRPC_XDS_BOOTSTRAP}, {@code GRPC_XDS_BOOTSTRAP_CONFIG} or {@code MESH_BOOTSTRAP}. */
  static Mesh fromEnvironment() {
    return builder().build();
  }

  static MeshBuilder builder() {
    return new MeshBuilder();
  }

  /**
   * Returns {@code builder} with the mesh installed: requests to mesh hosts are routed by the control plane's
   * configuration, other hosts follow the {@link OutboundTrafficPolicy}.
   *
   * <p>What it does to the builder:
   *
   * <ul>
   *   <li>adds the mesh as an application interceptor;
   *   <li>replaces the builder's {@link okhttp3.Dispatcher} with the mesh's: same executor, but
   *       {@code maxRequests} and {@code maxRequestsPerHost} unlimited. A mesh host stands for a whole cluster, so
   *       its circuit breakers ({@code max_requests}, 1024 by default as in Envoy) limit the calls to it: over the
   *       limit a call fails at once with {@code OVERFLOW (503 UO)}, it does not wait in OkHttp's queue.
   *       Asynchronous calls to hosts outside the mesh keep the limits of the builder's dispatcher as it was at
   *       this call (its object is read live, counting only those calls); one over a limit waits on its dispatcher
   *       thread rather than in OkHttp's queue. Configure the dispatcher before this call: one set afterwards
   *       replaces the mesh's and brings OkHttp's limits back for mesh hosts;
   *   <li>redirects from mesh hosts (and a redirect route's own answer) are followed by the mesh, each hop routed,
   *       honouring the client's {@code followRedirects} and {@code followSslRedirects} and OkHttp's limit of 20
   *       follow-ups.
   * </ul>
   */
  OkHttpClient.Builder okHttp(OkHttpClient.Builder builder);

  /**
   * A server-side {@link javax.net.ssl.SSLContext} over the bootstrap's certificate provider {@code instance}
   * ({@code certificate_providers}): it presents the current certificate and checks client certificates against the
   * current roots, and picks up rotated material for new handshakes. For mutual TLS, require client certificates on
   * the server ({@code SSLParameters.setNeedClientAuth(true)}).
   *
   * @throws MeshConfigurationException when the bootstrap has no such instance
   */
  javax.net.ssl.SSLContext serverSslContext(String instance);

  /** What this instance has been sent, accepted and rejected, as {@code istioctl proxy-status} shows for sidecars. */
  MeshStatus status();

  /** Stops talking to the control plane. Clients built from this mesh fail their next mesh request. */
  /**
   * Where the admin endpoint listens ({@link MeshBuilder#adminPort}), or empty when it is off.
   */
  default java.util.Optional<java.net.InetSocketAddress> adminAddress() {
    return java.util.Optional.empty();
  }

  @Override
  void close();
}
