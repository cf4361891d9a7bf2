package io.mesh4j.runtime.filter.jwt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import io.mesh4j.runtime.filter.FilterConfig;
import io.mesh4j.runtime.filter.FilterOverrides;
import io.mesh4j.runtime.filter.builtin.BuiltInFilters;
import io.mesh4j.runtime.inbound.InboundFilterConfig;
import io.mesh4j.runtime.xds.ResourceInvalidException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Decoding: what is read, what is refused (naming the field), and per-route overrides. */
class JwtAuthnDecoderTest {
  private static final String JWKS = JwtConfigs.inline(TestKeys.jwks(TestKeys.RSA));

  private static String provider(String extra) {
    return """
        {"providers": {"p": {"issuer": "https://issuer.example", "local_jwks": {"inline_string": "%s"} %s}},
         "rules": [{"match": {"prefix": "/"}, "requires": {"provider_name": "p"}}]}
        """.formatted(JWKS, extra);
  }

  @Test
  void isAServerFilterInTheBuiltInRegistry() {
    var provider = BuiltInFilters.REGISTRY.get(JwtAuthnFilterProvider.TYPE_URL);
    assertThat(provider).isInstanceOf(JwtAuthnFilterProvider.class);
    assertThat(BuiltInFilters.REGISTRY.get(JwtAuthnFilterProvider.PER_ROUTE_TYPE_URL)).isSameAs(provider);
    assertThat(provider.isServerFilter()).isTrue();
    assertThat(provider.isClientFilter()).isFalse();
  }

  @Test
  void refusesWhatItDoesNotImplementNamingTheField() {
    assertRejected("""
        {"providers": {"p": {"local_jwks": {"inline_string": "%s"}, "clear_route_cache": true}}}
        """.formatted(JWKS), "providers['p'].clear_route_cache");
    assertRejected("""
        {"filter_state_rules": {"name": "f"}}
        """, "http_filters[0].typed_config.filter_state_rules");
    assertRejected(provider("").replace("\"prefix\": \"/\"",
        "\"prefix\": \"/\", \"runtime_fraction\": {\"default_value\": {\"numerator\": 50}}"),
        "rules[0].match.runtime_fraction");
    assertRejected("""
        {"providers": {"p": {"remote_jwks": {"http_uri": {"uri": "https://jwks.example/keys", "cluster": "c",
           "timeout": "1s"}, "retry_policy": {"retry_host_predicate": [{"name": "x"}]}}}}}
        """, "providers['p'].remote_jwks.retry_policy.retry_host_predicate");
  }

  @Test
  void refusesInvalidConfigNamingTheField() {
    assertRejected("""
        {"providers": {"p": {"issuer": "x"}}}
        """, "providers['p']: one of local_jwks, remote_jwks is required");
    assertRejected("""
        {"providers": {"p": {"local_jwks": {"inline_string": "{\\"keys\\": 3}"}}}}
        """, "providers['p'].local_jwks: not a JWKS");
    assertRejected(provider("").replace("\"provider_name\": \"p\"", "\"provider_name\": \"q\""),
        "rules[0].requires.provider_name: unknown provider 'q'");
    assertRejected(provider("").replace("\"requires\": {\"provider_name\": \"p\"}", "\"requirement_name\": \"r\""),
        "rules[0].requirement_name");
    assertRejected("""
        {"providers": {"p": {"remote_jwks": {"http_uri": {"uri": "https://jwks.example/keys", "timeout": "1s"}}}}}
        """, "providers['p'].remote_jwks.http_uri.cluster: is required");
    assertRejected("""
        {"providers": {"p": {"remote_jwks": {"http_uri": {"uri": "jwks", "cluster": "c", "timeout": "1s"}}}}}
        """, "providers['p'].remote_jwks.http_uri.uri");
    assertRejected("""
        {"providers": {"p": {"remote_jwks": {"http_uri": {"uri": "https://jwks.example/keys", "cluster": "c"}}}}}
        """, "providers['p'].remote_jwks.http_uri.timeout: is required");
    assertRejected(provider("").replace("{\"provider_name\": \"p\"}",
        "{\"requires_any\": {\"requirements\": [{\"provider_name\": \"p\"}]}}"),
        "rules[0].requires.requires_any.requirements: needs at least two requirements");
    assertRejected(provider(", \"local_jwks\": {\"filename\": \"/nonexistent/jwks.json\"}")
        .replaceFirst("\"local_jwks\": \\{\"inline_string\": \"[^}]*\"\\} ,", ""),
        "local_jwks.filename: cannot read /nonexistent/jwks.json");
  }

