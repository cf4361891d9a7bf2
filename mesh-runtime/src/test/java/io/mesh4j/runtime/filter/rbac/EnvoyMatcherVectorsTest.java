package io.mesh4j.runtime.filter.rbac;

import static io.mesh4j.runtime.filter.rbac.TestInboundRequest.peer;
import static io.mesh4j.runtime.filter.rbac.TestInboundRequest.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.mesh4j.runtime.xds.ResourceInvalidException;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The cases of Envoy's {@code test/extensions/filters/common/rbac/matchers_test.cc}, as data: one permission or
 * principal (proto-JSON), one request, the expected match. Envoy's separate connection, direct and downstream
 * remote addresses are one peer address here (no trusted x-forwarded-for hop), so its IP cases use one address.
 */
class EnvoyMatcherVectorsTest {

  enum Side {
    PERMISSION,
    PRINCIPAL
  }

  static Arguments permission(String name, String json, TestInboundRequest request, boolean expected) {
    return Arguments.of(name, Side.PERMISSION, json, request, expected);
  }

  static Arguments principal(String name, String json, TestInboundRequest request, boolean expected) {
    return Arguments.of(name, Side.PRINCIPAL, json, request, expected);
  }

  static Stream<Arguments> vectors() {
    String portAndAny = "{'and_rules': {'rules': [{'any': true}, {'destination_port': 123}]}}";
    String anyAndRemote =
        "{'and_ids': {'ids': [{'any': true}, {'direct_remote_ip': {'address_prefix': '1.2.3.0', 'prefix_len': 24}}]}}";
    String sniRegex = "{'requested_server_name': {'safe_regex': {'regex': '%s'}}}";
    String sniExact = "{'requested_server_name': {'exact': '%s'}}";
    String exactPath = "{'url_path': {'path': {'exact': '/exact'}}}";
    TestInboundRequest uriSans = request().peer(peer(List.of("foo", "baz"), List.of(), "subject"));
    TestInboundRequest dnsSans = request().peer(peer(List.of("uri_foo"), List.of("foo", "baz"), "subject"));
    TestInboundRequest subjectOnly = request().peer(peer(List.of(), List.of(), "bar"));
    TestInboundRequest cncf = request().tls("www.cncf.io");
    TestInboundRequest noSni = request().tls(null);
    return Stream.of(
        permission("AlwaysMatcher", "{'any': true}", request(), true),
        permission("AndMatcher.Permission_Set any", "{'and_rules': {'rules': [{'any': true}]}}", request(), true),
        permission("AndMatcher.Permission_Set port 123", portAndAny, request().local("1.2.3.4", 123), true),
        permission("AndMatcher.Permission_Set port 8080", portAndAny, request().local("1.2.3.4", 8080), false),
        principal("AndMatcher.Principal_Set any", "{'and_ids': {'ids': [{'any': true}]}}", request(), true),
        principal("AndMatcher.Principal_Set in cidr", anyAndRemote, request().remote("1.2.3.4", 123), true),
        principal("AndMatcher.Principal_Set out of cidr", anyAndRemote, request().remote("1.2.4.6", 123), false),
        permission("OrMatcher.Permission_Set port", "{'or_rules': {'rules': [{'destination_port': 123}]}}",
            request().local("1.2.3.4", 456), false),
        permission("OrMatcher.Permission_Set port or range",
            "{'or_rules': {'rules': [{'destination_port': 123},"
                + " {'destination_port_range': {'start': 123, 'end': 456}}]}}",
            request().local("1.2.3.4", 456), false),
        permission("OrMatcher.Permission_Set or any",
            "{'or_rules': {'rules': [{'destination_port': 123},"
                + " {'destination_port_range': {'start': 123, 'end': 456}}, {'any': true}]}}",
            request().local("1.2.3.4", 456), true),
        principal("OrMatcher.Principal_Set cidr",
            "{'or_ids': {'ids': [{'direct_remote_ip': {'address_prefix': '1.2.3.0', 'prefix_len': 24}}]}}",
            request().remote("1.2.4.6", 456), false),
        principal("OrMatcher.Principal_Set or any",
            "{'or_ids': {'ids': [{'direct_remote_ip': {'address_prefix': '1.2.3.0', 'prefix_len': 24}},"
                + " {'any': true}]}}",
            request().remote("1.2.4.6", 456), true),
        permission("NotMatcher.Permission", "{'not_rule': {'any': true}}", request(), false),
        principal("NotMatcher.Principal", "{'not_id': {'any': true}}", request(), false),
        permission("HeaderMatcher bar", "{'header': {'name': 'foo', 'string_match': {'exact': 'bar'}}}",
            request().header("foo", "bar"), true),
        permission("HeaderMatcher baz", "{'header': {'name': 'foo', 'string_match': {'exact': 'bar'}}}",
            request().header("foo", "baz"), false),
        permission("HeaderMatcher absent", "{'header': {'name': 'foo', 'string_match': {'exact': 'bar'}}}",
            request(), false),
        principal("IPMatcher source_ip", "{'source_ip': {'address_prefix': '12.13.14.15', 'prefix_len': 32}}",
            request().remote("12.13.14.15", 789), true),
        permission("IPMatcher destination_ip", "{'destination_ip': {'address_prefix': '1.2.3.0', 'prefix_len': 24}}",
            request().local("1.2.3.4", 123), true),
        principal("IPMatcher direct_remote_ip",
            "{'direct_remote_ip': {'address_prefix': '4.5.6.7', 'prefix_len': 32}}",
            request().remote("4.5.6.7", 456), true),
        principal("IPMatcher remote_ip", "{'remote_ip': {'address_prefix': '8.9.10.11', 'prefix_len': 32}}",
            request().remote("8.9.10.11", 456), true),
        principal("IPMatcher source_ip other", "{'source_ip': {'address_prefix': '4.5.6.7', 'prefix_len': 32}}",
            request().remote("12.13.14.15", 789), false),
        permission("IPMatcher destination_ip other",
            "{'destination_ip': {'address_prefix': '1.2.4.8', 'prefix_len': 24}}",
            request().local("1.2.3.4", 123), false),
        principal("IPMatcher direct_remote_ip other",
            "{'direct_remote_ip': {'address_prefix': '4.5.6.0', 'prefix_len': 32}}",
            request().remote("4.5.6.7", 456), false),
        principal("IPMatcher remote_ip other", "{'remote_ip': {'address_prefix': '4.5.6.7', 'prefix_len': 32}}",
            request().remote("8.9.10.11", 456), false),
        permission("PortMatcher 123", "{'destination_port': 123}", request().local("1.2.3.4", 123), true),
        permission("PortMatcher 456", "{'destination_port': 456}", request().local("1.2.3.4", 123), false),
        permission("PortRangeMatcher [123, 789)", "{'destination_port_range': {'start': 123, 'end': 789}}",
            request().local("1.2.3.4", 456), true),
        permission("PortRangeMatcher [456, 789)", "{'destination_port_range': {'start': 456, 'end': 789}}",
            request().local("1.2.3.4", 456), true),
        permission("PortRangeMatcher [123, 456)", "{'destination_port_range': {'start': 123, 'end': 456}}",
            request().local("1.2.3.4", 456), false),
        permission("PortRangeMatcher [12, 34)", "{'destination_port_range': {'start': 12, 'end': 34}}",
            request().local("1.2.3.4", 456), false),
        principal("AuthenticatedMatcher.uriSan first", "{'authenticated': {'principal_name': {'exact': 'foo'}}}",
            uriSans, true),
        principal("AuthenticatedMatcher.uriSan any", "{'authenticated': {'principal_name': {'exact': 'baz'}}}",
            uriSans, true),
        principal("AuthenticatedMatcher.uriSan none", "{'authenticated': {'principal_name': {'exact': 'bar'}}}",
            uriSans, false),
        principal("AuthenticatedMatcher.dnsSan first", "{'authenticated': {'principal_name': {'exact': 'foo'}}}",
            dnsSans, true),
        principal("AuthenticatedMatcher.dnsSan any", "{'authenticated': {'principal_name': {'exact': 'baz'}}}",
            dnsSans, true),
        principal("AuthenticatedMatcher.dnsSan none", "{'authenticated': {'principal_name': {'exact': 'bar'}}}",
            dnsSans, false),
        principal("AuthenticatedMatcher.subject", "{'authenticated': {'principal_name': {'exact': 'bar'}}}",
            subjectOnly, true),
        principal("AuthenticatedMatcher.subject other", "{'authenticated': {'principal_name': {'exact': 'foo'}}}",
            subjectOnly, false),
        principal("AuthenticatedMatcher.AnySSLSubject", "{'authenticated': {}}", uriSans, true),
        principal("AuthenticatedMatcher.AnySSLSubject regex",
            "{'authenticated': {'principal_name': {'safe_regex': {'regex': '.*'}}}}", uriSans, true),
        principal("AuthenticatedMatcher.NoSSL", "{'authenticated': {}}", request(), false),
        principal("AuthenticatedMatcher TLS without a client certificate", "{'authenticated': {}}",
            request().tls("server.example"), false),
        permission("MetadataMatcher test",
            "{'metadata': {'filter': 'rbac', 'path': [{'key': 'label'}], 'value': {'string_match': {'exact': 'test'}}}}",
            request().metadata("other", "label", "prod").metadata("rbac", "label", "prod"), false),
        permission("MetadataMatcher prod",
            "{'metadata': {'filter': 'rbac', 'path': [{'key': 'label'}], 'value': {'string_match': {'exact': 'prod'}}}}",
            request().metadata("other", "label", "prod").metadata("rbac", "label", "prod"), true),
        permission("RequestedServerName regex .*cncf.io", sniRegex.formatted(".*cncf.io"), cncf, true),
        permission("RequestedServerName regex .*cncf.*", sniRegex.formatted(".*cncf.*"), cncf, true),
        permission("RequestedServerName regex www.*", sniRegex.formatted("www.*"), cncf, true),
        permission("RequestedServerName regex .*io", sniRegex.formatted(".*io"), cncf, true),
        permission("RequestedServerName regex .*", sniRegex.formatted(".*"), cncf, true),
        permission("RequestedServerName exact ''", sniExact.formatted(""), cncf, false),
        permission("RequestedServerName exact www.cncf.io", sniExact.formatted("www.cncf.io"), cncf, true),
        permission("RequestedServerName exact xyz.cncf.io", sniExact.formatted("xyz.cncf.io"), cncf, false),
        permission("RequestedServerName exact example.com", sniExact.formatted("example.com"), cncf, false),
        permission("EmptyRequestedServerName regex .*", sniRegex.formatted(".*"), noSni, true),
        permission("EmptyRequestedServerName exact ''", sniExact.formatted(""), noSni, true),
        permission("EmptyRequestedServerName exact example.com", sniExact.formatted("example.com"), noSni, false),
        permission("PathMatcher.NoPathInHeader with path",
            "{'url_path': {'path': {'safe_regex': {'regex': '.*'}}}}", request().path("/path"), true),
        permission("PathMatcher.NoPathInHeader without path",
            "{'url_path': {'path': {'safe_regex': {'regex': '.*'}}}}", request().path(null), false),
        permission("PathMatcher /exact", exactPath, request().path("/exact"), true),
        permission("PathMatcher /exact?param=val", exactPath, request().path("/exact?param=val"), true),
        permission("PathMatcher /exact#fragment", exactPath, request().path("/exact#fragment"), true),
        permission("PathMatcher /exacz", exactPath, request().path("/exacz"), false));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("vectors")
  void matches(String name, Side side, String json, TestInboundRequest request, boolean expected)
      throws ResourceInvalidException {
    RbacMatcher matcher = side == Side.PERMISSION ? RbacProtos.permission(json) : RbacProtos.principal(json);
    assertThat(matcher.matches(request)).as("%s: %s on %s", name, matcher, request).isEqualTo(expected);
  }

  /** Envoy's PolicyMatcher case: any permission and any principal must match. */
  static Stream<Arguments> policyVectors() {
    TestInboundRequest bar = request().peer(peer(List.of("bar", "baz"), List.of(), "subject"));
    return Stream.of(
        Arguments.of("peer bar, port 456", bar.local("1.2.3.4", 456), "policy"),
        Arguments.of("no TLS, port 456", request().local("1.2.3.4", 456), null),
        Arguments.of("peer bar, port 789",
            request().peer(peer(List.of("bar", "baz"), List.of(), "subject")).local("1.2.3.4", 789), null));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("policyVectors")
  void policyNeedsAPermissionAndAPrincipal(String name, TestInboundRequest request, String matched)
      throws ResourceInvalidException {
    RbacEngine engine = RbacProtos.engine("""
        {"action": "ALLOW", "policies": {"policy": {
          "permissions": [{"destination_port": 123}, {"destination_port": 456}],
          "principals": [{"authenticated": {"principal_name": {"exact": "foo"}}},
                         {"authenticated": {"principal_name": {"exact": "bar"}}}]}}}
        """);
    assertThat(engine.evaluate(request).matchedPolicy()).as(name).isEqualTo(matched);
  }
}
