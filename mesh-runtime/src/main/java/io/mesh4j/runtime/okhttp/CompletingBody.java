package io.mesh4j.runtime.okhttp;

import io.mesh4j.MeshRoutingException;
import io.mesh4j.runtime.metrics.OutboundCall;
import io.mesh4j.runtime.metrics.ResponseFlags;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import okhttp3.MediaType;
import okhttp3.ResponseBody;
import okio.Buffer;
import okio.BufferedSource;
import okio.ForwardingSource;
import okio.Okio;

/**
 * A delivered response body: runs the attempt's completion (endpoint lease, circuit-breaker slot, watchdog) once,
 * when closed or read to the end, and reports a read cut short by the route timeout as the mesh's timeout. With
 * metrics on, it also counts the body's bytes and records the call when the body ends (Istio's duration covers the
 * whole response), so the response is wrapped once whether metrics are on or not.
 */
final class CompletingBody extends ResponseBody {
  /** The routed call the body belongs to. */
  interface Completion {
    /** The body was closed or read to its end, or the route timeout cut it short. Runs once. */
    void bodyEnded();

    /**
     * The exception a failed read becomes when the route timeout cut it short, or {@code null} when the timeout did
     * not fire.
     */
    IOException timedOut(IOException failure);

    /** Whether the caller cancelled the call. */
    boolean callCancelled();
  }

  private static final AtomicIntegerFieldUpdater<CompletingBody> COMPLETED =
      AtomicIntegerFieldUpdater.newUpdater(CompletingBody.class, "completed");

  private final ResponseBody delegate;
  private final Completion completion;
  /** What metrics note of the call, or null when metrics are off. */
  private final OutboundCall record;
  private final int status;
  private final BufferedSource source;
  private volatile int completed;

  /**
   * @param record the call's metrics, recorded when the body ends; or null
   * @param status the response's status, for the metrics
   */
  CompletingBody(ResponseBody delegate, Completion completion, OutboundCall record, int status) {
    this.delegate = delegate;
    this.completion = completion;
    this.record = record;
    this.status = status;
    this.source = Okio.buffer(new ForwardingSource(delegate.source()) {
      @Override
      public long read(Buffer sink, long byteCount) throws IOException {
        long read;
        try {
          read = super.read(sink, byteCount);
        } catch (IOException e) {
          IOException timeout = completion.timedOut(e);
          if (timeout != null) {
            complete();
            recordFailure(timeout);
            throw timeout;
          }
          recordFailure(e);
          throw e;
        }
        if (read == -1) {
          complete();
          if (record != null) {
            record.answered(status, -1);
          }
        } else if (record != null) {
          record.addResponseBytes(read);
        }
        return read;
      }

      @Override
      public void close() throws IOException {
        try {
          super.close();
        } finally {
          complete();
          if (record != null) {
            record.answered(status, -1);
          }
        }
      }
    });
  }

  private void complete() {
    if (COMPLETED.compareAndSet(this, 0, 1)) {
      completion.bodyEnded();
    }
  }

  private void recordFailure(IOException e) {
    if (record != null) {
      int flag = e instanceof MeshRoutingException m ? ResponseFlags.of(m)
          : completion.callCancelled() ? ResponseFlags.DC : ResponseFlags.UC;
      record.finish(status, -1, flag);
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
