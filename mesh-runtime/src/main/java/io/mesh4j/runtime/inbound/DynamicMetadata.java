package io.mesh4j.runtime.inbound;

import io.mesh4j.MeshJwt;
import java.util.HashMap;
import java.util.Map;

/**
 * Envoy's per-request dynamic metadata: values by filter name (the "namespace", e.g.
 * {@code envoy.filters.http.jwt_authn}) and key. Values are plain Java values as protobuf's {@code Struct} holds
 * them: {@code String}, {@code Double}, {@code Boolean}, {@code List<Object>}, {@code Map<String, Object>}, or null.
 * Request-scoped and not thread-safe: a request's filters run one after another. Allocates nothing until written.
 */
public final class DynamicMetadata {
  private Map<String, Map<String, Object>> byFilter;
  private MeshJwt verifiedJwt;

  /** The values written under one filter name, or null when it wrote none. */
  public Map<String, Object> get(String filterName) {
    return byFilter == null ? null : byFilter.get(filterName);
  }

  /** Writes one value under a filter name, replacing any earlier value of that key. */
  public void put(String filterName, String key, Object value) {
    if (byFilter == null) {
      byFilter = new HashMap<>(4);
    }
    byFilter.computeIfAbsent(filterName, f -> new HashMap<>(4)).put(key, value);
  }

  /** The request's verified token as the application sees it (jwt_authn sets it), or null. */
  public MeshJwt verifiedJwt() {
    return verifiedJwt;
  }

  public void verifiedJwt(MeshJwt jwt) {
    this.verifiedJwt = jwt;
  }

  public boolean isEmpty() {
    return byFilter == null || byFilter.isEmpty();
  }
}
