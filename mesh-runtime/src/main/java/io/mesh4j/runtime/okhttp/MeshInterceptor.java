package io.mesh4j.runtime.okhttp;

import io.mesh4j.runtime.engine.MeshEngine;
import io.mesh4j.runtime.engine.RoutingDecision;
import io.mesh4j.runtime.policy.AttemptLoop;
import io.mesh4j.runtime.policy.PolicyEnvironment;
import java.io.IOException;
import java.util.Objects;
import okhttp3.HttpUrl;
import okhttp3.Interceptor;
import okhttp3.Request;
import okhttp3.Response;

/**
 * Routes OkHttp calls through the mesh: a request to {@code http://<mesh host>:<port>/...} is sent to the endpoint
 * the engine picks, keeping the original Host header so the server and its virtual hosts see the mesh name.
 * Installed as an application interceptor, so it runs once per call and the body is streamed, never buffered.
 *
 * <p>Plain-text HTTP is what the mesh routes; {@code https} URLs belong to the application's own TLS and go out
 * untouched (under REGISTRY_ONLY only to hosts the mesh knows).
 */
public final class MeshInterceptor implements Interceptor {
  private final MeshEngine engine;
  private final PolicyEnvironment env;
  private final AttemptLoop attempts;

  public MeshInterceptor(MeshEngine engine) {
    this(engine, PolicyEnvironment.system());
  }

  /** @param env clock, random, timers and sleeper for timeouts, retries and back-off */
  public MeshInterceptor(MeshEngine engine, PolicyEnvironment env) {
    this.engine = Objects.requireNonNull(engine, "engine");
    this.env = Objects.requireNonNull(env, "env");
    this.attempts = new AttemptLoop(env);
  }

  @Override
  public Response intercept(Chain chain) throws IOException {
    Request request = chain.request();
    HttpUrl url = request.url();
    String target = url.host() + ":" + url.port();
    if (url.isHttps()) {
      engine.checkDirectAllowed(target);
      return chain.proceed(request);
    }
    OkHttpRequestView view = new OkHttpRequestView(request);
    RoutingDecision decision = engine.route(target, view);
    if (decision == null) {
      return chain.proceed(request);
    }
    // Timeouts, retries, circuit breakers and outlier reporting: the engine's attempt loop, OkHttp only translates.
    return OkHttpAttempts.execute(chain, view, decision, attempts, env);
  }
}
