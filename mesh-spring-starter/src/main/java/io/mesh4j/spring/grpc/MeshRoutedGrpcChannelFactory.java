package io.mesh4j.spring.grpc;

import io.grpc.ClientInterceptor;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.util.function.Supplier;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.grpc.client.ChannelBuilderOptions;
import org.springframework.grpc.client.GrpcChannelBuilderCustomizer;
import org.springframework.grpc.client.GrpcChannelFactory;

/**
 * Spring gRPC's channel factory with {@code mesh:///} targets routed by the mesh ({@link MeshGrpcChannels}); every
 * other target goes to the factory it wraps, unchanged. The options' interceptors and customizer apply to the channel
 * to each endpoint the mesh picks. Spring gRPC's global interceptors ({@code @GlobalClientInterceptor}) are applied by
 * its own factories only, so a mesh channel does not get them.
 */
final class MeshRoutedGrpcChannelFactory implements GrpcChannelFactory, DisposableBean {
  private final GrpcChannelFactory delegate;
  private final Supplier<MeshGrpcChannels> channels;

  MeshRoutedGrpcChannelFactory(GrpcChannelFactory delegate, Supplier<MeshGrpcChannels> channels) {
    this.delegate = delegate;
    this.channels = channels;
  }

  @Override
  public boolean supports(String target) {
    return MeshGrpcChannels.isMeshTarget(target) || delegate.supports(target);
  }

  @Override
  public boolean supports(ClientInterceptor interceptor) {
    return delegate.supports(interceptor);
  }

  @Override
  public ManagedChannel createChannel(String target, ChannelBuilderOptions options) {
    if (!MeshGrpcChannels.isMeshTarget(target)) {
      return delegate.createChannel(target, options);
    }
    return channels.get().channel(target, builder -> endpointChannel(target, builder, options));
  }

  @SuppressWarnings({"rawtypes", "unchecked"})
  private static ManagedChannelBuilder<?> endpointChannel(String target, ManagedChannelBuilder<?> builder,
      ChannelBuilderOptions options) {
    GrpcChannelBuilderCustomizer customizer = options.customizer();
    customizer.customize(target, (ManagedChannelBuilder) builder);
    if (!options.interceptors().isEmpty()) {
      builder.intercept(options.interceptors());
    }
    return builder;
  }

  @Override
  public void destroy() throws Exception {
    if (delegate instanceof DisposableBean disposable) {
      disposable.destroy();
    }
  }
}
