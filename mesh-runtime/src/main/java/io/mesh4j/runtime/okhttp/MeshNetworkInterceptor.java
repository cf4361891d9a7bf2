package io.mesh4j.runtime.okhttp;

import java.io.IOException;
import okhttp3.Interceptor;
import okhttp3.Response;

/**
 * The mesh's network interceptor: sees each routed attempt once OkHttp has a connection for it. Requests the mesh did
 * not route carry no {@link RoutedAttempt} tag and are left alone. For a routed one it
 *
 * <ul>
 *   <li>marks the attempt connected, so that a failure after this point is classified as the upstream's (a timeout,
 *       a reset), not as a connect failure ({@link OkHttpFailures});
 *   <li>keeps OkHttp from following a redirect: OkHttp would follow it below the mesh (a relative {@code Location} to
 *       the endpoint's address, an absolute one to another mesh host unrouted). It moves the {@code Location} header
 *       aside, OkHttp then delivers the 3xx as it is, and the mesh's interceptor puts the header back and follows the
 *       redirect itself, routing each hop ({@link RedirectFollowUp}).
 * </ul>
 */
final class MeshNetworkInterceptor implements Interceptor {
  /** Where the held {@code Location} travels up to the mesh's interceptor. */
  static final String HELD_LOCATION = "X-Mesh4j-Held-Location";

  @Override
  public Response intercept(Chain chain) throws IOException {
    RoutedAttempt attempt = chain.request().tag(RoutedAttempt.class);
    if (attempt == null) {
      return chain.proceed(chain.request());
    }
    attempt.connected();
    Response response = withoutHeldLocation(chain.proceed(chain.request()));
    return holdRedirect(response);
  }

  /** A redirect with its {@code Location} moved aside, for the mesh to follow; any other response as it is. */
  static Response holdRedirect(Response response) {
    String location = RedirectFollowUp.isRedirect(response.code()) ? response.header("Location") : null;
    if (location == null) {
      return response;
    }
    return response.newBuilder().removeHeader("Location").header(HELD_LOCATION, location).build();
  }

  /** The response without a header named like ours that did not come from here (a server may send anything). */
  static Response withoutHeldLocation(Response response) {
    return response.header(HELD_LOCATION) == null ? response
        : response.newBuilder().removeHeader(HELD_LOCATION).build();
  }

  /** The response with its {@code Location} back, if this interceptor held it. */
  static Response restoreLocation(Response response) {
    String held = response.header(HELD_LOCATION);
    if (held == null) {
      return response;
    }
    return response.newBuilder().removeHeader(HELD_LOCATION).header("Location", held).build();
  }
}
