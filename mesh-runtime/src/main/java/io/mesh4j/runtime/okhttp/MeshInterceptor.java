package io.mesh4j.runtime.okhttp;

import io.mesh4j.runtime.engine.MeshEngine;
import io.mesh4j.runtime.engine.RoutingDecision;
import io.mesh4j.runtime.metrics.OutboundCall;
import io.mesh4j.runtime.metrics.OutboundMetrics;
import io.mesh4j.runtime.metrics.RequestLabels;
import io.mesh4j.runtime.policy.AttemptLoop;
import io.mesh4j.runtime.policy.PolicyEnvironment;
import io.mesh4j.runtime.security.MeshSecurity;
import java.io.IOException;
import java.net.ProtocolException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import okhttp3.HttpUrl;
import okhttp3.Interceptor;
import okhttp3.Request;
import okhttp3.Response;

/**
 * Routes OkHttp calls through the mesh: a request to {@code http://<mesh host>:<port>/...} is sent to the endpoint
 * the engine picks, keeping the original Host header so the server and its virtual hosts see the mesh name.
 * Installed by {@link MeshOkHttp} as an application interceptor, so it runs once per call and the body is streamed,
 * never buffered.
 *
 * <p>Plain-text HTTP is what the mesh routes; {@code https} URLs belong to the application's own TLS and go out
 * untouched (under REGISTRY_ONLY only to hosts the mesh knows).
 */
final class MeshInterceptor implements Interceptor {
  private final MeshEngine engine;
  private final MeshSecurity security;
  private final Duration tlsMaterialWait;
  private final PolicyEnvironment env;
  private final AttemptLoop attempts;
  private final DirectCallLimits directLimits;
  /** Targets by URL host; bounded (the hosts an application calls are few, but not necessarily all in the mesh). */
  private final ConcurrentHashMap<String, Target> targets = new ConcurrentHashMap<>();
  private static final int MAX_TARGETS = 1024;

  /**
   * @param security upstream TLS contexts for clusters with a {@code transport_socket}, or null for none (requests
   *     to clusters with an UpstreamTlsContext then fail, never go out in plain text)
   * @param tlsMaterialWait how long the first request to a TLS cluster waits for its certificate material
   * @param env clock, random, timers and sleeper for timeouts, retries, back-off and fault delays
   * @param directLimits the application dispatcher's limits, for asynchronous calls outside the mesh when the
   *     client's dispatcher is the mesh's ({@link MeshOkHttp}); null when the dispatcher still applies them itself
   */
  MeshInterceptor(MeshEngine engine, MeshSecurity security, Duration tlsMaterialWait, PolicyEnvironment env,
      DirectCallLimits directLimits) {
    this.engine = Objects.requireNonNull(engine, "engine");
    this.security = security;
    this.tlsMaterialWait = Objects.requireNonNull(tlsMaterialWait, "tlsMaterialWait");
    this.env = Objects.requireNonNull(env, "env");
    this.attempts = new AttemptLoop(env);
    this.directLimits = directLimits;
  }

  @Override
  public Response intercept(Chain chain) throws IOException {
    AsyncCallExecutor.Scope async = AsyncCallExecutor.claimCurrent();
    Request request = chain.request();
    Response response = hop(chain, request, async);
    // Redirects from mesh hosts come back unfollowed (MeshNetworkInterceptor): follow them here, routing every hop.
    // (Only a redirect's status can come with a held Location: no header scan for the others.)
    for (int followUps = 0; RedirectFollowUp.isRedirect(response.code())
        && response.header(MeshNetworkInterceptor.HELD_LOCATION) != null; ) {
      response = MeshNetworkInterceptor.restoreLocation(response);
      Request next = RedirectFollowUp.next(chain, request, response);
      if (next == null) {
        return response;
      }
      response.close();
      if (++followUps > RedirectFollowUp.MAX_FOLLOW_UPS) {
        throw new ProtocolException("Too many follow-up requests: " + followUps);
      }
      request = next;
      response = hop(chain, request, async);
    }
    return response;
  }

