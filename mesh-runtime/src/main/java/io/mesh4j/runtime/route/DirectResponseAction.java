package io.mesh4j.runtime.route;

/**
 * {@code direct_response}: answer with this status and body, without an upstream. For 201 and 3xx Envoy adds a
 * Location (the request's own URL, as no redirect is configured).
 */
public record DirectResponseAction(int status, byte[] body) implements RouteAction {
  public DirectResponseAction {
    body = body.clone();
  }

  /** Not forwarded: null. */
  @Override
  public String selectCluster(long random) {
    return null;
  }

  @Override
  public byte[] body() {
    return body.clone();
  }
}
