package io.mesh4j.runtime.matcher;

import io.mesh4j.runtime.view.RequestView;
import io.mesh4j.runtime.xds.DecodeContext;
import io.mesh4j.runtime.xds.ResourceInvalidException;
import java.util.List;

/**
 * A list of {@code envoy.config.route.v3.HeaderMatcher}s that must all match, compiled with the route matchers'
 * semantics, for filters that condition on headers (e.g. the fault filter's {@code headers}).
 */
public final class HeaderConditions {
  public static final HeaderConditions NONE = new HeaderConditions(new HeaderMatcher[0]);

  private final HeaderMatcher[] matchers;

  private HeaderConditions(HeaderMatcher[] matchers) {
    this.matchers = matchers;
  }

  /** @param path the field path of the list, e.g. {@code headers} */
  public static HeaderConditions decode(
      List<io.envoyproxy.envoy.config.route.v3.HeaderMatcher> protos, String path, DecodeContext context)
      throws ResourceInvalidException {
    if (protos.isEmpty()) {
      return NONE;
    }
    HeaderMatcher[] matchers = new HeaderMatcher[protos.size()];
    for (int i = 0; i < matchers.length; i++) {
      matchers[i] = MatcherDecoder.decodeHeaderMatcher(protos.get(i), path + "[" + i + "]", context);
    }
    return new HeaderConditions(matchers);
  }

  /** True when every matcher matches (so always for an empty list). */
  public boolean matches(RequestView request) {
    for (HeaderMatcher matcher : matchers) {
      if (!matcher.matches(request)) {
        return false;
      }
    }
    return true;
  }
}
