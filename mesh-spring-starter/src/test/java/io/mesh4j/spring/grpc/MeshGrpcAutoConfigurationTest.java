package io.mesh4j.spring.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.stub.ClientCalls;
import io.mesh4j.runtime.testing.NamedGrpcServer;
import io.mesh4j.spring.MeshAutoConfiguration;
import io.mesh4j.spring.MeshTestBed;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.env.MapPropertySource;

class MeshGrpcAutoConfigurationTest {
  private static MeshTestBed mesh;
  private static NamedGrpcServer routedTo;
  private static NamedGrpcServer direct;

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(MeshAutoConfiguration.class, MeshGrpcAutoConfiguration.class))
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
  void meshTargetsAreRoutedAndTheirChannelsCloseWithTheContext() {
    AtomicReference<ManagedChannel> channel = new AtomicReference<>();
    runner.run(context -> {
      channel.set(context.getBean(MeshGrpcChannels.class).channel("mesh:///" + direct.hostPort()));
      assertThat(hello(channel.get())).isEqualTo("routed");
    });
    assertThat(channel.get().isShutdown()).isTrue();
  }

  @Test
  void aTargetOptedOutIsCalledDirectly() {
    // A key with a colon cannot go through withPropertyValues ("key:value" is a pair there too).
    Map<String, Object> optOut = Map.of("mesh.clients[" + direct.hostPort() + "].enabled", "false");
    runner.withInitializer(context -> context.getEnvironment().getPropertySources()
        .addFirst(new MapPropertySource("opt-out", optOut))).run(context -> {
      MeshGrpcChannels channels = context.getBean(MeshGrpcChannels.class);
      assertThat(hello(channels.channel("mesh:///" + direct.hostPort()))).isEqualTo("direct");
    });
  }

  @Test
  void withoutGrpcOnTheClassPathNothingIsAdded() {
    runner.withClassLoader(new FilteredClassLoader(ManagedChannel.class))
        .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(MeshGrpcChannels.class));
  }
}
