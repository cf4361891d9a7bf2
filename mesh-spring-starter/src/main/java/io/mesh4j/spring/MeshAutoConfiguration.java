package io.mesh4j.spring;

import io.mesh4j.Mesh;
import io.mesh4j.MeshBuilder;
import io.mesh4j.MeshConfigurationException;
import okhttp3.OkHttpClient;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Starts one {@link Mesh} for the application from {@code mesh.*} and routes an OkHttp client through it. */
@AutoConfiguration
@ConditionalOnClass(Mesh.class)
@ConditionalOnProperty(prefix = "mesh", name = "enabled", havingValue = "true", matchIfMissing = true)
@EnableConfigurationProperties(MeshProperties.class)
public class MeshAutoConfiguration {

  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  public Mesh mesh(MeshProperties properties) {
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
    return builder.build();
  }

  /** An OkHttp client routed by the mesh, unless the application defines its own. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(OkHttpClient.class)
  static class OkHttpConfiguration {
    @Bean
    @ConditionalOnMissingBean
    OkHttpClient meshOkHttpClient(Mesh mesh) {
      return mesh.okHttp(new OkHttpClient.Builder()).build();
    }
  }
}