  @Test
  void readsKeysFromAFile(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("jwks.json");
    Files.writeString(file, TestKeys.jwks(TestKeys.RSA));
    JwtAuthnConfig config = JwtConfigs.decode("""
        {"providers": {"p": {"issuer": "https://issuer.example", "local_jwks": {"filename": "%s"}}},
         "rules": [{"match": {"prefix": "/"}, "requires": {"provider_name": "p"}}]}
        """.formatted(file));
    assertThat(config.onRequest(TestRequest.get("/").bearer(JwtVerificationTableTest.rs256("aud", null)))).isNull();
  }

  @Test
  void perRouteOverrides() throws Exception {
    assertThat(JwtConfigs.decodeOverride("{\"disabled\": true}")).isSameAs(FilterOverrides.DISABLED);
    FilterConfig named = JwtConfigs.decodeOverride("{\"requirement_name\": \"optional\"}");
    JwtAuthnConfig base = JwtConfigs.decode("""
        {"providers": {"p": {"issuer": "https://issuer.example", "local_jwks": {"inline_string": "%s"}}},
         "requirement_map": {"optional": {"allow_missing": {}}, "strict": {"provider_name": "p"}},
         "rules": [{"match": {"prefix": "/"}, "requirement_name": "strict"}]}
        """.formatted(JWKS));
    assertThat(base.onRequest(TestRequest.get("/a")).body()).isEqualTo("Jwt is missing");
    InboundFilterConfig onRoute = base.withRouteOverride(named);
    assertThat(onRoute.onRequest(TestRequest.get("/a"))).isNull();
    assertThat(onRoute.onRequest(TestRequest.get("/a").bearer("garbage")).body())
        .isEqualTo("Jwt is not in the form of Header.Payload.Signature");
    InboundFilterConfig unknown = base.withRouteOverride(JwtConfigs.decodeOverride("{\"requirement_name\": \"x\"}"));
    assertThat(unknown.onRequest(TestRequest.get("/a")).httpStatus()).isEqualTo(403);
    // Used without the listener's config, an override fails closed.
    assertThat(((InboundFilterConfig) named).onRequest(TestRequest.get("/a")).httpStatus()).isEqualTo(403);
    assertThatThrownBy(() -> JwtConfigs.decodeOverride("{}")).hasMessageContaining(
        "one of disabled, requirement_name is required");
  }

