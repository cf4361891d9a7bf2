package io.mesh4j.runtime.testing;

import io.envoyproxy.controlplane.cache.v3.SimpleCache;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.envoyproxy.controlplane.server.DiscoveryServerCallbacks;
import io.envoyproxy.controlplane.server.V3DiscoveryServer;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.mesh4j.samples.controlplane.AnswerWhatExistsWatcher;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * A real xDS control plane on 127.0.0.1: java-control-plane's {@link V3DiscoveryServer} serving ADS from a
 * {@link SimpleCache} that holds one snapshot for every node. It records every request it receives and every
 * response it sends, so tests can assert ACKs, NACKs and their {@code error_detail}.
 *
 * <p>Two adjustments make the cache behave like istiod or go-control-plane instead of java-control-plane's ADS
 * defaults (see {@link AnswerWhatExistsWatcher}): a response carries the requested resources that exist even when some
 * requested names are missing (java-control-plane would stay silent), and a NACK is not answered by re-sending the
 * same rejected snapshot (which would loop), but waits for the next snapshot.
 *
 * <pre>{@code
 * try (LoopbackControlPlane cp = LoopbackControlPlane.start()) {
 *   cp.setSnapshot("1", List.of(listener), List.of(routes), List.of(cluster), List.of(cla));
 *   XdsClient client = ... cp.bootstrapJson() ...;
 * }
 * }</pre>
 */
public final class LoopbackControlPlane implements AutoCloseable {
  private static final String GROUP = "all";

  private final SimpleCache<String> cache = new SimpleCache<>(node -> GROUP);
  private final V3DiscoveryServer discoveryServer;
  private final List<DiscoveryRequest> requests = new CopyOnWriteArrayList<>();
  private final List<DiscoveryResponse> responses = new CopyOnWriteArrayList<>();
  private final List<DeltaDiscoveryRequest> deltaRequests = new CopyOnWriteArrayList<>();
  private final AtomicInteger streamsOpened = new AtomicInteger();
  private final AtomicInteger streamsClosed = new AtomicInteger();
  private volatile long lastStreamOpenedNanos;
  private int port;
  private Server server;

  private LoopbackControlPlane() {
    DiscoveryServerCallbacks recorder =
        new DiscoveryServerCallbacks() {
          @Override
          public void onStreamOpen(long streamId, String typeUrl) {
            lastStreamOpenedNanos = System.nanoTime();
            streamsOpened.incrementAndGet();
          }

          @Override
          public void onStreamClose(long streamId, String typeUrl) {
            streamsClosed.incrementAndGet();
          }

          @Override
          public void onStreamCloseWithError(long streamId, String typeUrl, Throwable error) {
            streamsClosed.incrementAndGet();
          }

          @Override
          public void onV3StreamRequest(long streamId, DiscoveryRequest request) {
            requests.add(request);
          }

          @Override
          public void onV3StreamDeltaRequest(long streamId, DeltaDiscoveryRequest request) {
            deltaRequests.add(request);
          }

          @Override
          public void onV3StreamResponse(long streamId, DiscoveryRequest request, DiscoveryResponse response) {
            responses.add(response);
          }
        };
    this.discoveryServer = new V3DiscoveryServer(recorder, new AnswerWhatExistsWatcher(cache, GROUP));
  }

  /** Starts a control plane on an ephemeral port of 127.0.0.1. */
  public static LoopbackControlPlane start() {
    return start(0);
  }

  /**
   * A control plane on {@code port} (e.g. {@link FreePorts#next()}): a test that stops it for long and restarts it on
   * the same port wants one below the ephemeral range, which no outgoing connection can take in between.
   */
  public static LoopbackControlPlane start(int port) {
    LoopbackControlPlane cp = new LoopbackControlPlane();
    cp.port = port;
    cp.startServer();
    return cp;
  }

  /** Starts again on the same port after {@link #stop()}: clients see the control plane come back. */
  public void restart() {
    if (server != null) {
      throw new IllegalStateException("already running");
    }
    startServer();
  }

