package io.mesh4j.spring.inbound;

import static org.assertj.core.api.Assertions.assertThat;

import io.mesh4j.runtime.testing.HandBuiltInbound;
import io.mesh4j.runtime.testing.LoopbackControlPlane;
import io.mesh4j.runtime.testing.ServerListeners;
import io.mesh4j.runtime.testing.TestPki;
import io.mesh4j.spring.MeshAutoConfiguration;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.Certificate;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.http.HttpStatus;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import org.springframework.security.web.context.RequestAttributeSecurityContextRepository;
import reactor.core.publisher.Mono;

/** When the inbound filter and the {@code mesh} SSL bundle exist, and what they are made of. */
class MeshInboundAutoConfigurationTest {
  private static final TestPki.Ca ROOT = TestPki.root("mesh-root");
  private static final TestPki.Leaf WORKLOAD = ROOT.leaf().spiffe("spiffe://cluster.local/ns/shop/sa/catalog")
      .issue();
  private static LoopbackControlPlane controlPlane;

  @TempDir
  static Path certs;

  private final AutoConfigurations configurations =
      AutoConfigurations.of(MeshAutoConfiguration.class, MeshInboundAutoConfiguration.class, SslAutoConfiguration.class);

  @BeforeAll
  static void start() {
    controlPlane = LoopbackControlPlane.start();
    WORKLOAD.writeIstioFiles(certs, ROOT.certificate());
  }

  @AfterAll
  static void stop() {
    controlPlane.close();
  }

  private WebApplicationContextRunner web(String bootstrap) {
    return new WebApplicationContextRunner().withConfiguration(configurations)
        .withPropertyValues("mesh.bootstrap-json=" + bootstrap.replace("\n", " "));
  }

  private ReactiveWebApplicationContextRunner reactive(String bootstrap) {
    return new ReactiveWebApplicationContextRunner().withConfiguration(configurations)
        .withPropertyValues("mesh.bootstrap-json=" + bootstrap.replace("\n", " "));
  }

  /** The control plane's bootstrap, naming server listeners, with a file_watcher instance of each name. */
  private static String withProviders(String... instances) {
    String bootstrap = ServerListeners.withServerTemplate(controlPlane.bootstrapJson());
    if (instances.length == 0) {
      return bootstrap;
    }
    StringBuilder providers = new StringBuilder("\"certificate_providers\": {");
    for (int i = 0; i < instances.length; i++) {
      providers.append(i == 0 ? "" : ", ").append('"').append(instances[i]).append("\": {")
          .append("\"plugin_name\": \"file_watcher\", \"config\": {")
          .append("\"certificate_file\": \"").append(certs.resolve("cert-chain.pem")).append("\", ")
          .append("\"private_key_file\": \"").append(certs.resolve("key.pem")).append("\", ")
          .append("\"ca_certificate_file\": \"").append(certs.resolve("root-cert.pem")).append("\"}}");
    }
    int end = bootstrap.lastIndexOf('}');
    return bootstrap.substring(0, end) + ", " + providers + "}}";
  }

  @Test
  void theFilterIsOffUnlessAsked() {
    web(withProviders()).run(context -> assertThat(context).hasNotFailed()
        .doesNotHaveBean(MeshInboundFilter.class).doesNotHaveBean(FilterRegistrationBean.class));
  }

  @Test
  void theFilterIsRegisteredForThePortBeforeSpringSecurity() {
    int port = HandBuiltInbound.freePort();
    web(withProviders()).withPropertyValues("mesh.inbound.enabled=true", "mesh.inbound.port=" + port)
        .run(context -> {
          assertThat(context.getBean(MeshInboundFilter.class).port()).isEqualTo(port);
          FilterRegistrationBean<?> registration = context.getBean(FilterRegistrationBean.class);
          assertThat(registration.getFilter()).isSameAs(context.getBean(MeshInboundFilter.class));
          assertThat(registration.getUrlPatterns()).containsExactly("/*");
          // Spring Security's filter chain is at -100 (SecurityProperties.DEFAULT_FILTER_ORDER).
          assertThat(registration.getOrder()).isLessThan(-100);
        });
  }

  @Test
  void thePeerGoesToSpringSecurityOnlyWhenItIsThere() {
    web(withProviders()).withPropertyValues("mesh.inbound.enabled=true")
        .run(context -> assertThat(context).hasSingleBean(MeshPeerSecurityContext.class));
    web(withProviders()).withPropertyValues("mesh.inbound.enabled=true")
        .withClassLoader(new FilteredClassLoader(RequestAttributeSecurityContextRepository.class))
        .run(context -> assertThat(context).hasNotFailed().hasSingleBean(MeshInboundFilter.class)
            .doesNotHaveBean(MeshInboundFilter.PeerHandoff.class));
  }

  @Test
  void withoutAPortTheFilterWaitsForTheWebServers() {
    web(withProviders()).withPropertyValues("mesh.inbound.enabled=true")
        .run(context -> {
          assertThat(context.getBean(MeshInboundFilter.class).port()).isZero();
          assertThat(context.getBean(MeshInboundFilter.class).ready()).isNotDone();
        });
  }

