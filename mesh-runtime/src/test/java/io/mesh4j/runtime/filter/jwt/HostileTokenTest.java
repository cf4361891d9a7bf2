package io.mesh4j.runtime.filter.jwt;

import static io.mesh4j.runtime.filter.jwt.JwtConfigs.NOW_SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.util.Base64URL;
import io.mesh4j.runtime.inbound.InboundReply;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The issue's hostile set: every token here is refused, with 401, and leaves no payload behind. */
class HostileTokenTest {
  private static final String ISSUER = "https://issuer.example";
  private static JwtAuthnConfig config;

  @BeforeAll
  static void decode() throws Exception {
    config = JwtConfigs.decode("""
        {"providers": {"p": {
           "issuer": "%s", "audiences": ["example_service"], "require_expiration": true,
           "local_jwks": {"inline_string": "%s"}, "payload_in_metadata": "payload"}},
         "rules": [{"match": {"prefix": "/"}, "requires": {"provider_name": "p"}}]}
        """.formatted(ISSUER, JwtConfigs.inline(TestKeys.jwks(TestKeys.RSA, TestKeys.P256))));
  }

  private static String good() {
    return JwtVerificationTableTest.rs256();
  }

  private static String goodClaimsJson() {
    return "{\"iss\":\"" + ISSUER + "\",\"aud\":\"example_service\",\"sub\":\"x\",\"exp\":" + (NOW_SECONDS + 3600)
        + "}";
  }

