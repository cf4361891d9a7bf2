package io.mesh4j.runtime.okhttp;

import io.mesh4j.MeshRoutingException;
import io.mesh4j.MeshRoutingException.Reason;
import io.mesh4j.runtime.engine.RoutingDecision;
import io.mesh4j.runtime.policy.AttemptFailure;
import io.mesh4j.runtime.policy.AttemptLoop;
import io.mesh4j.runtime.policy.PolicyEnvironment;
import io.mesh4j.runtime.policy.ResponseView;
import io.mesh4j.runtime.policy.RoutePolicy;
import io.mesh4j.runtime.xds.resource.LbEndpoint;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import okhttp3.HttpUrl;
import okhttp3.Interceptor;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okhttp3.internal.http2.ErrorCode;
import okhttp3.internal.http2.StreamResetException;
import okio.Buffer;
import okio.BufferedSource;
import okio.ForwardingSource;
import okio.Okio;

/**
 * The OkHttp side of one routed call: sends the {@link AttemptLoop}'s attempts through the interceptor chain (an
 * application interceptor may proceed more than once) and translates OkHttp's failures into {@link AttemptFailure}s.
 *
 * <p>Timeouts on OkHttp:
 *
 * <ul>
 *   <li>the route timeout / max stream duration: a watchdog cancels the call when it expires, whether the call is
 *       waiting for headers, backing off, or streaming the body; the caller then sees
 *       {@link Reason#UPSTREAM_TIMEOUT} (from {@code execute()} or from the body's read). As Envoy, it covers the
 *       response until it is complete, so a long streamed body must fit in it (or the route must disable it).
 *   <li>{@code per_try_timeout}: OkHttp cannot cancel one attempt without cancelling the call, so it becomes the
 *       attempt's read timeout until the response headers arrive (Envoy also stops the per-try timer once the
 *       response has started); the body then gets the route's idle timeout, else the client's read timeout, back.
 *       A server that trickles header bytes faster than that is not caught by it, only by the route timeout.
 *   <li>{@code idle_timeout} and {@code per_try_idle_timeout}: the attempt's read and write timeouts.
 *   <li>the cluster's {@code connect_timeout}: the attempt's connect timeout.
 * </ul>
 */
final class OkHttpAttempts implements AttemptLoop.Transport<Response> {
  private final Interceptor.Chain chain;
  private final Request request;
  private final String authority;
  private final RoutingDecision decision;
  private final RoutePolicy policy;
  private final CallWatchdog watchdog;

  private OkHttpAttempts(
      Interceptor.Chain chain, Request request, String authority, RoutingDecision decision, CallWatchdog watchdog) {
    this.chain = chain;
    this.request = request;
    this.authority = authority;
    this.decision = decision;
    this.policy = decision.route().policy();
    this.watchdog = watchdog;
  }

  static Response execute(Interceptor.Chain chain, OkHttpRequestView view, RoutingDecision decision,
      AttemptLoop loop, PolicyEnvironment env) throws IOException {
    Request request = chain.request();
    RoutePolicy policy = decision.route().policy();
    long timeout = policy.callTimeoutNanos(decision.listenerMaxStreamDuration());
    long deadline = Long.MAX_VALUE;
    CallWatchdog watchdog = null;
    if (timeout > 0) {
      deadline = env.nanoClock().getAsLong() + timeout;
      watchdog = CallWatchdog.arm(chain.call(), env.scheduler(), timeout);
    }
    OkHttpAttempts attempts = new OkHttpAttempts(chain, request, view.authority(), decision, watchdog);
    boolean replayable = request.body() == null || !request.body().isOneShot();
    String contentType = request.header("Content-Type");
    boolean grpc = contentType != null && contentType.toLowerCase(Locale.ROOT).startsWith("application/grpc");
    try {
      return loop.execute(
          decision.cluster(), decision.endpoint(), policy, view, replayable, grpc, deadline, attempts);
    } catch (IOException | RuntimeException e) {
      if (watchdog != null) {
        watchdog.disarm();
        if (watchdog.fired() && !(e instanceof MeshRoutingException)) {
          throw attempts.callTimedOut(e);
        }
      }
      throw e;
    }
  }

