package io.mesh4j.test;

import io.mesh4j.spring.MeshBuilderCustomizer;
import io.mesh4j.spring.inbound.MeshInboundFilter;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** STRICT mTLS on a Spring MVC application's own Tomcat through {@code server.ssl.bundle=mesh} ({@link StrictMtlsContract}). */
@SpringBootTest(classes = {InboundTestApplication.class, MeshSslBundleSpringBootTest.WorkloadCertificates.class},
    webEnvironment = SpringBootTest.WebEnvironment.DEFINED_PORT,
    properties = {"mesh.inbound.enabled=true", "server.ssl.bundle=mesh", "server.ssl.client-auth=want"})
@MeshControlPlane(config = "classpath:inbound-strict")
class MeshSslBundleSpringBootTest extends StrictMtlsContract {
  private static final Workload WORKLOAD = new Workload("mesh4j-ssl-bundle-test");

  @Autowired
  MeshInboundFilter filter;

  @DynamicPropertySource
  static void serverPort(DynamicPropertyRegistry registry) {
    WORKLOAD.serverPort(registry);
  }

  @BeforeAll
  static void nameThePort() {
    WORKLOAD.nameThePort();
  }

  @AfterAll
  static void clear() {
    System.clearProperty(PORT_PROPERTY);
  }

  @Override
  Workload workload() {
    return WORKLOAD;
  }

  @Override
  CompletionStage<Void> listenerReady() {
    return filter.ready();
  }

  @TestConfiguration(proxyBeanMethods = false)
  static class WorkloadCertificates {
    @Bean
    MeshBuilderCustomizer workloadCertificates(Environment environment) {
      return WORKLOAD.workloadCertificates(environment);
    }
  }
}
