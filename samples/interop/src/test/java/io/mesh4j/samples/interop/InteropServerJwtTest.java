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
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtProvider;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtRequirement;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtRequirementOrList;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.RequirementRule;
import io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBAC;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.grpc.CallOptions;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.mesh4j.samples.interop.MeshServedInterop.Security;
import io.mesh4j.samples.interop.proto.SimpleRequest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * jwt_authn then RBAC on the interop server's gRPC and HTTP ports, in the shape istiod produces for a
 * RequestAuthentication (issuer, audiences, payload under {@code payload}, a token optional: {@code requires_any}
 * of the provider or {@code allow_missing}) and an AuthorizationPolicy on claims ({@code requestPrincipals:
 * ["<iss>/*"]}, {@code when: request.auth.claims[groups]: ["partners"]}), over plaintext and mTLS: valid, missing,
 * expired, wrong-audience and hostile tokens. The server answers the verified token's principal from the
 * application's side ({@code MeshGrpc.JWT}, {@code MeshHttpServer.jwt}).
 */
class InteropServerJwtTest {
  private static final String ISS = "https://issuer.interop";
  private static final String AUDIENCE = "interop-server";
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

  /** istiod's jwt_authn for a RequestAuthentication with one jwtRule ({@code convertToEnvoyJwtConfig}). */
  private static JwtAuthentication requestAuthentication() {
    JwtProvider provider = JwtProvider.newBuilder()
        .setIssuer(ISS)
        .addAudiences(AUDIENCE)
        .setPayloadInMetadata("payload")
        .setNormalizePayloadInMetadata(JwtProvider.NormalizePayload.newBuilder()
            .addSpaceDelimitedClaims("permission").addSpaceDelimitedClaims("scope"))
        .setLocalJwks(DataSource.newBuilder().setInlineString(new JWKSet(key.toPublicJWK()).toString()))
        .build();
    return JwtAuthentication.newBuilder()
        .putProviders("origins-0", provider)
        .addRules(RequirementRule.newBuilder().setMatch(RouteMatch.newBuilder().setPrefix("/"))
            .setRequires(JwtRequirement.newBuilder().setRequiresAny(JwtRequirementOrList.newBuilder()
                .addRequirements(JwtRequirement.newBuilder().setProviderName("origins-0"))
                .addRequirements(JwtRequirement.newBuilder().setAllowMissing(Empty.getDefaultInstance())))))
        .build();
  }

  /** istiod's RBAC for {@code requestPrincipals: ["<iss>/*"]} and {@code when: request.auth.claims[groups]}. */
  private static RBAC authorizationPolicy() {
    String payload = "{'metadata': {'filter': 'envoy.filters.http.jwt_authn', 'path': [{'key': 'payload'}, "
        + "{'key': '%s'}], 'value': %s}}";
    String iss = payload.formatted("iss", "{'string_match': {'exact': '" + ISS + "'}}");
    String sub = payload.formatted("sub", "{'string_match': {'safe_regex': {'regex': '.+'}}}");
    String groups = payload.formatted("groups", "{'or_match': {'value_matchers': [{'list_match': {'one_of': "
        + "{'string_match': {'exact': 'partners'}}}}, {'string_match': {'exact': 'partners'}}]}}");
    return MeshServedInterop.proto("{'rules': {'policies': {'ns[interop]-policy[partners]-rule[0]': {"
        + "'permissions': [{'and_rules': {'rules': [{'any': true}]}}], "
        + "'principals': [{'and_ids': {'ids': [{'and_ids': {'ids': [" + iss + ", " + sub + "]}}, " + groups
        + "]}}]}}}}", RBAC.newBuilder());
  }

  private static Listener listener(int port) {
    HttpConnectionManager hcm = MeshServedInterop.hcm(
        Map.entry("envoy.filters.http.jwt_authn", (Message) requestAuthentication()),
        Map.entry("envoy.filters.http.rbac", (Message) authorizationPolicy()));
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

  private static JWTClaimsSet.Builder partner() {
    long now = System.currentTimeMillis();
    return new JWTClaimsSet.Builder().issuer(ISS).subject("partner-a").audience(AUDIENCE)
        .issueTime(new Date(now)).expirationTime(new Date(now + 3_600_000)).claim("groups", List.of("partners"));
  }

  private static String b64(String json) {
    return Base64URL.encode(json.getBytes(StandardCharsets.UTF_8)).toString();
  }

  /** What a call with {@code authorization: Bearer <token>} (none when null) got: status and principal seen. */
  private record Answer(String status, String principal) {}

  private static Answer grpc(ManagedChannel channel, String token) {
    Metadata headers = new Metadata();
    if (token != null) {
      headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
    }
    AtomicReference<Metadata> responseHeaders = new AtomicReference<>();
    AtomicReference<Metadata> trailers = new AtomicReference<>();
    try {
      ClientCalls.blockingUnaryCall(ClientInterceptors.intercept(channel,
              MetadataUtils.newAttachHeadersInterceptor(headers),
              MetadataUtils.newCaptureMetadataInterceptor(responseHeaders, trailers)),
          InteropServices.UNARY_CALL, CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS),
          SimpleRequest.getDefaultInstance());
      return new Answer("OK", responseHeaders.get().get(InteropServices.JWT_PRINCIPAL_KEY));
    } catch (StatusRuntimeException e) {
      return new Answer(e.getStatus().getCode() + " " + e.getStatus().getDescription(), null);
    }
  }

