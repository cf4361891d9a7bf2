package io.mesh4j.runtime.okhttp;

import io.mesh4j.runtime.cluster.EndpointLease;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;
import okhttp3.MediaType;
import okhttp3.ResponseBody;
import okio.Buffer;
import okio.BufferedSource;
import okio.ForwardingSource;
import okio.Okio;

/**
 * A response body that releases the request's endpoint lease when the body is read to its end or closed, whichever
 * comes first, so an endpoint counts as busy for as long as it streams a response (LEAST_REQUEST reads this).
 */
final class LeaseReleasingBody extends ResponseBody {
  private final ResponseBody delegate;
  private final BufferedSource source;

  LeaseReleasingBody(ResponseBody delegate, ReleaseOnce release) {
    this.delegate = delegate;
    this.source = Okio.buffer(new ForwardingSource(delegate.source()) {
      @Override
      public long read(Buffer sink, long byteCount) throws IOException {
        long n;
        try {
          n = super.read(sink, byteCount);
        } catch (IOException e) {
          release.run();
          throw e;
        }
        if (n == -1) {
          release.run();
        }
        return n;
      }

      @Override
      public void close() throws IOException {
        try {
          super.close();
        } finally {
          release.run();
        }
      }
    });
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

  /** Releases a lease at most once, whichever path gets there first. */
  static final class ReleaseOnce implements Runnable {
    private final EndpointLease lease;
    private final AtomicBoolean done = new AtomicBoolean();

    ReleaseOnce(EndpointLease lease) {
      this.lease = lease;
    }

    @Override
    public void run() {
      if (done.compareAndSet(false, true)) {
        lease.release();
      }
    }
  }
}
