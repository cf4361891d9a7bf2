package io.mesh4j.spring.http;

import java.io.InputStream;
import okhttp3.Response;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.client.ClientHttpResponse;

/** An OkHttp response as Spring reads it; the body is OkHttp's stream, read as the application reads it. */
final class MeshClientHttpResponse implements ClientHttpResponse {
  private final Response response;
  private HttpHeaders headers;

  MeshClientHttpResponse(Response response) {
    this.response = response;
  }

  @Override
  public HttpStatusCode getStatusCode() {
    return HttpStatusCode.valueOf(response.code());
  }

  @Override
  public String getStatusText() {
    return response.message();
  }

  @Override
  public HttpHeaders getHeaders() {
    if (headers == null) {
      HttpHeaders copy = new HttpHeaders();
      response.headers().forEach(pair -> copy.add(pair.getFirst(), pair.getSecond()));
      headers = HttpHeaders.readOnlyHttpHeaders(copy);
    }
    return headers;
  }

  @Override
  public InputStream getBody() {
    return response.body().byteStream();
  }

  @Override
  public void close() {
    response.close();
  }
}