  @Test
  void notInAnApplicationWithoutServletWebServer() {
    new ApplicationContextRunner().withConfiguration(configurations)
        .withPropertyValues("mesh.bootstrap-json=" + withProviders().replace("\n", " "), "mesh.inbound.enabled=true")
        .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(MeshInboundFilter.class)
            .doesNotHaveBean(MeshInboundWebFilter.class));
  }

  @Test
  void theWebFilterIsForReactiveApplicationsBeforeSpringSecurity() {
    int port = HandBuiltInbound.freePort();
    reactive(withProviders()).withPropertyValues("mesh.inbound.enabled=true", "mesh.inbound.port=" + port)
        .run(context -> {
          assertThat(context).hasSingleBean(MeshInboundWebFilter.class).doesNotHaveBean(MeshInboundFilter.class);
          assertThat(context.getBean(MeshInboundWebFilter.class).port()).isEqualTo(port);
          // Spring Security's WebFilterChainProxy is at -100 (WebFluxSecurityConfiguration).
          assertThat(context.getBean(MeshInboundWebFilter.class).getOrder()).isLessThan(-100);
        });
    reactive(withProviders()).run(context ->
        assertThat(context).hasNotFailed().doesNotHaveBean(MeshInboundWebFilter.class));
    web(withProviders()).withPropertyValues("mesh.inbound.enabled=true")
        .run(context -> assertThat(context).doesNotHaveBean(MeshInboundWebFilter.class));
  }

  @Test
  void theWebFilterAnswers503UntilThePortIsKnownAndItsListenerArrived() {
    int port = HandBuiltInbound.freePort();
    reactive(withProviders()).withPropertyValues("mesh.inbound.enabled=true").run(context -> {
      MeshInboundWebFilter unknownPort = context.getBean(MeshInboundWebFilter.class);
      assertThat(replyTo(unknownPort, port)).isEqualTo("503 mesh: the server's port is not known yet");
    });
    reactive(withProviders()).withPropertyValues("mesh.inbound.enabled=true", "mesh.inbound.port=" + port)
        .run(context -> {
          MeshInboundWebFilter noListener = context.getBean(MeshInboundWebFilter.class);
          assertThat(noListener.ready()).isNotDone();
          assertThat(replyTo(noListener, port))
              .isEqualTo("503 mesh: the server listener for port " + port + " has not arrived");
        });
  }

  @Test
  void theWebFilterLetsRequestsOnAnotherLocalPortThrough() {
    int port = HandBuiltInbound.freePort();
    reactive(withProviders()).withPropertyValues("mesh.inbound.enabled=true", "mesh.inbound.port=" + port)
        .run(context -> assertThat(replyTo(context.getBean(MeshInboundWebFilter.class), port + 1))
            .isEqualTo("200 application"));
  }

  /** The status and body a GET to {@code localPort} is answered, "application" when the filter let it through. */
  private static String replyTo(MeshInboundWebFilter filter, int localPort) {
    MockServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest.get("/catalog")
        .localAddress(new InetSocketAddress("127.0.0.1", localPort))
        .remoteAddress(new InetSocketAddress("127.0.0.1", 40000)));
    filter.filter(exchange, admitted -> {
      admitted.getResponse().setStatusCode(HttpStatus.OK);
      return admitted.getResponse().writeWith(Mono.just(
          admitted.getResponse().bufferFactory().wrap("application".getBytes(StandardCharsets.UTF_8))));
    }).block(Duration.ofSeconds(30));
    return exchange.getResponse().getStatusCode().value() + " " + exchange.getResponse().getBodyAsString()
        .block(Duration.ofSeconds(30));
  }

  @Test
  void theMeshBundleCarriesTheOnlyProvidersWorkloadCertificateAndRoots() {
    web(withProviders("default")).run(context -> {
      SslBundle bundle = context.getBean(SslBundles.class).getBundle("mesh");
      assertThat(bundle.getKey().getAlias()).isEqualTo(MeshSslBundle.ALIAS);
      Certificate[] chain = bundle.getStores().getKeyStore().getCertificateChain(MeshSslBundle.ALIAS);
      assertThat(chain[0]).isEqualTo(WORKLOAD.certificate());
      assertThat(bundle.getStores().getTrustStore().getCertificate("root-0")).isEqualTo(ROOT.certificate());
      assertThat(bundle.createSslContext()).isNotNull();
    });
  }

  @Test
  void withSeveralProvidersTheBundleNamesOne() {
    web(withProviders("default", "other")).run(context ->
        assertThat(context.getBean(SslBundles.class).getBundleNames()).doesNotContain("mesh"));
    web(withProviders("default", "other")).withPropertyValues("mesh.inbound.certificate-provider=other")
        .run(context -> assertThat(context.getBean(SslBundles.class).getBundleNames()).contains("mesh"));
  }

  @Test
  void anUnknownProviderFailsStartupNamingTheProperty() {
    web(withProviders("default")).withPropertyValues("mesh.inbound.certificate-provider=nope")
        .run(context -> assertThat(context).hasFailed().getFailure().rootCause()
            .hasMessageContaining("mesh.inbound.certificate-provider").hasMessageContaining("nope"));
  }
}
