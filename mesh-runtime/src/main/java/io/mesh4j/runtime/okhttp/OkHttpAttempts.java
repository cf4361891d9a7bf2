package io.mesh4j.runtime.okhttp;

import io.mesh4j.runtime.cluster.ConnectFailures;
import io.mesh4j.runtime.cluster.EndpointLease;
import io.mesh4j.runtime.route.RequestShaping;
import io.mesh4j.runtime.security.MeshSecurity;
import okhttp3.Headers;
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
  private final OkHttpRequestView view;
  private final MeshSecurity security;
  private final Duration tlsMaterialWait;
  /** The hold on the endpoint of the attempt in flight; released once when that attempt is over. */
  private AttemptLease lease;

  private OkHttpAttempts(Interceptor.Chain chain, OkHttpRequestView view, RoutingDecision decision,
      CallWatchdog watchdog, MeshSecurity security, Duration tlsMaterialWait) {
    this.chain = chain;
    this.request = chain.request();
    this.authority = view.authority();
    this.view = view;
    this.decision = decision;
    this.policy = decision.route().policy();
    this.watchdog = watchdog;
    this.security = security;
    this.tlsMaterialWait = tlsMaterialWait;
  }

  static Response execute(Interceptor.Chain chain, OkHttpRequestView view, RoutingDecision decision,
      AttemptLoop loop, PolicyEnvironment env, MeshSecurity security, Duration tlsMaterialWait) throws IOException {
    Request request = chain.request();
    RoutePolicy policy = decision.route().policy();
    long timeout = policy.callTimeoutNanos(decision.listenerMaxStreamDuration());
    if (timeout > 0) {
      // An injected fault delay has already used part of the route timeout (the engine fails the call when it
      // used all of it).
      timeout = Math.max(1, timeout - decision.faultDelayNanos());
    }
    long deadline = Long.MAX_VALUE;
    CallWatchdog watchdog = null;
    if (timeout > 0) {
      deadline = env.nanoClock().getAsLong() + timeout;
      watchdog = CallWatchdog.arm(chain.call(), env.scheduler(), timeout);
    }
    OkHttpAttempts attempts = new OkHttpAttempts(chain, view, decision, watchdog, security, tlsMaterialWait);
    boolean replayable = request.body() == null || !request.body().isOneShot();
    try {
      return loop.execute(
          decision.cluster(), decision.endpoint(), policy, view, replayable, deadline, attempts);
    } catch (IOException | RuntimeException e) {
      attempts.releaseLease();
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
    Request routed = shaped(endpoint, attempt);
    EndpointLease held = attempt == 1 ? decision.lease() : decision.cluster().lease(endpoint);
    lease = held == null ? null : new AttemptLease(held);
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
      response = decision.cluster().cluster().tls() != null
          ? UpstreamTlsCall.proceed(attemptChain, routed, decision.cluster(), endpoint, security, tlsMaterialWait)
          : attemptChain.proceed(routed);
    } catch (IOException e) {
      if (lease != null && ConnectFailures.isConnectFailure(e)) {
        lease.held.connectFailed();
      }
      releaseLease();
      if (watchdog != null && watchdog.fired()) {
        throw callTimedOut(e);
      }
      throw e;
    } catch (RuntimeException | Error e) {
      releaseLease();
      throw e;
    }
    if (untilHeaders > 0 && untilHeaders != idle && response.body() != null) {
      // The per-try timeout ends with the headers: the body waits as long as the route (or the client) allows.
      long bodyTimeout = idle > 0 ? idle : TimeUnit.MILLISECONDS.toNanos(chain.readTimeoutMillis());
      response.body().source().timeout().timeout(bodyTimeout, TimeUnit.NANOSECONDS);
    }
    return response;
  }

  /** The request for one attempt: the endpoint's address, the route's rewrites and header mutations. */
  private Request shaped(LbEndpoint endpoint, int attempt) {
    HttpUrl.Builder url = request.url().newBuilder().host(endpoint.host()).port(endpoint.port());
    if (decision.path() != null) {
      String path = decision.path();
      int query = path.indexOf('?');
      url.encodedPath(query < 0 ? path : path.substring(0, query))
          .encodedQuery(query < 0 ? null : path.substring(query + 1));
    }
    RequestShaping shaping = decision.route().shaping();
    Headers.Builder headers = request.headers().newBuilder();
    shaping.requestHeaders().apply(new OkHttpHeaderEditor(headers));
    // auto_host_rewrite names the endpoint, which a retry may change.
    String host = shaping.hostRewrite() == null ? null : shaping.hostRewrite().apply(view, endpoint.host());
    if (host != null) {
      if (shaping.appendXForwardedHost()) {
        headers.add("x-forwarded-host", authority);
      }
      headers.set("Host", host);
    } else if (request.header("Host") == null) {
      headers.set("Host", authority);
    }
    if (policy.includeAttemptCount()) {
      headers.set("x-envoy-attempt-count", Integer.toString(attempt));
    }
    return request.newBuilder().url(url.build()).headers(headers.build()).build();
  }

  private void releaseLease() {
    AttemptLease current = lease;
    lease = null;
    if (current != null) {
      current.run();
    }
  }

  /** Releases the endpoint lease of one attempt exactly once, whichever of body end, close or failure comes first. */
  private static final class AttemptLease implements Runnable {
    final EndpointLease held;
    private final AtomicBoolean released = new AtomicBoolean();

    AttemptLease(EndpointLease held) {
      this.held = held;
    }

    @Override
    public void run() {
      if (released.compareAndSet(false, true)) {
        held.release();
      }
    }
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
    releaseLease();
  }

  @Override
  public Response deliver(Response response, Runnable onComplete) {
    AttemptLease attemptLease = lease;
    lease = null;
    Runnable complete = () -> {
      if (watchdog != null) {
        watchdog.disarm();
      }
      if (attemptLease != null) {
        attemptLease.run();
      }
      onComplete.run();
    };
    Response.Builder out = response.newBuilder();
    RequestShaping shaping = decision.route().shaping();
    if (!shaping.responseHeaders().isEmpty()) {
      Headers.Builder headers = response.headers().newBuilder();
      shaping.responseHeaders().apply(new OkHttpHeaderEditor(headers));
      out.headers(headers.build());
    }
    if (decision.setCookie() != null) {
      out.addHeader("Set-Cookie", decision.setCookie());
    }
    ResponseBody body = response.body();
    if (body == null) {
      complete.run();
      return out.build();
    }
    // The endpoint, the circuit-breaker slot and the watchdog stay held until the body is consumed or closed.
    return out.body(new CompletingBody(body, complete)).build();
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
