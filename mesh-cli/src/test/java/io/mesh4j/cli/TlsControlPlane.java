package io.mesh4j.cli;

import io.envoyproxy.controlplane.cache.v3.SimpleCache;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.envoyproxy.controlplane.server.V3DiscoveryServer;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.TlsServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.mesh4j.runtime.testing.TestPki;
import io.mesh4j.samples.controlplane.AnswerWhatExistsWatcher;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A control plane as a managed one is reached: ADS over TLS (a certificate for {@code xds.mesh.test} from a test
 * CA) that refuses every stream without {@code authorization: Bearer <token>}. java-control-plane on 127.0.0.1.
 */
final class TlsControlPlane implements AutoCloseable {
  static final String AUTHORITY = "xds.mesh.test";
  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  private final SimpleCache<String> cache = new SimpleCache<>(node -> "all");
  private final Path caFile;
  private final Server server;

  TlsControlPlane(Path dir, String token) throws IOException {
    TestPki.Ca ca = TestPki.root("xds-ca");
    TestPki.Leaf leaf = ca.leaf().dns(AUTHORITY).issue();
    caFile = Files.writeString(dir.resolve("xds-ca.pem"), TestPki.pem(ca.certificate()));
    Path chain = Files.writeString(dir.resolve("xds.pem"), leaf.chainPem());
    Path key = Files.writeString(dir.resolve("xds-key.pem"), leaf.keyPem());
    ServerInterceptor bearerOnly = new ServerInterceptor() {
      @Override
      public <Q, R> ServerCall.Listener<Q> interceptCall(
          ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        if (!("Bearer " + token).equals(headers.get(AUTHORIZATION))) {
          call.close(Status.UNAUTHENTICATED.withDescription("bad or missing bearer token"), new Metadata());
          return new ServerCall.Listener<>() {};
        }
        return next.startCall(call, headers);
      }
    };
    V3DiscoveryServer discovery = new V3DiscoveryServer(new AnswerWhatExistsWatcher(cache, "all"));
    server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0),
            TlsServerCredentials.create(chain.toFile(), key.toFile()))
        .addService(ServerInterceptors.intercept(discovery.getAggregatedDiscoveryServiceImpl(), bearerOnly))
        .build()
        .start();
  }

  String target() {
    return "127.0.0.1:" + server.getPort();
  }

  Path caFile() {
    return caFile;
  }

  void setSnapshot(String version, List<Listener> listeners, List<RouteConfiguration> routes,
      List<Cluster> clusters, List<ClusterLoadAssignment> endpoints) {
    cache.setSnapshot("all", Snapshot.create(clusters, endpoints, listeners, routes, List.of(), version));
  }

  @Override
  public void close() throws InterruptedException {
    server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
  }
}