  private static Answer http(OkHttpClient client, Security security, String token) {
    Request.Builder request = new Request.Builder()
        .url((security == Security.PLAINTEXT ? "http" : "https") + "://" + MeshServedInterop.XDS_HOST + ":"
            + interop.httpPort + "/grpc.testing.TestService/UnaryCall")
        .post(RequestBody.create(new byte[0], null));
    if (token != null) {
      request.header("authorization", "Bearer " + token);
    }
    try (Response response = client.newCall(request.build()).execute()) {
      String status = response.code() + " " + response.body().string();
      String challenge = response.header("www-authenticate");
      return new Answer(challenge == null ? status : status + " | " + challenge,
          response.header(InteropServices.JWT_PRINCIPAL_HEADER));
    } catch (IOException e) {
      return new Answer("failed: " + e, null);
    }
  }

  @ParameterizedTest
  @EnumSource(value = Security.class, names = {"PLAINTEXT", "MTLS"})
  void validMissingExpiredWrongAudienceAndHostileTokens(Security security) {
    ManagedChannel channel = interop.grpcChannel(security);
    OkHttpClient client = interop.httpClient(security);
    String realm = "Bearer realm=\"" + (security == Security.PLAINTEXT ? "http" : "https") + "://"
        + MeshServedInterop.XDS_HOST + ":" + interop.httpPort + "/grpc.testing.TestService/UnaryCall\"";
    long now = System.currentTimeMillis();

    String valid = token(key, partner());
    assertThat(grpc(channel, valid)).isEqualTo(new Answer("OK", ISS + "/partner-a"));
    assertThat(http(client, security, valid)).isEqualTo(new Answer("200 b0", ISS + "/partner-a"));

    // Verified, but the AuthorizationPolicy wants the partners group.
    String notAPartner = token(key, partner().claim("groups", List.of("visitors")));
    assertThat(grpc(channel, notAPartner)).isEqualTo(new Answer("PERMISSION_DENIED RBAC: access denied", null));
    assertThat(http(client, security, notAPartner)).isEqualTo(new Answer("403 RBAC: access denied", null));

    // RequestAuthentication lets a request without a token through; the AuthorizationPolicy refuses it.
    assertThat(grpc(channel, null)).isEqualTo(new Answer("PERMISSION_DENIED RBAC: access denied", null));
    assertThat(http(client, security, null)).isEqualTo(new Answer("403 RBAC: access denied", null));

    String expired = token(key, partner().issueTime(new Date(now - 7_200_000))
        .expirationTime(new Date(now - 3_600_000)));
    assertThat(grpc(channel, expired)).isEqualTo(new Answer("UNAUTHENTICATED Jwt is expired", null));
    assertThat(http(client, security, expired))
        .isEqualTo(new Answer("401 Jwt is expired | " + realm + ", error=\"invalid_token\"", null));

    String wrongAudience = token(key, partner().audience("someone-else"));
    assertThat(grpc(channel, wrongAudience))
        .isEqualTo(new Answer("PERMISSION_DENIED Audiences in Jwt are not allowed", null));
    assertThat(http(client, security, wrongAudience).status())
        .startsWith("403 Audiences in Jwt are not allowed");

    String[] parts = valid.split("\\.");
    List<String> hostile = List.of(
        token(otherKey, partner()),                                                      // signed by another key
        parts[0] + "." + b64("{\"iss\":\"" + ISS + "\",\"sub\":\"admin\",\"aud\":\"" + AUDIENCE
            + "\",\"exp\":" + (now / 1000 + 3600) + ",\"groups\":[\"partners\"]}") + "." + parts[2], // tampered
        b64("{\"alg\":\"none\"}") + "." + parts[1] + ".",                               // alg none
        parts[0] + "." + parts[1] + ".",                                                 // signature stripped
        token(key, partner().issuer("https://evil.example")));                           // unknown issuer
    for (String token : hostile) {
      assertThat(grpc(channel, token).status()).as(token).startsWith("UNAUTHENTICATED ");
      assertThat(http(client, security, token).status()).as(token)
          .startsWith("401 ").endsWith(realm + ", error=\"invalid_token\"");
    }
  }
}
