package io.mesh4j.samples.gateway;

import java.io.IOException;
import java.io.InputStream;
import okhttp3.MediaType;
import okhttp3.RequestBody;
import okio.BufferedSink;
import okio.Okio;
import okio.Source;

/**
 * The partner's request body, passed on as it arrives: OkHttp pulls it from the server's input stream while it
 * writes to the upstream connection, so no more than a buffer of it is ever held. One-shot: a mesh retry does not
 * replay it (the request is not retried once its body has started).
 */
final class StreamingRequestBody extends RequestBody {
  private final InputStream in;
  private final long length;
  private final MediaType contentType;

  /** {@code length}: the announced {@code Content-Length}, or {@code -1} for a chunked body. */
  StreamingRequestBody(InputStream in, long length, MediaType contentType) {
    this.in = in;
    this.length = length;
    this.contentType = contentType;
  }

  @Override
  public MediaType contentType() {
    return contentType;
  }

  @Override
  public long contentLength() {
    return length;
  }

  @Override
  public boolean isOneShot() {
    return true;
  }

  @Override
  public void writeTo(BufferedSink sink) throws IOException {
    Source source = Okio.source(in);
    // Flush whenever the partner's side has nothing more ready, so the upstream sees the body as the partner sends it.
    for (long n; (n = source.read(sink.getBuffer(), 64 * 1024)) != -1; ) {
      if (in.available() == 0) {
        sink.flush();
      } else {
        sink.emitCompleteSegments();
      }
    }
  }
}
