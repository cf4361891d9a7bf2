package io.mesh4j.runtime.okhttp;

import java.io.IOException;
import okhttp3.Interceptor;
import okhttp3.Response;

/**
 * A network interceptor that keeps OkHttp from following a redirect answered to a mesh-routed request: OkHttp would
 * follow it below the mesh (a relative {@code Location} to the endpoint's address, an absolute one to another mesh
 * host unrouted). It moves the {@code Location} header aside, OkHttp then delivers the 3xx as it is, and the mesh's
 * interceptor puts the header back and follows the redirect itself, routing each hop ({@link RedirectFollowUp}).
 * Requests the mesh did not route carry no {@link Routed} tag and are left alone.
 */
final class RedirectHold implements Interceptor {
  /** Where the held {@code Location} travels up to the mesh's interceptor. */
  static final String HELD_LOCATION = "X-Mesh4j-Held-Location";

  /** The tag on a request the mesh routed to an endpoint. */
  enum Routed {
    HOP
  }

  @Override
  public Response intercept(Chain chain) throws IOException {
    Response response = chain.proceed(chain.request());
    if (chain.request().tag(Routed.class) == null || !RedirectFollowUp.isRedirect(response.code())) {
      return response;
    }
    String location = response.header("Location");
    if (location == null) {
      return response;
    }
    return response.newBuilder().removeHeader("Location").header(HELD_LOCATION, location).build();
  }

  /** The response with its {@code Location} back, if this interceptor held it. */
  static Response restore(Response response) {
    String held = response.header(HELD_LOCATION);
    if (held == null) {
      return response;
    }
    return response.newBuilder().removeHeader(HELD_LOCATION).header("Location", held).build();
  }
}
