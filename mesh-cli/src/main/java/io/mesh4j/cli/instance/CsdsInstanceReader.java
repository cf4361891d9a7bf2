package io.mesh4j.cli.instance;

import com.google.protobuf.Timestamp;
import io.envoyproxy.envoy.service.status.v3.ClientConfig;
import io.envoyproxy.envoy.service.status.v3.ClientConfig.GenericXdsConfig;
import io.envoyproxy.envoy.service.status.v3.ClientStatusDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.status.v3.ClientStatusRequest;
import io.envoyproxy.envoy.service.status.v3.ClientStatusResponse;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.StatusRuntimeException;
import io.mesh4j.cli.xds.GrpcErrors;
import io.mesh4j.cli.instance.InstanceResource.ClientState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Reads an instance over CSDS ({@code envoy.service.status.v3.ClientStatusDiscoveryService/FetchClientStatus},
 * plaintext or over TLS ({@link InstanceTls})), as mesh4j serves it with {@code MeshGrpc.csdsService(mesh)} and grpc-java with its {@code CsdsService}:
 * the node and one {@code GenericXdsConfig} per subscribed resource.
 *
 * <p>CSDS carries neither the control plane the instance talks to nor the fields it ignored; those stay unknown.
 * A process with several xDS clients answers several configs; the first is read.
 */
public final class CsdsInstanceReader implements InstanceReader {
  private final Duration timeout;
  private final InstanceTls tls;
  private final ChannelCredentials credentials;
  private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();

  /** Plaintext. */
  public CsdsInstanceReader(Duration timeout) {
    this(timeout, null);
  }

  /**
   * @param tls how to reach the CSDS ports over TLS, or {@code null} for plaintext
   * @throws IllegalArgumentException when the TLS files cannot be used, naming them
   */
  public CsdsInstanceReader(Duration timeout, InstanceTls tls) {
    this.timeout = timeout;
    this.tls = tls;
    this.credentials = tls == null ? InsecureChannelCredentials.create() : tls.credentials();
  }

  @Override
  public InstanceStatus read(String address) throws InstanceReadException {
    ManagedChannel channel = channels.computeIfAbsent(address, a -> {
      ManagedChannelBuilder<?> builder = Grpc.newChannelBuilder(a, credentials);
      if (tls != null) {
        tls.apply(builder);
      }
      return builder.build();
    });
    ClientStatusResponse response;
    try {
      response = ClientStatusDiscoveryServiceGrpc.newBlockingStub(channel)
          .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
          .fetchClientStatus(ClientStatusRequest.getDefaultInstance());
    } catch (StatusRuntimeException e) {
      String why = GrpcErrors.describe(e);
      if (tls != null && tls.authority() == null && why.contains("No subject alternative names matching")) {
        why += " (the certificate does not name the address: give --instance-authority NAME)";
      }
      throw new InstanceReadException((tls == null ? "CSDS at " : "CSDS over TLS at ") + address + ": " + why, e);
    }
    if (response.getConfigCount() == 0) {
      throw new InstanceReadException("CSDS at " + address + " reports no xDS client");
    }
    ClientConfig config = response.getConfig(0);
    List<InstanceResource> resources = new ArrayList<>();
    for (GenericXdsConfig generic : config.getGenericXdsConfigsList()) {
      resources.add(resource(generic));
    }
    return new InstanceStatus(address, config.getNode(), null, resources, null, "csds");
  }

  private static InstanceResource resource(GenericXdsConfig generic) {
    String error = null;
    String rejectedVersion = null;
    if (generic.hasErrorState()) {
      error = generic.getErrorState().getDetails();
      rejectedVersion = generic.getErrorState().getVersionInfo().isEmpty()
          ? null : generic.getErrorState().getVersionInfo();
    }
    return new InstanceResource(generic.getTypeUrl(), generic.getName(), generic.getVersionInfo(),
        state(generic), error, rejectedVersion, generic.hasLastUpdated() ? instant(generic.getLastUpdated()) : null,
        generic.hasXdsConfig() ? generic.getXdsConfig() : null);
  }

  private static ClientState state(GenericXdsConfig generic) {
    switch (generic.getClientStatus()) {
      case REQUESTED:
        return ClientState.REQUESTED;
      case DOES_NOT_EXIST:
        return ClientState.DOES_NOT_EXIST;
      case ACKED:
        return ClientState.ACKED;
      case NACKED:
        return ClientState.NACKED;
      default:
        return ClientState.UNKNOWN;
    }
  }

  private static Instant instant(Timestamp t) {
    return Instant.ofEpochSecond(t.getSeconds(), t.getNanos());
  }

  @Override
  public void close() {
    channels.values().forEach(ManagedChannel::shutdownNow);
    channels.clear();
  }
}
