package io.mesh4j.spring.inbound;

import static io.mesh4j.runtime.testing.ServerListeners.allowAll;
import static io.mesh4j.runtime.testing.ServerListeners.chain;
import static io.mesh4j.runtime.testing.ServerListeners.inlineHcm;
import static io.mesh4j.runtime.testing.ServerListeners.match;
import static io.mesh4j.runtime.testing.ServerListeners.mtls;
import static org.assertj.core.api.Assertions.assertThat;

import io.mesh4j.runtime.testing.HandBuiltInbound;
import io.mesh4j.runtime.testing.LoopbackControlPlane;
import io.mesh4j.runtime.testing.ServerListeners;
import io.mesh4j.runtime.testing.TestPki;
import io.mesh4j.runtime.testing.TlsResources;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.X509TrustManager;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.Authentication;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * A Spring MVC application with Spring Security requiring authentication, on Tomcat with {@code server.ssl.bundle=mesh}
 * under a server listener whose TLS chain asks for (but does not require) a client certificate: the peer the mesh
 * authenticated is Spring Security's {@link MeshPeerAuthentication}; a caller without certificate is not
 * authenticated.
 */
class MeshPeerAuthenticationTest {
  private static final String FRONTEND_ID = "spiffe://cluster.local/ns/shop/sa/frontend";
  private static final String HOST = "catalog.shop.svc";
  private static final TestPki.Ca ROOT = TestPki.root("mesh-root");
  private static final TestPki.Leaf FRONTEND = ROOT.leaf().spiffe(FRONTEND_ID).issue();
  private static final int PORT = HandBuiltInbound.freePort();

  @TempDir
  static Path certs;
  private static LoopbackControlPlane controlPlane;
  private static ConfigurableApplicationContext application;

  @BeforeAll
  static void start() throws Exception {
    ROOT.leaf().spiffe("spiffe://cluster.local/ns/shop/sa/catalog").dns(HOST).issue()
        .writeIstioFiles(certs, ROOT.certificate());
    controlPlane = LoopbackControlPlane.start();
    controlPlane.setSnapshot("1", List.of(ServerListeners.listener(
            ServerListeners.name("0.0.0.0:" + PORT), "0.0.0.0", PORT)
        .addFilterChains(chain("mtls", match().setTransportProtocol("tls").build(), mtls("default", false),
            inlineHcm(allowAll("inbound"))))
        .build()), List.of(), List.of(), List.of());
    String bootstrap = ServerListeners.withServerTemplate(
        TlsResources.withFileWatcher(controlPlane.bootstrapJson(), "default", certs, "600s"));
    application = new SpringApplicationBuilder(SecuredApplication.class)
        .properties("server.port=" + PORT, "server.address=127.0.0.1", "server.ssl.bundle=mesh",
            "server.ssl.client-auth=want", "mesh.inbound.enabled=true",
            "mesh.bootstrap-json=" + bootstrap.replace("\n", " "))
        .run();
    application.getBean(MeshInboundFilter.class).ready().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() {
    if (application != null) {
      application.close();
    }
    controlPlane.close();
  }

  @Test
  void theMeshPeerIsSpringSecuritysAuthentication() throws IOException {
    assertThat(get(FRONTEND, 200)).isEqualTo("MeshPeerAuthentication " + FRONTEND_ID);
  }

  @Test
  void withoutClientCertificateSpringSecurityHasNoAuthentication() throws IOException {
    get(null, 403);
  }

  private static String get(TestPki.Leaf identity, int status) throws IOException {
    SSLContext context = HandBuiltInbound.clientContext(identity, ROOT.certificate());
    X509TrustManager trust = (X509TrustManager) HandBuiltInbound.trustManagers(ROOT.certificate())
        .getTrustManagers()[0];
    OkHttpClient client = new OkHttpClient.Builder()
        .dns(host -> List.of(InetAddress.getLoopbackAddress()))
        .sslSocketFactory(context.getSocketFactory(), trust)
        .readTimeout(Duration.ofSeconds(60))
        .build();
    try (Response response = client.newCall(new Request.Builder().url("https://" + HOST + ":" + PORT + "/whoami")
        .build()).execute()) {
      assertThat(response.code()).isEqualTo(status);
      return response.body().string();
    }
  }

  @SpringBootConfiguration(proxyBeanMethods = false)
  @EnableAutoConfiguration
  @RestController
  static class SecuredApplication {

    @Bean
    SecurityFilterChain everythingAuthenticated(HttpSecurity http) throws Exception {
      return http.authorizeHttpRequests(requests -> requests.anyRequest().authenticated()).build();
    }

    @GetMapping("/whoami")
    String whoami(Authentication authentication) {
      return authentication.getClass().getSimpleName() + " " + authentication.getName();
    }
  }
}
