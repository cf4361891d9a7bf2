package io.mesh4j.runtime;

import static io.mesh4j.runtime.testing.XdsResources.cla;
import static io.mesh4j.runtime.testing.XdsResources.edsCluster;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.mesh4j.Mesh;
import io.mesh4j.OutboundTrafficPolicy;
import io.mesh4j.ResourceState;
import io.mesh4j.ResourceStatus;
import io.mesh4j.runtime.filter.jwt.IsolatedJwtAuthn;
import io.mesh4j.runtime.inbound.InboundFilterConfig;
import io.mesh4j.runtime.inbound.InboundReply;
import io.mesh4j.runtime.testing.LoopbackControlPlane;
import io.mesh4j.runtime.testing.MtlsHttpServer;
import io.mesh4j.runtime.testing.TestInboundRequest;
import io.mesh4j.runtime.testing.TestPki;
import io.mesh4j.runtime.testing.TlsResources;
import io.mesh4j.runtime.testing.XdsResources;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code remote_jwks.http_uri.cluster} by name, as Envoy sends the fetch: to the cluster the control plane serves
 * under that name (over CDS and EDS, though no listener or route names it), with the URI's host as {@code Host}
 * and its path. The URIs' host, {@code jwks.invalid}, resolves to nothing, so only the cluster can reach the keys.
 */
class JwksClusterTargetTest {
  private static final String ISSUER = "https://issuer.jwks";
  private static final Duration WAIT = Duration.ofSeconds(30);

  private final List<AutoCloseable> closing = new ArrayList<>();
  private final ScheduledExecutorService jwksThreads = Executors.newScheduledThreadPool(2);
  private LoopbackControlPlane controlPlane;
  private Mesh mesh;

  @AfterEach
  void stop() throws Exception {
    jwksThreads.shutdownNow();
    if (mesh != null) {
      mesh.close();
    }
    if (controlPlane != null) {
      controlPlane.close();
    }
    for (AutoCloseable c : closing) {
      c.close();
    }
  }

  /** A JWKS endpoint on loopback, plain or TLS, recording what each fetch asked for. */
  private final class KeysServer {
    final AtomicInteger fetches = new AtomicInteger();
    final AtomicReference<String> lastHost = new AtomicReference<>();
    final AtomicReference<String> lastPath = new AtomicReference<>();
    private final HttpServer server;

    KeysServer(JWKSet keys, TestPki.Leaf tlsIdentity) {
      try {
        InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        if (tlsIdentity == null) {
          server = HttpServer.create(loopback, 0);
        } else {
          HttpsServer https = HttpsServer.create(loopback, 0);
          https.setHttpsConfigurator(new HttpsConfigurator(MtlsHttpServer.sslContext(tlsIdentity, List.of())));
          server = https;
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      byte[] body = keys.toString().getBytes(StandardCharsets.UTF_8);
      server.createContext("/", exchange -> {
        lastHost.set(exchange.getRequestHeaders().getFirst("host"));
        lastPath.set(exchange.getRequestURI().getPath());
        fetches.incrementAndGet();
        exchange.getResponseHeaders().add("content-type", "application/json");
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(body);
        }
      });
      server.start();
      closing.add(() -> server.stop(0));
    }

    String hostPort() {
      return "127.0.0.1:" + server.getAddress().getPort();
    }
  }

  private void startMesh() {
    mesh = Mesh.builder().bootstrapJson(controlPlane.bootstrapJson()).listenerWait(Duration.ofSeconds(10))
        .outboundTrafficPolicy(OutboundTrafficPolicy.REGISTRY_ONLY).build();
  }

  /**
   * jwt_authn requiring a token of the provider whose keys are at {@code uri}, fetched through {@code cluster} by the
   * mesh's JWKS fetcher, on this test's own JWKS threads (stopped with the test, so nothing fetches afterwards).
   */
  private InboundFilterConfig jwtAuthn(String uri, String cluster, String cacheDuration) throws Exception {
    return IsolatedJwtAuthn.decode("""
        {"providers": {"p": {"issuer": "%s",
           "remote_jwks": {"http_uri": {"uri": "%s", "cluster": "%s", "timeout": "5s"},
                           "cache_duration": "%s"}}},
         "rules": [{"match": {"prefix": "/"}, "requires": {"provider_name": "p"}}]}
        """.formatted(ISSUER, uri, cluster, cacheDuration),
        new MeshJwksFetcher(() -> mesh.okHttp(new OkHttpClient.Builder())), jwksThreads);
  }

  private static String token(ECKey key) throws JOSEException {
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(key.getKeyID()).build(),
        new JWTClaimsSet.Builder().issuer(ISSUER).subject("svc")
            .expirationTime(new Date(System.currentTimeMillis() + 600_000)).build());
    jwt.sign(new ECDSASigner(key));
    return jwt.serialize();
  }

