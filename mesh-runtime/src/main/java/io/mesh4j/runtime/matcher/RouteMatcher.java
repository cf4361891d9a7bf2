package io.mesh4j.runtime.matcher;

import io.mesh4j.runtime.view.RequestView;

/**
 * A compiled RouteMatch (routes, and jwt_authn's requirement rules): every part must match (path, runtime fraction, gRPC, headers, query parameters). Cheap tests
 * run first; the query string is parsed only if a route has query matchers and everything before them matched.
 */
public final class RouteMatcher {
  private static final String GRPC_CONTENT_TYPE = "application/grpc";

  private final PathMatcher path;
  private final HeaderMatcher[] headers;
  private final QueryParameterMatcher[] queryParameters;
  private final long fractionNumerator;
  private final long fractionDenominator;
  private final boolean grpcOnly;

  /** Matches every request: a request sent to a cluster by name has no route match to meet. */
  public static final RouteMatcher ANY =
      new RouteMatcher(PathMatcher.prefix("", true), new HeaderMatcher[0], new QueryParameterMatcher[0], 0, 0, false);

  /**
   * @param fractionDenominator 0 when the route has no {@code runtime_fraction}; otherwise the request matches when
   *     {@code random % denominator < numerator}, Envoy's evaluation of {@code default_value}
   */
  RouteMatcher(
      PathMatcher path,
      HeaderMatcher[] headers,
      QueryParameterMatcher[] queryParameters,
      long fractionNumerator,
      long fractionDenominator,
      boolean grpcOnly) {
    this.path = path;
    this.headers = headers;
    this.queryParameters = queryParameters;
    this.fractionNumerator = fractionNumerator;
    this.fractionDenominator = fractionDenominator;
    this.grpcOnly = grpcOnly;
  }

  /** Text every {@code :path} this route matches starts with ({@code ""} if none). */
  public String requiredPathPrefix() {
    return path.requiredPrefix();
  }

  /**
   * Every part but the query parameters: path, runtime fraction, gRPC, headers.
   *
   * @param pathEnd where the path's query string or fragment starts ({@link PathMatcher#pathEnd})
   */
  public boolean matchesBeforeQuery(RequestView request, String path, int pathEnd, long random) {
    if (!this.path.matches(path, pathEnd)) {
      return false;
    }
    return matchesBeyondPath(request, random);
  }

  /**
   * Whether a path that starts with {@link #requiredPathPrefix()} matches this route's path part without asking it
   * again: a virtual host that checked the prefix then goes straight to {@link #matchesBeyondPath}.
   */
  public boolean requiredPathPrefixDecides() {
    return path.requiredPrefixDecides();
  }

  /** Runtime fraction, gRPC and headers: {@link #matchesBeforeQuery} once the path matched. */
  public boolean matchesBeyondPath(RequestView request, long random) {
    if (fractionDenominator != 0 && Long.remainderUnsigned(random, fractionDenominator) >= fractionNumerator) {
      return false;
    }
    if (grpcOnly && !isGrpc(request)) {
      return false;
    }
    for (HeaderMatcher header : headers) {
      if (!header.matches(request)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Whether a request matches every part, for callers that match one rule at a time (jwt_authn's {@code rules});
   * route tables use the two-step {@link #matchesBeforeQuery} and {@link #matchesQuery}.
   *
   * @param random the request's draw for {@code runtime_fraction}
   */
  public boolean matches(RequestView request, long random) {
    String path = request.path();
    if (path == null) {
      return false;
    }
    if (!matchesBeforeQuery(request, path, PathMatcher.pathEnd(path), random)) {
      return false;
    }
    return !hasQueryMatchers() || matchesQuery(QueryParameters.parse(path));
  }

  /** Whether the request has {@code runtime_fraction}, which jwt_authn's rules do not evaluate. */
  public boolean hasRuntimeFraction() {
    return fractionDenominator != 0;
  }

  /** Whether {@link #matchesQuery} must be asked too; the query is parsed only for routes that have such matchers. */
  public boolean hasQueryMatchers() {
    return queryParameters.length != 0;
  }

  public boolean matchesQuery(QueryParameters query) {
    for (QueryParameterMatcher parameter : queryParameters) {
      if (!parameter.matches(query)) {
        return false;
      }
    }
    return true;
  }

  /** Envoy's test: content-type is {@code application/grpc} or starts with {@code application/grpc+} or {@code ;}. */
  public static boolean isGrpc(RequestView request) {
    String contentType = request.header("content-type");
    if (contentType == null || !contentType.regionMatches(true, 0, GRPC_CONTENT_TYPE, 0, GRPC_CONTENT_TYPE.length())) {
      return false;
    }
    if (contentType.length() == GRPC_CONTENT_TYPE.length()) {
      return true;
    }
    char next = contentType.charAt(GRPC_CONTENT_TYPE.length());
    return next == '+' || next == ';';
  }
}
