package io.mesh4j.runtime.config;

import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.mesh4j.runtime.bootstrap.BootstrapParser;
import io.mesh4j.runtime.cluster.ClusterRuntime;
import io.mesh4j.runtime.cluster.ClusterType;
import io.mesh4j.runtime.cluster.EndpointType;
import io.mesh4j.runtime.listener.ListenerType;
import io.mesh4j.runtime.model.LbEndpoint;
import io.mesh4j.runtime.model.LocalityEndpoints;
import io.mesh4j.runtime.route.RouteConfigurationType;
import io.mesh4j.runtime.testing.LoopbackControlPlane;
import io.mesh4j.runtime.xds.XdsClient;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The assembler tests' fixture: a {@link ConfigAssembler} over a real {@link XdsClient} talking to java-control-plane
 * on loopback, each target its own listener name.
 */
final class LoopbackAssembly implements AutoCloseable {
  private static final ResourceTypes TYPES = new ResourceTypes(
      ListenerType.INSTANCE, RouteConfigurationType.INSTANCE, ClusterType.INSTANCE, EndpointType.INSTANCE);

  final LoopbackControlPlane controlPlane;
  final XdsClient xds;
  final ConfigAssembler assembler;
  private final ScheduledExecutorService scheduler;

  private LoopbackAssembly() {
    controlPlane = LoopbackControlPlane.start();
    scheduler = Executors.newSingleThreadScheduledExecutor();
    xds = XdsClient.newBuilder(BootstrapParser.parse(controlPlane.bootstrapJson(), "test"), scheduler).build();
    assembler = new ConfigAssembler(xds, TYPES, target -> target, () -> 7);
  }

  static LoopbackAssembly start() {
    return new LoopbackAssembly();
  }

  /** The names the client's last request of {@code typeUrl} asked for; none before the first. */
  Set<String> lastRequestedNames(String typeUrl) {
    DiscoveryRequest last = controlPlane.lastRequest(typeUrl);
    return last == null ? Set.of() : Set.copyOf(last.getResourceNamesList());
  }

  /** The {@code host:port} of every endpoint {@code runtime} balances over, locality by locality. */
  static List<String> hostPorts(ClusterRuntime runtime) {
    return runtime.endpoints().localities().stream().map(LocalityEndpoints::endpoints).flatMap(List::stream)
        .map(LbEndpoint::hostPort).toList();
  }

  @Override
  public void close() {
    assembler.close();
    xds.close();
    scheduler.shutdownNow();
    controlPlane.close();
  }
}
