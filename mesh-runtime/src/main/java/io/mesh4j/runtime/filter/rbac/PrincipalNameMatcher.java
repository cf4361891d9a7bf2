package io.mesh4j.runtime.filter.rbac;

import io.mesh4j.runtime.matcher.StringMatcher;
import java.util.regex.Pattern;

/**
 * {@code authenticated.principal_name}: a {@code StringMatcher}, except for the regex istiod writes for a namespace
 * (<code>.*&#47;ns/NAME/.*</code>), matched as what it means instead of by RE2J: the name contains the literal and no
 * newline (RE2's {@code .} does not match one). RE2J takes microseconds and allocates for each such regex, and a
 * workload's policies can name many namespaces.
 */
final class PrincipalNameMatcher {
  /** {@code .*LITERAL.*}, the literal free of regex syntax. */
  private static final Pattern DOT_STAR_LITERAL = Pattern.compile("\\.\\*([^\\\\.*+?()\\[\\]{}|^$]+)\\.\\*");

  private final StringMatcher matcher;
  private final String containedLiteral;
  private final boolean regex;

  private PrincipalNameMatcher(StringMatcher matcher, String containedLiteral, boolean regex) {
    this.matcher = matcher;
    this.containedLiteral = containedLiteral;
    this.regex = regex;
  }

  /**
   * @param matcher the compiled matcher
   * @param regex the matcher's {@code safe_regex.regex}, or null when it is not a regex
   */
  static PrincipalNameMatcher of(StringMatcher matcher, String regex) {
    if (regex != null) {
      java.util.regex.Matcher literal = DOT_STAR_LITERAL.matcher(regex);
      if (literal.matches()) {
        return new PrincipalNameMatcher(matcher, literal.group(1), false);
      }
    }
    return new PrincipalNameMatcher(matcher, null, regex != null);
  }

  boolean matches(String name) {
    if (containedLiteral != null) {
      return name.indexOf('\n') < 0 && name.contains(containedLiteral);
    }
    return matcher.matches(name);
  }

  /** Whether matching runs a regex (for the matcher's cost). */
  boolean isRegex() {
    return regex;
  }

  @Override
  public String toString() {
    return containedLiteral != null ? "contains '" + containedLiteral + "'" : matcher.toString();
  }
}
