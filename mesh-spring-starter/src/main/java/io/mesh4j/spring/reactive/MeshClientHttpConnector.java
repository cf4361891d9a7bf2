package io.mesh4j.spring.reactive;

import io.mesh4j.spring.MeshClients;
import java.net.URI;
import java.util.Objects;
import java.util.function.Function;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.HttpMethod;
import org.springframework.http.client.reactive.ClientHttpConnector;
import org.springframework.http.client.reactive.ClientHttpRequest;
import org.springframework.http.client.reactive.ClientHttpResponse;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * {@code WebClient} over the mesh: each exchange is an asynchronous OkHttp call ({@code enqueue}) through the mesh's
 * client, so routing, retries and mTLS are the same as for every other client of the mesh.
 *
 * <p>Nothing blocks a reactive thread: the request body is pulled from its publisher by OkHttp's writer thread a few
 * buffers at a time (demand follows what was written, so a large body is never held in memory), and the response
 * body is read on {@code readScheduler} only as the subscriber asks for more. Cancelling the exchange, or the
 * response body, cancels the OkHttp call. Hosts opted out with {@code mesh.clients.<host>.enabled=false} go through
 * the same OkHttp configuration without the mesh.
 */
public final class MeshClientHttpConnector implements ClientHttpConnector {
  private final MeshClients clients;
  private final DataBufferFactory bufferFactory;
  private final Scheduler readScheduler;

  public MeshClientHttpConnector(MeshClients clients) {
    this(clients, DefaultDataBufferFactory.sharedInstance, Schedulers.boundedElastic());
  }

  public MeshClientHttpConnector(MeshClients clients, DataBufferFactory bufferFactory, Scheduler readScheduler) {
    this.clients = Objects.requireNonNull(clients, "clients");
    this.bufferFactory = Objects.requireNonNull(bufferFactory, "bufferFactory");
    this.readScheduler = Objects.requireNonNull(readScheduler, "readScheduler");
  }

  @Override
  public Mono<ClientHttpResponse> connect(
      HttpMethod method, URI uri, Function<? super ClientHttpRequest, Mono<Void>> requestCallback) {
    return Mono.defer(() -> {
      MeshReactiveClientHttpRequest request =
          new MeshReactiveClientHttpRequest(clients.forHost(uri.getHost()), method, uri, bufferFactory);
      return requestCallback.apply(request)
          .then(Mono.fromFuture(request::response, false))
          .<ClientHttpResponse>map(response -> new MeshReactiveClientHttpResponse(response, bufferFactory, readScheduler))
          .doOnCancel(request::cancel)
          .doOnError(error -> request.cancel());
    });
  }
}
