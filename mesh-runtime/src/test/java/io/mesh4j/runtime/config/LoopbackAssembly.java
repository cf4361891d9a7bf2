package io.mesh4j.runtime.config;

import io.mesh4j.runtime.bootstrap.BootstrapParser;
import io.mesh4j.runtime.cluster.ClusterType;
import io.mesh4j.runtime.cluster.EndpointType;
import io.mesh4j.runtime.listener.ListenerType;
import io.mesh4j.runtime.route.RouteConfigurationType;
import io.mesh4j.runtime.testing.LoopbackControlPlane;
import io.mesh4j.runtime.xds.XdsClient;
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

  @Override
  public void close() {
    assembler.close();
    xds.close();
    scheduler.shutdownNow();
    controlPlane.close();
  }
}
