package io.mesh4j.samples.interop;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Empty;
import com.google.protobuf.Message;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtProvider;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtRequirement;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.RequirementRule;
import io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBAC;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.mesh4j.samples.interop.MeshServedInterop.Security;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Date;
import java.util.Map;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code failed_status_in_metadata} read by a later filter: jwt_authn with {@code allow_missing_or_failed} lets every
 * request on, leaving a failed verification's {@code {code, message}} in the dynamic metadata, and a DENY RBAC after
 * it refuses the requests whose token was expired (by {@code code}) or badly signed (by {@code message}), while a
 * request without a token, or with a good one, reaches the server.
 */
class InteropServerJwtFailedStatusTest {
  private static final String ISS = "https://issuer.interop";
  @TempDir static Path certs;
  private static MeshServedInterop interop;
  private static ECKey key;
  private static ECKey otherKey;

  @BeforeAll
  static void start() throws JOSEException {
    key = new ECKeyGenerator(Curve.P_256).keyID("interop-1").generate();
    otherKey = new ECKeyGenerator(Curve.P_256).keyID("interop-1").generate(); // same kid, another key
    interop = new MeshServedInterop(certs);
    interop.serve(listener(interop.grpcPort), listener(interop.httpPort));
  }

  @AfterAll
  static void stop() {
    interop.close();
  }

  private static JwtAuthentication authentication() {
    JwtProvider provider = JwtProvider.newBuilder()
        .setIssuer(ISS)
        .setPayloadInMetadata("payload")
        .setFailedStatusInMetadata("jwt_failure")
        .setLocalJwks(DataSource.newBuilder().setInlineString(new JWKSet(key.toPublicJWK()).toString()))
        .build();
    return JwtAuthentication.newBuilder()
        .putProviders("origins-0", provider)
        .addRules(RequirementRule.newBuilder().setMatch(RouteMatch.newBuilder().setPrefix("/"))
            .setRequires(JwtRequirement.newBuilder().setAllowMissingOrFailed(Empty.getDefaultInstance())))
        .build();
  }

  /** DENY on jwt_authn's failure metadata: Envoy's code 3 (JwtExpired), or the text of a failed signature. */
  private static RBAC denyFailedTokens() {
    String failure = "{'metadata': {'filter': 'envoy.filters.http.jwt_authn', 'path': [{'key': 'jwt_failure'}, "
        + "{'key': '%s'}], 'value': %s}}";
    return MeshServedInterop.proto("{'rules': {'action': 'DENY', 'policies': {"
        + "'expired': {'permissions': [{'any': true}], 'principals': ["
        + failure.formatted("code", "{'double_match': {'exact': 3}}") + "]}, "
        + "'bad-signature': {'permissions': [{'any': true}], 'principals': ["
        + failure.formatted("message", "{'string_match': {'exact': 'Jwt verification fails'}}") + "]}}}}",
        RBAC.newBuilder());
  }

  private static Listener listener(int port) {
    HttpConnectionManager hcm = MeshServedInterop.hcm(
        Map.entry("envoy.filters.http.jwt_authn", (Message) authentication()),
        Map.entry("envoy.filters.http.rbac", (Message) denyFailedTokens()));
    return MeshServedInterop.permissive(port, hcm, true);
  }

  private static String token(ECKey signer, JWTClaimsSet.Builder claims) {
    try {
      SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(signer.getKeyID()).build(),
          claims.build());
      jwt.sign(new ECDSASigner(signer));
      return jwt.serialize();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  private static JWTClaimsSet.Builder claims(long expiresInMillis) {
    long now = System.currentTimeMillis();
    return new JWTClaimsSet.Builder().issuer(ISS).subject("partner-a").expirationTime(new Date(now + expiresInMillis));
  }

  private static String http(OkHttpClient client, String token) {
    Request.Builder request = new Request.Builder()
        .url("http://" + MeshServedInterop.XDS_HOST + ":" + interop.httpPort + "/grpc.testing.TestService/UnaryCall")
        .post(RequestBody.create(new byte[0], null));
    if (token != null) {
      request.header("authorization", "Bearer " + token);
    }
    try (Response response = client.newCall(request.build()).execute()) {
      return response.code() + " " + response.body().string();
    } catch (IOException e) {
      return "failed: " + e;
    }
  }

  @Test
  void rbacRefusesByTheFailureJwtAuthnLeftInTheMetadata() {
    OkHttpClient client = interop.httpClient(Security.PLAINTEXT);

    assertThat(http(client, token(key, claims(3_600_000)))).isEqualTo("200 b0");
    assertThat(http(client, null)).isEqualTo("200 b0"); // "Jwt is missing" (code 1): not denied
    assertThat(http(client, token(key, claims(-3_600_000)))).isEqualTo("403 RBAC: access denied");
    assertThat(http(client, token(otherKey, claims(3_600_000)))).isEqualTo("403 RBAC: access denied");
    // Another issuer's token fails as "Jwt issuer is not configured" (code 24), which no policy denies.
    assertThat(http(client, token(key, claims(3_600_000).issuer("https://evil.example")))).isEqualTo("200 b0");
  }
}
