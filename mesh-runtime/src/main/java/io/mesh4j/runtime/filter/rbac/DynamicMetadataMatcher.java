package io.mesh4j.runtime.filter.rbac;

import io.mesh4j.runtime.inbound.InboundRequest;
import java.util.Map;

/**
 * {@code metadata} ({@code envoy.type.matcher.v3.MetadataMatcher}): the request's dynamic metadata under {@code
 * filter}, followed key by key along {@code path} through nested maps, matched by a value matcher, the result flipped
 * by {@code invert}. A path that leads nowhere (no such filter, key, or a non-map on the way) reads as absent, which
 * only an inverted matcher matches. Earlier filters (jwt_authn) write what is read here.
 */
final class DynamicMetadataMatcher extends RbacMatcher {
  private final String filter;
  private final String[] path;
  private final MetadataValueMatcher value;
  private final boolean invert;

  DynamicMetadataMatcher(String filter, String[] path, MetadataValueMatcher value, boolean invert) {
    this.filter = filter;
    this.path = path.clone();
    this.value = value;
    this.invert = invert;
  }

  @Override
  boolean matches(InboundRequest request, String urlPath) {
    return value.matches(lookUp(request)) != invert;
  }

  private Object lookUp(InboundRequest request) {
    Object current = request.dynamicMetadata().get(filter);
    for (String key : path) {
      if (!(current instanceof Map)) {
        return MetadataValueMatcher.ABSENT;
      }
      Map<?, ?> map = (Map<?, ?>) current;
      current = map.get(key);
      if (current == null && !map.containsKey(key)) {
        return MetadataValueMatcher.ABSENT;
      }
    }
    return current;
  }

  @Override
  int cost() {
    return 2 + path.length;
  }

  @Override
  public String toString() {
    return "metadata(" + filter + ":" + String.join(".", path) + (invert ? " not " : " ") + value + ")";
  }
}