  private void startServer() {
    Server s =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port), InsecureServerCredentials.create())
            .addService(discoveryServer.getAggregatedDiscoveryServiceImpl())
            .build();
    try {
      s.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen on 127.0.0.1:" + port, e);
    }
    port = s.getPort();
    server = s;
  }

  /** Stops listening and cuts every open stream; the snapshot and the recordings are kept. */
  public void stop() {
    Server s = server;
    server = null;
    if (s == null) {
      return;
    }
    s.shutdownNow();
    try {
      s.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    stop();
  }

  public int port() {
    return port;
  }

  /** {@code 127.0.0.1:port}, a gRPC target. */
  public String target() {
    return "127.0.0.1:" + port;
  }

  /** A valid gRPC xDS bootstrap pointing at this control plane, insecure, with node id {@code test-node}. */
  public String bootstrapJson() {
    return "{\n"
        + "  \"xds_servers\": [{\n"
        + "    \"server_uri\": \"" + target() + "\",\n"
        + "    \"channel_creds\": [{\"type\": \"insecure\"}],\n"
        + "    \"server_features\": [\"xds_v3\"]\n"
        + "  }],\n"
        + "  \"node\": {\"id\": \"test-node\", \"cluster\": \"test-cluster\","
        + " \"locality\": {\"region\": \"r1\", \"zone\": \"z1\"}}\n"
        + "}\n";
  }

  /**
   * Publishes a new snapshot: every resource type gets {@code version}. The cache pushes it type by type, CDS first
   * (then EDS, LDS, RDS, SDS), so a snapshot that removes a cluster in the same step that moves a route away from it
   * leaves clients a moment in which the route names a cluster that no longer exists (503 NC, as in Envoy). To move
   * traffic hitlessly, keep the cluster for one more snapshot, as the xDS protocol asks of control planes.
   */
  public void setSnapshot(
      String version,
      List<Listener> listeners,
      List<RouteConfiguration> routes,
      List<Cluster> clusters,
      List<ClusterLoadAssignment> endpoints) {
    setSnapshot(version, listeners, routes, clusters, endpoints, List.of());
  }

  /** Publishes a new snapshot with SDS {@code secrets} too. */
  public void setSnapshot(
      String version,
      List<Listener> listeners,
      List<RouteConfiguration> routes,
      List<Cluster> clusters,
      List<ClusterLoadAssignment> endpoints,
      List<io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret> secrets) {
    cache.setSnapshot(GROUP, Snapshot.create(clusters, endpoints, listeners, routes, secrets, version));
  }

  /** Every request received so far, in order, across streams. */
  public List<DiscoveryRequest> requests() {
    return List.copyOf(requests);
  }

  /** The requests received for one type URL, in order. */
  public List<DiscoveryRequest> requests(String typeUrl) {
    return requests.stream().filter(r -> r.getTypeUrl().equals(typeUrl)).collect(Collectors.toList());
  }

  /** The last request received for a type URL, or {@code null}. */
  public DiscoveryRequest lastRequest(String typeUrl) {
    List<DiscoveryRequest> of = requests(typeUrl);
    return of.isEmpty() ? null : of.get(of.size() - 1);
  }

  /** The incremental (delta) requests received for one type URL, in order. */
  public List<DeltaDiscoveryRequest> deltaRequests(String typeUrl) {
    return deltaRequests.stream().filter(r -> r.getTypeUrl().equals(typeUrl)).collect(Collectors.toList());
  }

  /** Every response sent so far, in order. */
  public List<DiscoveryResponse> responses() {
    return List.copyOf(responses);
  }

  /** The responses sent for one type URL, in order. */
  public List<DiscoveryResponse> responses(String typeUrl) {
    return responses.stream().filter(r -> r.getTypeUrl().equals(typeUrl)).collect(Collectors.toList());
  }

  /** How many ADS streams clients have opened. */
  public int streamsOpened() {
    return streamsOpened.get();
  }

  /** When a client last opened an ADS stream ({@link System#nanoTime()}), 0 before the first. */
  public long lastStreamOpenedNanos() {
    return lastStreamOpenedNanos;
  }

  /** How many ADS streams are open now (opened and not yet closed by either side). */
  public int openStreams() {
    return streamsOpened.get() - streamsClosed.get();
  }
}
