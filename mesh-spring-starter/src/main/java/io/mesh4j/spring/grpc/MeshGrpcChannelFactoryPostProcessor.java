package io.mesh4j.spring.grpc;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.grpc.client.GrpcChannelFactory;

/**
 * Plugs {@code mesh:///} targets into Spring gRPC: each {@link GrpcChannelFactory} bean is wrapped so that those
 * targets are routed by the mesh. Wrapping rather than adding a factory bean, because Spring gRPC backs off its own
 * factories when the application has one.
 */
final class MeshGrpcChannelFactoryPostProcessor implements BeanPostProcessor {
  private final ObjectProvider<MeshGrpcChannels> channels;

  MeshGrpcChannelFactoryPostProcessor(ObjectProvider<MeshGrpcChannels> channels) {
    this.channels = channels;
  }

  @Override
  public Object postProcessAfterInitialization(Object bean, String beanName) {
    if (bean instanceof GrpcChannelFactory factory && !(bean instanceof MeshRoutedGrpcChannelFactory)) {
      return new MeshRoutedGrpcChannelFactory(factory, channels::getObject);
    }
    return bean;
  }
}
