package io.mesh4j.spring.grpc;

import io.grpc.ManagedChannel;
import io.mesh4j.Mesh;
import io.mesh4j.grpc.MeshGrpc;
import io.mesh4j.spring.MeshAutoConfiguration;
import io.mesh4j.spring.MeshClients;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/** {@link MeshGrpcChannels}: gRPC channels for {@code mesh:///} targets, closed with the context. */
@AutoConfiguration(after = MeshAutoConfiguration.class)
@ConditionalOnClass({ManagedChannel.class, MeshGrpc.class})
@ConditionalOnBean(Mesh.class)
public class MeshGrpcAutoConfiguration {

  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  public MeshGrpcChannels meshGrpcChannels(Mesh mesh, MeshClients clients) {
    return new MeshGrpcChannels(mesh, clients);
  }
}
