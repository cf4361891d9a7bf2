package io.mesh4j.runtime.filter.rbac;

import io.mesh4j.runtime.inbound.InboundRequest;

/**
 * One compiled {@code envoy.config.rbac.v3.Permission} or {@code Principal}: both sides of a policy are predicates
 * over the same request and connection, so they share this one shape. Implementations are immutable and allocate
 * nothing when matching. An abstract class rather than an interface: the composites call their parts through
 * megamorphic sites, where a virtual call is cheaper than an interface call.
 */
abstract class RbacMatcher {

  /**
   * @param urlPath the request's path without query and fragment (what {@code url_path} matches), or null when the
   *     request has no path; worked out once per request rather than once per {@code url_path} matcher
   */
  abstract boolean matches(InboundRequest request, String urlPath);

  /**
   * What matching costs, roughly, in units of one plain comparison (a regex or a metadata walk costs more). Matching
   * has no side effect, so composites and policies try their cheaper parts first: the answer is the same, and the
   * parts that differ between policies (often the principal) decide sooner.
   */
  int cost() {
    return 1;
  }

  /** The cost of a leaf whose string matcher is a regex, or not. */
  static int stringCost(boolean regex) {
    return regex ? REGEX_COST : 1;
  }

  static final int REGEX_COST = 8;

  /** Matches a request on its own, working its {@code url_path} out first. */
  final boolean matches(InboundRequest request) {
    return matches(request, urlPath(request));
  }

  /** The request's path as {@code url_path} sees it: without its query and fragment, or null when it has none. */
  static String urlPath(InboundRequest request) {
    String path = request.path();
    if (path == null) {
      return null;
    }
    int query = path.indexOf('?');
    int fragment = path.indexOf('#');
    int end = query < 0 ? fragment : fragment < 0 ? query : Math.min(query, fragment);
    return end < 0 ? path : path.substring(0, end);
  }
}
