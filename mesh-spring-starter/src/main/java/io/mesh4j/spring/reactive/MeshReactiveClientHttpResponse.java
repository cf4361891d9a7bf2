package io.mesh4j.spring.reactive;

import java.net.HttpCookie;
import java.time.Duration;
import okhttp3.Response;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ResponseCookie;
import org.springframework.http.client.reactive.ClientHttpResponse;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;

/**
 * An OkHttp response as WebClient reads it. The body is read from OkHttp's stream on the read scheduler, one buffer
 * per unit of demand; cancelling it closes the stream, which ends the call.
 */
final class MeshReactiveClientHttpResponse implements ClientHttpResponse {
  static final int BUFFER_SIZE = 16 * 1024;

  private final Response response;
  private final DataBufferFactory bufferFactory;
  private final Scheduler readScheduler;
  private final HttpHeaders headers;

  MeshReactiveClientHttpResponse(Response response, DataBufferFactory bufferFactory, Scheduler readScheduler) {
    this.response = response;
    this.bufferFactory = bufferFactory;
    this.readScheduler = readScheduler;
    HttpHeaders copy = new HttpHeaders();
    response.headers().forEach(pair -> copy.add(pair.getFirst(), pair.getSecond()));
    this.headers = HttpHeaders.readOnlyHttpHeaders(copy);
  }

  @Override
  public HttpStatusCode getStatusCode() {
    return HttpStatusCode.valueOf(response.code());
  }

  @Override
  public HttpHeaders getHeaders() {
    return headers;
  }

  @Override
  public MultiValueMap<String, ResponseCookie> getCookies() {
    MultiValueMap<String, ResponseCookie> cookies = new LinkedMultiValueMap<>();
    for (String header : response.headers(HttpHeaders.SET_COOKIE)) {
      for (HttpCookie cookie : HttpCookie.parse(header)) {
        ResponseCookie.ResponseCookieBuilder builder = ResponseCookie.from(cookie.getName(), cookie.getValue())
            .secure(cookie.getSecure())
            .httpOnly(cookie.isHttpOnly());
        if (cookie.getDomain() != null) {
          builder.domain(cookie.getDomain());
        }
        if (cookie.getPath() != null) {
          builder.path(cookie.getPath());
        }
        if (cookie.getMaxAge() >= 0) {
          builder.maxAge(Duration.ofSeconds(cookie.getMaxAge()));
        }
        cookies.add(cookie.getName(), builder.build());
      }
    }
    return cookies;
  }

  @Override
  public Flux<DataBuffer> getBody() {
    return DataBufferUtils.readInputStream(() -> response.body().byteStream(), bufferFactory, BUFFER_SIZE)
        .subscribeOn(readScheduler)
        .doFinally(signal -> response.close());
  }
}
