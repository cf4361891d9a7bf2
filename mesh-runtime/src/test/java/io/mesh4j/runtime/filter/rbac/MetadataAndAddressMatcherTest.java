package io.mesh4j.runtime.filter.rbac;

import static io.mesh4j.runtime.filter.rbac.TestInboundRequest.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.mesh4j.runtime.xds.ResourceInvalidException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Envoy's value matchers over dynamic metadata as jwt_authn writes it (plain Java values under the filter's name),
 * and its IP ranges over both IP versions; the request headers RBAC sees.
 */
class MetadataAndAddressMatcherTest {
  private static final String JWT = "envoy.filters.http.jwt_authn";

  /** A request whose jwt_authn metadata holds a verified payload under {@code payload}. */
  private static TestInboundRequest withPayload() {
    return request().metadata(JWT, "payload", Map.of(
        "iss", "https://issuer.example",
        "sub", "alice",
        "exp", 1.7e9,
        "admin", true,
        "groups", List.of("dev", "ops"),
        "nested", Map.of("tier", "gold")));
  }

  /** Map.of takes no null: a payload whose claim is JSON null ({@code null_value}). */
  private static TestInboundRequest withNullClaim() {
    java.util.HashMap<String, Object> payload = new java.util.HashMap<>();
    payload.put("nothing", null);
    return request().metadata(JWT, "payload", payload);
  }

  private static String metadata(String path, String value, boolean invert) {
    String segments = String.join(", ", Arrays.stream(path.split("\\."))
        .map(key -> "{'key': '" + key + "'}").toList());
    return "{'metadata': {'filter': '" + JWT + "', 'path': [" + segments + "], 'value': " + value
        + (invert ? ", 'invert': true" : "") + "}}";
  }

