package io.mesh4j.spring.reactive;

import static org.assertj.core.api.Assertions.assertThat;

import io.mesh4j.runtime.testing.NamedHttpServer;
import io.mesh4j.spring.MeshAutoConfiguration;
import io.mesh4j.spring.MeshTestBed;
import io.mesh4j.spring.StreamingHttpServer;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Subscription;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.http.client.autoconfigure.reactive.ReactiveHttpClientAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.webclient.WebClientCustomizer;
import org.springframework.boot.webclient.autoconfigure.WebClientAutoConfiguration;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.web.reactive.function.BodyInserters;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;

class MeshWebClientAutoConfigurationTest {
  private static final long FIFTY_MB = 50L * 1024 * 1024;
  /** Far less than the body: what socket buffers and a few chunks in flight may hold, not the whole body. */
  private static final long AHEAD_BOUND = 16L * 1024 * 1024;

  private static MeshTestBed mesh;
  private static NamedHttpServer named;
  private static StreamingHttpServer streaming;

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      // With Boot's own connector (JDK) configured too: the mesh's must be the one the builder ends up with.
      .withConfiguration(AutoConfigurations.of(MeshAutoConfiguration.class, MeshWebClientAutoConfiguration.class,
          ReactiveHttpClientAutoConfiguration.class, WebClientAutoConfiguration.class))
      .withPropertyValues(mesh.bootstrapProperty(), "mesh.listener-wait=20s");

  @BeforeAll
  static void startMesh() {
    named = NamedHttpServer.start("catalog-v1");
    streaming = new StreamingHttpServer();
    mesh = new MeshTestBed().route("catalog.mesh:8080", named.hostPort()).route("stream.mesh:8081", streaming.hostPort());
  }

  @AfterAll
  static void stopMesh() {
    mesh.close();
    named.close();
    streaming.close();
  }

  @Test
  void webClientBuilderSendsThroughTheMesh() {
    runner.run(context -> {
      WebClient client = context.getBean(WebClient.Builder.class).build();
      String body = client.get().uri("http://catalog.mesh:8080/items").retrieve().bodyToMono(String.class)
          .block(Duration.ofSeconds(30));
      assertThat(body).isEqualTo("catalog-v1");
      assertThat(named.lastHost()).isEqualTo("catalog.mesh:8080");
      assertThat(context).hasBean("clientHttpConnector");
    });
  }

  @Test
  void aFiftyMegabyteUploadIsStreamedAtThePaceTheServerReadsIt() {
    runner.run(context -> {
      WebClient client = context.getBean(WebClient.Builder.class).build();
      long receivedBefore = streaming.received();
      AtomicLong maxAhead = new AtomicLong();
      Flux<DataBuffer> body = Flux.generate(() -> 0L, (offset, sink) -> {
        if (offset >= FIFTY_MB) {
          sink.complete();
          return offset;
        }
        int length = (int) Math.min(StreamingHttpServer.CHUNK, FIFTY_MB - offset);
        maxAhead.accumulateAndGet(offset + length - (streaming.received() - receivedBefore), Math::max);
        sink.next(DefaultDataBufferFactory.sharedInstance.wrap(StreamingHttpServer.pattern(offset, length)));
        return offset + length;
      });
      String answer = client.post().uri("http://stream.mesh:8081/upload")
          .body(BodyInserters.fromDataBuffers(body))
          .retrieve().bodyToMono(String.class).block(Duration.ofMinutes(3));
      assertThat(answer).isEqualTo(FIFTY_MB + " " + StreamingHttpServer.sha256Of(FIFTY_MB));
      assertThat(maxAhead.get()).isPositive().isLessThan(AHEAD_BOUND);
    });
  }

  @Test
  void aFiftyMegabyteDownloadIsReadOnlyAsTheSubscriberAsks() {
    runner.run(context -> {
      WebClient client = context.getBean(WebClient.Builder.class).build();
      long writtenBefore = streaming.written();
      MessageDigest digest = StreamingHttpServer.sha256();
      AtomicLong consumed = new AtomicLong();
      AtomicLong maxAhead = new AtomicLong();
      Sinks.One<String> done = Sinks.one();
      client.get().uri("http://stream.mesh:8081/download?bytes=" + FIFTY_MB).retrieve().bodyToFlux(DataBuffer.class)
          .subscribe(new BaseSubscriber<DataBuffer>() {
            @Override
            protected void hookOnSubscribe(Subscription subscription) {
              request(1);
            }

            @Override
            protected void hookOnNext(DataBuffer buffer) {
              byte[] bytes = new byte[buffer.readableByteCount()];
              buffer.read(bytes);
              DataBufferUtils.release(buffer);
              digest.update(bytes);
              long total = consumed.addAndGet(bytes.length);
              maxAhead.accumulateAndGet(streaming.written() - writtenBefore - total, Math::max);
              request(1);
            }

            @Override
            protected void hookOnComplete() {
              done.tryEmitValue(HexFormat.of().formatHex(digest.digest()));
            }

            @Override
            protected void hookOnError(Throwable error) {
              done.tryEmitError(error);
            }
          });
      assertThat(done.asMono().block(Duration.ofMinutes(3))).isEqualTo(StreamingHttpServer.sha256Of(FIFTY_MB));
      assertThat(consumed.get()).isEqualTo(FIFTY_MB);
      assertThat(maxAhead.get()).isLessThan(AHEAD_BOUND);
    });
  }

  @Test
  void cancellingTheResponseBodyEndsTheCall() {
    runner.run(context -> {
      WebClient client = context.getBean(WebClient.Builder.class).build();
      DataBuffer first = client.get().uri("http://stream.mesh:8081/endless").retrieve().bodyToFlux(DataBuffer.class)
          .take(1).blockLast(Duration.ofSeconds(30));
      assertThat(first.readableByteCount()).isPositive();
      DataBufferUtils.release(first);
      // The server writes until its client is gone: only a closed connection ends its loop.
      assertThat(streaming.endlessClientGone().await(60, TimeUnit.SECONDS)).isTrue();
    });
  }

  @Test
  void aHostOptedOutIsCalledDirectly() {
    runner.withPropertyValues("mesh.clients[catalog.mesh].enabled=false").run(context -> {
      WebClient client = context.getBean(WebClient.Builder.class).build();
      // Outside the mesh the name means nothing: the call fails on DNS instead of being routed.
      assertThat(client.get().uri("http://catalog.mesh:8080/items").retrieve().bodyToMono(String.class)
          .onErrorResume(error -> reactor.core.publisher.Mono.just("failed: " + error.getClass().getSimpleName()))
          .block(Duration.ofSeconds(30))).startsWith("failed:");
    });
  }

  @Test
  void withoutWebFluxOnTheClassPathNothingIsAdded() {
    runner.withClassLoader(new FilteredClassLoader(WebClient.class))
        .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(WebClientCustomizer.class));
  }
}
