package io.mesh4j.spring.reactive;

import io.mesh4j.spring.MeshAutoConfiguration;
import io.mesh4j.spring.MeshClients;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.webclient.WebClientCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Mono;

/** Routes the application's {@code WebClient.Builder} through the mesh with a {@link MeshClientHttpConnector}. */
@AutoConfiguration(after = MeshAutoConfiguration.class)
@ConditionalOnClass({WebClient.class, WebClientCustomizer.class, Mono.class})
@ConditionalOnBean(MeshClients.class)
public class MeshWebClientAutoConfiguration {

  /** Last, so that it replaces the connector Boot's own customizer set. */
  @Bean
  @Order(Ordered.LOWEST_PRECEDENCE)
  WebClientCustomizer meshWebClientCustomizer(MeshClients clients) {
    MeshClientHttpConnector connector = new MeshClientHttpConnector(clients);
    return builder -> builder.clientConnector(connector);
  }
}
