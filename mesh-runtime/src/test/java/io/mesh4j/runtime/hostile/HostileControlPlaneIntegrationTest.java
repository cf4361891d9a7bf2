package io.mesh4j.runtime.hostile;

import static io.mesh4j.runtime.testing.XdsResources.CDS;
import static io.mesh4j.runtime.testing.XdsResources.EDS;
import static io.mesh4j.runtime.testing.XdsResources.LDS;
import static io.mesh4j.runtime.testing.XdsResources.RDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.Message;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.mesh4j.Mesh;
import io.mesh4j.OutboundTrafficPolicy;
import io.mesh4j.runtime.cluster.ClusterType;
import io.mesh4j.runtime.cluster.EndpointType;
import io.mesh4j.runtime.filter.builtin.BuiltInFilters;
import io.mesh4j.runtime.listener.ListenerType;
import io.mesh4j.runtime.route.RouteConfigurationType;
import io.mesh4j.runtime.testing.LoopbackControlPlane;
import io.mesh4j.runtime.testing.NamedHttpServer;
import io.mesh4j.runtime.testing.ProtoMutator;
import io.mesh4j.runtime.testing.ReliabilityFigures;
import io.mesh4j.runtime.xds.DecodeContext;
import io.mesh4j.runtime.xds.ResourceInvalidException;
import io.mesh4j.runtime.xds.XdsResourceType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Mutated resources pushed by a real control plane to a running mesh: each invalid one is NACKed with the decoder's
 * field path, and the previous config keeps serving (requests succeed right after every NACK). An accepted mutation
 * is undone by pushing the valid config again before the next.
 *
 * <p>Pushes: {@code -Dmesh4j.pushedMutations=N} (default 40; {@code benchmarks/run.sh} pushes 400); seeds are
 * printed with every failure.
 */
class HostileControlPlaneIntegrationTest {
  private static final int PUSHES = Integer.getInteger("mesh4j.pushedMutations", 40);
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String TARGET = ValidResources.TARGET;

  private LoopbackControlPlane controlPlane;
  private NamedHttpServer backend;
  private Mesh mesh;
  private OkHttpClient client;
  private Listener listener;
  private RouteConfiguration routes;
  private List<Cluster> clusters;
  private ClusterLoadAssignment endpoints;
  private int version;

  @BeforeEach
  void start() {
    controlPlane = LoopbackControlPlane.start();
    backend = NamedHttpServer.start("v1");
    listener = ValidResources.clientListener("routes");
    routes = ValidResources.routes("routes");
    clusters = List.of(ValidResources.cluster("catalog"), ValidResources.cluster("catalog-v2"));
    endpoints = ValidResources.endpoints("catalog", backend.hostPort());
    push(listener, routes, clusters.get(0), endpoints);
    mesh = Mesh.builder().bootstrapJson(controlPlane.bootstrapJson()).listenerWait(WAIT)
        .outboundTrafficPolicy(OutboundTrafficPolicy.REGISTRY_ONLY).build();
    client = mesh.okHttp(new OkHttpClient.Builder()).build();
  }

  @AfterEach
  void stop() {
    if (mesh != null) {
      mesh.close();
    }
    controlPlane.close();
    backend.close();
  }

  private String push(Listener l, RouteConfiguration r, Cluster c, ClusterLoadAssignment e) {
    String v = Integer.toString(++version);
    controlPlane.setSnapshot(v, List.of(l), List.of(r), List.of(c, clusters.get(1)),
        List.of(e, endpoints.toBuilder().setClusterName("catalog-v2").build()));
    return v;
  }

  private String call() throws IOException {
    try (Response response = client.newCall(new Request.Builder().url("http://" + TARGET + "/").build()).execute()) {
      assertThat(response.code()).isEqualTo(200);
      return response.body().string();
    }
  }

  /** The client's answer (ACK or NACK) to the response of {@code typeUrl} carrying {@code v}. */
  private DiscoveryRequest answerTo(String typeUrl, String v) {
    await().atMost(WAIT).until(() -> nonce(typeUrl, v).isPresent());
    String nonce = nonce(typeUrl, v).orElseThrow();
    await().atMost(WAIT).until(() -> controlPlane.requests(typeUrl).stream()
        .anyMatch(r -> r.getResponseNonce().equals(nonce)));
    return controlPlane.requests(typeUrl).stream().filter(r -> r.getResponseNonce().equals(nonce)).findFirst()
        .orElseThrow();
  }