  static Stream<Arguments> hostile() {
    String good = good();
    String[] parts = good.split("\\.");
    String tamperedPayload = parts[0] + "." + Base64URL.encode(goodClaimsJson().replace("\"sub\":\"x\"",
        "\"sub\":\"admin\"")) + "." + parts[2];
    String tamperedHeader = Base64URL.encode("{\"alg\":\"RS256\",\"kid\":\"rsa-1\",\"x\":1}") + "." + parts[1] + "."
        + parts[2];
    byte[] rsaPublic = TestKeys.RSA.toPublicJWK().toJSONString().getBytes(StandardCharsets.UTF_8);
    byte[] rsaPublicDer;
    try {
      rsaPublicDer = TestKeys.RSA.toRSAPublicKey().getEncoded();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    return Stream.of(
        Arguments.of("alg none", TestKeys.raw("{\"alg\":\"none\"}", goodClaimsJson(), "")),
        Arguments.of("alg none with a signature", TestKeys.raw("{\"alg\":\"none\"}", goodClaimsJson(), "AAAA")),
        Arguments.of("alg None", TestKeys.raw("{\"alg\":\"None\",\"kid\":\"rsa-1\"}", goodClaimsJson(), "AAAA")),
        Arguments.of("HS256 with the RSA public key (DER)", TestKeys.hmac(
            new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("rsa-1").build(), rsaPublicDer,
            TestKeys.claims(JwtVerificationTableTest.claims()))),
        Arguments.of("HS256 with the RSA public JWK", TestKeys.hmac(
            new JWSHeader.Builder(JWSAlgorithm.HS256).build(), rsaPublic,
            TestKeys.claims(JwtVerificationTableTest.claims()))),
        Arguments.of("tampered payload", tamperedPayload),
        Arguments.of("tampered header", tamperedHeader),
        Arguments.of("signature stripped", parts[0] + "." + parts[1] + "."),
        Arguments.of("signature stripped, no dot", parts[0] + "." + parts[1]),
        Arguments.of("signature of another token", parts[0] + "." + parts[1] + "." + TestKeys.sign(JWSAlgorithm.RS256,
            TestKeys.RSA, TestKeys.claims(JwtVerificationTableTest.claims("other", "token"))).split("\\.")[2]),
        Arguments.of("oversize token", TestKeys.sign(JWSAlgorithm.RS256, TestKeys.RSA,
            TestKeys.claims(JwtVerificationTableTest.claims("pad", "x".repeat(9000))))),
        Arguments.of("oversize header", TestKeys.sign(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("rsa-1")
            .customParam("pad", "y".repeat(9000)).build(), TestKeys.RSA,
            TestKeys.claims(JwtVerificationTableTest.claims()))),
        Arguments.of("nested JWT", TestKeys.raw("{\"alg\":\"RS256\",\"kid\":\"rsa-1\",\"cty\":\"JWT\"}", good,
            "AAAA")),
        Arguments.of("nested JWT, signed", TestKeys.sign(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("rsa-1")
            .contentType("JWT").build(), TestKeys.RSA, TestKeys.claims(JwtVerificationTableTest.claims()))),
        Arguments.of("crit unknown", TestKeys.sign(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("rsa-1")
            .criticalParams(Set.of("exp-v2")).customParam("exp-v2", 1).build(), TestKeys.RSA,
            TestKeys.claims(JwtVerificationTableTest.claims()))),
        Arguments.of("expired one second beyond skew",
            JwtVerificationTableTest.rs256("exp", NOW_SECONDS - 61)),
        Arguments.of("wrong issuer", JwtVerificationTableTest.rs256("iss", "https://evil.example")),
        Arguments.of("missing exp under require_expiration", JwtVerificationTableTest.rs256("exp", null)),
        Arguments.of("exp not a number", JwtVerificationTableTest.rs256("exp", "tomorrow")),
        Arguments.of("ES256 by an impostor key with a known kid", TestKeys.sign(JWSAlgorithm.ES256, impostor(),
            TestKeys.claims(JwtVerificationTableTest.claims()))),
        Arguments.of("garbage", "not-a-jwt"),
        Arguments.of("four parts", good + ".AAAA"),
        Arguments.of("header not JSON", Base64URL.encode("alg") + "." + parts[1] + "." + parts[2]),
        Arguments.of("payload not JSON", parts[0] + "." + Base64URL.encode("[1,2") + "." + parts[2]));
  }

  @org.junit.jupiter.api.Test
  void keysWhoseAlgOrUseForbidTheTokenAreNotUsed() throws Exception {
    com.nimbusds.jose.jwk.RSAKey encryption = new com.nimbusds.jose.jwk.RSAKey.Builder(TestKeys.RSA)
        .keyID("enc-1").keyUse(com.nimbusds.jose.jwk.KeyUse.ENCRYPTION).build();
    com.nimbusds.jose.jwk.RSAKey rs512Only = new com.nimbusds.jose.jwk.RSAKey.Builder(TestKeys.RSA)
        .keyID("rs512-1").algorithm(JWSAlgorithm.RS512).build();
    JwtAuthnConfig restricted = JwtConfigs.decode("""
        {"providers": {"p": {"issuer": "%s", "local_jwks": {"inline_string": "%s"}}},
         "rules": [{"match": {"prefix": "/"}, "requires": {"provider_name": "p"}}]}
        """.formatted(ISSUER, JwtConfigs.inline(TestKeys.jwks(encryption, rs512Only))));
    for (String kid : new String[] {"enc-1", "rs512-1"}) {
      String token = TestKeys.sign(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(kid).build(), TestKeys.RSA,
          TestKeys.claims(JwtVerificationTableTest.claims()));
      InboundReply reply = restricted.onRequest(TestRequest.get("/").bearer(token));
      assertThat(reply.body()).as(kid).isEqualTo("Jwks doesn't have key to match kid or alg from Jwt");
    }
    // The RS512-only key does verify an RS512 token: the refusal above is the key's alg, not the key.
    String rs512 = TestKeys.sign(new JWSHeader.Builder(JWSAlgorithm.RS512).keyID("rs512-1").build(), TestKeys.RSA,
        TestKeys.claims(JwtVerificationTableTest.claims()));
    assertThat(restricted.onRequest(TestRequest.get("/").bearer(rs512))).isNull();
  }

  private static com.nimbusds.jose.jwk.ECKey impostor() {
    try {
      return new com.nimbusds.jose.jwk.gen.ECKeyGenerator(com.nimbusds.jose.jwk.Curve.P_256).keyID("ec-256")
          .generate();
    } catch (com.nimbusds.jose.JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("hostile")
  void refused(String name, String token) {
    TestRequest request = TestRequest.get("/admin").bearer(token);
    InboundReply reply = config.onRequest(request);
    assertThat(reply).as(name).isNotNull();
    assertThat(reply.httpStatus()).as(name).isEqualTo(401);
    assertThat(request.metadata.isEmpty()).as(name).isTrue();
  }
}
