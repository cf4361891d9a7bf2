package io.mesh4j.runtime.xds;

import static io.mesh4j.runtime.testing.XdsResources.LDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.Any;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.Resource;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.mesh4j.ResourceState;
import io.mesh4j.runtime.bootstrap.BootstrapParser;
import io.mesh4j.runtime.testing.XdsResources;
import io.mesh4j.runtime.listener.ListenerResource;
import io.mesh4j.runtime.listener.ListenerType;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Response shapes java-control-plane does not produce: resources wrapped in {@code Resource}, and a resource of the
 * wrong type. A scripted ADS server on loopback answers the first LDS request with one response.
 */
class XdsClientWireFormatTest {
  private final List<DiscoveryRequest> requests = new CopyOnWriteArrayList<>();
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
  private Server server;
  private XdsClient client;

  @AfterEach
  void tearDown() throws Exception {
    if (client != null) {
      client.close();
    }
    if (server != null) {
      server.shutdownNow().awaitTermination();
    }
    scheduler.shutdownNow();
  }

  private void serve(DiscoveryResponse response) throws Exception {
    server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0), InsecureServerCredentials.create())
        .addService(new AggregatedDiscoveryServiceGrpc.AggregatedDiscoveryServiceImplBase() {
          @Override
          public StreamObserver<DiscoveryRequest> streamAggregatedResources(StreamObserver<DiscoveryResponse> out) {
            return new StreamObserver<>() {
              @Override
              public void onNext(DiscoveryRequest request) {
                requests.add(request);
                if (request.getResponseNonce().isEmpty()) {
                  out.onNext(response);
                }
              }

              @Override
              public void onError(Throwable t) {}

              @Override
              public void onCompleted() {
                out.onCompleted();
              }
            };
          }
        })
        .build()
        .start();
    String bootstrap = "{\"xds_servers\": [{\"server_uri\": \"127.0.0.1:" + server.getPort()
        + "\", \"channel_creds\": [{\"type\": \"insecure\"}]}]}";
    client = XdsClient.newBuilder(BootstrapParser.parse(bootstrap, "test"), scheduler)
        .initialFetchTimeout(Duration.ofSeconds(60))
        .build();
  }

  @Test
  void unwrapsResourcesAndNacksOneOfTheWrongType() throws Exception {
    Any wrapped = Any.pack(Resource.newBuilder().setName("a:80").setVersion("7")
        .setResource(Any.pack(XdsResources.apiListener("a:80", "routes-a"))).build());
    Any wrongType = Any.pack(XdsResources.edsCluster("c1"));
    serve(DiscoveryResponse.newBuilder().setTypeUrl(LDS).setVersionInfo("1").setNonce("n1")
        .addResources(wrapped).addResources(wrongType).build());

    RecordingWatcher<ListenerResource> a = new RecordingWatcher<>();
    client.watch(ListenerType.INSTANCE, "a:80", a);

    await().atMost(Duration.ofSeconds(30)).until(() -> a.last() != null && requests.size() >= 2);
    assertThat(a.last().rdsRouteConfigName()).isEqualTo("routes-a");
    DiscoveryRequest nack = requests.get(1);
    assertThat(nack.getVersionInfo()).isEmpty();
    assertThat(nack.getResponseNonce()).isEqualTo("n1");
    assertThat(nack.getErrorDetail().getMessage()).isEqualTo("LDS resource #1: resources[1]: type URL "
        + "type.googleapis.com/envoy.config.cluster.v3.Cluster, expected " + LDS);
    assertThat(client.status()).singleElement().satisfies(s -> {
      assertThat(s.state()).isEqualTo(ResourceState.ACKED);
      assertThat(s.version()).isEqualTo("1");
    });
  }
}
