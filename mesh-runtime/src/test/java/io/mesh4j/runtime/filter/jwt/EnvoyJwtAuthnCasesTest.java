package io.mesh4j.runtime.filter.jwt;

import static io.mesh4j.runtime.filter.jwt.EnvoyTestTokens.EXPIRED_TOKEN;
import static io.mesh4j.runtime.filter.jwt.EnvoyTestTokens.GOOD_TOKEN;
import static io.mesh4j.runtime.filter.jwt.EnvoyTestTokens.GOOD_TOKEN_WITH_SPACES;
import static io.mesh4j.runtime.filter.jwt.EnvoyTestTokens.INVALID_AUD_TOKEN;
import static io.mesh4j.runtime.filter.jwt.EnvoyTestTokens.NESTED_GOOD_TOKEN;
import static io.mesh4j.runtime.filter.jwt.EnvoyTestTokens.NON_EXIST_KID_TOKEN;
import static io.mesh4j.runtime.filter.jwt.EnvoyTestTokens.NON_EXPIRING_TOKEN;
import static io.mesh4j.runtime.filter.jwt.EnvoyTestTokens.NOT_YET_VALID_TOKEN;
import static io.mesh4j.runtime.filter.jwt.EnvoyTestTokens.OTHER_GOOD_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

import io.mesh4j.runtime.inbound.InboundReply;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Envoy's jwt_authn cases with Envoy's own test tokens and keys ({@code test_common.h}): the example config's answers,
 * forwarded payloads, claims to headers, metadata, expiration settings, requires_all / requires_any, CORS preflight.
 */
class EnvoyJwtAuthnCasesTest {
  private static final String JWKS = JwtConfigs.inline(EnvoyTestTokens.PUBLIC_KEY);

  /** Envoy's ExampleConfig, with the keys inline instead of fetched. */
  private static final String EXAMPLE_CONFIG = """
      {"providers": {"example_provider": {
         "issuer": "https://example.com",
         "audiences": ["example_service", "http://example_service1", "https://example_service2/"],
         "local_jwks": {"inline_string": "%s"},
         "forward_payload_header": "sec-istio-auth-userinfo",
         "claim_to_headers": [
           {"header_name": "x-jwt-claim-sub", "claim_name": "sub"},
           {"header_name": "x-jwt-claim-nested", "claim_name": "nested.key-1"},
           {"header_name": "x-jwt-claim-nested-wrong", "claim_name": "nested.wrong.claim"},
           {"header_name": "x-jwt-unsupported-type-claim", "claim_name": "nested.nested-2.key-5[0]"},
           {"header_name": "x-jwt-bool-claim", "claim_name": "nested.nested-2.key-3"},
           {"header_name": "x-jwt-int-claim", "claim_name": "nested.nested-2.key-4"},
           {"header_name": "x-jwt-claim-object-key", "claim_name": "nested.nested-2.key-5"}]}},
       "rules": [{"match": {"path": "/"}, "requires": {"provider_name": "example_provider"}}],
       "bypass_cors_preflight": true}
      """.formatted(JWKS);

