package io.mesh4j.spring.actuate;

import io.mesh4j.Mesh;
import io.mesh4j.spring.MeshAutoConfiguration;
import io.mesh4j.spring.MeshWarmUp;
import java.time.Clock;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroupsPostProcessor;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The mesh in actuator: the {@code mesh} endpoint, the {@code mesh} health indicator ({@code management.health.mesh
 * .enabled}) and its place in the readiness group. Each part is conditional on its own actuator module.
 */
@AutoConfiguration(
    after = MeshAutoConfiguration.class,
    afterName = "org.springframework.boot.health.autoconfigure.actuate.endpoint.AvailabilityProbesAutoConfiguration")
@ConditionalOnBean(Mesh.class)
public class MeshActuatorAutoConfiguration {

  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass({Endpoint.class, ConditionalOnAvailableEndpoint.class})
  static class EndpointConfiguration {
    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnAvailableEndpoint
    MeshEndpoint meshEndpoint(Mesh mesh) {
      return new MeshEndpoint(mesh);
    }
  }

  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass({HealthIndicator.class, ConditionalOnEnabledHealthIndicator.class})
  @ConditionalOnEnabledHealthIndicator("mesh")
  static class HealthConfiguration {
    /** Named so that the contributor is {@code mesh}. */
    @Bean
    @ConditionalOnMissingBean(name = "meshHealthIndicator")
    MeshHealthIndicator meshHealthIndicator(Mesh mesh, MeshWarmUp warmUp) {
      return new MeshHealthIndicator(mesh, warmUp, Clock.systemUTC());
    }

    /** After Boot's availability probes, which create the readiness group this adds {@code mesh} to. */
    @Bean
    @ConditionalOnClass(HealthEndpointGroupsPostProcessor.class)
    static HealthEndpointGroupsPostProcessor meshReadinessGroup() {
      return new MeshReadinessGroup();
    }
  }
}
