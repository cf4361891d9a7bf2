package io.mesh4j.samples.interop;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Message;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBAC;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.mesh4j.runtime.testing.ServerListeners;
import io.mesh4j.samples.interop.MeshServedInterop.Security;
import java.nio.file.Path;
import java.util.Map;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PeerAuthentication's modes on the interop server's mesh-served ports as istiod sends them (PERMISSIVE: both kinds
 * of client on one port; STRICT: mutual TLS only), and bad listeners: NACKed naming the field, while the last good
 * one keeps serving.
 */
class InteropServerSecurityModesTest {
  @TempDir static Path certs;
  private static MeshServedInterop interop;

  @BeforeAll
  static void start() {
    interop = new MeshServedInterop(certs);
  }

  @AfterAll
  static void stop() {
    interop.close();
  }

  @AfterEach
  void closeClients() {
    interop.closeClients();
  }

  /** Denies calls whose {@code test} header says {@code deny}: shows which config answered. */
  private static HttpConnectionManager denyHeader(String value) {
    RBAC rbac = MeshServedInterop.proto("{'rules': {'action': 'DENY', 'policies': {'deny-by-header': {"
        + "'permissions': [{'header': {'name': 'test', 'string_match': {'exact': '" + value + "'}}}],"
        + "'principals': [{'any': true}]}}}}", RBAC.newBuilder());
    return MeshServedInterop.hcm(Map.entry("envoy.filters.http.rbac", (Message) rbac));
  }

  private Status.Code grpc(Security security, String test) {
    ManagedChannel channel = interop.grpcChannel(security);
    return MeshServedInterop.unaryCall(channel, test == null ? Map.of() : Map.of("test", test));
  }

  private String http(Security security, String test) {
    OkHttpClient client = interop.httpClient(security);
    return interop.httpUnaryCall(client, security, test == null ? Map.of() : Map.of("test", test));
  }

  @Test
  void permissiveServesPlaintextAndMutualTlsClientsOnOnePort() {
    interop.serve(MeshServedInterop.permissive(interop.grpcPort, denyHeader("deny"), true),
        MeshServedInterop.permissive(interop.httpPort, denyHeader("deny"), true));

    assertThat(grpc(Security.PLAINTEXT, null)).isEqualTo(Status.Code.OK);
    assertThat(grpc(Security.MTLS, null)).isEqualTo(Status.Code.OK);
    assertThat(grpc(Security.MTLS, "deny")).isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThat(http(Security.PLAINTEXT, null)).isEqualTo("200 b0");
    assertThat(http(Security.MTLS, null)).isEqualTo("200 b0");
    assertThat(http(Security.PLAINTEXT, "deny")).isEqualTo("403 RBAC: access denied");
    // istiod's mTLS chain requires a client certificate: TLS without one is refused in the handshake.
    assertThat(grpc(Security.TLS, null)).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(http(Security.TLS, null)).startsWith("failed: ");
  }

  @Test
  void strictRefusesPlaintextAndClientsWithoutACertificate() {
    interop.serve(MeshServedInterop.strict(interop.grpcPort, denyHeader("deny")),
        MeshServedInterop.strict(interop.httpPort, denyHeader("deny")));

    assertThat(grpc(Security.PLAINTEXT, null)).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(grpc(Security.TLS, null)).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(grpc(Security.MTLS, null)).isEqualTo(Status.Code.OK);
    assertThat(http(Security.PLAINTEXT, null)).startsWith("failed: ");
    assertThat(http(Security.TLS, null)).startsWith("failed: ");
    assertThat(http(Security.MTLS, null)).isEqualTo("200 b0");
  }

  @Test
  void badListenersAreNackedNamingTheFieldAndTheLastGoodOneKeepsServing() {
    Listener goodHttp = MeshServedInterop.permissive(interop.httpPort, denyHeader("deny"), true);
    interop.serve(MeshServedInterop.permissive(interop.grpcPort, denyHeader("deny"), true), goodHttp);
    String name = MeshServedInterop.grpcListenerName(interop.grpcPort);

    Listener duplicateChains = MeshServedInterop.permissive(interop.grpcPort, denyHeader("other"), true).toBuilder()
        .addFilterChains(ServerListeners.chain("plaintext-again",
            ServerListeners.match().setTransportProtocol("raw_buffer").build(), null, denyHeader("other")))
        .build();
    assertThat(interop.serveRejected(name, "filter_chains[2].filter_chain_match", duplicateChains, goodHttp))
        .contains("overlaps filter_chains[1]");
    assertServesTheFirstConfig();

    RBAC cel = MeshServedInterop.proto("{'rules': {'action': 'ALLOW', 'policies': {'cel': {"
        + "'permissions': [{'any': true}], 'principals': [{'any': true}],"
        + "'condition': {'const_expr': {'bool_value': true}}}}}}", RBAC.newBuilder());
    Listener unknownMatcher = MeshServedInterop.permissive(interop.grpcPort,
        MeshServedInterop.hcm(Map.entry("envoy.filters.http.rbac", (Message) cel)), true);
    assertThat(interop.serveRejected(name, "condition", unknownMatcher, goodHttp)).contains("policies");
    assertServesTheFirstConfig();

    Listener unknownProvider = ServerListeners.listener(name, "0.0.0.0", interop.grpcPort)
        .addFilterChains(ServerListeners.chain("mtls", ServerListeners.match().setTransportProtocol("tls").build(),
            ServerListeners.mtls("no-such-provider", true), denyHeader("other")))
        .build();
    assertThat(interop.serveRejected(name, "no-such-provider", unknownProvider, goodHttp))
        .contains("transport_socket");
    assertServesTheFirstConfig();
  }

  private void assertServesTheFirstConfig() {
    assertThat(grpc(Security.PLAINTEXT, "deny")).isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThat(grpc(Security.PLAINTEXT, "other")).isEqualTo(Status.Code.OK);
    assertThat(grpc(Security.MTLS, "other")).isEqualTo(Status.Code.OK);
    interop.closeClients();
  }
}
