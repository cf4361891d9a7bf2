package io.mesh4j.runtime.bootstrap;

import io.grpc.ChannelCredentials;
import java.util.List;
import java.util.Objects;

/**
 * One entry of {@code xds_servers}.
 *
 * @param serverUri the gRPC target, e.g. {@code istiod.istio-system.svc:15010} or {@code dns:///cp:18000}
 * @param channelCredentials built from the first supported {@code channel_creds} entry
 * @param channelCredentialsType the {@code type} of that entry ({@code insecure} or {@code tls}), for logs and status
 * @param serverFeatures {@code server_features}, e.g. {@code xds_v3}, {@code ignore_resource_deletion}
 */
public record XdsServer(
    String serverUri, ChannelCredentials channelCredentials, String channelCredentialsType, List<String> serverFeatures) {

  public static final String IGNORE_RESOURCE_DELETION = "ignore_resource_deletion";
  /**
   * mesh4j's own server feature: talk to this server with incremental xDS ({@code DeltaAggregatedResources}) instead
   * of state of the world. gRPC's bootstrap has no place for Envoy's {@code api_type: DELTA_GRPC}, and gRPC clients
   * ignore server features they do not know, so one bootstrap serves both.
   */
  public static final String DELTA_XDS = "mesh4j_delta_xds";

  public XdsServer {
    Objects.requireNonNull(serverUri, "serverUri");
    Objects.requireNonNull(channelCredentials, "channelCredentials");
    Objects.requireNonNull(channelCredentialsType, "channelCredentialsType");
    serverFeatures = List.copyOf(serverFeatures);
  }

  /**
   * Whether the server asked clients to keep a resource it stops sending in a state-of-the-world response (LDS, CDS)
   * instead of treating it as deleted.
   */
  public boolean ignoreResourceDeletion() {
    return serverFeatures.contains(IGNORE_RESOURCE_DELETION);
  }

  /** Whether to use incremental xDS with this server ({@link #DELTA_XDS}). */
  public boolean deltaXds() {
    return serverFeatures.contains(DELTA_XDS);
  }
}
