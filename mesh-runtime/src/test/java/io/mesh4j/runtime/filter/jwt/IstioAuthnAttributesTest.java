package io.mesh4j.runtime.filter.jwt;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.protobuf.util.JsonFormat;
import io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBAC;
import io.mesh4j.MeshJwt;
import io.mesh4j.runtime.filter.rbac.RbacFilterProvider;
import io.mesh4j.runtime.inbound.InboundFilterConfig;
import io.mesh4j.runtime.xds.DecodeContext;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * jwt_authn then RBAC in the two shapes istiod has generated for RequestAuthentication + AuthorizationPolicy on
 * claims: before 1.24, jwt_authn's payload under the issuer's name and RBAC reading Istio's {@code istio_authn}
 * attributes ({@code pilot/pkg/security/authz/builder/testdata/http/allow-full-rule-out.yaml} at istio commit
 * be801cebf40^); from 1.24, the payload under {@code payload} and RBAC reading it directly (the same file at HEAD).
 * The RBAC principals below are those files' expected outputs with this test's values.
 */
class IstioAuthnAttributesTest {
  private static final String ISS = JwtVerificationTableTest.ISSUER;
  private static InboundFilterConfig beforeIstio124;
  private static InboundFilterConfig sinceIstio124;

  @BeforeAll
  static void decode() throws Exception {
    String jwks = JwtConfigs.inline(TestKeys.jwks(TestKeys.RSA));
    beforeIstio124 = JwtConfigs.decode("""
        {"providers": {"origins-0": {"issuer": "%s", "payload_in_metadata": "%s",
           "local_jwks": {"inline_string": "%s"}}},
         "rules": [{"match": {"prefix": "/"}, "requires": {"requires_any": {"requirements": [
           {"provider_name": "origins-0"}, {"allow_missing": {}}]}}}]}
        """.formatted(ISS, ISS, jwks));
    sinceIstio124 = JwtConfigs.decode("""
        {"providers": {"origins-0": {"issuer": "%s", "payload_in_metadata": "payload",
           "normalize_payload_in_metadata": {"space_delimited_claims": ["permission", "scope"]},
           "local_jwks": {"inline_string": "%s"}}},
         "rules": [{"match": {"prefix": "/"}, "requires": {"requires_any": {"requirements": [
           {"provider_name": "origins-0"}, {"allow_missing": {}}]}}}]}
        """.formatted(ISS, jwks));
  }

  private static final String TOKEN = JwtVerificationTableTest.rs256("azp", "presenter-client",
      "aud", List.of("example_service", "other_service"), "groups", List.of("partners", "admins"),
      "nested1", Map.of("nested2", "nested"), "scope", "read write", "level", 3);

  private static String istioAuthn(String key, String value) {
    return "{'metadata': {'filter': 'istio_authn', 'path': [{'key': '" + key + "'}], 'value': {'string_match': "
        + value + "}}}";
  }

  private static String istioAuthnClaim(String value, String... path) {
    StringBuilder keys = new StringBuilder("{'key': 'request.auth.claims'}");
    for (String key : path) {
      keys.append(", {'key': '").append(key).append("'}");
    }
    return "{'metadata': {'filter': 'istio_authn', 'path': [" + keys + "], 'value': {'list_match': {'one_of': "
        + "{'string_match': " + value + "}}}}}";
  }

  private static String payload(String claim, String value) {
    return "{'metadata': {'filter': 'envoy.filters.http.jwt_authn', 'path': [{'key': 'payload'}, {'key': '" + claim
        + "'}], 'value': {'string_match': " + value + "}}}";
  }

  /** istiod 1.24's claim matcher: a list with a matching element, or a matching string. */
  private static String payloadListOrString(String value, String... path) {
    StringBuilder keys = new StringBuilder("{'key': 'payload'}");
    for (String key : path) {
      keys.append(", {'key': '").append(key).append("'}");
    }
    return "{'metadata': {'filter': 'envoy.filters.http.jwt_authn', 'path': [" + keys + "], 'value': {'or_match': "
        + "{'value_matchers': [{'list_match': {'one_of': {'string_match': " + value + "}}}, {'string_match': " + value
        + "}]}}}}";
  }

  static Stream<Arguments> beforeIstio124Cases() {
    return Stream.of(
        Arguments.of("requestPrincipals exact", istioAuthn("request.auth.principal",
            "{'exact': '" + ISS + "/user@example.com'}"), true),
        Arguments.of("requestPrincipals issuer/*", istioAuthn("request.auth.principal",
            "{'prefix': '" + ISS + "/'}"), true),
        Arguments.of("requestPrincipals *", istioAuthn("request.auth.principal",
            "{'safe_regex': {'regex': '.+'}}"), true),
        Arguments.of("requestPrincipals other", istioAuthn("request.auth.principal",
            "{'exact': '" + ISS + "/someone-else'}"), false),
        Arguments.of("request.auth.audiences (the first)", istioAuthn("request.auth.audiences",
            "{'exact': 'example_service'}"), true),
        Arguments.of("request.auth.audiences (not the first)", istioAuthn("request.auth.audiences",
            "{'exact': 'other_service'}"), false),
        Arguments.of("request.auth.presenter", istioAuthn("request.auth.presenter",
            "{'exact': 'presenter-client'}"), true),
        Arguments.of("request.auth.claims[iss]", istioAuthnClaim("{'exact': '" + ISS + "'}", "iss"), true),
        Arguments.of("request.auth.claims[groups] a list", istioAuthnClaim("{'exact': 'admins'}", "groups"), true),
        Arguments.of("request.auth.claims[groups] not in it", istioAuthnClaim("{'exact': 'ops'}", "groups"), false),
        Arguments.of("request.auth.claims[nested1][nested2]",
            istioAuthnClaim("{'exact': 'nested'}", "nested1", "nested2"), true),
        Arguments.of("request.auth.claims[level] a number is left out",
            istioAuthnClaim("{'safe_regex': {'regex': '.*'}}", "level"), false));
  }

