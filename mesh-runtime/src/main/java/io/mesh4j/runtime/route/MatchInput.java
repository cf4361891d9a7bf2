package io.mesh4j.runtime.route;

import io.mesh4j.runtime.view.RequestView;

/** What route matching needs of one request, derived once and shared by every route tried. */
final class MatchInput {
  final RequestView request;
  final String path;
  final int pathEnd;
  final long random;
  private QueryParameters query;

  MatchInput(RequestView request, String path, long random) {
    this.request = request;
    this.path = path;
    this.pathEnd = PathMatcher.pathEnd(path);
    this.random = random;
  }

  QueryParameters query() {
    QueryParameters q = query;
    if (q == null) {
      q = QueryParameters.parse(path);
      query = q;
    }
    return q;
  }
}
