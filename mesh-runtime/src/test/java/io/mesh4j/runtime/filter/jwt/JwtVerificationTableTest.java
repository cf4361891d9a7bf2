package io.mesh4j.runtime.filter.jwt;

import static io.mesh4j.runtime.filter.jwt.JwtConfigs.NOW_SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.jwk.JWK;
import io.mesh4j.runtime.inbound.InboundReply;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * google jwt_verify_lib's cases (time, skew, audiences with and without scheme and trailing slash, multiple
 * audiences, unknown kid, each algorithm) as a table, with keys and tokens made here: each row is a token and the
 * answer Envoy gives for it (null: let through; else status and body).
 */
class JwtVerificationTableTest {
  static final String ISSUER = "https://issuer.example";
  private static JwtAuthnConfig config;

  @BeforeAll
  static void decode() throws Exception {
    String jwks = TestKeys.jwks(TestKeys.RSA, TestKeys.P256, TestKeys.P384, TestKeys.P521, TestKeys.ED25519.jwk);
    config = JwtConfigs.decode("""
        {"providers": {"p": {
           "issuer": "%s",
           "audiences": ["example_service", "http://example_service1", "https://example_service2/"],
           "local_jwks": {"inline_string": "%s"},
           "payload_in_metadata": "payload"}},
         "rules": [{"match": {"prefix": "/"}, "requires": {"provider_name": "p"}}]}
        """.formatted(ISSUER, JwtConfigs.inline(jwks)));
  }

  static Map<String, Object> claims(Object... extra) {
    Map<String, Object> claims = new LinkedHashMap<>();
    claims.put("iss", ISSUER);
    claims.put("sub", "user@example.com");
    claims.put("aud", "example_service");
    claims.put("exp", NOW_SECONDS + 3600);
    for (int i = 0; i < extra.length; i += 2) {
      if (extra[i + 1] == null) {
        claims.remove((String) extra[i]);
      } else {
        claims.put((String) extra[i], extra[i + 1]);
      }
    }
    return claims;
  }

  static String token(JWSAlgorithm alg, JWK key, Object... extra) {
    return TestKeys.sign(alg, key, TestKeys.claims(claims(extra)));
  }

  static String rs256(Object... extra) {
    return token(JWSAlgorithm.RS256, TestKeys.RSA, extra);
  }

  static Stream<Arguments> cases() {
    return Stream.of(
        // Each algorithm Envoy accepts.
        row("RS256", rs256(), 0, null),
        row("RS384", token(JWSAlgorithm.RS384, TestKeys.RSA), 0, null),
        row("RS512", token(JWSAlgorithm.RS512, TestKeys.RSA), 0, null),
        row("PS256", token(JWSAlgorithm.PS256, TestKeys.RSA), 0, null),
        row("PS384", token(JWSAlgorithm.PS384, TestKeys.RSA), 0, null),
        row("PS512", token(JWSAlgorithm.PS512, TestKeys.RSA), 0, null),
        row("ES256", token(JWSAlgorithm.ES256, TestKeys.P256), 0, null),
        row("ES384", token(JWSAlgorithm.ES384, TestKeys.P384), 0, null),
        row("ES512", token(JWSAlgorithm.ES512, TestKeys.P521), 0, null),
        row("EdDSA", token(JWSAlgorithm.EdDSA, TestKeys.ED25519.jwk), 0, null),
        // Time, with the default skew of 60 s.
        row("expired beyond skew", rs256("exp", NOW_SECONDS - 61), 401, "Jwt is expired"),
        row("expired within skew", rs256("exp", NOW_SECONDS - 60), 0, null),
        row("not yet valid beyond skew", rs256("nbf", NOW_SECONDS + 61), 401, "Jwt not yet valid"),
        row("not yet valid within skew", rs256("nbf", NOW_SECONDS + 60), 0, null),
        row("no exp, not required", rs256("exp", null), 0, null),
        // Audiences, compared without scheme and trailing slash.
        row("aud with https scheme", rs256("aud", "https://example_service"), 0, null),
        row("aud with trailing slash", rs256("aud", "example_service/"), 0, null),
        row("config aud with http scheme", rs256("aud", "example_service1"), 0, null),
        row("config aud with scheme and slash", rs256("aud", "https://example_service2"), 0, null),
        row("aud not allowed", rs256("aud", "other_service"), 403, "Audiences in Jwt are not allowed"),
        row("multiple auds, one allowed", rs256("aud", List.of("other", "example_service")), 0, null),
        row("multiple auds, none allowed", rs256("aud", List.of("a", "b")), 403, "Audiences in Jwt are not allowed"),
        row("no aud", rs256("aud", null), 403, "Audiences in Jwt are not allowed"),
        // Issuer and keys.
        row("wrong issuer", rs256("iss", "https://evil.example"), 401, "Jwt issuer is not configured"),
        row("unknown kid", TestKeys.sign(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("nope").build(),
            TestKeys.RSA, TestKeys.claims(claims())), 401, "Jwks doesn't have key to match kid or alg from Jwt"),
        row("no kid: keys tried in order", TestKeys.sign(new JWSHeader.Builder(JWSAlgorithm.RS256).build(),
            TestKeys.RSA, TestKeys.claims(claims())), 0, null),
        row("no kid, signed by an unknown key", TestKeys.sign(new JWSHeader.Builder(JWSAlgorithm.RS256).build(),
            TestKeys.RSA_OTHER, TestKeys.claims(claims())), 401, "Jwt verification fails"),
        row("kid of another key", TestKeys.sign(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("rsa-1").build(),
            TestKeys.RSA_OTHER, TestKeys.claims(claims())), 401, "Jwt verification fails"),
        row("ES256 token naming an RSA key", TestKeys.sign(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("rsa-1")
            .build(), TestKeys.P256, TestKeys.claims(claims())), 401,
            "Jwks doesn't have key to match kid or alg from Jwt"));
  }

