package io.mesh4j.spring.http;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.util.Set;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okio.BufferedSink;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.StreamingHttpOutputMessage;
import org.springframework.http.client.AbstractStreamingClientHttpRequest;
import org.springframework.http.client.ClientHttpResponse;

/** One blocking request over OkHttp; the body is written straight to the connection as OkHttp asks for it. */
final class MeshClientHttpRequest extends AbstractStreamingClientHttpRequest {
  /** Methods OkHttp refuses without a body. */
  private static final Set<String> NEED_BODY = Set.of("POST", "PUT", "PATCH", "PROPPATCH", "REPORT");

  private final OkHttpClient client;
  private final URI uri;
  private final HttpMethod method;

  MeshClientHttpRequest(OkHttpClient client, URI uri, HttpMethod method) {
    this.client = client;
    this.uri = uri;
    this.method = method;
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
  protected ClientHttpResponse executeInternal(HttpHeaders headers, StreamingHttpOutputMessage.Body body)
      throws IOException {
    Request.Builder request = new Request.Builder().url(uri.toString());
    headers.forEach((name, values) -> values.forEach(value -> request.addHeader(name, value)));
    request.method(method.name(), requestBody(headers, body));
    return new MeshClientHttpResponse(client.newCall(request.build()).execute());
  }

  private RequestBody requestBody(HttpHeaders headers, StreamingHttpOutputMessage.Body body) {
    if (body == null) {
      return NEED_BODY.contains(method.name()) ? RequestBody.create(new byte[0], null) : null;
    }
    MediaType contentType = headers.getContentType() == null ? null : MediaType.parse(headers.getContentType().toString());
    return new StreamingBody(body, contentType, headers.getContentLength());
  }

  /** Spring's body writer, writing into OkHttp's sink; replayable (for mesh retries) only when Spring says so. */
  private static final class StreamingBody extends RequestBody {
    private final StreamingHttpOutputMessage.Body body;
    private final MediaType contentType;
    private final long contentLength;

    StreamingBody(StreamingHttpOutputMessage.Body body, MediaType contentType, long contentLength) {
      this.body = body;
      this.contentType = contentType;
      this.contentLength = contentLength;
    }

    @Override
    public MediaType contentType() {
      return contentType;
    }

    @Override
    public long contentLength() {
      return contentLength;
    }

    @Override
    public boolean isOneShot() {
      return !body.repeatable();
    }

    @Override
    public void writeTo(BufferedSink sink) throws IOException {
      // OkHttp owns the sink: a body writer that closes its stream must not close the connection's.
      OutputStream out = new FilterOutputStream(sink.outputStream()) {
        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
          this.out.write(bytes, offset, length);
        }

        @Override
        public void close() throws IOException {
          flush();
        }
      };
      body.writeTo(out);
      out.flush();
    }
  }
}
