package io.mesh4j.grpc;

import static io.mesh4j.runtime.testing.XdsResources.apiListener;
import static io.mesh4j.runtime.testing.XdsResources.cla;
import static io.mesh4j.runtime.testing.XdsResources.edsCluster;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.UInt32Value;
import com.google.protobuf.util.Durations;
import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.config.route.v3.RetryPolicy;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.stub.ClientCalls;
import io.mesh4j.Mesh;
import io.mesh4j.runtime.testing.BehavingGrpcServer;
import io.mesh4j.runtime.testing.LoopbackControlPlane;
import io.mesh4j.runtime.testing.NamedGrpcServer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What a route changes on a gRPC call besides where it goes: header mutations of the route, virtual host and table on
 * the request metadata and the response headers, and {@code idle_timeout} / {@code per_try_idle_timeout}. Real
 * control plane and real gRPC servers on loopback.
 */
class GrpcRouteShapingTest {
  private static final String TARGET = "orders.mesh:9090";
  private static final Duration WAIT = Duration.ofSeconds(30);

  private LoopbackControlPlane controlPlane;
  private Mesh mesh;
  private ManagedChannel channel;
  private AutoCloseable server;

  @BeforeEach
  void start() {
    controlPlane = LoopbackControlPlane.start();
  }

  @AfterEach
  void stop() throws Exception {
    if (channel != null) {
      channel.shutdownNow();
      channel.awaitTermination(5, TimeUnit.SECONDS);
    }
    if (mesh != null) {
      mesh.close();
    }
    if (server != null) {
      server.close();
    }
    controlPlane.close();
  }

  private void serve(RouteConfiguration routes, String endpoint) {
    controlPlane.setSnapshot("1", List.of(apiListener(TARGET, "orders-routes")), List.of(routes),
        List.of(edsCluster("orders")), List.of(cla("orders", endpoint)));
    mesh = Mesh.builder().bootstrapJson(controlPlane.bootstrapJson()).listenerWait(WAIT).build();
    channel = MeshGrpc.newChannel(mesh, TARGET);
  }

  private static HeaderValueOption header(String name, String value, HeaderValueOption.HeaderAppendAction action) {
    return HeaderValueOption.newBuilder().setHeader(HeaderValue.newBuilder().setKey(name).setValue(value))
        .setAppendAction(action).build();
  }

  private static RouteConfiguration.Builder table(Route route) {
    return RouteConfiguration.newBuilder().setName("orders-routes")
        .addVirtualHosts(VirtualHost.newBuilder().setName("orders").addDomains(TARGET).addRoutes(route));
  }

  private static final Metadata.Key<String> KEY_ROUTE = key("x-route");
  private static final Metadata.Key<String> KEY_VHOST = key("x-vhost");
  private static final Metadata.Key<String> KEY_DROP = key("x-drop");
  private static final Metadata.Key<String> KEY_ADDED = key("x-added");

