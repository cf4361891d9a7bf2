package io.mesh4j.spring;

import io.mesh4j.Mesh;
import io.mesh4j.MeshBuilder;
import io.mesh4j.MeshConfigurationException;
import okhttp3.OkHttpClient;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * Starts one {@link Mesh} for the application from {@code mesh.*}, and the OkHttp clients every HTTP adapter of the
 * starter sends through ({@link MeshClients}). The adapters for RestClient/RestTemplate, WebClient, gRPC and actuator
 * are auto-configurations of their own, each conditional on its classes.
 */
@AutoConfiguration
@ConditionalOnClass({Mesh.class, OkHttpClient.class})
@ConditionalOnProperty(prefix = "mesh", name = "enabled", havingValue = "true", matchIfMissing = true)
@EnableConfigurationProperties(MeshProperties.class)
public class MeshAutoConfiguration {

  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  public Mesh mesh(MeshProperties properties, ObjectProvider<MeshBuilderCustomizer> customizers) {
    if (properties.getBootstrapFile() != null && properties.getBootstrapJson() != null) {
      throw new MeshConfigurationException("mesh.bootstrap-file and mesh.bootstrap-json are both set: choose one");
    }
    MeshBuilder builder = Mesh.builder()
        .listenerWait(properties.getListenerWait())
        .outboundTrafficPolicy(properties.getOutboundTrafficPolicy());
    if (properties.getBootstrapFile() != null) {
      builder.bootstrapFile(properties.getBootstrapFile());
    } else if (properties.getBootstrapJson() != null) {
      builder.bootstrapJson(properties.getBootstrapJson());
    }
    if (properties.getConfigCacheDir() != null) {
      builder.configCache(properties.getConfigCacheDir());
    }
    customizers.orderedStream().forEach(customizer -> customizer.customize(builder));
    return builder.build();
  }

  @Bean
  @ConditionalOnMissingBean
  public MeshClients meshClients(Mesh mesh, MeshProperties properties) {
    return MeshClients.of(mesh, properties);
  }

  /** An OkHttp client routed by the mesh, unless the application defines its own. */
  @Bean
  @ConditionalOnMissingBean
  public OkHttpClient meshOkHttpClient(MeshClients clients) {
    return clients.routed();
  }

  @Bean
  @ConditionalOnMissingBean
  public MeshWarmUp meshWarmUp(Mesh mesh, MeshProperties properties) {
    return MeshWarmUp.start(mesh, properties.getWarmUpTargets());
  }
}
