package io.mesh4j.runtime.filter.rbac;

import static io.mesh4j.runtime.filter.rbac.TestInboundRequest.peer;
import static org.assertj.core.api.Assertions.assertThat;

import io.mesh4j.runtime.inbound.PeerIdentity;
import io.mesh4j.runtime.xds.ResourceInvalidException;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The cases of grpc-java's {@code GrpcAuthorizationEngineTest}, as data: an action and policies (proto-JSON), a
 * request, the expected decision and matched policy. Its request: {@code /auth/engine} with {@code header-key:
 * header-val}, from 68.36.0.19:100 to 10.10.10.0:100, over TLS with grpc's {@code server1.pem} as the client
 * certificate (DNS SANs {@code *.test.google.fr}, {@code waterzooi.test.google.be}, {@code *.test.youtube.com}).
 */
class GrpcAuthorizationEngineVectorsTest {
  private static final String SERVER1_SUBJECT = "CN=*.test.google.com,O=Example\\, Co.,L=Chicago,ST=Illinois,C=US";
  private static final String BADSERVER_SUBJECT =
      "CN=badserver.test.google.com,O=Internet Widgits Pty Ltd,ST=Some-State,C=AU";
  private static final PeerIdentity SERVER1 = peer(
      List.of(), List.of("*.test.google.fr", "waterzooi.test.google.be", "*.test.youtube.com"), SERVER1_SUBJECT);

  private static final String IP_POLICY = """
      {'policy-name': {
        'permissions': [{'and_rules': {'rules': [
          {'destination_port': 100},
          {'destination_ip': {'address_prefix': '10.10.10.0', 'prefix_len': 24}}]}}],
        'principals': [{'source_ip': {'address_prefix': '68.36.0.19', 'prefix_len': 24}}]}}
      """;
  private static final String HEADER_POLICY = """
      {'policy-name': {
        'permissions': [{'not_rule': {'destination_port': 101}}],
        'principals': [{'header': {'name': 'header-key', 'string_match': {'exact': 'header-val'}}}]}}
      """;
  private static final String PATH_POLICY = """
      {'policy-name': {
        'permissions': [{'any': true}],
        'principals': [{'url_path': {'path': {'exact': '/auth/engine'}}}]}}
      """;
  private static final String MULTIPLE_POLICIES = """
      {'policy-name': {
         'permissions': [{'and_rules': {'rules': [
           {'url_path': {'path': {'exact': '/auth/engine'}}},
           {'not_rule': {'destination_port': 101}}]}}],
         'principals': [{'and_ids': {'ids': [
           {'authenticated': {'principal_name': {'suffix': 'TEST.google.fr', 'ignore_case': true}}},
           {'url_path': {'path': {'exact': '/auth/engine'}}}]}}]},
       'policy-name-2': {
         'permissions': [{'destination_ip': {'address_prefix': '10.10.10.0', 'prefix_len': 24}},
                         {'url_path': {'path': {'exact': '/auth/engine'}}}],
         'principals': [{'header': {'name': 'header-key', 'string_match': {'exact': 'header-val1'}}},
                        {'authenticated': {'principal_name': {'contains': 'TEST.google.fr'}}}]}}
      """;

  /** grpc-java puts {@code authenticated} among the permissions, which Envoy's proto cannot: it is a principal. */
  private static String authenticated(String principalName) {
    String principal = principalName == null
        ? "{'authenticated': {}}"
        : "{'authenticated': {'principal_name': {'exact': '" + principalName + "'}}}";
    return """
        {'policy-name': {
          'permissions': [{'url_path': {'path': {'exact': '/auth/engine'}}}],
          'principals': [%s]}}
        """.formatted(principal);
  }

  private static TestInboundRequest request() {
    return TestInboundRequest.request()
        .path("/auth/engine")
        .header("header-key", "header-val")
        .remote("68.36.0.19", 100)
        .local("10.10.10.0", 100)
        .peer(SERVER1);
  }

  private static TestInboundRequest withSans(List<String> uris, List<String> dns) {
    return request().peer(peer(uris, dns, "CN=mock"));
  }

  static Stream<Arguments> vectors() {
    String wildcard = authenticated("*.test.google.fr");
    return Stream.of(
        Arguments.of("ipMatcher: allowed", "ALLOW", IP_POLICY, request(), true, "policy-name"),
        Arguments.of("ipMatcher: other local port", "ALLOW", IP_POLICY, request().local("10.10.10.0", 2), false, null),
        Arguments.of("ipMatcher: other local address", "ALLOW", IP_POLICY, request().local("1.1.1.1", 100), false,
            null),
        Arguments.of("ipMatcher: DENY engine, no match", "DENY", IP_POLICY, request().local("1.1.1.1", 100), true,
            null),
        Arguments.of("headerMatcher", "ALLOW", HEADER_POLICY, request(), true, "policy-name"),
        Arguments.of("pathMatcher", "DENY", PATH_POLICY, request(), false, "policy-name"),
        Arguments.of("authenticatedMatcher: server1.pem", "ALLOW", wildcard, request(), true, "policy-name"),
        Arguments.of("authenticatedMatcher: badserver.pem", "ALLOW", wildcard,
            request().peer(peer(List.of(), List.of(), BADSERVER_SUBJECT)), false, null),
        Arguments.of("authenticatedMatcher: no SANs", "ALLOW", wildcard, withSans(List.of(), List.of()), false, null),
        Arguments.of("authenticatedMatcher: DNS SAN", "ALLOW", wildcard,
            withSans(List.of(), List.of("*.test.google.fr")), true, "policy-name"),
        Arguments.of("authenticatedMatcher: URI SAN", "ALLOW", wildcard,
            withSans(List.of("*.test.google.fr"), List.of()), true, "policy-name"),
        Arguments.of("authenticatedMatcher: DNS other, URI match", "ALLOW", wildcard,
            withSans(List.of("*.test.google.fr"), List.of("google.com")), true, "policy-name"),
        // grpc-java tries DNS SANs only when there is no URI SAN and denies here; Envoy (the reference) tries every
        // URI SAN, then every DNS SAN, then the subject, and allows.
        Arguments.of("authenticatedMatcher: DNS match, URI other (Envoy's answer)", "ALLOW", wildcard,
            withSans(List.of("google.com"), List.of("*.test.google.fr")), true, "policy-name"),
        Arguments.of("authenticatedMatcher: DNS match, URI other and URI match", "ALLOW", wildcard,
            withSans(List.of("google.com", "*.test.google.fr"), List.of("*.test.google.fr")), true, "policy-name"),
        Arguments.of("authenticatedMatcher: any authenticated", "ALLOW", authenticated(null),
            withSans(List.of("random"), List.of()), true, "policy-name"),
        Arguments.of("authenticatedMatcher: not authenticated", "ALLOW", authenticated(null),
            TestInboundRequest.request().path("/auth/engine").remote("68.36.0.19", 100).local("10.10.10.0", 100),
            false, null),
        Arguments.of("multiplePolicies", "DENY", MULTIPLE_POLICIES, request(), false, "policy-name"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("vectors")
  void decides(String name, String action, String policies, TestInboundRequest request, boolean allowed,
      String matchedPolicy) throws ResourceInvalidException {
    RbacEngine engine = RbacProtos.engine("{'action': '" + action + "', 'policies': " + policies + "}");
    RbacDecision decision = engine.evaluate(request);
    assertThat(decision.allowed()).as("%s: %s", name, decision).isEqualTo(allowed);
    assertThat(decision.matchedPolicy()).as(name).isEqualTo(matchedPolicy);
  }
}
