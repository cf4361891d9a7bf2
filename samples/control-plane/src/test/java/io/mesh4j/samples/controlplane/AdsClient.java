package io.mesh4j.samples.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A minimal state-of-the-world ADS client over a real gRPC channel, for tests. */
final class AdsClient implements AutoCloseable {
  static final String LDS = "type.googleapis.com/envoy.config.listener.v3.Listener";
  static final String RDS = "type.googleapis.com/envoy.config.route.v3.RouteConfiguration";
  static final String CDS = "type.googleapis.com/envoy.config.cluster.v3.Cluster";
  static final String EDS = "type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment";

  private final ManagedChannel channel;
  private final StreamObserver<DiscoveryRequest> requests;
  private final BlockingQueue<DiscoveryResponse> responses = new LinkedBlockingQueue<>();
  private final Node node = Node.newBuilder().setId("test-node").setCluster("test").build();

  AdsClient(int port) {
    channel = Grpc.newChannelBuilderForAddress("127.0.0.1", port, InsecureChannelCredentials.create()).build();
    requests = AggregatedDiscoveryServiceGrpc.newStub(channel).streamAggregatedResources(new StreamObserver<>() {
      @Override
      public void onNext(DiscoveryResponse response) {
        responses.add(response);
      }

      @Override
      public void onError(Throwable t) {}

      @Override
      public void onCompleted() {}
    });
  }

  /** Subscribes to {@code names} of {@code typeUrl} (none: all of them). */
  void subscribe(String typeUrl, String... names) {
    requests.onNext(DiscoveryRequest.newBuilder().setNode(node).setTypeUrl(typeUrl)
        .addAllResourceNames(List.of(names)).build());
  }

  /** Accepts {@code response}, keeping the subscription to {@code names}. */
  void ack(DiscoveryResponse response, String... names) {
    requests.onNext(DiscoveryRequest.newBuilder().setNode(node).setTypeUrl(response.getTypeUrl())
        .setVersionInfo(response.getVersionInfo()).setResponseNonce(response.getNonce())
        .addAllResourceNames(List.of(names)).build());
  }

  /** The next response, failing the test if none comes within ten seconds. */
  DiscoveryResponse next() throws InterruptedException {
    DiscoveryResponse response = responses.poll(10, TimeUnit.SECONDS);
    assertThat(response).as("a discovery response within 10 s").isNotNull();
    return response;
  }

  /** The next response if one comes within {@code wait}, else {@code null}. */
  DiscoveryResponse poll(Duration wait) throws InterruptedException {
    return responses.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
  }

  static <T extends Message> List<T> unpack(DiscoveryResponse response, Class<T> type)
      throws InvalidProtocolBufferException {
    List<T> resources = new ArrayList<>();
    for (Any any : response.getResourcesList()) {
      resources.add(any.unpack(type));
    }
    return resources;
  }

  @Override
  public void close() throws InterruptedException {
    requests.onCompleted();
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }
}