  private Optional<String> nonce(String typeUrl, String v) {
    return controlPlane.responses(typeUrl).stream().filter(r -> r.getVersionInfo().equals(v))
        .map(DiscoveryResponse::getNonce).findFirst();
  }

  /**
   * {@code text} as a UTF-8 string field carries it: a mutated string may hold an unpaired surrogate, which the
   * NACK's error detail (a proto string) carries as '?'.
   */
  private static String asUtf8Carries(String text) {
    return new String(text.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
  }

  @Test
  void everyInvalidPushIsNackedWithAFieldPathAndTheLastGoodConfigKeepsServing() throws IOException {
    assertThat(call()).isEqualTo("v1");
    ListenerType listeners = ListenerType.forMesh(Set.of(), BuiltInFilters.REGISTRY, null);
    int nacked = 0;
    int callsAfterNacks = 0;
    List<String> failures = new ArrayList<>();
    for (int i = 0; i < PUSHES && failures.size() < 3; i++) {
      long seed = 7_000_000L + i;
      ProtoMutator mutator = new ProtoMutator(seed, ValidResources.PACKED_TYPES, 40);
      Listener l = listener;
      RouteConfiguration r = routes;
      Cluster c = clusters.get(0);
      ClusterLoadAssignment e = endpoints;
      String typeUrl;
      Message mutated;
      XdsResourceType<?> decoder;
      switch (i % 4) {
        case 0 -> {
          // Names stay: a renamed resource is another resource (a deletion), not an invalid one.
          l = mutator.mutate(listener).toBuilder().setName(listener.getName()).build();
          typeUrl = LDS;
          mutated = l;
          decoder = listeners;
        }
        case 1 -> {
          r = mutator.mutate(routes).toBuilder().setName(routes.getName()).build();
          typeUrl = RDS;
          mutated = r;
          decoder = RouteConfigurationType.INSTANCE;
        }
        case 2 -> {
          c = mutator.mutate(c).toBuilder().setName("catalog").build();
          typeUrl = CDS;
          mutated = c;
          decoder = ClusterType.INSTANCE;
        }
        default -> {
          e = mutator.mutate(endpoints).toBuilder().setClusterName("catalog").build();
          typeUrl = EDS;
          mutated = e;
          decoder = EndpointType.INSTANCE;
        }
      }
      String expected = null;
      try {
        decoder.decode(mutated, DecodeContext.discarding());
      } catch (ResourceInvalidException ex) {
        expected = ex.getMessage();
      }
      String v = push(l, r, c, e);
      DiscoveryRequest answer = answerTo(typeUrl, v);
      if (answer.hasErrorDetail()) {
        nacked++;
        String detail = answer.getErrorDetail().getMessage();
        if (expected != null && !detail.contains(asUtf8Carries(expected))) {
          failures.add("seed " + seed + ": NACK '" + HostileResourceDecodeTest.abbreviate(detail)
              + "' does not carry the decoder's '" + HostileResourceDecodeTest.abbreviate(expected) + "'");
        }
        // The last good config keeps serving.
        for (int k = 0; k < 3; k++) {
          assertThat(call()).as("seed %d, after the NACK", seed).isEqualTo("v1");
          callsAfterNacks++;
        }
      } else if (expected != null) {
        failures.add("seed " + seed + ": ACKed, but the decoder refuses it: " + expected);
      } else {
        // An accepted change may route elsewhere; put the valid config back before the next.
        String restored = push(listener, routes, clusters.get(0), endpoints);
        assertThat(answerTo(typeUrl, restored).hasErrorDetail()).as("seed %d, restored", seed).isFalse();
        await().atMost(WAIT).ignoreExceptions().until(() -> call().equals("v1"));
      }
    }
    assertThat(failures).isEmpty();
    assertThat(nacked).as("NACKed pushes out of %d", PUSHES).isPositive();
    assertThat(call()).isEqualTo("v1");
    ReliabilityFigures.titled("Mutated resources pushed by a real control plane to a running mesh: " + PUSHES
            + " pushes, LDS, RDS, CDS and EDS in turn")
        .add("NACKed with the decoder's field path", nacked)
        .add("accepted (valid after all), then undone", PUSHES - nacked)
        .add("calls right after a NACK, all served by the last good config", callsAfterNacks)
        .write();
  }
}
