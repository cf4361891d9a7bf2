package io.mesh4j.runtime.filter.jwt;

import static io.mesh4j.runtime.filter.jwt.EnvoyTestTokens.EXPIRED_TOKEN;
import static io.mesh4j.runtime.filter.jwt.EnvoyTestTokens.GOOD_TOKEN;
import static io.mesh4j.runtime.filter.jwt.EnvoyTestTokens.INVALID_AUD_TOKEN;
import static io.mesh4j.runtime.filter.jwt.EnvoyTestTokens.OTHER_GOOD_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

import io.mesh4j.runtime.inbound.InboundReply;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code failed_status_in_metadata} as Envoy's authenticator writes it: on each failed verification, {@code {code,
 * message}} (Envoy's {@code JwtVerify::Status} number and text) under the provider's key in jwt_authn's namespace,
 * whether or not the requirement then lets the request on; a failure no provider owns (no token, an unknown issuer)
 * under the key of the config's only provider, and nowhere when it has several.
 */
class FailedStatusInMetadataTest {
  private static final String JWKS = JwtConfigs.inline(EnvoyTestTokens.PUBLIC_KEY);
  private static final String NAMESPACE = "envoy.filters.http.jwt_authn";

  private static String config(String requires, String extraProvider) {
    return """
        {"providers": {"example": {"issuer": "https://example.com", "audiences": ["example_service"],
                                   "local_jwks": {"inline_string": "%s"},
                                   "payload_in_metadata": "payload", "failed_status_in_metadata": "jwt_failure"}
                       %s},
         "rules": [{"match": {"prefix": "/"}, "requires": %s}]}
        """.formatted(JWKS, extraProvider, requires);
  }

  private static Object failure(TestRequest request) {
    Map<String, Object> written = request.metadata.get(NAMESPACE);
    return written == null ? null : written.get("jwt_failure");
  }

  @Test
  void allowMissingOrFailedLetsTheRequestOnWithTheFailureInTheMetadata() throws Exception {
    JwtAuthnConfig config = JwtConfigs.decode(config("{\"allow_missing_or_failed\": {}}", ""));

    TestRequest expired = TestRequest.get("/").bearer(EXPIRED_TOKEN);
    assertThat(config.onRequest(expired)).isNull();
    assertThat(failure(expired)).isEqualTo(Map.of("code", 3.0, "message", "Jwt is expired"));

    TestRequest wrongAudience = TestRequest.get("/").bearer(INVALID_AUD_TOKEN);
    assertThat(config.onRequest(wrongAudience)).isNull();
    assertThat(failure(wrongAudience))
        .isEqualTo(Map.of("code", 25.0, "message", "Audiences in Jwt are not allowed"));

    TestRequest tampered = TestRequest.get("/").bearer(GOOD_TOKEN.substring(0, GOOD_TOKEN.length() - 2));
    assertThat(config.onRequest(tampered)).isNull();
    assertThat(failure(tampered)).isEqualTo(Map.of("code", 26.0, "message", "Jwt verification fails"));

    // Not the provider's issuer: no provider judged it, so the only provider's key holds it.
    TestRequest otherIssuer = TestRequest.get("/").bearer(OTHER_GOOD_TOKEN);
    assertThat(config.onRequest(otherIssuer)).isNull();
    assertThat(failure(otherIssuer)).isEqualTo(Map.of("code", 24.0, "message", "Jwt issuer is not configured"));

    TestRequest missing = TestRequest.get("/");
    assertThat(config.onRequest(missing)).isNull();
    assertThat(failure(missing)).isEqualTo(Map.of("code", 1.0, "message", "Jwt is missing"));

    TestRequest good = TestRequest.get("/").bearer(GOOD_TOKEN);
    assertThat(config.onRequest(good)).isNull();
    assertThat(failure(good)).isNull();
    assertThat(good.metadata.get(NAMESPACE)).containsKey("payload");
  }

  @Test
  void aRefusedRequestCarriesItsFailureToo() throws Exception {
    JwtAuthnConfig config = JwtConfigs.decode(config("{\"provider_name\": \"example\"}", ""));
    TestRequest expired = TestRequest.get("/").bearer(EXPIRED_TOKEN);
    InboundReply reply = config.onRequest(expired);
    assertThat(reply.httpStatus()).isEqualTo(401);
    assertThat(failure(expired)).isEqualTo(Map.of("code", 3.0, "message", "Jwt is expired"));
  }

  @Test
  void withSeveralProvidersOnlyTheJudgingProvidersKeyIsWritten() throws Exception {
    String other = """
        , "other": {"issuer": "https://other.example", "local_jwks": {"inline_string": "%s"}}
        """.formatted(JWKS);
    JwtAuthnConfig config = JwtConfigs.decode(config("{\"allow_missing_or_failed\": {}}", other));

    TestRequest expired = TestRequest.get("/").bearer(EXPIRED_TOKEN);
    assertThat(config.onRequest(expired)).isNull();
    assertThat(failure(expired)).isEqualTo(Map.of("code", 3.0, "message", "Jwt is expired"));

    // No provider owns a missing token, and there is no single provider to write it for.
    TestRequest missing = TestRequest.get("/");
    assertThat(config.onRequest(missing)).isNull();
    assertThat(missing.metadata.get(NAMESPACE)).isNull();
  }
}
