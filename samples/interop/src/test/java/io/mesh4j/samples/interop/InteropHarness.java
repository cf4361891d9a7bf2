package io.mesh4j.samples.interop;

import static io.mesh4j.runtime.testing.XdsResources.apiListener;
import static io.mesh4j.runtime.testing.XdsResources.edsCluster;
import static io.mesh4j.runtime.testing.XdsResources.endpoint;

import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.HealthStatus;
import io.envoyproxy.envoy.config.core.v3.Locality;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.grpc.CallOptions;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.stub.ClientCalls;
import io.mesh4j.Mesh;
import io.mesh4j.runtime.testing.LoopbackControlPlane;
import io.mesh4j.samples.interop.proto.ClientConfigureRequest;
import io.mesh4j.samples.interop.proto.LoadBalancerAccumulatedStatsRequest;
import io.mesh4j.samples.interop.proto.LoadBalancerAccumulatedStatsResponse;
import io.mesh4j.samples.interop.proto.LoadBalancerStatsRequest;
import io.mesh4j.samples.interop.proto.LoadBalancerStatsResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One xDS interop setup on loopback, as gRPC's framework builds it in a cluster: a control plane (java-control-plane),
 * test servers {@code backend-0..n-1}, the test client sending through mesh4j over one transport, and a stub to its
 * stats port. Endpoints are the servers' gRPC ports or HTTP ports, as the transport needs.
 */
final class InteropHarness implements AutoCloseable {
  static final String TARGET = "server.interop:8080";
  static final String ROUTES = "interop-routes";
  static final int QPS = 100;

  final String transport;
  final LoopbackControlPlane controlPlane = LoopbackControlPlane.start();
  final List<InteropServer> backends = new ArrayList<>();
  private Mesh mesh;
  private InteropClient client;
  private ManagedChannel stats;
  private final java.util.concurrent.atomic.AtomicInteger failedRpcsReported = new java.util.concurrent.atomic.AtomicInteger();

  InteropHarness(String transport, int backendCount) {
    this.transport = transport;
    for (int i = 0; i < backendCount; i++) {
      backends.add(startBackend("backend-" + i, 0, 0));
    }
  }