  private static Arguments row(String name, String token, int status, String body) {
    return Arguments.of(name, token, status, body);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void answersAsEnvoy(String name, String token, int status, String body) {
    TestRequest request = TestRequest.get("/items").bearer(token);
    InboundReply reply = config.onRequest(request);
    if (status == 0) {
      assertThat(reply).as(name).isNull();
      assertThat(request.metadata.get(RequestTokens.METADATA_NAMESPACE)).containsKey("payload");
      // forward defaults to false: the token does not reach the application.
      assertThat(request.header("authorization")).isNull();
    } else {
      assertThat(reply).as(name).isNotNull();
      assertThat(reply.httpStatus()).isEqualTo(status);
      assertThat(reply.body()).isEqualTo(body);
      assertThat(reply.headers()).containsEntry("www-authenticate",
          "Bearer realm=\"https://api.example.com/items\", error=\"invalid_token\"");
      assertThat(request.metadata.isEmpty()).isTrue();
    }
  }

  @Test
  void missingTokenIs401WithoutInvalidTokenError() {
    InboundReply reply = config.onRequest(TestRequest.get("/items?x=1"));
    assertThat(reply.httpStatus()).isEqualTo(401);
    assertThat(reply.body()).isEqualTo("Jwt is missing");
    assertThat(reply.headers()).containsEntry("www-authenticate", "Bearer realm=\"https://api.example.com/items\"");
    assertThat(reply.grpcStatusCode()).isEqualTo(16);
  }

  @Test
  void cachedTokenIsCheckedForTimeAgain() throws Exception {
    java.util.concurrent.atomic.AtomicLong clock = JwtConfigs.clock();
    JwtAuthnConfig timed = JwtConfigs.decode("""
        {"providers": {"p": {"issuer": "%s", "local_jwks": {"inline_string": "%s"}}},
         "rules": [{"match": {"prefix": "/"}, "requires": {"provider_name": "p"}}]}
        """.formatted(ISSUER, JwtConfigs.inline(TestKeys.jwks(TestKeys.RSA))),
        JwtConfigs.environment(clock, (c, u, t) -> {
          throw new java.io.IOException("none");
        }));
    String token = rs256("exp", NOW_SECONDS + 10);
    assertThat(timed.onRequest(TestRequest.get("/").bearer(token))).isNull();
    assertThat(timed.onRequest(TestRequest.get("/").bearer(token))).isNull(); // from the cache
    clock.addAndGet(71_000); // exp + skew + 1 s
    InboundReply reply = timed.onRequest(TestRequest.get("/").bearer(token));
    assertThat(reply.body()).isEqualTo("Jwt is expired");
  }
}