  static Stream<Arguments> sinceIstio124Cases() {
    return Stream.of(
        Arguments.of("requestPrincipals exact", "{'and_ids': {'ids': [" + payload("iss", "{'exact': '" + ISS + "'}")
            + ", " + payload("sub", "{'exact': 'user@example.com'}") + "]}}", true),
        Arguments.of("requestPrincipals other subject", "{'and_ids': {'ids': ["
            + payload("iss", "{'exact': '" + ISS + "'}") + ", " + payload("sub", "{'exact': 'other'}") + "]}}", false),
        Arguments.of("request.auth.audiences (any of them)",
            payloadListOrString("{'exact': 'other_service'}", "aud"), true),
        Arguments.of("request.auth.presenter", payloadListOrString("{'exact': 'presenter-client'}", "azp"), true),
        Arguments.of("request.auth.claims[groups]", payloadListOrString("{'exact': 'partners'}", "groups"), true),
        Arguments.of("request.auth.claims[scope] space-delimited",
            payloadListOrString("{'exact': 'write'}", "scope"), true),
        Arguments.of("request.auth.claims[nested1][nested2]",
            payloadListOrString("{'exact': 'nested'}", "nested1", "nested2"), true),
        Arguments.of("request.auth.claims[nested1][nested2] other",
            payloadListOrString("{'exact': 'other'}", "nested1", "nested2"), false));
  }

  private static boolean allowed(InboundFilterConfig jwt, String principalJson, String token) throws Exception {
    RBAC.Builder rbac = RBAC.newBuilder();
    JsonFormat.parser().merge(("{'rules': {'action': 'ALLOW', 'policies': {'ns[foo]-policy[httpbin-1]-rule[0]': "
        + "{'permissions': [{'any': true}], 'principals': [" + principalJson + "]}}}}").replace('\'', '"'), rbac);
    InboundFilterConfig authz = (InboundFilterConfig) new RbacFilterProvider()
        .parseBase(Any.pack(rbac.build()), "typed_config", DecodeContext.discarding());
    TestRequest request = TestRequest.get("/headers");
    if (token != null) {
      request.bearer(token);
    }
    assertThat(jwt.onRequest(request)).as("jwt_authn lets it through").isNull();
    return authz.onRequest(request) == null;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("beforeIstio124Cases")
  void istioAuthnAttributesMatchIstiodsShapesBefore124(String name, String principal, boolean allowed)
      throws Exception {
    assertThat(allowed(beforeIstio124, principal, TOKEN)).as(name).isEqualTo(allowed);
    assertThat(allowed(beforeIstio124, principal, null)).as(name + " without a token").isFalse();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("sinceIstio124Cases")
  void jwtAuthnPayloadMatchesIstiodsShapesSince124(String name, String principal, boolean allowed) throws Exception {
    assertThat(allowed(sinceIstio124, principal, TOKEN)).as(name).isEqualTo(allowed);
    assertThat(allowed(sinceIstio124, principal, null)).as(name + " without a token").isFalse();
  }

  @Test
  void theAttributesAreIstiosAndTheApplicationGetsTheToken() {
    TestRequest request = TestRequest.get("/headers").bearer(TOKEN);
    assertThat(beforeIstio124.onRequest(request)).isNull();
    Map<String, Object> attributes = request.metadata.get("istio_authn");
    assertThat(attributes).containsEntry("request.auth.principal", ISS + "/user@example.com")
        .containsEntry("request.auth.audiences", "example_service")
        .containsEntry("request.auth.presenter", "presenter-client")
        .containsKey("request.auth.raw_claims");
    assertThat(attributes.get("request.auth.claims")).asInstanceOf(
            org.assertj.core.api.InstanceOfAssertFactories.map(String.class, Object.class))
        .containsEntry("sub", List.of("user@example.com"))
        .containsEntry("groups", List.of("partners", "admins"))
        .containsEntry("nested1", Map.of("nested2", List.of("nested")))
        .doesNotContainKey("level");
    MeshJwt jwt = request.metadata.verifiedJwt();
    assertThat(jwt.principal()).isEqualTo(ISS + "/user@example.com");
    assertThat(jwt.audiences()).containsExactly("example_service", "other_service");
    assertThat(jwt.claim("nested1.nested2")).isEqualTo("nested");
    assertThat(jwt.claim("level")).isEqualTo(3.0);
  }
}