  private static InteropServer startBackend(String name, int port, int httpPort) {
    try {
      return InteropServer.start(port, httpPort, port, name);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The calls backend {@code i} holds open ({@code rpc-behavior: keep-open}). */
  int keptOpen(int i) {
    return backends.get(i).keptOpen();
  }

  /** Stops backend {@code i}, then starts it again on the same ports. */
  void stopBackend(int i) {
    backends.get(i).close();
  }

  void restartBackend(int i) {
    InteropServer old = backends.get(i);
    backends.set(i, startBackend(old.hostname(), old.port(), old.httpPort()));
  }

  /** Starts the client with these flags (besides --server, --stats_port, --qps, --transport). */
  void startClient(String rpc, String metadata) {
    startClient(rpc, metadata, QPS, 5);
  }

  /** As above, at {@code qps} with {@code --rpc_timeout_sec}. */
  void startClient(String rpc, String metadata, int qps, int rpcTimeoutSec) {
    try {
      mesh = Mesh.builder().bootstrapJson(controlPlane.bootstrapJson()).listenerWait(Duration.ofSeconds(10)).build();
      client = InteropClient.start(
          new InteropClient.Options(TARGET, 0, qps, 1, rpc, metadata, rpcTimeoutSec, true, transport),
          mesh, failedRpcsReported::incrementAndGet);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    stats = Grpc.newChannelBuilder("127.0.0.1:" + client.statsPort(), InsecureChannelCredentials.create()).build();
  }

  String endpointOf(int backend) {
    InteropServer server = backends.get(backend);
    return "127.0.0.1:" + (transport.equals("okhttp") ? server.httpPort() : server.port());
  }

  /** An endpoint in a CLA, with its health. */
  LbEndpoint lbEndpoint(int backend, HealthStatus health) {
    String hostPort = endpointOf(backend);
    int colon = hostPort.lastIndexOf(':');
    return endpoint(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1))).toBuilder()
        .setHealthStatus(health).build();
  }

  /** A CLA for {@code cluster}: one locality per priority, {@code priorities[p]} lists that priority's backends. */
  ClusterLoadAssignment cla(String cluster, int[]... priorities) {
    ClusterLoadAssignment.Builder cla = ClusterLoadAssignment.newBuilder().setClusterName(cluster);
    for (int p = 0; p < priorities.length; p++) {
      LocalityLbEndpoints.Builder locality = LocalityLbEndpoints.newBuilder()
          .setLocality(Locality.newBuilder().setRegion("r1").setZone("z" + p)).setPriority(p)
          .setLoadBalancingWeight(UInt32Value.of(1));
      for (int backend : priorities[p]) {
        locality.addLbEndpoints(lbEndpoint(backend, HealthStatus.HEALTHY));
      }
      cla.addEndpoints(locality);
    }
    return cla.build();
  }

  void serve(String version, RouteConfiguration routes, List<Cluster> clusters, List<ClusterLoadAssignment> clas) {
    controlPlane.setSnapshot(version, List.of(apiListener(TARGET, ROUTES)), List.of(routes), clusters, clas);
  }

  /** Routes everything to {@code cluster}, which holds {@code backends}. */
  void serveOneCluster(String version, String cluster, int... backendIndexes) {
    serve(version, routes(prefixTo("/", cluster)), List.of(edsCluster(cluster)), List.of(cla(cluster, backendIndexes)));
  }

  static RouteConfiguration routes(Route... routes) {
    return RouteConfiguration.newBuilder().setName(ROUTES)
        .addVirtualHosts(VirtualHost.newBuilder().setName("interop").addDomains(TARGET).addAllRoutes(List.of(routes)))
        .build();
  }

  static Route prefixTo(String prefix, String cluster) {
    return Route.newBuilder().setMatch(RouteMatch.newBuilder().setPrefix(prefix))
        .setRoute(RouteAction.newBuilder().setCluster(cluster)).build();
  }

  LoadBalancerStatsResponse stats(int numRpcs, String... metadataKeys) {
    return ClientCalls.blockingUnaryCall(stats, InteropServices.GET_CLIENT_STATS,
        CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS),
        LoadBalancerStatsRequest.newBuilder().setNumRpcs(numRpcs).setTimeoutSec(10)
            .addAllMetadataKeys(List.of(metadataKeys)).build());
  }

  LoadBalancerAccumulatedStatsResponse accumulated() {
    return ClientCalls.blockingUnaryCall(stats, InteropServices.GET_CLIENT_ACCUMULATED_STATS,
        CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS),
        LoadBalancerAccumulatedStatsRequest.getDefaultInstance());
  }

  void configure(ClientConfigureRequest request) {
    ClientCalls.blockingUnaryCall(stats, InteropServices.CONFIGURE,
        CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), request);
  }

  /** How many times --fail_on_failed_rpc would have ended the client. */
  int failedRpcsReported() {
    return failedRpcsReported.get();
  }

  ManagedChannel statsChannel() {
    return stats;
  }

  /** Waits until a sample of {@code numRpcs} all went to {@code peer} (config changes take effect asynchronously). */
  LoadBalancerStatsResponse awaitAllTo(String peer, int numRpcs) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    LoadBalancerStatsResponse last;
    do {
      last = stats(numRpcs);
      if (last.getRpcsByPeerOrDefault(peer, 0) == numRpcs) {
        return last;
      }
    } while (System.nanoTime() < deadline);
    throw new AssertionError("RPCs did not all go to " + peer + ": " + last);
  }

  Map<String, Integer> byPeer(LoadBalancerStatsResponse response) {
    return response.getRpcsByPeerMap();
  }

  @Override
  public void close() {
    if (stats != null) {
      stats.shutdownNow();
    }
    if (client != null) {
      client.close();
    }
    if (mesh != null) {
      mesh.close();
    }
    for (InteropServer backend : backends) {
      backend.close();
    }
    controlPlane.close();
  }
}
