package io.mesh4j.runtime.model;

import java.util.Objects;

/**
 * One decoded subject-alt-name matcher of a validation context: {@code match_typed_subject_alt_names} (typed) or
 * the deprecated {@code match_subject_alt_names} ({@link SanType#ANY}).
 */
public record SanMatch(SanType type, Kind kind, String pattern, boolean ignoreCase) {
  public enum SanType { ANY, DNS, URI, EMAIL, IP_ADDRESS }

  public enum Kind { EXACT, PREFIX, SUFFIX, CONTAINS, SAFE_REGEX }

  public SanMatch {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(pattern, "pattern");
  }

  @Override
  public String toString() {
    return (type == SanType.ANY ? "" : type + " ") + kind.name().toLowerCase(java.util.Locale.ROOT) + " '" + pattern
        + "'" + (ignoreCase ? " (ignore case)" : "");
  }
}
