package io.mesh4j.runtime.metrics;

import static io.mesh4j.runtime.testing.XdsResources.apiListener;
import static io.mesh4j.runtime.testing.XdsResources.cla;
import static io.mesh4j.runtime.testing.XdsResources.edsCluster;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import brave.handler.MutableSpan;
import brave.propagation.B3Propagation;
import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.route.v3.RetryPolicy;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import io.micrometer.observation.Observation;
import io.micrometer.tracing.brave.bridge.W3CPropagation;
import io.mesh4j.Mesh;
import io.mesh4j.grpc.MeshGrpc;
import io.mesh4j.runtime.testing.BehavingHttpServer;
import io.mesh4j.runtime.testing.LoopbackControlPlane;
import io.mesh4j.runtime.testing.NamedGrpcServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Real Micrometer Tracing (Brave) through the mesh: one span per request in the caller's trace, one child span per
 * attempt, and each attempt, the retry included, carries its own span's context on the wire.
 */
class TracePropagationIntegrationTest {
  private static final String HTTP_TARGET = "catalog.mesh:8080";
  private static final String GRPC_TARGET = "catalog.mesh:9090";

  private final LoopbackControlPlane controlPlane = LoopbackControlPlane.start();
  private final java.util.List<AutoCloseable> closeables = new java.util.ArrayList<>();
  private Mesh mesh;

  @AfterEach
  void stop() throws Exception {
    if (mesh != null) {
      mesh.close();
    }
    for (AutoCloseable closeable : closeables) {
      closeable.close();
    }
    controlPlane.close();
  }

  private void serve(String target, String cluster, String retryOn, String endpoint) {
    RouteConfiguration routes = RouteConfiguration.newBuilder().setName("routes")
        .addVirtualHosts(VirtualHost.newBuilder().setName("catalog").addDomains(target)
            .addRoutes(Route.newBuilder().setMatch(RouteMatch.newBuilder().setPrefix("/"))
                .setRoute(RouteAction.newBuilder().setCluster(cluster).setRetryPolicy(RetryPolicy.newBuilder()
                    .setRetryOn(retryOn).setNumRetries(UInt32Value.of(2))))))
        .build();
    controlPlane.setSnapshot("1", List.of(apiListener(target, "routes")), List.of(routes),
        List.of(edsCluster(cluster)), List.of(cla(cluster, endpoint)));
  }

  private BraveTracing tracing(brave.propagation.Propagation.Factory propagation) {
    BraveTracing tracing = new BraveTracing(propagation);
    closeables.add(tracing);
    mesh = Mesh.builder().bootstrapJson(controlPlane.bootstrapJson()).listenerWait(Duration.ofSeconds(10))
        .observationRegistry(tracing.registry).build();
    return tracing;
  }

  @Test
  void okHttpAttemptsCarryW3cTraceparentOfTheirOwnSpanInTheCallersTrace() throws IOException {
    BehavingHttpServer server = BehavingHttpServer.start("catalog");
    closeables.add(server);
    serve(HTTP_TARGET, "catalog", "5xx", server.hostPort());
    BraveTracing tracing = tracing(new W3CPropagation());
    OkHttpClient client = mesh.okHttp(new OkHttpClient.Builder()).build();

    Observation caller = Observation.start("caller", tracing.registry);
    try (Observation.Scope scope = caller.openScope();
        Response response = client.newCall(new Request.Builder().url("http://" + HTTP_TARGET + "/items")
            .header("x-test-behavior", "succeed-on-attempt-2").header("x-test-id", "t1").build()).execute()) {
      assertThat(response.code()).isEqualTo(200);
      response.body().string();
    } finally {
      caller.stop();
    }

    List<Map<String, String>> received = server.received();
    assertThat(received).hasSize(2);
    List<MutableSpan> attempts = tracing.attempts();
    assertThat(attempts).hasSize(2);
    MutableSpan request = tracing.requests().get(0);
    MutableSpan callerSpan = tracing.spans.stream().filter(s -> "caller".equals(s.name())).findFirst().orElseThrow();
    assertThat(request.parentId()).isEqualTo(callerSpan.id());
    for (int i = 0; i < 2; i++) {
      MutableSpan attempt = attempts.get(i);
      assertThat(attempt.parentId()).isEqualTo(request.id());
      assertThat(attempt.traceId()).isEqualTo(callerSpan.traceId());
      assertThat(attempt.tag("mesh4j.attempt")).isEqualTo(Integer.toString(i + 1));
      assertThat(received.get(i).get("traceparent"))
          .isEqualTo("00-" + attempt.traceId() + "-" + attempt.id() + "-01");
    }
    assertThat(attempts.get(0).tag("mesh4j.retry_reason")).isEqualTo("none");
    assertThat(attempts.get(1).tag("mesh4j.retry_reason")).isEqualTo("503");
    assertThat(attempts.get(0).tag("mesh4j.cluster")).isEqualTo("catalog");
    assertThat(request.tag("http.response.status_code")).isEqualTo("200");
  }

  @Test
  void grpcAttemptsCarryB3HeadersOfTheirOwnSpan() throws Exception {
    List<Metadata> received = new CopyOnWriteArrayList<>();
    AtomicInteger calls = new AtomicInteger();
    ServerServiceDefinition service = ServerServiceDefinition.builder("test.Echo")
        .addMethod(NamedGrpcServer.HELLO, ServerCalls.asyncUnaryCall((request, responses) -> {
          if (calls.incrementAndGet() == 1) {
            responses.onError(Status.UNAVAILABLE.withDescription("first attempt fails").asRuntimeException());
          } else {
            responses.onNext("hello");
            responses.onCompleted();
          }
        })).build();
    ServerInterceptor recording = new ServerInterceptor() {
      @Override
      public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call, Metadata headers,
          ServerCallHandler<ReqT, RespT> next) {
        received.add(headers);
        return next.startCall(call, headers);
      }
    };
    Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .addService(ServerInterceptors.intercept(service, recording)).build().start();
    closeables.add(() -> server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS));
    serve(GRPC_TARGET, "catalog-grpc", "unavailable", "127.0.0.1:" + server.getPort());
    BraveTracing tracing = tracing(B3Propagation.FACTORY);
    ManagedChannel channel = MeshGrpc.newChannel(mesh, "mesh:///" + GRPC_TARGET);
    closeables.add(() -> channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS));

    assertThat(ClientCalls.blockingUnaryCall(channel, NamedGrpcServer.HELLO,
        CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), "hi")).isEqualTo("hello");

    await().atMost(Duration.ofSeconds(30)).until(() -> tracing.requests().size() == 1);
    assertThat(received).hasSize(2);
    List<MutableSpan> attempts = tracing.attempts();
    assertThat(attempts).hasSize(2);
    MutableSpan request = tracing.requests().get(0);
    Metadata.Key<String> spanId = Metadata.Key.of("x-b3-spanid", Metadata.ASCII_STRING_MARSHALLER);
    Metadata.Key<String> traceId = Metadata.Key.of("x-b3-traceid", Metadata.ASCII_STRING_MARSHALLER);
    for (int i = 0; i < 2; i++) {
      assertThat(attempts.get(i).parentId()).isEqualTo(request.id());
      assertThat(received.get(i).get(spanId)).isEqualTo(attempts.get(i).id());
      assertThat(received.get(i).getAll(spanId)).hasSize(1);
      assertThat(received.get(i).get(traceId)).isEqualTo(request.traceId());
    }
    assertThat(attempts.get(1).tag("mesh4j.retry_reason")).isEqualTo("14");
    assertThat(request.tag("rpc.grpc.status_code")).isEqualTo("0");
  }
}
