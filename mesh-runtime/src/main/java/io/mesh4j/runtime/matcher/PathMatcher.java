package io.mesh4j.runtime.matcher;

import com.google.re2j.Pattern;

/**
 * The path part of a RouteMatch. {@code pathEnd} is where the query string or fragment starts (or the path's length),
 * computed once per request. As in Envoy, {@code prefix} is tested against the whole {@code :path} (query
 * included); {@code path}, {@code safe_regex} and {@code path_separated_prefix} against the path without query and
 * fragment.
 */
public abstract class PathMatcher {
  private final String requiredPrefix;
  /** Whether starting with {@link #requiredPrefix} is the whole test (a case-sensitive {@code prefix}). */
  private final boolean prefixDecides;

  private PathMatcher(String requiredPrefix) {
    this(requiredPrefix, false);
  }

  private PathMatcher(String requiredPrefix, boolean prefixDecides) {
    this.requiredPrefix = requiredPrefix;
    this.prefixDecides = prefixDecides;
  }

  abstract boolean matches(String path, int pathEnd);

  /**
   * Text every matching {@code :path} starts with, compared case-sensitively ({@code ""} when there is none): lets a
   * virtual host pass over routes that cannot match without asking them.
   */
  final String requiredPrefix() {
    return requiredPrefix;
  }

  /**
   * Whether a path matches exactly when it starts with {@link #requiredPrefix()}, so that a caller which checked that
   * is done.
   */
  final boolean requiredPrefixDecides() {
    return prefixDecides;
  }

  static PathMatcher prefix(String prefix, boolean caseSensitive) {
    return new PathMatcher(caseSensitive ? prefix : "", caseSensitive) {
      @Override
      boolean matches(String path, int pathEnd) {
        return path.regionMatches(!caseSensitive, 0, prefix, 0, prefix.length());
      }
    };
  }

  static PathMatcher exact(String exact, boolean caseSensitive) {
    return new PathMatcher(caseSensitive ? exact : "") {
      @Override
      boolean matches(String path, int pathEnd) {
        return pathEnd == exact.length() && path.regionMatches(!caseSensitive, 0, exact, 0, pathEnd);
      }
    };
  }

  /** Matches {@code prefix} exactly or followed by {@code /}; the prefix itself never ends with {@code /}. */
  static PathMatcher separatedPrefix(String prefix, boolean caseSensitive) {
    return new PathMatcher(caseSensitive ? prefix : "") {
      @Override
      boolean matches(String path, int pathEnd) {
        int n = prefix.length();
        return pathEnd >= n
            && path.regionMatches(!caseSensitive, 0, prefix, 0, n)
            && (pathEnd == n || path.charAt(n) == '/');
      }
    };
  }

  /**
   * {@code case_sensitive} does not apply to regexes (Envoy's documentation says so). A path that does not start with
   * the regex's literal prefix cannot match it, and is turned away before the regex runs.
   */
  static PathMatcher regex(Pattern pattern) {
    String literalPrefix = RegexLiteralPrefix.of(pattern.pattern());
    FullMatchRegex regex = FullMatchRegex.of(pattern);
    return new PathMatcher(literalPrefix) {
      @Override
      boolean matches(String path, int pathEnd) {
        return pathEnd >= literalPrefix.length() && path.startsWith(literalPrefix) && regex.matches(path, pathEnd);
      }
    };
  }

  /** Index of the first {@code ?} or {@code #}, or the length of the path. */
  public static int pathEnd(String path) {
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      if (c == '?' || c == '#') {
        return i;
      }
    }
    return path.length();
  }
}
