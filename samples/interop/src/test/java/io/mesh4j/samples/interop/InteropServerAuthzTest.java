package io.mesh4j.samples.interop;

import static io.mesh4j.samples.interop.MeshServedInterop.CLIENT_ID;
import static io.mesh4j.samples.interop.MeshServedInterop.NS;
import static io.mesh4j.samples.interop.MeshServedInterop.XDS_HOST;
import static io.mesh4j.samples.interop.MeshServedInterop.XDS_PORT;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Message;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBAC;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.mesh4j.samples.interop.MeshServedInterop.Security;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * psm-interop's authz cases (grpc {@code authz_test.py}: host wildcard, header regex, host match, destination port,
 * principal present, principal exact, never-match principal; ALLOW and DENY) as istiod-shaped server listeners with
 * RBAC, served by a real control plane to the interop server, and called on its gRPC port and its HTTP port by
 * plaintext, TLS and mTLS clients on one PERMISSIVE port. Allowed calls succeed; denied ones get PERMISSION_DENIED
 * (gRPC) or {@code 403 RBAC: access denied} (HTTP).
 */
class InteropServerAuthzTest {
  private static final String NOT_THE_CLIENT = NS + "not-the-client";
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

  private static String host(String host) {
    return host.startsWith("*")
        ? "{'header': {'name': ':authority', 'string_match': {'suffix': '" + host.substring(1) + "'}}}"
        : "{'header': {'name': ':authority', 'string_match': {'exact': '" + host + "'}}}";
  }

  /** One destination of a rule: any of the hosts, any of the ports, and the {@code test} header's regex. */
  private static String destination(List<String> hosts, List<Integer> ports, String headerRegex) {
    String anyHost = hosts.stream().map(InteropServerAuthzTest::host).collect(Collectors.joining(", "));
    String anyPort = ports.stream().map(p -> "{'destination_port': " + p + "}").collect(Collectors.joining(", "));
    return "{'and_rules': {'rules': [{'or_rules': {'rules': [" + anyHost + "]}}, {'or_rules': {'rules': [" + anyPort
        + "]}}, {'header': {'name': 'test', 'safe_regex_match': {'regex': '" + headerRegex + "'}}}]}}";
  }

  /** One source: any of these principals ({@code *}: any authenticated name, as istiod writes it). */
  private static String source(String... principals) {
    String ids = Arrays.stream(principals).map(p -> p.equals("*")
            ? "{'authenticated': {'principal_name': {'safe_regex': {'regex': '.+'}}}}"
            : "{'authenticated': {'principal_name': {'exact': '" + p + "'}}}")
        .collect(Collectors.joining(", "));
    return "{'or_ids': {'ids': [" + ids + "]}}";
  }

  private static String policy(List<String> destinations, List<String> sources) {
    return "{'permissions': [" + String.join(", ", destinations) + "], 'principals': ["
        + (sources.isEmpty() ? "{'any': true}" : String.join(", ", sources)) + "]}";
  }

