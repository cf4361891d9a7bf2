package io.mesh4j.spring.actuate;

import io.mesh4j.Mesh;
import io.mesh4j.spring.MeshAutoConfiguration;
import io.mesh4j.spring.MeshWarmUp;
import java.time.Clock;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroupsPostProcessor;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;

/**
 * The {@code mesh} health indicator ({@code management.health.mesh.enabled}) and its place in the readiness group.
 * After Boot's availability probes, which create the readiness group this adds {@code mesh} to.
 */
@AutoConfiguration(
    after = MeshAutoConfiguration.class,
    afterName = "org.springframework.boot.health.autoconfigure.actuate.endpoint.AvailabilityProbesAutoConfiguration")
@ConditionalOnClass({HealthIndicator.class, HealthEndpointGroupsPostProcessor.class})
@ConditionalOnBean(Mesh.class)
public class MeshHealthAutoConfiguration {

  /** Named so that the contributor is {@code mesh}. */
  @Bean
  @ConditionalOnEnabledHealthIndicator("mesh")
  @ConditionalOnMissingBean(name = "meshHealthIndicator")
  public MeshHealthIndicator meshHealthIndicator(Mesh mesh, MeshWarmUp warmUp) {
    return new MeshHealthIndicator(mesh, warmUp, Clock.systemUTC());
  }

  @Bean
  @ConditionalOnEnabledHealthIndicator("mesh")
  static HealthEndpointGroupsPostProcessor meshReadinessGroup() {
    return new MeshReadinessGroup();
  }
}