  static Stream<Arguments> metadataVectors() {
    return Stream.of(
        Arguments.of("string exact", metadata("payload.iss", "{'string_match': {'exact': 'https://issuer.example'}}",
            false), withPayload(), true),
        Arguments.of("string prefix no match", metadata("payload.sub", "{'string_match': {'prefix': 'bob'}}", false),
            withPayload(), false),
        Arguments.of("string matcher on a number", metadata("payload.exp", "{'string_match': {'prefix': '1'}}",
            false), withPayload(), false),
        Arguments.of("double exact", metadata("payload.exp", "{'double_match': {'exact': 1.7e9}}", false),
            withPayload(), true),
        Arguments.of("double range [start, end)", metadata("payload.exp",
            "{'double_match': {'range': {'start': 1e9, 'end': 1.7e9}}}", false), withPayload(), false),
        Arguments.of("double range contains", metadata("payload.exp",
            "{'double_match': {'range': {'start': 1e9, 'end': 2e9}}}", false), withPayload(), true),
        Arguments.of("bool", metadata("payload.admin", "{'bool_match': true}", false), withPayload(), true),
        Arguments.of("bool other", metadata("payload.admin", "{'bool_match': false}", false), withPayload(), false),
        Arguments.of("present", metadata("payload.sub", "{'present_match': true}", false), withPayload(), true),
        Arguments.of("present, absent key", metadata("payload.email", "{'present_match': true}", false),
            withPayload(), false),
        Arguments.of("present_match false matches nothing", metadata("payload.email", "{'present_match': false}",
            false), withPayload(), false),
        Arguments.of("absent key, inverted", metadata("payload.email", "{'present_match': true}", true),
            withPayload(), true),
        Arguments.of("list one_of", metadata("payload.groups",
            "{'list_match': {'one_of': {'string_match': {'exact': 'ops'}}}}", false), withPayload(), true),
        Arguments.of("list one_of none", metadata("payload.groups",
            "{'list_match': {'one_of': {'string_match': {'exact': 'qa'}}}}", false), withPayload(), false),
        Arguments.of("list_match on a string", metadata("payload.sub",
            "{'list_match': {'one_of': {'string_match': {'exact': 'alice'}}}}", false), withPayload(), false),
        Arguments.of("or_match", metadata("payload.sub",
            "{'or_match': {'value_matchers': [{'string_match': {'exact': 'bob'}}, {'string_match': {'exact':"
                + " 'alice'}}]}}", false), withPayload(), true),
        Arguments.of("nested path", metadata("payload.nested.tier", "{'string_match': {'exact': 'gold'}}", false),
            withPayload(), true),
        Arguments.of("path through a non-map", metadata("payload.sub.x", "{'present_match': true}", false),
            withPayload(), false),
        Arguments.of("null_match on null", metadata("payload.nothing", "{'null_match': {}}", false),
            withNullClaim(), true),
        Arguments.of("null is present", metadata("payload.nothing", "{'present_match': true}", false),
            withNullClaim(), true),
        Arguments.of("null_match on absent", metadata("payload.none", "{'null_match': {}}", false),
            withNullClaim(), false),
        Arguments.of("no metadata at all", metadata("payload.sub", "{'present_match': true}", false), request(),
            false),
        Arguments.of("no metadata at all, inverted", metadata("payload.sub", "{'string_match': {'exact': 'a'}}",
            true), request(), true),
        Arguments.of("string exact, inverted", metadata("payload.sub", "{'string_match': {'exact': 'alice'}}", true),
            withPayload(), false));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("metadataVectors")
  void matchesDynamicMetadata(String name, String permission, TestInboundRequest request, boolean expected)
      throws ResourceInvalidException {
    assertThat(RbacProtos.permission(permission).matches(request)).as(name).isEqualTo(expected);
  }

  static Stream<Arguments> addressVectors() {
    return Stream.of(
        Arguments.of("IPv6 /64 in", "2001:db8:1:2::", 64, "2001:db8:1:2::5", true),
        Arguments.of("IPv6 /64 out", "2001:db8:1:2::", 64, "2001:db8:1:3::5", false),
        Arguments.of("IPv6 /72 crosses the halves", "2001:db8::ff00:0:0:0", 72, "2001:db8::ff12:3:4:5", true),
        Arguments.of("IPv6 /72 out", "2001:db8::ff00:0:0:0", 72, "2001:db8::fe12:3:4:5", false),
        Arguments.of("IPv6 /128", "::1", 128, "::1", true),
        Arguments.of("IPv6 /0 matches every IPv6", "::", 0, "2001:db8::1", true),
        Arguments.of("IPv6 range, IPv4 address", "::", 0, "10.0.0.1", false),
        Arguments.of("IPv4 range, IPv6 address", "0.0.0.0", 0, "2001:db8::1", false),
        Arguments.of("IPv4 /0 matches every IPv4", "0.0.0.0", 0, "203.0.113.9", true),
        Arguments.of("IPv4 host bits in the prefix are ignored", "10.1.2.3", 8, "10.200.0.1", true),
        Arguments.of("IPv4 length beyond 32 is the whole address", "10.1.2.3", 64, "10.1.2.3", true),
        Arguments.of("IPv4 length beyond 32, other", "10.1.2.3", 64, "10.1.2.4", false),
        Arguments.of("IPv4 high bit set", "192.168.0.0", 16, "192.168.255.255", true),
        Arguments.of("IPv4 high bit, out", "192.168.0.0", 16, "192.169.0.0", false));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("addressVectors")
  void matchesIpRanges(String name, String prefix, int length, String peer, boolean expected)
      throws ResourceInvalidException {
    RbacMatcher matcher = RbacProtos.principal(
        "{'direct_remote_ip': {'address_prefix': '" + prefix + "', 'prefix_len': " + length + "}}");

    assertThat(matcher.matches(request().remote(peer, 1234))).as(name).isEqualTo(expected);
  }

  static Stream<Arguments> headerVectors() {
    TestInboundRequest request = request().method("GET").authority("api.example:443").path("/items?page=2")
        .header("x-tag", "a").header("X-Tag", "b");
    return Stream.of(
        Arguments.of("repeated headers joined with ','", "{'name': 'x-tag', 'string_match': {'exact': 'a,b'}}",
            request, true),
        Arguments.of("header names are case-insensitive", "{'name': 'X-TAG', 'present_match': true}", request, true),
        Arguments.of(":authority", "{'name': ':authority', 'string_match': {'suffix': ':443'}}", request, true),
        Arguments.of(":path keeps the query", "{'name': ':path', 'string_match': {'exact': '/items?page=2'}}",
            request, true),
        Arguments.of(":method", "{'name': ':method', 'string_match': {'exact': 'GET'}}", request, true),
        Arguments.of("absent header, inverted, does not match",
            "{'name': 'x-none', 'string_match': {'exact': 'v'}, 'invert_match': true}", request, false),
        Arguments.of("absent header, present_match false", "{'name': 'x-none', 'present_match': false}", request,
            true));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("headerVectors")
  void seesHeadersAsEnvoysMatchersDo(String name, String header, TestInboundRequest request, boolean expected)
      throws ResourceInvalidException {
    assertThat(RbacProtos.permission("{'header': " + header + "}").matches(request)).as(name).isEqualTo(expected);
  }
}
