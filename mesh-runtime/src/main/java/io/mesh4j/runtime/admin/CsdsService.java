package io.mesh4j.runtime.admin;

import com.google.protobuf.Any;
import com.google.protobuf.Timestamp;
import io.envoyproxy.envoy.admin.v3.ClientResourceStatus;
import io.envoyproxy.envoy.admin.v3.UpdateFailureState;
import io.envoyproxy.envoy.service.status.v3.ClientConfig;
import io.envoyproxy.envoy.service.status.v3.ClientStatusDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.status.v3.ClientStatusRequest;
import io.envoyproxy.envoy.service.status.v3.ClientStatusResponse;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.mesh4j.ResourceStatus;
import io.mesh4j.runtime.xds.ResourceDump;
import io.mesh4j.runtime.xds.XdsClient;
import java.time.Instant;
import java.util.Objects;

/**
 * Client Status Discovery Service: what this client subscribed to and what it made of each resource, in the shape
 * existing tools read ({@code grpcdebug <addr> xds status}, {@code istioctl x proxy-status}-style dumps). Every
 * resource is a {@code GenericXdsConfig} with its type URL, name, version, last update, client status and, once
 * accepted, the resource itself; a rejected one carries the rejection in {@code error_state}.
 *
 * <p>Node matchers are refused, as gRPC's CSDS refuses them: this process holds exactly one client.
 */
public final class CsdsService extends ClientStatusDiscoveryServiceGrpc.ClientStatusDiscoveryServiceImplBase {
  private final XdsClient xds;

  public CsdsService(XdsClient xds) {
    this.xds = Objects.requireNonNull(xds, "xds");
  }

  @Override
  public void fetchClientStatus(ClientStatusRequest request, StreamObserver<ClientStatusResponse> responses) {
    if (request.getNodeMatchersCount() > 0) {
      responses.onError(Status.INVALID_ARGUMENT.withDescription("node_matchers are not supported").asException());
      return;
    }
    responses.onNext(currentStatus());
    responses.onCompleted();
  }

  @Override
  public StreamObserver<ClientStatusRequest> streamClientStatus(StreamObserver<ClientStatusResponse> responses) {
    return new StreamObserver<>() {
      private boolean failed;

      @Override
      public void onNext(ClientStatusRequest request) {
        if (failed) {
          return;
        }
        if (request.getNodeMatchersCount() > 0) {
          failed = true;
          responses.onError(Status.INVALID_ARGUMENT.withDescription("node_matchers are not supported").asException());
          return;
        }
        responses.onNext(currentStatus());
      }

      @Override
      public void onError(Throwable t) {
        // The caller went away; nothing to release.
      }

      @Override
      public void onCompleted() {
        if (!failed) {
          responses.onCompleted();
        }
      }
    };
  }

  /** The client's config now, as one {@code ClientConfig}. */
  public ClientStatusResponse currentStatus() {
    ClientConfig.Builder config = ClientConfig.newBuilder().setNode(xds.node());
    for (ResourceDump dump : xds.dump()) {
      config.addGenericXdsConfigs(genericConfig(dump));
    }
    return ClientStatusResponse.newBuilder().addConfig(config).build();
  }

  static ClientConfig.GenericXdsConfig genericConfig(ResourceDump dump) {
    ResourceStatus status = dump.status();
    ClientConfig.GenericXdsConfig.Builder generic = ClientConfig.GenericXdsConfig.newBuilder()
        .setTypeUrl(status.typeUrl())
        .setName(status.name())
        .setVersionInfo(status.version())
        .setClientStatus(clientStatus(status));
    if (status.lastUpdated() != null) {
      generic.setLastUpdated(timestamp(status.lastUpdated()));
    }
    if (dump.resource() != null) {
      generic.setXdsConfig(Any.pack(dump.resource()));
    }
    if (status.errorDetail() != null) {
      UpdateFailureState.Builder failure = UpdateFailureState.newBuilder().setDetails(status.errorDetail());
      if (dump.rejectedVersion() != null) {
        // Envoy's meaning: the version of the update that was rejected, not the one still in use.
        failure.setVersionInfo(dump.rejectedVersion());
      }
      if (status.lastUpdated() != null) {
        failure.setLastUpdateAttempt(timestamp(status.lastUpdated()));
      }
      generic.setErrorState(failure);
    }
    return generic.build();
  }

  private static ClientResourceStatus clientStatus(ResourceStatus status) {
    switch (status.state()) {
      case REQUESTED:
        return ClientResourceStatus.REQUESTED;
      case DOES_NOT_EXIST:
        return ClientResourceStatus.DOES_NOT_EXIST;
      case ACKED:
        return ClientResourceStatus.ACKED;
      case NACKED:
        return ClientResourceStatus.NACKED;
      case CACHED:
        // CSDS has no word for it: asked for and not yet received from a server; xds_config holds the cached copy.
        return ClientResourceStatus.REQUESTED;
      default:
        return ClientResourceStatus.UNKNOWN;
    }
  }

  private static Timestamp timestamp(Instant instant) {
    return Timestamp.newBuilder().setSeconds(instant.getEpochSecond()).setNanos(instant.getNano()).build();
  }
}
