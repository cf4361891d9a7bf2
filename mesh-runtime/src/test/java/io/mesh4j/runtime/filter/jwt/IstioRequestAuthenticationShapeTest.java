package io.mesh4j.runtime.filter.jwt;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import io.mesh4j.runtime.inbound.InboundReply;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The jwt_authn config istiod generates for RequestAuthentication ({@code pilot/pkg/security/authn/policy_applier.go},
 * {@code convertToEnvoyJwtConfig}) with two jwtRules: providers {@code origins-0}, {@code origins-1} sorted by issuer,
 * payload under {@code payload}, {@code scope}/{@code permission} space-delimited, one rule on {@code /} requiring
 * any of each provider, or all of (provider or allow_missing) — so a request without a token passes (authorization
 * decides) and a request with a bad token fails.
 */
class IstioRequestAuthenticationShapeTest {
  private static JwtAuthnConfig config;

  @BeforeAll
  static void decode() throws Exception {
    config = JwtConfigs.decode("""
        {"providers": {
           "origins-0": {"issuer": "https://issuer.example", "audiences": ["example_service"],
             "payload_in_metadata": "payload",
             "normalize_payload_in_metadata": {"space_delimited_claims": ["permission", "scope"]},
             "local_jwks": {"inline_string": "%s"}},
           "origins-1": {"issuer": "https://other.example",
             "from_headers": [{"name": "x-jwt", "value_prefix": ""}], "forward": true,
             "payload_in_metadata": "payload",
             "normalize_payload_in_metadata": {"space_delimited_claims": ["permission", "scope"]},
             "local_jwks": {"inline_string": "%s"}}},
         "rules": [{"match": {"prefix": "/"}, "requires": {"requires_any": {"requirements": [
           {"provider_name": "origins-0"},
           {"provider_name": "origins-1"},
           {"requires_all": {"requirements": [
             {"requires_any": {"requirements": [{"provider_name": "origins-0"}, {"allow_missing": {}}]}},
             {"requires_any": {"requirements": [{"provider_name": "origins-1"}, {"allow_missing": {}}]}}]}}]}}}],
         "bypass_cors_preflight": true}
        """.formatted(JwtConfigs.inline(TestKeys.jwks(TestKeys.RSA)), JwtConfigs.inline(TestKeys.jwks(TestKeys.P256))));
  }

  @Test
  void withoutTokenTheRequestGoesOnForAuthorizationToDecide() {
    TestRequest request = TestRequest.get("/productpage");
    assertThat(config.onRequest(request)).isNull();
    assertThat(request.metadata.isEmpty()).isTrue();
  }

  @Test
  void aValidTokenOfEitherIssuerLeavesItsPayloadForRbac() {
    TestRequest first = TestRequest.get("/productpage")
        .bearer(JwtVerificationTableTest.rs256("scope", "read write", "groups", List.of("partners")));
    assertThat(config.onRequest(first)).isNull();
    @SuppressWarnings("unchecked")
    Map<String, Object> payload = (Map<String, Object>) first.metadata.get("envoy.filters.http.jwt_authn")
        .get("payload");
    assertThat(payload).containsEntry("iss", "https://issuer.example").containsEntry("sub", "user@example.com")
        .containsEntry("scope", List.of("read", "write")).containsEntry("groups", List.of("partners"));

    TestRequest second = TestRequest.get("/productpage").with("x-jwt", JwtVerificationTableTest.token(
        JWSAlgorithm.ES256, TestKeys.P256, "iss", "https://other.example", "aud", null));
    assertThat(config.onRequest(second)).isNull();
    assertThat(second.metadata.get("envoy.filters.http.jwt_authn").get("payload"))
        .asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
        .containsEntry("iss", "https://other.example");
    assertThat(second.header("x-jwt")).isNotNull(); // forwardOriginalToken
  }

  @Test
  void aBadTokenFailsTheRequest() {
    InboundReply expired = config.onRequest(TestRequest.get("/productpage")
        .bearer(JwtVerificationTableTest.rs256("exp", JwtConfigs.NOW_SECONDS - 3600)));
    assertThat(expired.httpStatus()).isEqualTo(401);
    assertThat(expired.body()).isEqualTo("Jwt is expired");
    InboundReply forged = config.onRequest(TestRequest.get("/productpage").bearer(TestKeys.sign(
        JWSAlgorithm.RS256, TestKeys.RSA_OTHER.toRSAKey(), TestKeys.claims(JwtVerificationTableTest.claims()))));
    assertThat(forged.httpStatus()).isEqualTo(401);
    InboundReply unknownIssuer = config.onRequest(TestRequest.get("/productpage")
        .bearer(JwtVerificationTableTest.rs256("iss", "https://evil.example")));
    assertThat(unknownIssuer.httpStatus()).isEqualTo(401);
    assertThat(unknownIssuer.body()).isEqualTo("Jwt issuer is not configured");
  }
}
