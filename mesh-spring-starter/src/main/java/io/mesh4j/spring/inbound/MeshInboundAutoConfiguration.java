package io.mesh4j.spring.inbound;

import io.mesh4j.Mesh;
import io.mesh4j.runtime.MeshInternals;
import io.mesh4j.runtime.security.CertificateProvider;
import io.mesh4j.runtime.security.MeshSecurity;
import io.mesh4j.servlet.MeshServletFilter;
import io.mesh4j.spring.MeshAutoConfiguration;
import io.mesh4j.spring.MeshProperties;
import jakarta.servlet.Filter;
import java.util.Set;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.autoconfigure.ssl.SslBundleRegistrar;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The application's server under the mesh: the servlet filter (Spring MVC; it hands the peer to Spring Security as
 * a {@link MeshPeerAuthentication} when that is there) or the {@code WebFilter} (WebFlux) that applies the port's
 * server listener (RBAC, JWT) when {@code mesh.inbound.enabled=true}, and the SSL bundle {@code mesh} with the
 * workload certificate whenever the bootstrap has a certificate provider. Before Boot's SSL auto-configuration, which
 * collects the bundle's registrar.
 */
@AutoConfiguration(after = MeshAutoConfiguration.class,
    beforeName = "org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration")
@ConditionalOnBean(Mesh.class)
public class MeshInboundAutoConfiguration {
  /**
   * Before Spring Security's filter chain (its default order is -100, for the servlet filter and for WebFlux's
   * {@code WebFilterChainProxy} alike), so
   * requests the mesh refuses never reach authentication; after Boot's request-wrapping filters' own ordering band.
   */
  public static final int FILTER_ORDER = -110;

  /** The servlet filter, for Spring MVC applications. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
  @ConditionalOnClass({Filter.class, MeshServletFilter.class, FilterRegistrationBean.class})
  @ConditionalOnProperty(prefix = "mesh.inbound", name = "enabled", havingValue = "true")
  static class Servlet {

    @Bean
    @ConditionalOnMissingBean
    MeshInboundFilter meshInboundFilter(Mesh mesh, MeshProperties properties,
        ObjectProvider<MeshInboundFilter.PeerHandoff> handoff) {
      Integer port = properties.getInbound().getPort();
      return new MeshInboundFilter(mesh, port == null ? 0 : port, handoff.getIfUnique());
    }

    /** The peer as Spring Security's authentication, when Spring Security's web support is there. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.security.web.context.RequestAttributeSecurityContextRepository")
    static class SpringSecurity {

      @Bean
      @ConditionalOnMissingBean
      MeshInboundFilter.PeerHandoff meshPeerSecurityContext() {
        return new MeshPeerSecurityContext();
      }
    }

    @Bean
    @ConditionalOnMissingBean(name = "meshInboundFilterRegistration")
    FilterRegistrationBean<MeshInboundFilter> meshInboundFilterRegistration(MeshInboundFilter filter) {
      FilterRegistrationBean<MeshInboundFilter> registration = new FilterRegistrationBean<>(filter);
      registration.setName("meshInboundFilter");
      registration.setOrder(FILTER_ORDER);
      registration.addUrlPatterns("/*");
      return registration;
    }
  }

  /** The {@code WebFilter}, for Spring WebFlux applications (ordered by {@link #FILTER_ORDER} too). */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
  @ConditionalOnClass(name = {"org.springframework.web.server.WebFilter", "reactor.core.publisher.Mono"})
  @ConditionalOnProperty(prefix = "mesh.inbound", name = "enabled", havingValue = "true")
  static class Reactive {

    @Bean
    @ConditionalOnMissingBean
    MeshInboundWebFilter meshInboundWebFilter(Mesh mesh, MeshProperties properties) {
      Integer port = properties.getInbound().getPort();
      return new MeshInboundWebFilter(mesh, port == null ? 0 : port);
    }
  }

  /** The {@code mesh} SSL bundle, when the bootstrap has a certificate provider to make it from. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(SslBundleRegistrar.class)
  static class Ssl {

    @Bean
    @ConditionalOnMissingBean
    MeshSslBundleRegistrar meshSslBundleRegistrar(Mesh mesh, MeshProperties properties) {
      MeshInternals internals = MeshInternals.of(mesh);
      MeshSecurity security = internals.security();
      String instance = instance(security.providerInstanceNames(), properties.getInbound().getCertificateProvider());
      if (instance == null) {
        return MeshSslBundleRegistrar.none();
      }
      CertificateProvider provider = security.provider(instance);
      if (provider == null) {
        throw new IllegalStateException("mesh.inbound.certificate-provider: no certificate provider instance '"
            + instance + "' in the bootstrap " + security.providerInstanceNames());
      }
      return new MeshSslBundleRegistrar(provider, instance, internals.tlsMaterialWait());
    }

    /** The configured instance, else the bootstrap's only one, else none (no bundle). */
    private static String instance(Set<String> instances, String configured) {
      if (configured != null) {
        return configured;
      }
      return instances.size() == 1 ? instances.iterator().next() : null;
    }
  }
}