  private static InboundReply check(InboundFilterConfig config, String token) {
    return config.onRequest(TestInboundRequest.post("api.mesh", "/").with("authorization", "Bearer " + token));
  }

  private ResourceStatus cds(String name) {
    return mesh.status().resources().stream()
        .filter(r -> r.typeUrl().equals(XdsResources.CDS) && r.name().equals(name)).findFirst().orElse(null);
  }

  @Test
  void fetchesFromTheNamedClusterAndFollowsItsEndpoints() throws Exception {
    ECKey first = new ECKeyGenerator(Curve.P_256).keyID("first").generate();
    ECKey second = new ECKeyGenerator(Curve.P_256).keyID("second").generate();
    KeysServer before = new KeysServer(new JWKSet(first.toPublicJWK()), null);
    KeysServer after = new KeysServer(new JWKSet(List.of(first.toPublicJWK(), second.toPublicJWK())), null);
    controlPlane = LoopbackControlPlane.start();
    // No listener, no route: only the cluster and its endpoints.
    controlPlane.setSnapshot("1", List.of(), List.of(), List.of(edsCluster("jwks-cluster")),
        List.of(cla("jwks-cluster", before.hostPort())));
    startMesh();

    // A short cache, so that keys are fetched again every few seconds.
    InboundFilterConfig config = jwtAuthn("http://jwks.invalid/keys/moving", "jwks-cluster", "3s");
    await().atMost(WAIT).until(() -> check(config, token(first)) == null);
    assertThat(before.lastHost.get()).isEqualTo("jwks.invalid");
    assertThat(before.lastPath.get()).isEqualTo("/keys/moving");
    assertThat(cds("jwks-cluster").state()).isEqualTo(ResourceState.ACKED);
    assertThat(check(config, token(second)).httpStatus()).isEqualTo(401);

    controlPlane.setSnapshot("2", List.of(), List.of(), List.of(edsCluster("jwks-cluster")),
        List.of(cla("jwks-cluster", after.hostPort())));
    await().atMost(WAIT).until(() -> after.fetches.get() > 0);
    await().atMost(WAIT).until(() -> check(config, token(second)) == null);
    assertThat(after.lastHost.get()).isEqualTo("jwks.invalid");
  }

  @Test
  void reachesATlsOriginatedClusterWithItsUpstreamTlsContext() throws Exception {
    TestPki.Ca root = TestPki.root("jwks-root");
    TestPki.Leaf identity = root.leaf().dns("jwks.invalid").issue();
    ECKey key = new ECKeyGenerator(Curve.P_256).keyID("tls-key").generate();
    KeysServer server = new KeysServer(new JWKSet(key.toPublicJWK()), identity);
    controlPlane = LoopbackControlPlane.start();
    controlPlane.setSnapshot("1", List.of(), List.of(),
        List.of(TlsResources.tlsCluster("jwks-tls",
            TlsResources.simple(TestPki.pem(root.certificate()), "jwks.invalid"))),
        List.of(cla("jwks-tls", server.hostPort())));
    startMesh();

    InboundFilterConfig config = jwtAuthn("https://jwks.invalid/keys/tls", "jwks-tls", "300s");
    await().atMost(WAIT).until(() -> check(config, token(key)) == null);
    assertThat(server.lastHost.get()).isEqualTo("jwks.invalid");
    assertThat(server.lastPath.get()).isEqualTo("/keys/tls");
  }

  @Test
  void aClusterThatNeverArrivesFailsTheFetchAndTheStatusSaysWhy() throws Exception {
    ECKey key = new ECKeyGenerator(Curve.P_256).keyID("lost").generate();
    KeysServer server = new KeysServer(new JWKSet(key.toPublicJWK()), null);
    controlPlane = LoopbackControlPlane.start();
    // The endpoints are there, under another cluster's name: nothing routes the fetch to them.
    controlPlane.setSnapshot("1", List.of(), List.of(), List.of(edsCluster("other-cluster")),
        List.of(cla("other-cluster", server.hostPort())));
    startMesh();

    InboundFilterConfig config = jwtAuthn("http://jwks.invalid/keys/lost", "no-such-cluster", "300s");
    await().atMost(WAIT).until(() -> cds("no-such-cluster") != null
        && cds("no-such-cluster").state() == ResourceState.DOES_NOT_EXIST);
    InboundReply reply = check(config, token(key));
    assertThat(reply.httpStatus()).isEqualTo(401);
    assertThat(reply.body()).isEqualTo("Jwks remote fetch is failed");
    assertThat(server.fetches.get()).isZero();
  }
}
