package io.mesh4j.runtime.filter.rbac;

import static io.mesh4j.runtime.filter.rbac.TestInboundRequest.peer;
import static org.assertj.core.api.Assertions.assertThat;

import io.mesh4j.runtime.inbound.InboundReply;
import io.mesh4j.runtime.xds.ResourceInvalidException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * psm-interop's authz cases (grpc {@code authz_test.py}) as the RBAC a control plane sends for them: one policy per
 * rule; a destination is its hosts ({@code :authority}, {@code *:port} as a suffix) and ports ({@code
 * destination_port}) and header regex; a source is its principals ({@code *} as "any authenticated name", others
 * exact). Each case is a request to the server as the test client sends it: plaintext, TLS without a client
 * certificate, or mTLS with the client's SPIFFE ID.
 */
class IstioAuthzShapesTest {
  private static final String XDS_HOST = "server.example";
  private static final int XDS_PORT = 8080;
  private static final int SERVER_PORT = 50051;
  private static final String TRUST_DOMAIN = "spiffe://project.svc.id.goog";
  private static final String CLIENT = TRUST_DOMAIN + "/ns/client-ns/sa/client";
  private static final String NOT_THE_CLIENT = TRUST_DOMAIN + "/not/the/client";

  private static String host(String host) {
    return host.startsWith("*")
        ? "{'header': {'name': ':authority', 'string_match': {'suffix': '" + host.substring(1) + "'}}}"
        : "{'header': {'name': ':authority', 'string_match': {'exact': '" + host + "'}}}";
  }

  /** One destination: any of the hosts, any of the ports, and the test header. */
  private static String destination(List<String> hosts, List<Integer> ports, String headerRegex) {
    String anyHost = hosts.stream().map(IstioAuthzShapesTest::host).collect(Collectors.joining(", "));
    String anyPort = ports.stream().map(p -> "{'destination_port': " + p + "}").collect(Collectors.joining(", "));
    return "{'and_rules': {'rules': [{'or_rules': {'rules': [" + anyHost + "]}}, {'or_rules': {'rules': [" + anyPort
        + "]}}, {'header': {'name': 'test', 'safe_regex_match': {'regex': '" + headerRegex + "'}}}]}}";
  }

  /** One source: any of these principals ({@code *}: any authenticated name). */
  private static String source(String... principals) {
    List<String> ids = new ArrayList<>();
    for (String principal : principals) {
      ids.add(principal.equals("*")
          ? "{'authenticated': {'principal_name': {'safe_regex': {'regex': '.+'}}}}"
          : "{'authenticated': {'principal_name': {'exact': '" + principal + "'}}}");
    }
    return "{'or_ids': {'ids': [" + String.join(", ", ids) + "]}}";
  }

  private static String policy(List<String> destinations, List<String> sources) {
    return "{'permissions': [" + String.join(", ", destinations) + "], 'principals': ["
        + (sources.isEmpty() ? "{'any': true}" : String.join(", ", sources)) + "]}";
  }

  private static String authzRules(String action) {
    String anyHost = "*:" + XDS_PORT;
    List<String> policies = List.of(
        policy(List.of(destination(List.of(anyHost), List.of(SERVER_PORT), "host-wildcard")), List.of()),
        policy(List.of(destination(List.of(anyHost), List.of(SERVER_PORT), "header-regex-a+")), List.of()),
        policy(List.of(
                destination(List.of(XDS_HOST + ":" + XDS_PORT), List.of(SERVER_PORT), "host-match1"),
                destination(List.of("a-not-it.com:" + XDS_PORT, XDS_HOST + ":" + XDS_PORT, "z-not-it.com:1"),
                    List.of(1, SERVER_PORT, 65535), "host-match2")),
            List.of()),
        policy(List.of(destination(List.of("not-the-host:" + XDS_PORT, "not-the-host"), List.of(SERVER_PORT),
            "never-match-host")), List.of()),
        policy(List.of(destination(List.of(anyHost), List.of(1), "never-match-port")), List.of()),
        policy(List.of(destination(List.of(anyHost), List.of(SERVER_PORT), "principal-present")),
            List.of(source("*"))),
        policy(List.of(destination(List.of(anyHost), List.of(SERVER_PORT), "match-principal")),
            List.of(source(NOT_THE_CLIENT), source(NOT_THE_CLIENT, CLIENT))),
        policy(List.of(destination(List.of(anyHost), List.of(SERVER_PORT), "never-match-principal")),
            List.of(source(NOT_THE_CLIENT))));
    StringBuilder json = new StringBuilder("{'rules': {'action': '" + action + "', 'policies': {");
    for (int i = 0; i < policies.size(); i++) {
      json.append(i == 0 ? "" : ", ").append("'rule-").append(i).append("': ").append(policies.get(i));
    }
    return json.append("}}}").toString();
  }

