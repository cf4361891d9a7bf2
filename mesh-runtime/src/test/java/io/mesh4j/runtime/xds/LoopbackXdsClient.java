package io.mesh4j.runtime.xds;

import io.mesh4j.runtime.bootstrap.BootstrapParser;
import io.mesh4j.runtime.testing.LoopbackControlPlane;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.UnaryOperator;

/** The xDS client tests' fixture: an {@link XdsClient} talking to java-control-plane on loopback. */
final class LoopbackXdsClient implements AutoCloseable {
  final LoopbackControlPlane controlPlane;
  final XdsClient client;
  private final ScheduledExecutorService scheduler;

  private LoopbackXdsClient(UnaryOperator<XdsClient.Builder> configure) {
    controlPlane = LoopbackControlPlane.start();
    scheduler = Executors.newSingleThreadScheduledExecutor();
    client = configure.apply(
        XdsClient.newBuilder(BootstrapParser.parse(controlPlane.bootstrapJson(), "test"), scheduler)).build();
  }

  /** A client built with {@code configure}'s settings on top of the bootstrap's. */
  static LoopbackXdsClient start(UnaryOperator<XdsClient.Builder> configure) {
    return new LoopbackXdsClient(configure);
  }

  @Override
  public void close() {
    client.close();
    controlPlane.close();
    scheduler.shutdownNow();
  }
}
