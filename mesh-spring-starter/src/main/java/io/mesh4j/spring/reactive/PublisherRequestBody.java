package io.mesh4j.spring.reactive;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import okhttp3.MediaType;
import okhttp3.RequestBody;
import okio.BufferedSink;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;

/**
 * A request body pulled from a publisher by OkHttp's writer thread. It asks for {@value #IN_FLIGHT} buffers, and for
 * one more each time one has been written to the connection, so at most that many are held however large the body:
 * the publisher is slowed to the network's pace. One-shot: the mesh does not replay it on a retry.
 */
final class PublisherRequestBody extends RequestBody {
  static final int IN_FLIGHT = 4;
  private static final Object COMPLETE = new Object();

  private final Publisher<? extends DataBuffer> body;
  private final MediaType contentType;
  private final long contentLength;

  PublisherRequestBody(Publisher<? extends DataBuffer> body, MediaType contentType, long contentLength) {
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
    return true;
  }

  @Override
  public void writeTo(BufferedSink sink) throws IOException {
    Pull pull = new Pull();
    body.subscribe(pull);
    boolean done = false;
    try {
      while (true) {
        Object item = pull.take();
        if (item == COMPLETE) {
          done = true;
          return;
        }
        if (item instanceof Throwable error) {
          done = true;
          throw error instanceof IOException io ? io : new IOException("request body failed: " + error, error);
        }
        DataBuffer buffer = (DataBuffer) item;
        try (DataBuffer.ByteBufferIterator chunks = buffer.readableByteBuffers()) {
          while (chunks.hasNext()) {
            ByteBuffer chunk = chunks.next();
            while (chunk.hasRemaining()) {
              sink.write(chunk);
            }
          }
        } finally {
          DataBufferUtils.release(buffer);
        }
        sink.emit();
        pull.request(1);
      }
    } finally {
      if (!done) {
        pull.cancel();
      }
    }
  }

  /** Hands the publisher's signals to the writer thread; demand is bounded, so the queue is too. */
  private static final class Pull implements Subscriber<DataBuffer> {
    private final BlockingQueue<Object> signals = new LinkedBlockingQueue<>();
    private volatile Subscription subscription;
    private volatile boolean cancelled;

    @Override
    public void onSubscribe(Subscription s) {
      subscription = s;
      s.request(IN_FLIGHT);
    }

    @Override
    public void onNext(DataBuffer buffer) {
      if (cancelled) {
        DataBufferUtils.release(buffer);
        return;
      }
      signals.add(buffer);
    }

    @Override
    public void onError(Throwable error) {
      signals.add(error);
    }

    @Override
    public void onComplete() {
      signals.add(COMPLETE);
    }

    Object take() throws InterruptedIOException {
      try {
        return signals.take();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while waiting for the request body");
      }
    }

    void request(long n) {
      subscription.request(n);
    }

    void cancel() {
      cancelled = true;
      Subscription s = subscription;
      if (s != null) {
        s.cancel();
      }
      for (Object item; (item = signals.poll()) != null; ) {
        if (item instanceof DataBuffer buffer) {
          DataBufferUtils.release(buffer);
        }
      }
    }
  }
}