  /** authz_test.py's rules for a server listening on {@code serverPort}, one RBAC policy per rule. */
  static RBAC authzRules(String action, int serverPort) {
    String anyHost = "*:" + XDS_PORT;
    List<String> policies = List.of(
        policy(List.of(destination(List.of(anyHost), List.of(serverPort), "host-wildcard")), List.of()),
        policy(List.of(destination(List.of(anyHost), List.of(serverPort), "header-regex-a+")), List.of()),
        policy(List.of(
                destination(List.of(XDS_HOST + ":" + XDS_PORT), List.of(serverPort), "host-match1"),
                destination(List.of("a-not-it.com:" + XDS_PORT, XDS_HOST + ":" + XDS_PORT, "z-not-it.com:1"),
                    List.of(1, serverPort, 65535), "host-match2")),
            List.of()),
        policy(List.of(destination(List.of("not-the-host:" + XDS_PORT, "not-the-host"), List.of(serverPort),
            "never-match-host")), List.of()),
        policy(List.of(destination(List.of(anyHost), List.of(1), "never-match-port")), List.of()),
        policy(List.of(destination(List.of(anyHost), List.of(serverPort), "principal-present")),
            List.of(source("*"))),
        policy(List.of(destination(List.of(anyHost), List.of(serverPort), "match-principal")),
            List.of(source(NOT_THE_CLIENT), source(NOT_THE_CLIENT, CLIENT_ID))),
        policy(List.of(destination(List.of(anyHost), List.of(serverPort), "never-match-principal")),
            List.of(source(NOT_THE_CLIENT))));
    StringBuilder json = new StringBuilder("{'rules': {'action': '" + action + "', 'policies': {");
    for (int i = 0; i < policies.size(); i++) {
      json.append(i == 0 ? "" : ", ").append("'ns[interop]-policy[authz]-rule[").append(i).append("]': ")
          .append(policies.get(i));
    }
    return MeshServedInterop.proto(json.append("}}}").toString(), RBAC.newBuilder());
  }

  /** The header values of authz_test.py's calls, and whether some rule matches them (by security). */
  private record Case(String test, boolean plaintext, boolean tls, boolean mtls) {
    boolean matches(Security security) {
      return switch (security) {
        case PLAINTEXT -> plaintext;
        case TLS -> tls;
        case MTLS -> mtls;
      };
    }
  }

  private static final List<Case> CASES = List.of(
      new Case("host-wildcard", true, true, true),
      new Case(null, false, false, false),
      new Case("no-such-rule", false, false, false),
      new Case("header-regex-a", true, true, true),
      new Case("header-regex-aa", true, true, true),
      new Case("header-regex-", false, false, false),
      new Case("header-regex-ab", false, false, false),
      new Case("host-match1", true, true, true),
      new Case("host-match2", true, true, true),
      new Case("never-match-host", false, false, false),
      new Case("never-match-port", false, false, false),
      new Case("principal-present", false, false, true),
      new Case("match-principal", false, false, true),
      new Case("never-match-principal", false, false, false));

  private static Listener listener(String action, int port) {
    return MeshServedInterop.permissive(port, MeshServedInterop.hcm(
        Map.entry("envoy.filters.http.rbac", (Message) authzRules(action, port))), false);
  }

  private static List<String> runCases(String action) {
    interop.serve(listener(action, interop.grpcPort), listener(action, interop.httpPort));
    List<String> wrong = new ArrayList<>();
    for (Security security : Security.values()) {
      ManagedChannel channel = interop.grpcChannel(security);
      OkHttpClient http = interop.httpClient(security);
      for (Case c : CASES) {
        boolean allowed = action.equals("ALLOW") == c.matches(security);
        Map<String, String> headers = new HashMap<>();
        if (c.test() != null) {
          headers.put("test", c.test());
        }
        Status.Code grpc = MeshServedInterop.unaryCall(channel, headers);
        Status.Code expectedGrpc = allowed ? Status.Code.OK : Status.Code.PERMISSION_DENIED;
        if (grpc != expectedGrpc) {
          wrong.add(action + " " + security + " gRPC test=" + c.test() + ": " + grpc + ", expected " + expectedGrpc);
        }
        String answer = interop.httpUnaryCall(http, security, headers);
        String expectedHttp = allowed ? "200 b0" : "403 RBAC: access denied";
        if (!answer.equals(expectedHttp)) {
          wrong.add(action + " " + security + " HTTP test=" + c.test() + ": " + answer + ", expected " + expectedHttp);
        }
      }
    }
    return wrong;
  }

  @Test
  void allowPolicyOverGrpcAndHttpPlaintextTlsAndMtls() {
    assertThat(runCases("ALLOW")).isEmpty();
  }

  @Test
  void denyPolicyOverGrpcAndHttpPlaintextTlsAndMtls() {
    assertThat(runCases("DENY")).isEmpty();
  }
}
