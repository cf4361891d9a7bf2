package io.mesh4j.runtime.filter.jwt;

import static io.mesh4j.runtime.filter.jwt.JwtConfigs.NOW_SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import io.mesh4j.runtime.inbound.InboundReply;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A Google IAP-shaped token: ES256, in {@code x-goog-iap-jwt-assertion} with no prefix, issuer {@code
 * https://cloud.google.com/iap}, audience {@code /projects/<number>/global/backendServices/<id>}, claims as IAP writes
 * them ({@code email}, {@code hd}, {@code google}); the payload reaches dynamic metadata for RBAC.
 */
class IapTokenTest {
  private static final String AUDIENCE = "/projects/123456789012/global/backendServices/9876543210";
  private static ECKey iapKey;
  private static JwtAuthnConfig config;

  @BeforeAll
  static void setUp() throws Exception {
    iapKey = new ECKeyGenerator(Curve.P_256).keyID("f9R3yg").generate();
    config = JwtConfigs.decode("""
        {"providers": {"iap": {
           "issuer": "https://cloud.google.com/iap",
           "audiences": ["%s"],
           "from_headers": [{"name": "x-goog-iap-jwt-assertion"}],
           "local_jwks": {"inline_string": "%s"},
           "payload_in_metadata": "iap",
           "claim_to_headers": [{"header_name": "x-partner-email", "claim_name": "email"}]}},
         "rules": [{"match": {"prefix": "/healthz"}},
                   {"match": {"prefix": "/"}, "requires": {"provider_name": "iap"}}]}
        """.formatted(AUDIENCE, JwtConfigs.inline(TestKeys.jwks(iapKey))));
  }

  private static String iapToken(String audience, String email) {
    Map<String, Object> claims = new LinkedHashMap<>();
    claims.put("iss", "https://cloud.google.com/iap");
    claims.put("sub", "accounts.google.com:110123456789");
    claims.put("email", email);
    claims.put("hd", "partner.example");
    claims.put("aud", audience);
    claims.put("iat", NOW_SECONDS - 30);
    claims.put("exp", NOW_SECONDS + 570);
    claims.put("google", Map.of("access_levels", List.of("accessPolicies/1/accessLevels/partners")));
    return TestKeys.sign(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(iapKey.getKeyID()).build(), iapKey,
        TestKeys.claims(claims));
  }

  @Test
  void verifiesAnIapAssertionAndLeavesItsClaimsForRbac() {
    TestRequest request = TestRequest.get("/orders/17")
        .with("x-goog-iap-jwt-assertion", iapToken(AUDIENCE, "alice@partner.example"));
    assertThat(config.onRequest(request)).isNull();
    @SuppressWarnings("unchecked")
    Map<String, Object> payload =
        (Map<String, Object>) request.metadata.get("envoy.filters.http.jwt_authn").get("iap");
    assertThat(payload).containsEntry("email", "alice@partner.example")
        .containsEntry("iss", "https://cloud.google.com/iap")
        .containsEntry("aud", AUDIENCE)
        .containsEntry("exp", (double) (NOW_SECONDS + 570))
        .containsEntry("google", Map.of("access_levels", List.of("accessPolicies/1/accessLevels/partners")));
    assertThat(request.header("x-partner-email")).isEqualTo("alice@partner.example");
    assertThat(request.header("x-goog-iap-jwt-assertion")).isNull();
  }

  @Test
  void anotherBackendServiceIsForbidden() {
    InboundReply reply = config.onRequest(TestRequest.get("/orders/17")
        .with("x-goog-iap-jwt-assertion", iapToken("/projects/123456789012/global/backendServices/1", "a@b")));
    assertThat(reply.httpStatus()).isEqualTo(403);
    assertThat(reply.grpcStatusCode()).isEqualTo(7);
    assertThat(reply.body()).isEqualTo("Audiences in Jwt are not allowed");
  }

  @Test
  void theTokenInAuthorizationIsNotLookedFor() {
    InboundReply reply = config.onRequest(TestRequest.get("/orders/17")
        .bearer(iapToken(AUDIENCE, "alice@partner.example")));
    assertThat(reply.httpStatus()).isEqualTo(401);
    assertThat(reply.body()).isEqualTo("Jwt is missing");
  }

  @Test
  void aRuleWithoutRequirementVerifiesNothing() {
    assertThat(config.onRequest(TestRequest.get("/healthz"))).isNull();
  }
}
