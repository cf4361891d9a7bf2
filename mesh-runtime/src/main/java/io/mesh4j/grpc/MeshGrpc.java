package io.mesh4j.grpc;

import io.grpc.BindableService;
import io.grpc.Context;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.ServerInterceptor;
import io.mesh4j.Mesh;
import io.mesh4j.MeshJwt;
import io.mesh4j.MeshPeer;
import io.mesh4j.runtime.MeshInternals;
import io.mesh4j.runtime.admin.CsdsService;
import io.mesh4j.runtime.grpc.MeshChannel;
import io.mesh4j.runtime.inbound.grpc.InboundAttributes;
import io.mesh4j.runtime.inbound.grpc.InboundServerInterceptor;
import io.mesh4j.runtime.inbound.grpc.MeshNegotiatorFactory;
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

  /**
   * The caller of the current call on a server under the mesh ({@code MeshGrpc.PEER.get()} in a service method): the
   * identity in the client certificate of its mutual TLS connection, or null on plaintext or without a client
   * certificate.
   */
  public static final Context.Key<MeshPeer> PEER = InboundAttributes.PEER_CONTEXT_KEY;

  /**
   * The verified JWT of the current call on a server under the mesh ({@code MeshGrpc.JWT.get()} in a service
   * method): what the server listener's {@code jwt_authn} filter checked, with its claims; null when the call's route
   * required no token and it carried none.
   */
  public static final Context.Key<MeshJwt> JWT = InboundAttributes.JWT_CONTEXT_KEY;

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
   * it has one, gRPC's retry policies out of reach because the mesh decides retries, only its transparent retry of a
   * call the server refused unprocessed kept) — add interceptors, executors, message limits or keep-alive there.
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
            .apply(onlyTransparentRetries(ManagedChannelBuilder.forTarget("dns:///" + address)
                .usePlaintext()
                .overrideAuthority(hostPort)))
            .build(),
        (address, credentials, authority) -> endpointChannel
            .apply(onlyTransparentRetries(Grpc.newChannelBuilder("dns:///" + address, credentials)
                .overrideAuthority(authority)))
            .build(),
        internals.security(),
        internals.tlsMaterialWait(),
        ForkJoinPool.commonPool());
  }

  /**
   * An endpoint channel's own retries: only grpc-java's transparent ones, which send again a call that never reached
   * the server's application (a stream the server refused unprocessed while draining with GOAWAY, or one that never
   * left the client), once on another connection, as Envoy's connection pool does. No service config is looked up and
   * none is given, so no retry or hedging policy of grpc-java's own can apply: the route's retry policy, attempt count
   * and per-try timeout are the mesh's, each mesh attempt being one call on the endpoint channel.
   */
  private static ManagedChannelBuilder<?> onlyTransparentRetries(ManagedChannelBuilder<?> builder) {
    return builder.enableRetry().disableServiceConfigLookUp();
  }

  /**
   * The Client Status Discovery Service ({@code envoy.service.status.v3.ClientStatusDiscoveryService}) for
   * {@code mesh}: add it to an admin gRPC server so grpcdebug and other CSDS tools can read what the mesh subscribed
   * to, its versions and ACK/NACK states.
   */
  public static BindableService csdsService(Mesh mesh) {
    return new CsdsService(MeshInternals.of(mesh).xdsClient());
  }

  /**
   * A gRPC server for {@code port} served under the mesh: it subscribes to the port's server listener (the
   * bootstrap's {@code server_listener_resource_name_template}), owns the socket and terminates TLS with each filter
   * chain's certificates, choosing the chain per connection by what its first bytes say (so STRICT, DISABLE and
   * PERMISSIVE on one port work), and runs every call through its chain's HTTP filters (RBAC) before the
   * application's services. The caller's identity is {@link #PEER}.
   *
   * <pre>{@code
   * MeshGrpcServer server = MeshGrpc.newServerBuilder(mesh, 8080).addService(new CatalogService()).build().start();
   * server.ready().toCompletableFuture().get(30, TimeUnit.SECONDS); // the listener arrived: serving
   * }</pre>
   *
   * @param port the port to listen on (all addresses); the server listener is the one for this port
   */
  public static MeshServerBuilder newServerBuilder(Mesh mesh, int port) {
    checkPort(port);
    MeshInternals internals = MeshInternals.of(mesh);
    return MeshServerBuilder.forInboundPort(internals.inbound().open(port), MeshNegotiatorFactory.DEFAULT_SNIFF_TIMEOUT)
        .recordingInto(internals.inboundMetrics());
  }

  /**
   * Authorization for a gRPC server the application builds and secures itself: each call runs through the HTTP
   * filters (RBAC) of the filter chain that {@code port}'s server listener picks for it, by its addresses and whether
   * it came over TLS ({@code Grpc.TRANSPORT_ATTR_SSL_SESSION}; the peer identity is read from that session). The
   * application's TLS, not the chain's, secures the connection: a chain that requires TLS or a client certificate
   * refuses calls without. Add it last ({@code ServerBuilder.intercept}) so that it runs first.
   */
  public static ServerInterceptor serverInterceptor(Mesh mesh, int port) {
    checkPort(port);
    MeshInternals internals = MeshInternals.of(mesh);
    return new InboundServerInterceptor(internals.inbound().open(port), internals.inboundMetrics());
  }

  private static void checkPort(int port) {
    if (port <= 0 || port > 65535) {
      throw new IllegalArgumentException("a server under the mesh needs its real port (its listener is named by it),"
          + " not " + port);
    }
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