  @Test
  void allowMissingAndAllowMissingOrFailed() throws Exception {
    String config = """
        {"providers": {"p": {"issuer": "https://issuer.example", "local_jwks": {"inline_string": "%s"},
                             "payload_in_metadata": "p"},
                       "q": {"issuer": "https://other.example", "local_jwks": {"inline_string": "%s"},
                             "from_headers": [{"name": "x-q-token"}], "payload_in_metadata": "q"}},
         "rules": [{"match": {"prefix": "/"}, "requires": {"%s": {}}}]}
        """;
    String qJwks = JwtConfigs.inline(TestKeys.jwks(TestKeys.P256));
    JwtAuthnConfig missing = JwtConfigs.decode(config.formatted(JWKS, qJwks, "allow_missing"));
    JwtAuthnConfig orFailed = JwtConfigs.decode(config.formatted(JWKS, qJwks, "allow_missing_or_failed"));
    String good = JwtVerificationTableTest.rs256("aud", null);
    String expired = JwtVerificationTableTest.rs256("aud", null, "exp", JwtConfigs.NOW_SECONDS - 3600);
    String qGood = JwtVerificationTableTest.token(JWSAlgorithm.ES256, TestKeys.P256,
        "iss", "https://other.example", "aud", null);

    assertThat(missing.onRequest(TestRequest.get("/"))).isNull();
    TestRequest withGood = TestRequest.get("/").bearer(good);
    assertThat(missing.onRequest(withGood)).isNull();
    assertThat(withGood.metadata.get("envoy.filters.http.jwt_authn")).containsKey("p");
    assertThat(missing.onRequest(TestRequest.get("/").bearer(expired)).body()).isEqualTo("Jwt is expired");
    TestRequest withQ = TestRequest.get("/").with("x-q-token", qGood);
    assertThat(missing.onRequest(withQ)).isNull();
    assertThat(withQ.metadata.get("envoy.filters.http.jwt_authn")).containsKey("q");
    // A token of one issuer where only the other's provider looks: no provider there accepts its issuer.
    assertThat(missing.onRequest(TestRequest.get("/").with("x-q-token", good)).body())
        .isEqualTo("Jwt issuer is not configured");

    assertThat(orFailed.onRequest(TestRequest.get("/"))).isNull();
    TestRequest failed = TestRequest.get("/").bearer(expired);
    assertThat(orFailed.onRequest(failed)).isNull();
    assertThat(failed.metadata.isEmpty()).isTrue();
    TestRequest passed = TestRequest.get("/").bearer(good);
    assertThat(orFailed.onRequest(passed)).isNull();
    assertThat(passed.metadata.get("envoy.filters.http.jwt_authn")).containsKey("p");
  }

  @Test
  void providerAndAudiencesOverridesTheProvidersAudiences() throws Exception {
    JwtAuthnConfig config = JwtConfigs.decode("""
        {"providers": {"p": {"issuer": "https://issuer.example", "audiences": ["example_service"],
                             "local_jwks": {"inline_string": "%s"}}},
         "rules": [{"match": {"prefix": "/admin"}, "requires": {"provider_and_audiences":
                     {"provider_name": "p", "audiences": ["admin_service"]}}},
                   {"match": {"prefix": "/"}, "requires": {"provider_name": "p"}}]}
        """.formatted(JWKS));
    String user = JwtVerificationTableTest.rs256();
    String admin = JwtVerificationTableTest.rs256("aud", "https://admin_service/");
    assertThat(config.onRequest(TestRequest.get("/items").bearer(user))).isNull();
    assertThat(config.onRequest(TestRequest.get("/admin/x").bearer(user)).httpStatus()).isEqualTo(403);
    assertThat(config.onRequest(TestRequest.get("/admin/x").bearer(admin))).isNull();
    assertThat(config.onRequest(TestRequest.get("/items").bearer(admin)).httpStatus()).isEqualTo(403);
  }

  @Test
  void tokensInCookiesAndSubjects() throws Exception {
    JwtAuthnConfig config = JwtConfigs.decode(provider(", \"from_cookies\": [\"session\"],"
        + " \"subjects\": {\"suffix\": \"@example.com\"}"));
    assertThat(config.onRequest(TestRequest.get("/").with("cookie", "a=b; session="
        + JwtVerificationTableTest.rs256("aud", null)))).isNull();
    assertThat(config.onRequest(TestRequest.get("/").with("cookie", "session="
        + JwtVerificationTableTest.rs256("aud", null, "sub", "mallory@evil.example"))).body())
        .isEqualTo("Jwt verification fails");
  }

  private static void assertRejected(String json, String message) {
    assertThatThrownBy(() -> JwtConfigs.decode(json)).isInstanceOf(ResourceInvalidException.class)
        .hasMessageContaining(message);
  }
}
