package io.mesh4j.spring.grpc;

import io.grpc.ManagedChannel;
import io.mesh4j.Mesh;
import io.mesh4j.grpc.MeshGrpc;
import io.mesh4j.spring.MeshAutoConfiguration;
import io.mesh4j.spring.MeshClients;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * {@link MeshGrpcChannels}: gRPC channels for {@code mesh:///} targets, closed with the context; with Spring gRPC,
 * its channel factory routes those targets too ({@code GrpcChannelFactory.createChannel("mesh:///catalog:9090")}).
 */
@AutoConfiguration(after = MeshAutoConfiguration.class)
@ConditionalOnClass({ManagedChannel.class, MeshGrpc.class})
@ConditionalOnBean(Mesh.class)
public class MeshGrpcAutoConfiguration {

  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  public MeshGrpcChannels meshGrpcChannels(Mesh mesh, MeshClients clients) {
    return new MeshGrpcChannels(mesh, clients);
  }

  /** {@code mesh:///} targets routed through Spring gRPC's channel factory, when Spring gRPC is there. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "org.springframework.grpc.client.GrpcChannelFactory")
  static class SpringGrpc {

    @Bean
    static BeanPostProcessor meshGrpcChannelFactoryPostProcessor(ObjectProvider<MeshGrpcChannels> channels) {
      return new MeshGrpcChannelFactoryPostProcessor(channels);
    }
  }
}