  static Stream<Arguments> exampleConfigAnswers() {
    return Stream.of(
        Arguments.of("GoodToken", GOOD_TOKEN, 0, null),
        Arguments.of("ExpiredToken", EXPIRED_TOKEN, 401, "Jwt is expired"),
        Arguments.of("NotYetValidToken", NOT_YET_VALID_TOKEN, 401, "Jwt not yet valid"),
        Arguments.of("InvalidAudToken", INVALID_AUD_TOKEN, 403, "Audiences in Jwt are not allowed"),
        Arguments.of("NonExistKidToken", NON_EXIST_KID_TOKEN, 401, "Jwt verification fails"),
        Arguments.of("OtherGoodToken", OTHER_GOOD_TOKEN, 401, "Jwt issuer is not configured"),
        Arguments.of("NonExpiringToken (no aud)", NON_EXPIRING_TOKEN, 403, "Audiences in Jwt are not allowed"),
        Arguments.of("GoodToken, truncated", GOOD_TOKEN.substring(0, GOOD_TOKEN.length() - 2), 401,
            "Jwt verification fails"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("exampleConfigAnswers")
  void exampleConfig(String name, String token, int status, String body) throws Exception {
    JwtAuthnConfig config = JwtConfigs.decode(EXAMPLE_CONFIG);
    InboundReply reply = config.onRequest(TestRequest.get("/").bearer(token));
    if (status == 0) {
      assertThat(reply).isNull();
    } else {
      assertThat(reply.httpStatus()).isEqualTo(status);
      assertThat(reply.body()).isEqualTo(body);
    }
  }

  @Test
  void forwardsThePayloadAndCopiesClaimsToHeaders() throws Exception {
    JwtAuthnConfig config = JwtConfigs.decode(EXAMPLE_CONFIG);
    TestRequest good = TestRequest.get("/").bearer(GOOD_TOKEN).with("x-jwt-claim-sub", "spoofed");
    assertThat(config.onRequest(good)).isNull();
    assertThat(good.header("sec-istio-auth-userinfo")).isEqualTo("eyJpc3MiOiJodHRwczovL2V4YW1wbGUuY29tIiwic3ViIjoi"
        + "dGVzdEBleGFtcGxlLmNvbSIsImV4cCI6MjAwMTAwMTAwMSwiYXVkIjoiZXhhbXBsZV9zZXJ2aWNlIn0");
    assertThat(good.header("x-jwt-claim-sub")).isEqualTo("test@example.com");
    assertThat(good.header("authorization")).isNull();

    TestRequest nested = TestRequest.get("/").bearer(NESTED_GOOD_TOKEN);
    assertThat(config.onRequest(nested)).isNull();
    assertThat(nested.header("x-jwt-claim-nested")).isEqualTo("value1");
    assertThat(nested.header("x-jwt-bool-claim")).isEqualTo("true");
    assertThat(nested.header("x-jwt-int-claim")).isEqualTo("9999");
    assertThat(nested.header("x-jwt-claim-nested-wrong")).isNull();
    assertThat(nested.header("x-jwt-unsupported-type-claim")).isNull();
    assertThat(nested.header("x-jwt-claim-object-key")).isNull();
  }

  @Test
  void paddedPayloadHeader() throws Exception {
    JwtAuthnConfig config = JwtConfigs.decode("""
        {"providers": {"p": {"issuer": "https://example.com", "local_jwks": {"inline_string": "%s"},
           "forward_payload_header": "x-payload", "pad_forward_payload_header": true, "forward": true}},
         "rules": [{"match": {"prefix": "/"}, "requires": {"provider_name": "p"}}]}
        """.formatted(JWKS));
    TestRequest request = TestRequest.get("/").bearer(GOOD_TOKEN);
    assertThat(config.onRequest(request)).isNull();
    assertThat(request.header("x-payload")).isEqualTo("eyJpc3MiOiJodHRwczovL2V4YW1wbGUuY29tIiwic3ViIjoidGVzdEBleGFt"
        + "cGxlLmNvbSIsImV4cCI6MjAwMTAwMTAwMSwiYXVkIjoiZXhhbXBsZV9zZXJ2aWNlIn0=");
    assertThat(request.header("authorization")).isEqualTo("Bearer " + GOOD_TOKEN); // forward: true
  }

  @Test
  void payloadAndHeaderInMetadataWithSpaceDelimitedClaims() throws Exception {
    JwtAuthnConfig config = JwtConfigs.decode("""
        {"providers": {"p": {"issuer": "https://example.com", "local_jwks": {"inline_string": "%s"},
           "payload_in_metadata": "my_payload", "header_in_metadata": "my_header",
           "normalize_payload_in_metadata": {"space_delimited_claims": ["scope", "test_string"]}}},
         "rules": [{"match": {"prefix": "/"}, "requires": {"provider_name": "p"}}]}
        """.formatted(JWKS));
    TestRequest request = TestRequest.get("/").bearer(GOOD_TOKEN_WITH_SPACES);
    assertThat(config.onRequest(request)).isNull();
    Map<String, Object> metadata = request.metadata.get("envoy.filters.http.jwt_authn");
    assertThat(metadata.get("my_payload")).isEqualTo(Map.of(
        "iss", "https://example.com", "sub", "test@example.com", "exp", 2001001001.0, "aud", "example_service",
        "scope", List.of("read", "write"), "test_string", List.of("test_value"), "test_num", 1337.0));
    assertThat(metadata.get("my_header")).isEqualTo(Map.of("alg", "RS256", "typ", "JWT"));
  }

  @Test
  void expirationSettings() throws Exception {
    String config = """
        {"providers": {"p": {"issuer": "https://example.com", "local_jwks": {"inline_string": "%s"} %s}},
         "rules": [{"match": {"prefix": "/"}, "requires": {"provider_name": "p"}}]}
        """;
    JwtAuthnConfig lenient = JwtConfigs.decode(config.formatted(JWKS, ""));
    JwtAuthnConfig required = JwtConfigs.decode(config.formatted(JWKS, ", \"require_expiration\": true"));
    JwtAuthnConfig bounded = JwtConfigs.decode(config.formatted(JWKS, ", \"max_lifetime\": \"86400s\""));
    // Envoy's tests only ever reject this token before its signature (its key is not in PublicKey): without an
    // expiration requirement it passes the time checks and reaches the signature.
    assertThat(lenient.onRequest(TestRequest.get("/").bearer(NON_EXPIRING_TOKEN)).body())
        .isEqualTo("Jwt verification fails");
    assertThat(required.onRequest(TestRequest.get("/").bearer(NON_EXPIRING_TOKEN)).body()).isEqualTo(
        "Jwt is expired");
    assertThat(bounded.onRequest(TestRequest.get("/").bearer(NON_EXPIRING_TOKEN)).body()).isEqualTo(
        "Jwt is expired");
    // GoodToken has no iat: its lifetime counts from now, 2033 is beyond a day.
    assertThat(bounded.onRequest(TestRequest.get("/").bearer(GOOD_TOKEN)).body()).isEqualTo("Jwt is expired");
    assertThat(required.onRequest(TestRequest.get("/").bearer(GOOD_TOKEN))).isNull();
  }

  @Test
  void es256TokenWithoutIssuerForAProviderWithoutIssuer() throws Exception {
    String es256Jwks = "{\"keys\":[{\"kty\":\"EC\",\"crv\":\"P-256\",\"alg\":\"ES256\",\"kid\":\"abc\","
        + "\"x\":\"EB54wykhS7YJFD6RYJNnwbWEz3cI7CF5bCDTXlrwI5k\",\"y\":\"92bCBTvMFQ8lKbS2MbgjT3YfmYo6HnPEE2tsAqWUJw8\"}]}";
    String token = "eyJhbGciOiJFUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6ImFiYyJ9."
        + "eyJpc3MxMSI6IjYyODY0NTc0MTg4MS1ub2FiaXUyM2Y1YThtOG92ZDh1Y3Y2OThsajc4dnYwbEBkZXZlbG9wZXIuZ3Nlcn"
        + "ZpY2VhY2NvdW50LmNvbSIsInN1YiI6IjYyODY0NTc0MTg4MS1ub2FiaXUyM2Y1YThtOG92ZDh1Y3Y2OThsajc4dnYwbEBk"
        + "ZXZlbG9wZXIuZ3NlcnZpY2VhY2NvdW50LmNvbSIsImF1ZCI6ImV4YW1wbGVfc2VydmljZSJ9.f-_"
        + "NAdznQK9o93AZTqNawu1yal1igNLgYvuj0JzW9SVmJJQuBT_12wJi9XQzZLFwSFn6D3f7bPWSZQlScTFSMg";
    JwtAuthnConfig anyIssuer = JwtConfigs.decode("""
        {"providers": {"p": {"audiences": ["example_service"], "local_jwks": {"inline_string": "%s"}}},
         "rules": [{"match": {"prefix": "/"}, "requires": {"provider_name": "p"}}]}
        """.formatted(JwtConfigs.inline(es256Jwks)));
    assertThat(anyIssuer.onRequest(TestRequest.get("/").bearer(token))).isNull();
    JwtAuthnConfig withIssuer = JwtConfigs.decode("""
        {"providers": {"p": {"issuer": "https://example.com", "local_jwks": {"inline_string": "%s"}}},
         "rules": [{"match": {"prefix": "/"}, "requires": {"provider_name": "p"}}]}
        """.formatted(JwtConfigs.inline(es256Jwks)));
    assertThat(withIssuer.onRequest(TestRequest.get("/").bearer(token)).body())
        .isEqualTo("Jwt issuer is not configured");
  }

  private static final String TWO_PROVIDERS = """
      {"providers": {
         "example_provider": {"issuer": "https://example.com", "audiences": ["example_service"],
           "local_jwks": {"inline_string": "%1$s"}, %2$s, "forward_payload_header": "example-auth-userinfo"},
         "other_provider": {"issuer": "https://other.com", "audiences": ["other_service"],
           "local_jwks": {"inline_string": "%1$s"}, %3$s, "forward_payload_header": "other-auth-userinfo"}},
       "rules": [{"match": {"path": "/requires-all"}, "requires": {"requires_all": {"requirements": [
                   {"provider_name": "example_provider"}, {"provider_name": "other_provider"}]}}},
                 {"match": {"path": "/requires-any"}, "requires": {"requires_any": {"requirements": [
                   {"provider_name": "example_provider"}, {"provider_name": "other_provider"}]}}}]}
      """;

  @Test
  void requiresAllWithTokensInParams() throws Exception {
    JwtAuthnConfig config = JwtConfigs.decode(TWO_PROVIDERS.formatted(JWKS, "\"from_params\": [\"jwt_a\"]",
        "\"from_params\": [\"jwt_b\"]"));
    TestRequest both = TestRequest.get("/requires-all?jwt_a=" + GOOD_TOKEN + "&jwt_b=" + OTHER_GOOD_TOKEN);
    assertThat(config.onRequest(both)).isNull();
    assertThat(both.header("example-auth-userinfo")).isNotNull();
    assertThat(both.header("other-auth-userinfo")).isNotNull();
    assertThat(config.onRequest(TestRequest.get("/requires-all?jwt_a=" + GOOD_TOKEN)).body())
        .isEqualTo("Jwt is missing");
    assertThat(config.onRequest(TestRequest.get("/requires-all?jwt_a=" + GOOD_TOKEN + "&jwt_b=" + EXPIRED_TOKEN))
        .body()).isEqualTo("Jwt issuer is not configured");
    assertThat(config.onRequest(TestRequest.get("/not-ruled"))).isNull(); // no rule matches: not checked
  }

  @Test
  void requiresAnyWithTokensInHeaders() throws Exception {
    String headers = "\"from_headers\": [{\"name\": \"a\", \"value_prefix\": \"Bearer \"},"
        + " {\"name\": \"b\", \"value_prefix\": \"Bearer \"}]";
    JwtAuthnConfig config = JwtConfigs.decode(TWO_PROVIDERS.formatted(JWKS, headers, headers));
    TestRequest good = new TestRequest("GET", "/requires-any").with("a", "Bearer " + GOOD_TOKEN);
    assertThat(config.onRequest(good)).isNull();
    assertThat(good.header("example-auth-userinfo")).isNotNull();
    TestRequest other = new TestRequest("GET", "/requires-any").with("b", "Bearer " + OTHER_GOOD_TOKEN);
    assertThat(config.onRequest(other)).isNull();
    assertThat(other.header("other-auth-userinfo")).isNotNull();
    assertThat(config.onRequest(new TestRequest("GET", "/requires-any")).body()).isEqualTo("Jwt is missing");
    assertThat(config.onRequest(new TestRequest("GET", "/requires-any").with("a", "Bearer " + EXPIRED_TOKEN))
        .body()).isEqualTo("Jwt is expired");
  }

  @Test
  void corsPreflightBypassesTheRequirement() throws Exception {
    JwtAuthnConfig config = JwtConfigs.decode(EXAMPLE_CONFIG);
    TestRequest preflight = new TestRequest("OPTIONS", "/").with("origin", "https://app.example")
        .with("access-control-request-method", "POST");
    assertThat(config.onRequest(preflight)).isNull();
    TestRequest plainOptions = new TestRequest("OPTIONS", "/");
    assertThat(config.onRequest(plainOptions).body()).isEqualTo("Jwt is missing");
    JwtAuthnConfig noBypass = JwtConfigs.decode(EXAMPLE_CONFIG.replace("\"bypass_cors_preflight\": true",
        "\"bypass_cors_preflight\": false"));
    assertThat(noBypass.onRequest(new TestRequest("OPTIONS", "/").with("origin", "https://app.example")
        .with("access-control-request-method", "POST")).body()).isEqualTo("Jwt is missing");
  }
}
