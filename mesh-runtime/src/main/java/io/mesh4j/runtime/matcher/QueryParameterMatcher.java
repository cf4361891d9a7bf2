package io.mesh4j.runtime.matcher;


/**
 * A compiled {@code QueryParameterMatcher}: the parameter's first value must exist and, when a string matcher is
 * given, match it. {@code present_match} (either value, as in Envoy) and a name-only matcher both mean "present".
 */
final class QueryParameterMatcher {
  private final String name;
  private final StringMatcher value;

  QueryParameterMatcher(String name, StringMatcher value) {
    this.name = name;
    this.value = value;
  }

  boolean matches(QueryParameters query) {
    String v = query.first(name);
    return v != null && (value == null || value.matches(v));
  }
}
