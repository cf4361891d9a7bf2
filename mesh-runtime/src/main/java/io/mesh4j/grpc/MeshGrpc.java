package io.mesh4j.grpc;

import io.grpc.BindableService;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.mesh4j.Mesh;
import io.mesh4j.runtime.MeshInternals;
import io.mesh4j.runtime.admin.CsdsService;
import io.mesh4j.runtime.grpc.MeshChannel;
import java.util.Objects;
import java.util.concurrent.ForkJoinPool;
import java.util.function.UnaryOperator;

/**
 * gRPC channels routed by a {@link Mesh}: the same snapshot, router and load balancing as the mesh's OkHttp clients.
 *
 * <pre>{@code
 * ManagedChannel channel = MeshGrpc.newChannel(mesh, "catalog.shop.svc.cluster.local:9090");
 * CatalogGrpc.CatalogBlockingStub catalog = CatalogGrpc.newBlockingStub(channel);
 * }</pre>
 *
 * <p>Each call is routed by its full method name ({@code /package.Service/Method}) and metadata, as an HTTP request
 * is by path and headers. The target is {@code host:port} (or {@code mesh:///host:port}); it names the listener as
 * gRPC's {@code xds:///host:port} does, which stays free for grpc-xds when both are on the classpath.
 *
 * <p>Lives here rather than on {@code Mesh} so that mesh-api does not depend on gRPC.
 */
public final class MeshGrpc {
  /** The scheme this library answers to; {@code xds} is left to grpc-xds. */
  public static final String SCHEME = "mesh";

  private MeshGrpc() {}

  /**
   * A channel to {@code target} whose endpoint connections use gRPC's defaults: plaintext, or TLS with the
   * cluster's certificates (mutual TLS, SPIFFE ID checks) when the cluster has an {@code UpstreamTlsContext}.
   */
  public static ManagedChannel newChannel(Mesh mesh, String target) {
    return newChannel(mesh, target, UnaryOperator.identity());
  }

  /**
   * A channel to {@code target}; {@code endpointChannel} configures the channel opened to each endpoint (already
   * plaintext or TLS as the cluster says, authority set to the target, or for TLS to the cluster's {@code sni} when
   * it has one, gRPC's own retries off because the mesh decides retries) — add
   * interceptors, executors, message limits or keep-alive there.
   */
  public static ManagedChannel newChannel(
      Mesh mesh, String target, UnaryOperator<ManagedChannelBuilder<?>> endpointChannel) {
    Objects.requireNonNull(endpointChannel, "endpointChannel");
    String hostPort = hostPort(target);
    MeshInternals internals = MeshInternals.of(mesh);
    return new MeshChannel(
        internals.engine(),
        hostPort,
        address -> endpointChannel
            .apply(ManagedChannelBuilder.forTarget("dns:///" + address)
                .usePlaintext()
                .overrideAuthority(hostPort)
                .disableRetry())
            .build(),
        (address, credentials, authority) -> endpointChannel
            .apply(Grpc.newChannelBuilder("dns:///" + address, credentials)
                .overrideAuthority(authority)
                .disableRetry())
            .build(),
        internals.security(),
        internals.tlsMaterialWait(),
        ForkJoinPool.commonPool());
  }

  /**
   * The Client Status Discovery Service ({@code envoy.service.status.v3.ClientStatusDiscoveryService}) for
   * {@code mesh}: add it to an admin gRPC server so grpcdebug and other CSDS tools can read what the mesh subscribed
   * to, its versions and ACK/NACK states.
   */
  public static BindableService csdsService(Mesh mesh) {
    return new CsdsService(MeshInternals.of(mesh).xdsClient());
  }

  /** {@code host:port} of a target written as {@code host:port} or {@code mesh:///host:port}. */
  static String hostPort(String target) {
    Objects.requireNonNull(target, "target");
    String prefix = SCHEME + ":///";
    String hostPort = target.startsWith(prefix) ? target.substring(prefix.length()) : target;
    if (hostPort.isEmpty() || hostPort.contains("/") || hostPort.contains("://")) {
      throw new IllegalArgumentException("a mesh target is host:port or mesh:///host:port, not '" + target + "'");
    }
    return hostPort;
  }
}
