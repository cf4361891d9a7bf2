package io.mesh4j.runtime.filter.jwt;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A token's JSON as dynamic metadata holds it (protobuf {@code Struct} values): strings, booleans, numbers as
 * {@code Double}, lists and maps, immutable. What RBAC's {@code metadata} matcher reads.
 */
final class ClaimValues {
  private ClaimValues() {}

  /**
   * @param spaceDelimited claims whose string value is split on spaces into a list ({@code
   *     normalize_payload_in_metadata.space_delimited_claims}, e.g. {@code scope})
   */
  static Map<String, Object> struct(Map<String, Object> json, Set<String> spaceDelimited) {
    Map<String, Object> out = new LinkedHashMap<>(json.size() * 2);
    for (Map.Entry<String, Object> entry : json.entrySet()) {
      Object value = entry.getValue();
      if (value instanceof String s && spaceDelimited.contains(entry.getKey())) {
        List<Object> parts = new ArrayList<>();
        for (String part : s.split(" ")) {
          if (!part.isEmpty()) {
            parts.add(part);
          }
        }
        out.put(entry.getKey(), Collections.unmodifiableList(parts));
      } else {
        out.put(entry.getKey(), value(value));
      }
    }
    return Collections.unmodifiableMap(out);
  }

  @SuppressWarnings("unchecked")
  static Object value(Object value) {
    if (value instanceof Number n) {
      return n.doubleValue();
    }
    if (value instanceof Map<?, ?> map) {
      return struct((Map<String, Object>) map, Set.of());
    }
    if (value instanceof List<?> list) {
      List<Object> out = new ArrayList<>(list.size());
      for (Object element : list) {
        out.add(value(element));
      }
      return Collections.unmodifiableList(out);
    }
    return value; // String, Boolean, null
  }

  /**
   * A claim by name, with {@code .} descending into nested objects (Envoy's {@code claim_to_headers}), or null.
   */
  static Object lookup(Map<String, Object> payload, String claim) {
    Object direct = payload.get(claim);
    if (direct != null || claim.indexOf('.') < 0) {
      return direct;
    }
    Object current = payload;
    for (String part : claim.split("\\.")) {
      if (!(current instanceof Map<?, ?> map)) {
        return null;
      }
      current = map.get(part);
    }
    return current;
  }

  /** A claim as a header value: strings, booleans, integers without a fraction; null for other kinds. */
  static String headerValue(Object value) {
    if (value instanceof String s) {
      return s;
    }
    if (value instanceof Boolean b) {
      return b.toString();
    }
    if (value instanceof Double d) {
      if (d >= 0 && d < 0x1p63 && d == Math.rint(d)) {
        return Long.toString(d.longValue());
      }
      return String.format(java.util.Locale.ROOT, "%f", d);
    }
    return null;
  }
}