  /** Sends one request (the call's own, or a redirect's follow-up): routed when its host is in the mesh. */
  private Response hop(Chain chain, Request request, AsyncCallExecutor.Scope async) throws IOException {
    ClusterDestination destination = request.tag(ClusterDestination.class);
    if (destination != null) {
      return clusterHop(chain, request, destination);
    }
    HttpUrl url = request.url();
    String target = target(url);
    if (url.isHttps()) {
      engine.checkDirectAllowed(target);
      return proceedDirect(chain, request, async);
    }
    OkHttpRequestView view = new OkHttpRequestView(request, target);
    OutboundMetrics metrics = engine.metrics();
    if (metrics != null) {
      return MeteredHop.hop(this, chain, request, view, target, async, metrics.start(RequestLabels.HTTP, view));
    }
    return routedHop(chain, request, view, target, async, null);
  }

  /** The URL's {@code host:port}, the listener name: formatted once per mesh host and port, not per request. */
  private String target(HttpUrl url) {
    String host = url.host();
    int port = url.port();
    Target known = targets.get(host);
    if (known == null || known.port != port) {
      known = new Target(port, host + ":" + port);
      if (targets.size() >= MAX_TARGETS) {
        targets.clear();
      }
      targets.put(host, known);
    }
    return known.hostPort;
  }

  private record Target(int port, String hostPort) {}

  /** Routes one hop; {@code record} (null without metrics) notes what happened on the way. */
  Response routedHop(Chain chain, Request request, OkHttpRequestView view, String target,
      AsyncCallExecutor.Scope async, OutboundCall record) throws IOException {
    // A fault delay ends early when the call is cancelled, which OkHttp's callTimeout also does.
    RoutingDecision decision = engine.route(target, view, new CancellableDelay(chain.call(), env.sleeper()));
    if (decision == null) {
      if (record != null) {
        record.notRouted();
      }
      return proceedDirect(chain, request, async);
    }
    if (record != null) {
      record.routed(decision.cluster() == null ? null : decision.cluster().name(), decision.faultDelayNanos());
    }
    if (decision.localReply() != null) {
      if (record != null) {
        record.localReply(decision.localReply().status(), decision.localReply().responseFlag(), -1);
      }
      // A redirect route's answer is followed as an upstream's would be (behind a sidecar, OkHttp would follow it).
      return MeshNetworkInterceptor.holdRedirect(LocalReplies.toResponse(request, decision.localReply()));
    }
    try {
      // Timeouts, retries, circuit breakers and outlier reporting: the engine's attempt loop; OkHttp only translates.
      return OkHttpAttempts.execute(chain, request, view, decision, attempts, env, security, tlsMaterialWait, record);
    } finally {
      decision.complete();
    }
  }

  /**
   * A request the mesh itself sends to a cluster by name: the cluster, not the URL, says where and whether with TLS,
   * so the attempt starts from the URL as plain HTTP (the cluster's TLS context makes it HTTPS again, if it has one).
   */
  private Response clusterHop(Chain chain, Request request, ClusterDestination destination) throws IOException {
    HttpUrl url = request.url();
    Request plain = url.isHttps() ? request.newBuilder().url(url.newBuilder().scheme("http").build()).build() : request;
    OkHttpRequestView view = new OkHttpRequestView(plain, url.host() + ":" + url.port());
    RoutingDecision decision = engine.routeToCluster(destination.cluster(), view, destination.timeout());
    try {
      return OkHttpAttempts.execute(chain, plain, view, decision, attempts, env, security, tlsMaterialWait, null);
    } finally {
      decision.complete();
    }
  }

  /** A call outside the mesh: under the application dispatcher's limits, as if the mesh were not there. */
  private Response proceedDirect(Chain chain, Request request, AsyncCallExecutor.Scope async) throws IOException {
    if (async != null && directLimits != null) {
      String host = request.url().host();
      directLimits.acquire(host, chain.call());
      async.atEnd(() -> directLimits.release(host));
    }
    // Only the mesh's own hops may carry a held redirect to follow.
    return MeshNetworkInterceptor.withoutHeldLocation(chain.proceed(request));
  }

  /** The limits applied to asynchronous calls outside the mesh, or null; for tests. */
  DirectCallLimits directLimits() {
    return directLimits;
  }
}