  private static Metadata.Key<String> key(String name) {
    return Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER);
  }

  /** A unary call's response headers (or trailers), status and message. */
  private record Answer(Status status, Metadata headers, Metadata trailers) {}

  private Answer call(String request, Metadata headers) throws Exception {
    ClientCall<String, String> call = channel.newCall(NamedGrpcServer.HELLO,
        CallOptions.DEFAULT.withDeadlineAfter(WAIT.toMillis(), TimeUnit.MILLISECONDS));
    CompletableFuture<Answer> answer = new CompletableFuture<>();
    call.start(new ClientCall.Listener<>() {
      private Metadata responseHeaders;

      @Override
      public void onHeaders(Metadata received) {
        responseHeaders = received;
      }

      @Override
      public void onClose(Status status, Metadata trailers) {
        answer.complete(new Answer(status, responseHeaders, trailers));
      }
    }, headers);
    call.sendMessage(request);
    call.halfClose();
    call.request(1);
    return answer.get(10, TimeUnit.SECONDS);
  }

  @Test
  void requestHeaderMutationsOfEveryLevelReachTheServerAndTransportHeadersAreLeftAlone() throws Exception {
    NamedGrpcServer named = NamedGrpcServer.start("b0");
    server = named;
    Route route = Route.newBuilder().setMatch(RouteMatch.newBuilder().setPrefix("/"))
        .setRoute(RouteAction.newBuilder().setCluster("orders"))
        .addRequestHeadersToAdd(header("x-route", "r", HeaderValueOption.HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD))
        // The transport's own headers: a mutation must not break the call.
        .addRequestHeadersToAdd(header("content-type", "text/plain",
            HeaderValueOption.HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD))
        .addRequestHeadersToAdd(header("grpc-timeout", "1n",
            HeaderValueOption.HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD))
        .build();
    RouteConfiguration.Builder routes = table(route);
    routes.getVirtualHostsBuilder(0).addRequestHeadersToAdd(
        header("x-vhost", "v", HeaderValueOption.HeaderAppendAction.APPEND_IF_EXISTS_OR_ADD));
    routes.addRequestHeadersToRemove("x-drop");
    serve(routes.build(), named.hostPort());

    Metadata headers = new Metadata();
    headers.put(KEY_ROUTE, "from-app");
    headers.put(KEY_VHOST, "from-app");
    headers.put(KEY_DROP, "secret");
    Answer answer = call("hi", headers);

    assertThat(answer.status().getCode()).isEqualTo(Status.Code.OK);
    Metadata seen = named.lastHeaders();
    assertThat(seen.getAll(KEY_ROUTE)).containsExactly("r");
    assertThat(seen.getAll(KEY_VHOST)).containsExactly("from-app", "v");
    assertThat(seen.containsKey(KEY_DROP)).isFalse();
    assertThat(seen.get(key("content-type"))).startsWith("application/grpc");
    // The application's own metadata object is not changed by the mesh.
    assertThat(headers.getAll(KEY_ROUTE)).containsExactly("from-app");
  }

  @Test
  void responseHeaderMutationsApplyToResponseHeadersAndToTrailersOnlyResponses() throws Exception {
    NamedGrpcServer named = NamedGrpcServer.start("b0");
    server = named;
    Route route = Route.newBuilder().setMatch(RouteMatch.newBuilder().setPrefix("/"))
        .setRoute(RouteAction.newBuilder().setCluster("orders"))
        .addResponseHeadersToAdd(header("x-added", "yes", HeaderValueOption.HeaderAppendAction.APPEND_IF_EXISTS_OR_ADD))
        .addResponseHeadersToRemove("x-from-server")
        // grpc-status is the call's outcome, not a header a mutation may remove.
        .addResponseHeadersToRemove("grpc-status")
        .build();
    serve(table(route).build(), named.hostPort());

    Answer ok = call("hi", new Metadata());
    assertThat(ok.status().getCode()).isEqualTo(Status.Code.OK);
    assertThat(ok.headers().get(KEY_ADDED)).isEqualTo("yes");
    assertThat(ok.headers().containsKey(NamedGrpcServer.FROM_SERVER)).isFalse();

    Answer failed = call("fail:PERMISSION_DENIED", new Metadata());
    assertThat(failed.status().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThat(failed.headers()).isNull(); // trailers-only
    assertThat(failed.trailers().get(KEY_ADDED)).isEqualTo("yes");
    assertThat(failed.trailers().containsKey(NamedGrpcServer.FROM_SERVER)).isFalse();
  }

  @Test
  void theRouteIdleTimeoutEndsACallWhoseUpstreamGoesQuiet() throws Exception {
    BehavingGrpcServer behaving = BehavingGrpcServer.start("b0");
    server = behaving;
    serve(table(Route.newBuilder().setMatch(RouteMatch.newBuilder().setPrefix("/"))
        .setRoute(RouteAction.newBuilder().setCluster("orders").setIdleTimeout(Durations.fromMillis(300)))
        .build()).build(), behaving.hostPort());

    assertThat(unary("ok")).isEqualTo("b0:0"); // an answer in time is untouched
    Status status = statusOf("sleep:5000");
    assertThat(status.getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
    assertThat(status.getDescription()).contains("UPSTREAM_TIMEOUT").contains("idle timeout of PT0.3S");
  }

  @Test
  void aPerTryIdleTimeoutEndsTheQuietAttemptAndTheRetryAnswers() throws Exception {
    BehavingGrpcServer behaving = BehavingGrpcServer.start("b0");
    server = behaving;
    serve(table(Route.newBuilder().setMatch(RouteMatch.newBuilder().setPrefix("/"))
        .setRoute(RouteAction.newBuilder().setCluster("orders").setRetryPolicy(RetryPolicy.newBuilder()
            .setRetryOn("reset").setNumRetries(UInt32Value.of(1)).setPerTryIdleTimeout(Durations.fromSeconds(3))
            .setRetryBackOff(RetryPolicy.RetryBackOff.newBuilder().setBaseInterval(Durations.fromMillis(1)))))
        .build()).build(), behaving.hostPort());

    // The retry has the whole idle timeout to answer, which a slow machine needs; the first try sleeps well past it.
    assertThat(unary("sleep-first:" + WAIT.toMillis())).isEqualTo("b0:1");
    assertThat(behaving.previousAttempts()).containsExactly(0, 1);
  }

  private String unary(String request) {
    return ClientCalls.blockingUnaryCall(channel, BehavingGrpcServer.UNARY,
        CallOptions.DEFAULT.withDeadlineAfter(WAIT.toMillis(), TimeUnit.MILLISECONDS), request);
  }

  private Status statusOf(String request) {
    try {
      unary(request);
    } catch (io.grpc.StatusRuntimeException e) {
      return e.getStatus();
    }
    throw new AssertionError("the call succeeded");
  }
}
