package io.mesh4j.spring.actuate;

import io.mesh4j.Mesh;
import io.mesh4j.spring.MeshAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/** The {@code mesh} actuator endpoint, when exposed ({@code management.endpoints.web.exposure.include=mesh}). */
@AutoConfiguration(after = MeshAutoConfiguration.class)
@ConditionalOnClass({Endpoint.class, ConditionalOnAvailableEndpoint.class})
@ConditionalOnBean(Mesh.class)
public class MeshEndpointAutoConfiguration {

  @Bean
  @ConditionalOnMissingBean
  @ConditionalOnAvailableEndpoint
  public MeshEndpoint meshEndpoint(Mesh mesh) {
    return new MeshEndpoint(mesh);
  }
}
