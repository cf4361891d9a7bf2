package io.mesh4j.runtime.matcher;

import com.google.re2j.Pattern;

/**
 * A compiled {@code envoy.type.matcher.v3.StringMatcher}: the one copy of its matching rules, for route header and
 * query parameter matches (also the deprecated direct header match fields) and for subject-alt-name checks.
 * {@code ignore_case} compares ASCII letters case-insensitively and, as Envoy documents, has no effect on
 * {@code safe_regex}. Regexes are RE2, compiled once ({@link FullMatchRegex}), and must match the whole value.
 */
public final class StringMatcher {

  private enum Kind {
    EXACT,
    PREFIX,
    SUFFIX,
    CONTAINS,
    REGEX
  }

  private final Kind kind;
  private final String pattern;
  private final boolean ignoreCase;
  private final FullMatchRegex regex;

  private StringMatcher(Kind kind, String pattern, boolean ignoreCase, FullMatchRegex regex) {
    this.kind = kind;
    this.pattern = pattern;
    this.ignoreCase = ignoreCase;
    this.regex = regex;
  }

  public static StringMatcher exact(String value, boolean ignoreCase) {
    return new StringMatcher(Kind.EXACT, value, ignoreCase, null);
  }

  public static StringMatcher prefix(String value, boolean ignoreCase) {
    return new StringMatcher(Kind.PREFIX, value, ignoreCase, null);
  }

  public static StringMatcher suffix(String value, boolean ignoreCase) {
    return new StringMatcher(Kind.SUFFIX, value, ignoreCase, null);
  }

  public static StringMatcher contains(String value, boolean ignoreCase) {
    return new StringMatcher(Kind.CONTAINS, value, ignoreCase, null);
  }

  public static StringMatcher regex(Pattern regex) {
    return new StringMatcher(Kind.REGEX, regex.pattern(), false, FullMatchRegex.of(regex));
  }

  public boolean matches(String value) {
    switch (kind) {
      case EXACT:
        return ignoreCase ? pattern.equalsIgnoreCase(value) : pattern.equals(value);
      case PREFIX:
        return value.regionMatches(ignoreCase, 0, pattern, 0, pattern.length());
      case SUFFIX:
        return value.length() >= pattern.length()
            && value.regionMatches(ignoreCase, value.length() - pattern.length(), pattern, 0, pattern.length());
      case CONTAINS:
        return contains(value);
      case REGEX:
        return regex.matches(value);
      default:
        throw new AssertionError(kind);
    }
  }

  private boolean contains(String value) {
    if (!ignoreCase) {
      return value.contains(pattern);
    }
    int last = value.length() - pattern.length();
    for (int i = 0; i <= last; i++) {
      if (value.regionMatches(true, i, pattern, 0, pattern.length())) {
        return true;
      }
    }
    return false;
  }

  @Override
  public String toString() {
    return kind + (ignoreCase ? "(ignore_case)" : "") + " '" + pattern + "'";
  }
}
