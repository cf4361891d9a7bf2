package io.mesh4j.runtime.okhttp;

import io.mesh4j.runtime.engine.MeshEngine;
import io.mesh4j.runtime.policy.PolicyEnvironment;
import io.mesh4j.runtime.security.MeshSecurity;
import java.time.Duration;
import okhttp3.Dispatcher;
import okhttp3.OkHttpClient;

/**
 * Makes an OkHttp client mesh-routed: what {@code Mesh.okHttp(builder)} does to the builder.
 *
 * <ul>
 *   <li>adds the {@link MeshInterceptor} as an application interceptor;
 *   <li>replaces the builder's dispatcher with the mesh's: one on the same executor (so the application's threads
 *       and shutdown stay its own) whose {@code maxRequests} and {@code maxRequestsPerHost} are unlimited. A mesh host
 *       name stands for a whole cluster, so the cluster's circuit breakers ({@code max_requests}, 1024 by default as
 *       in Envoy) limit calls to it, not OkHttp's per-host 5 and total 64: over a limit, a call fails at once with
 *       {@code OVERFLOW (503 UO)} instead of waiting in OkHttp's queue. Asynchronous calls to hosts outside the mesh
 *       keep the limits of the builder's dispatcher as it was when this ran (read from it live, so changing that
 *       dispatcher object later still applies); they are counted apart from mesh calls, and one over a limit waits
 *       on its dispatcher thread rather than in OkHttp's queue;
 *   <li>adds {@link MeshNetworkInterceptor} as a network interceptor, so that the mesh, not OkHttp below it, follows redirects
 *       answered by mesh hosts, routing every hop (a redirect from a host outside the mesh is OkHttp's to follow).
 * </ul>
 *
 * Set the builder's dispatcher before this runs; a dispatcher set afterwards replaces the mesh's, and OkHttp's
 * limits then apply to mesh calls again.
 */
public final class MeshOkHttp {
  private MeshOkHttp() {}

  public static OkHttpClient.Builder install(OkHttpClient.Builder builder, MeshEngine engine, MeshSecurity security,
      Duration tlsMaterialWait, PolicyEnvironment env) {
    // The builder does not show its dispatcher; a client built from it does (the same instance).
    Dispatcher application = builder.build().dispatcher();
    Dispatcher mesh = new Dispatcher(new AsyncCallExecutor(application.executorService()));
    mesh.setMaxRequests(Integer.MAX_VALUE);
    mesh.setMaxRequestsPerHost(Integer.MAX_VALUE);
    mesh.setIdleCallback(application.getIdleCallback());
    return builder.dispatcher(mesh)
        .addInterceptor(new MeshInterceptor(engine, security, tlsMaterialWait, env, new DirectCallLimits(application)))
        .addNetworkInterceptor(new MeshNetworkInterceptor());
  }
}