  @Override
  public Response send(LbEndpoint endpoint, int attempt) throws IOException {
    HttpUrl url = request.url().newBuilder().host(endpoint.host()).port(endpoint.port()).build();
    Request.Builder routed = request.newBuilder().url(url);
    if (request.header("Host") == null) {
      routed.header("Host", authority);
    }
    if (policy.includeAttemptCount()) {
      routed.header("x-envoy-attempt-count", Integer.toString(attempt));
    }
    Interceptor.Chain attemptChain = chain.withConnectTimeout(
        millis(decision.cluster().cluster().connectTimeout().toNanos()), TimeUnit.MILLISECONDS);
    long idle = policy.attemptIdleTimeoutNanos();
    long untilHeaders = minPositive(policy.perTryTimeoutNanos(), idle);
    if (idle > 0) {
      attemptChain = attemptChain.withWriteTimeout(millis(idle), TimeUnit.MILLISECONDS);
    }
    if (untilHeaders > 0) {
      attemptChain = attemptChain.withReadTimeout(millis(untilHeaders), TimeUnit.MILLISECONDS);
    }
    Response response;
    try {
      response = attemptChain.proceed(routed.build());
    } catch (IOException e) {
      if (watchdog != null && watchdog.fired()) {
        throw callTimedOut(e);
      }
      throw e;
    }
    if (untilHeaders > 0 && untilHeaders != idle && response.body() != null) {
      // The per-try timeout ends with the headers: the body waits as long as the route (or the client) allows.
      long bodyTimeout = idle > 0 ? idle : TimeUnit.MILLISECONDS.toNanos(chain.readTimeoutMillis());
      response.body().source().timeout().timeout(bodyTimeout, TimeUnit.NANOSECONDS);
    }
    return response;
  }

  @Override
  public ResponseView view(Response response) {
    return new ResponseView() {
      @Override
      public int status() {
        return response.code();
      }

      @Override
      public String header(String lowerCaseName) {
        return OkHttpRequestView.joined(response.headers(), lowerCaseName);
      }
    };
  }

  @Override
  public AttemptFailure classify(IOException failure) {
    if (failure instanceof MeshRoutingException || chain.call().isCanceled()) {
      return null;
    }
    if (failure instanceof ConnectException || failure instanceof NoRouteToHostException) {
      return AttemptFailure.CONNECT_FAILURE;
    }
    if (failure instanceof SocketTimeoutException) {
      String message = String.valueOf(failure.getMessage()).toLowerCase(Locale.ROOT);
      return message.contains("connect") ? AttemptFailure.CONNECT_FAILURE : AttemptFailure.TIMEOUT;
    }
    if (failure instanceof StreamResetException reset && reset.errorCode == ErrorCode.REFUSED_STREAM) {
      return AttemptFailure.REFUSED_STREAM;
    }
    return AttemptFailure.RESET;
  }

  @Override
  public void discard(Response response) {
    response.close();
  }

  @Override
  public Response deliver(Response response, Runnable onComplete) {
    ResponseBody body = response.body();
    Runnable complete = watchdog == null ? onComplete : () -> {
      watchdog.disarm();
      onComplete.run();
    };
    if (body == null) {
      complete.run();
      return response;
    }
    return response.newBuilder().body(new CompletingBody(body, complete)).build();
  }

  private MeshRoutingException callTimedOut(Throwable cause) {
    MeshRoutingException timeout = new MeshRoutingException(Reason.UPSTREAM_TIMEOUT,
        "cluster '" + decision.cluster().name() + "': the route timeout of "
            + Duration.ofNanos(policy.callTimeoutNanos(decision.listenerMaxStreamDuration())) + " expired");
    timeout.initCause(cause);
    return timeout;
  }

  private static int millis(long nanos) {
    // OkHttp takes int milliseconds, where 0 means "no timeout": round up so that a tiny timeout stays a timeout.
    return (int) Math.min(Integer.MAX_VALUE, Math.max(1, TimeUnit.NANOSECONDS.toMillis(nanos + 999_999)));
  }

  private static long minPositive(long a, long b) {
    if (a <= 0) {
      return Math.max(b, 0);
    }
    return b <= 0 ? a : Math.min(a, b);
  }

  /**
   * The delivered body: runs the completion (circuit-breaker slot, watchdog) once, when closed or read to the end,
   * and reports a read cut short by the route timeout as {@link Reason#UPSTREAM_TIMEOUT}.
   */
  private final class CompletingBody extends ResponseBody {
    private final ResponseBody delegate;
    private final Runnable onComplete;
    private final AtomicBoolean completed = new AtomicBoolean();
    private final BufferedSource source;

    CompletingBody(ResponseBody delegate, Runnable onComplete) {
      this.delegate = delegate;
      this.onComplete = onComplete;
      this.source = Okio.buffer(new ForwardingSource(delegate.source()) {
        @Override
        public long read(Buffer sink, long byteCount) throws IOException {
          long read;
          try {
            read = super.read(sink, byteCount);
          } catch (IOException e) {
            if (watchdog != null && watchdog.fired()) {
              complete();
              throw callTimedOut(e);
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
}