  enum Security {
    PLAINTEXT,
    TLS,
    MTLS
  }

  private static TestInboundRequest call(Security security, String testHeader) {
    TestInboundRequest request = TestInboundRequest.request()
        .authority(XDS_HOST + ":" + XDS_PORT)
        .path("/grpc.testing.TestService/UnaryCall")
        .local("10.0.0.1", SERVER_PORT);
    if (testHeader != null) {
      request.header("test", testHeader);
    }
    switch (security) {
      case TLS:
        return request.tls(XDS_HOST);
      case MTLS:
        return request.peer(peer(List.of(CLIENT), List.of(), "O=client"));
      default:
        return request;
    }
  }

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of("plaintext ALLOW host_wildcard", "ALLOW", Security.PLAINTEXT, "host-wildcard", true),
        Arguments.of("plaintext ALLOW no_match", "ALLOW", Security.PLAINTEXT, "no-such-rule", false),
        Arguments.of("plaintext ALLOW no header", "ALLOW", Security.PLAINTEXT, null, false),
        Arguments.of("plaintext ALLOW header_regex a", "ALLOW", Security.PLAINTEXT, "header-regex-a", true),
        Arguments.of("plaintext ALLOW header_regex aa", "ALLOW", Security.PLAINTEXT, "header-regex-aa", true),
        Arguments.of("plaintext ALLOW header_regex empty", "ALLOW", Security.PLAINTEXT, "header-regex-", false),
        Arguments.of("plaintext ALLOW header_regex ab", "ALLOW", Security.PLAINTEXT, "header-regex-ab", false),
        Arguments.of("plaintext ALLOW header_regex prefixed", "ALLOW", Security.PLAINTEXT, "aheader-regex-a", false),
        Arguments.of("plaintext ALLOW host_match1", "ALLOW", Security.PLAINTEXT, "host-match1", true),
        Arguments.of("plaintext ALLOW host_match2", "ALLOW", Security.PLAINTEXT, "host-match2", true),
        Arguments.of("plaintext ALLOW never_match_host", "ALLOW", Security.PLAINTEXT, "never-match-host", false),
        Arguments.of("plaintext ALLOW never_match_port", "ALLOW", Security.PLAINTEXT, "never-match-port", false),
        Arguments.of("plaintext ALLOW principal_present", "ALLOW", Security.PLAINTEXT, "principal-present", false),
        Arguments.of("tls ALLOW host_wildcard", "ALLOW", Security.TLS, "host-wildcard", true),
        Arguments.of("tls ALLOW no_match", "ALLOW", Security.TLS, null, false),
        Arguments.of("tls ALLOW principal_present", "ALLOW", Security.TLS, "principal-present", false),
        Arguments.of("mtls ALLOW host_wildcard", "ALLOW", Security.MTLS, "host-wildcard", true),
        Arguments.of("mtls ALLOW no_match", "ALLOW", Security.MTLS, null, false),
        Arguments.of("mtls ALLOW principal_present", "ALLOW", Security.MTLS, "principal-present", true),
        Arguments.of("mtls ALLOW match_principal", "ALLOW", Security.MTLS, "match-principal", true),
        Arguments.of("mtls ALLOW never_match_principal", "ALLOW", Security.MTLS, "never-match-principal", false),
        Arguments.of("plaintext DENY host_wildcard", "DENY", Security.PLAINTEXT, "host-wildcard", false),
        Arguments.of("plaintext DENY no_match", "DENY", Security.PLAINTEXT, null, true),
        Arguments.of("mtls DENY match_principal", "DENY", Security.MTLS, "match-principal", false),
        Arguments.of("mtls DENY never_match_principal", "DENY", Security.MTLS, "never-match-principal", true));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void authorizes(String name, String action, Security security, String testHeader, boolean ok)
      throws ResourceInvalidException {
    RbacConfig config = RbacProtos.config(authzRules(action));

    InboundReply reply = config.onRequest(call(security, testHeader));

    if (ok) {
      assertThat(reply).as(name).isNull();
    } else {
      assertThat(reply).as(name).isNotNull();
      assertThat(reply.grpcStatusCode()).as("PERMISSION_DENIED").isEqualTo(7);
      // ALLOW denies what no rule matched; DENY names the rule that matched (rule-0: host-wildcard, rule-6: principal).
      assertThat(reply.reason()).as(name).isEqualTo(action.equals("ALLOW") ? "no policy matched"
          : testHeader.equals("host-wildcard") ? "rule-0" : "rule-6");
    }
  }
}
