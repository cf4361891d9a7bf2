package io.mesh4j.runtime;

import static io.mesh4j.runtime.testing.XdsResources.apiListener;
import static io.mesh4j.runtime.testing.XdsResources.cla;
import static io.mesh4j.runtime.testing.XdsResources.edsCluster;
import static io.mesh4j.runtime.testing.XdsResources.routeConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.Any;
import com.google.protobuf.util.JsonFormat;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication;
import io.mesh4j.Mesh;
import io.mesh4j.OutboundTrafficPolicy;
import io.mesh4j.runtime.filter.builtin.BuiltInFilters;
import io.mesh4j.runtime.filter.jwt.JwtAuthnFilterProvider;
import io.mesh4j.runtime.inbound.ConnectionFacts;
import io.mesh4j.runtime.inbound.DownstreamConnection;
import io.mesh4j.runtime.inbound.DynamicMetadata;
import io.mesh4j.runtime.inbound.InboundFilterConfig;
import io.mesh4j.runtime.inbound.InboundRequest;
import io.mesh4j.runtime.testing.LoopbackControlPlane;
import io.mesh4j.runtime.view.HeaderEditor;
import io.mesh4j.runtime.xds.DecodeContext;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * remote_jwks fetched through the mesh: the JWKS service is a mesh service (its cluster, named by {@code
 * http_uri.cluster}, also behind a listener and route as istiod serves it) served by a real HTTP server on loopback,
 * reached with the mesh's own client; the fetch carries the URI's authority as Host.
 */
class JwtRemoteJwksThroughMeshTest {
  private static final String TARGET = "jwks.mesh:8080";
  private static final String CLUSTER = "outbound|8080||jwks.mesh";

  private final AtomicReference<String> lastHost = new AtomicReference<>();
  private LoopbackControlPlane controlPlane;
  private HttpServer jwksServer;
  private Mesh mesh;

  @AfterEach
  void stop() {
    if (mesh != null) {
      mesh.close();
    }
    if (controlPlane != null) {
      controlPlane.close();
    }
    if (jwksServer != null) {
      jwksServer.stop(0);
    }
  }

  @Test
  void fetchesTheKeysThroughTheMeshAndVerifiesWithThem() throws Exception {
    ECKey key = new ECKeyGenerator(Curve.P_256).keyID("mesh-key").generate();
    String jwks = "{\"keys\":[" + key.toPublicJWK().toJSONString() + "]}";
    jwksServer = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    jwksServer.createContext("/keys", exchange -> {
      lastHost.set(exchange.getRequestHeaders().getFirst("host"));
      byte[] body = jwks.getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    jwksServer.start();

    controlPlane = LoopbackControlPlane.start();
    controlPlane.setSnapshot("1",
        List.of(apiListener(TARGET, "jwks-routes")),
        List.of(routeConfig("jwks-routes", TARGET, CLUSTER)),
        List.of(edsCluster(CLUSTER)),
        List.of(cla(CLUSTER, "127.0.0.1:" + jwksServer.getAddress().getPort())));
    mesh = Mesh.builder().bootstrapJson(controlPlane.bootstrapJson()).listenerWait(Duration.ofSeconds(10))
        .outboundTrafficPolicy(OutboundTrafficPolicy.REGISTRY_ONLY).build();

    JwtAuthentication.Builder proto = JwtAuthentication.newBuilder();
    JsonFormat.parser().merge("""
        {"providers": {"mesh": {"issuer": "https://issuer.mesh",
           "remote_jwks": {"http_uri": {"uri": "http://%s/keys", "cluster": "%s", "timeout": "5s"}}}},
         "rules": [{"match": {"prefix": "/"}, "requires": {"provider_name": "mesh"}}]}
        """.formatted(TARGET, CLUSTER), proto);
    InboundFilterConfig config = (InboundFilterConfig) BuiltInFilters.REGISTRY.get(JwtAuthnFilterProvider.TYPE_URL)
        .parseBase(Any.pack(proto.build()), "jwt", DecodeContext.discarding());

    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("mesh-key").build(),
        new JWTClaimsSet.Builder().issuer("https://issuer.mesh").subject("svc")
            .expirationTime(new Date(System.currentTimeMillis() + 600_000)).build());
    jwt.sign(new ECDSASigner(key));
    String token = jwt.serialize();

    await().atMost(Duration.ofSeconds(30)).until(() -> config.onRequest(new Request(token)) == null);
    assertThat(lastHost.get()).isEqualTo(TARGET);
    assertThat(config.onRequest(new Request("x" + token)).httpStatus()).isEqualTo(401);
  }

  /** A received request carrying a bearer token. */
  private static final class Request implements InboundRequest, HeaderEditor {
    private final String token;
    private final DynamicMetadata metadata = new DynamicMetadata();

    Request(String token) {
      this.token = token;
    }

    @Override
    public String method() {
      return "GET";
    }

    @Override
    public DownstreamConnection connection() {
      return new DownstreamConnection(new ConnectionFacts(new InetSocketAddress("127.0.0.1", 1),
          new InetSocketAddress("127.0.0.1", 2), ConnectionFacts.RAW_BUFFER, null, List.of()), null);
    }

    @Override
    public DynamicMetadata dynamicMetadata() {
      return metadata;
    }

    @Override
    public HeaderEditor headers() {
      return this;
    }

    @Override
    public String authority() {
      return "api.mesh";
    }

    @Override
    public String path() {
      return "/";
    }

    @Override
    public String header(String name) {
      return "authorization".equals(name) ? "Bearer " + token : null;
    }

    @Override
    public boolean has(String name) {
      return false;
    }

    @Override
    public void add(String name, String value) {}

    @Override
    public void set(String name, String value) {}

    @Override
    public void remove(String name) {}
  }
}
