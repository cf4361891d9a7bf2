package io.mesh4j.spring.reactive;

import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.reactivestreams.Publisher;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.client.reactive.AbstractClientHttpRequest;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * One reactive request: committing it starts an asynchronous OkHttp call whose body (if any) is pulled from the
 * publisher as OkHttp writes it; {@link #response()} completes with OkHttp's answer.
 */
final class MeshReactiveClientHttpRequest extends AbstractClientHttpRequest {
  /** Methods OkHttp refuses without a body. */
  private static final Set<String> NEED_BODY = Set.of("POST", "PUT", "PATCH", "PROPPATCH", "REPORT");

  private final OkHttpClient client;
  private final HttpMethod method;
  private final URI uri;
  private final DataBufferFactory bufferFactory;
  /** Cancelling it (the exchange was cancelled) cancels the call; a response that arrives after is closed. */
  private final CompletableFuture<Response> response = new CompletableFuture<>();
  private volatile Request nativeRequest;

  MeshReactiveClientHttpRequest(OkHttpClient client, HttpMethod method, URI uri, DataBufferFactory bufferFactory) {
    this.client = client;
    this.method = method;
    this.uri = uri;
    this.bufferFactory = bufferFactory;
  }

  @Override
  public HttpMethod getMethod() {
    return method;
  }

  @Override
  public URI getURI() {
    return uri;
  }

  @Override
  public DataBufferFactory bufferFactory() {
    return bufferFactory;
  }

  @Override
  @SuppressWarnings("unchecked")
  public <T> T getNativeRequest() {
    return (T) nativeRequest;
  }

  @Override
  public Mono<Void> writeWith(Publisher<? extends DataBuffer> body) {
    return doCommit(() -> Mono.fromRunnable(() -> start(new PublisherRequestBody(body, contentType(), contentLength()))));
  }

  @Override
  public Mono<Void> writeAndFlushWith(Publisher<? extends Publisher<? extends DataBuffer>> body) {
    return writeWith(Flux.from(body).concatMap(Flux::from));
  }

  @Override
  public Mono<Void> setComplete() {
    return doCommit(() -> Mono.fromRunnable(
        () -> start(NEED_BODY.contains(method.name()) ? RequestBody.create(new byte[0], contentType()) : null)));
  }

  @Override
  protected void applyHeaders() {
    // Read when the OkHttp request is built, in start().
  }

  @Override
  protected void applyCookies() {
    // Read when the OkHttp request is built, in start().
  }

  /** Completes with the response once the call has one; fails when the call fails. */
  CompletableFuture<Response> response() {
    return response;
  }

  void cancel() {
    response.cancel(false);
  }

  private void start(RequestBody body) {
    if (response.isDone()) {
      return;
    }
    Request.Builder builder = new Request.Builder().url(uri.toString());
    HttpHeaders headers = getHeaders();
    headers.forEach((name, values) -> values.forEach(value -> builder.addHeader(name, value)));
    if (!getCookies().isEmpty()) {
      builder.addHeader(HttpHeaders.COOKIE, getCookies().values().stream()
          .flatMap(List::stream)
          .map(cookie -> cookie.getName() + "=" + cookie.getValue())
          .collect(Collectors.joining("; ")));
    }
    builder.method(method.name(), body);
    Request request = builder.build();
    nativeRequest = request;
    Call call = client.newCall(request);
    response.whenComplete((ignored, error) -> {
      if (response.isCancelled()) {
        call.cancel();
      }
    });
    call.enqueue(new Callback() {
      @Override
      public void onResponse(Call call, Response answer) {
        if (!response.complete(answer)) {
          answer.close();
        }
      }

      @Override
      public void onFailure(Call call, IOException e) {
        response.completeExceptionally(e);
      }
    });
  }

  private MediaType contentType() {
    return getHeaders().getContentType() == null ? null : MediaType.parse(getHeaders().getContentType().toString());
  }

  private long contentLength() {
    return getHeaders().getContentLength();
  }

}
