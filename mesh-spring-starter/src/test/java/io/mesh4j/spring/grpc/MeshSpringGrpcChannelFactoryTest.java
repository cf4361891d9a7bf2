package io.mesh4j.spring.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.CallOptions;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.stub.ClientCalls;
import io.mesh4j.runtime.testing.NamedGrpcServer;
import io.mesh4j.spring.MeshAutoConfiguration;
import io.mesh4j.spring.MeshTestBed;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.grpc.client.autoconfigure.CompositeChannelFactoryAutoConfiguration;
import org.springframework.boot.grpc.client.autoconfigure.GrpcClientAutoConfiguration;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.grpc.client.ChannelBuilderOptions;
import org.springframework.grpc.client.GrpcChannelFactory;

/**
 * Spring gRPC's own client auto-configuration with the starter's: the application's {@link GrpcChannelFactory}
 * routes {@code mesh:///} targets through the mesh and leaves every other target to Spring gRPC.
 */
class MeshSpringGrpcChannelFactoryTest {
  private static MeshTestBed mesh;
  private static NamedGrpcServer routedTo;
  private static NamedGrpcServer direct;

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(MeshAutoConfiguration.class, MeshGrpcAutoConfiguration.class,
          GrpcClientAutoConfiguration.class, CompositeChannelFactoryAutoConfiguration.class,
          SslAutoConfiguration.class))
      .withPropertyValues(mesh.bootstrapProperty(), "mesh.listener-wait=20s");

  /** 127.0.0.1:{direct's port} is a mesh name whose routes lead to another server: who answers tells the path. */
  @BeforeAll
  static void startMesh() {
    routedTo = NamedGrpcServer.start("routed");
    direct = NamedGrpcServer.start("direct");
    mesh = new MeshTestBed().route(direct.hostPort(), routedTo.hostPort());
  }

  @AfterAll
  static void stopMesh() {
    mesh.close();
    routedTo.close();
    direct.close();
  }

  private static String hello(ManagedChannel channel) {
    return ClientCalls.blockingUnaryCall(channel, NamedGrpcServer.HELLO,
        CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS), "hi");
  }

  @Test
  void meshTargetsAreRoutedWithTheOptionsInterceptorsAndOthersAreSpringGrpcs() {
    runner.run(context -> {
      GrpcChannelFactory factory = context.getBean(GrpcChannelFactory.class);
      AtomicInteger intercepted = new AtomicInteger();
      ClientInterceptor counting = new ClientInterceptor() {
        @Override
        public <Q, R> io.grpc.ClientCall<Q, R> interceptCall(io.grpc.MethodDescriptor<Q, R> method,
            CallOptions options, io.grpc.Channel next) {
          return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
            @Override
            public void start(Listener<R> listener, Metadata headers) {
              intercepted.incrementAndGet();
              super.start(listener, headers);
            }
          };
        }
      };

      assertThat(factory.supports("mesh:///" + direct.hostPort())).isTrue();
      assertThat(hello(factory.createChannel("mesh:///" + direct.hostPort(),
          ChannelBuilderOptions.defaults().withInterceptors(List.of(counting))))).isEqualTo("routed");
      assertThat(intercepted).hasValue(1);
      assertThat(hello(factory.createChannel(direct.hostPort()))).isEqualTo("direct");
    });
  }

  @Test
  void withoutSpringGrpcOnlyTheMeshChannelsAreThere() {
    ApplicationContextRunner starterOnly = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(MeshAutoConfiguration.class, MeshGrpcAutoConfiguration.class))
        .withPropertyValues(mesh.bootstrapProperty(), "mesh.listener-wait=20s");
    starterOnly.run(context -> assertThat(context).hasSingleBean(MeshGrpcChannelFactoryPostProcessor.class));
    starterOnly.withClassLoader(new FilteredClassLoader(GrpcChannelFactory.class))
        .run(context -> assertThat(context).hasNotFailed().hasSingleBean(MeshGrpcChannels.class)
            .doesNotHaveBean(MeshGrpcChannelFactoryPostProcessor.class));
  }
}
