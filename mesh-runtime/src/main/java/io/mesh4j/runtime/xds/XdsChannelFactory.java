package io.mesh4j.runtime.xds;

import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.mesh4j.runtime.bootstrap.XdsServer;

/** Opens the channel to a control plane; tests can substitute an in-process or loopback one. */
@FunctionalInterface
public interface XdsChannelFactory {
  ManagedChannel create(XdsServer server);

  /** {@code Grpc.newChannelBuilder(server_uri, channel credentials)}. */
  static XdsChannelFactory standard() {
    return server ->
        Grpc.newChannelBuilder(server.serverUri(), server.channelCredentials())
            .keepAliveTime(5, java.util.concurrent.TimeUnit.MINUTES)
            .build();
  }
}
