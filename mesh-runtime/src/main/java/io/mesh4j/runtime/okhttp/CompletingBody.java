package io.mesh4j.runtime.okhttp;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import okhttp3.MediaType;
import okhttp3.ResponseBody;
import okio.Buffer;
import okio.BufferedSource;
import okio.ForwardingSource;
import okio.Okio;

/**
 * A delivered response body: runs the attempt's completion (endpoint lease, circuit-breaker slot, watchdog) once,
 * when closed or read to the end, and reports a read cut short by the route timeout as the mesh's timeout.
 */
final class CompletingBody extends ResponseBody {
  private final ResponseBody delegate;
  private final Runnable onComplete;
  private final AtomicBoolean completed = new AtomicBoolean();
  private final BufferedSource source;

  /**
   * @param timedOut the exception a failed read becomes when the route timeout cut it short, or {@code null} when the
   *     timeout did not fire
   */
  CompletingBody(ResponseBody delegate, Runnable onComplete, Function<IOException, IOException> timedOut) {
    this.delegate = delegate;
    this.onComplete = onComplete;
    this.source = Okio.buffer(new ForwardingSource(delegate.source()) {
      @Override
      public long read(Buffer sink, long byteCount) throws IOException {
        long read;
        try {
          read = super.read(sink, byteCount);
        } catch (IOException e) {
          IOException timeout = timedOut.apply(e);
          if (timeout != null) {
            complete();
            throw timeout;
          }
          throw e;
        }
        if (read == -1) {
          complete();
        }
        return read;
      }

      @Override
      public void close() throws IOException {
        try {
          super.close();
        } finally {
          complete();
        }
      }
    });
  }

  private void complete() {
    if (completed.compareAndSet(false, true)) {
      onComplete.run();
    }
  }

  @Override
  public MediaType contentType() {
    return delegate.contentType();
  }

  @Override
  public long contentLength() {
    return delegate.contentLength();
  }

  @Override
  public BufferedSource source() {
    return source;
  }
}
