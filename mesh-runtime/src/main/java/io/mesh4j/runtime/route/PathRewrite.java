package io.mesh4j.runtime.route;

import com.google.re2j.Pattern;
import io.mesh4j.runtime.matcher.PathMatcher;

/**
 * {@code prefix_rewrite} or {@code regex_rewrite}, applied to the path without its query (which is kept). A prefix
 * rewrite replaces what the route matched: the prefix for {@code prefix} / {@code path_separated_prefix} routes, the
 * whole path for {@code path} and {@code safe_regex} routes. A regex rewrite replaces every match (RE2's
 * GlobalReplace), {@code \N} in the substitution naming capture group N.
 */
public final class PathRewrite {
  private final String prefix;
  private final int matchedLength;
  private final Pattern regex;
  private final String replacement;

  private PathRewrite(String prefix, int matchedLength, Pattern regex, String replacement) {
    this.prefix = prefix;
    this.matchedLength = matchedLength;
    this.regex = regex;
    this.replacement = replacement;
  }

  /** @param matchedLength the length of the route's prefix, or -1 when the route matches the whole path */
  static PathRewrite prefix(String rewrite, int matchedLength) {
    return new PathRewrite(rewrite, matchedLength, null, null);
  }

  /** @param substitution in Envoy's syntax ({@code \1}) */
  static PathRewrite regex(Pattern regex, String substitution) {
    return new PathRewrite(null, 0, regex, toRe2jReplacement(substitution));
  }

  /** The rewritten {@code :path} (query kept). */
  public String apply(String path) {
    int end = PathMatcher.pathEnd(path);
    String rest = path.substring(end);
    String bare = path.substring(0, end);
    if (regex != null) {
      return regex.matcher(bare).replaceAll(replacement) + rest;
    }
    int cut = matchedLength < 0 ? end : Math.min(matchedLength, path.length());
    return prefix + path.substring(cut);
  }

  /** Rewrites with the regex only (for {@code host_rewrite_path_regex}); the query is not part of the input. */
  String applyRegexToPathOnly(String path) {
    String bare = path.substring(0, PathMatcher.pathEnd(path));
    return regex.matcher(bare).replaceAll(replacement);
  }

  /**
   * RE2's {@code \N} back references become RE2J's {@code $N}; a literal {@code $} is escaped.
   *
   * @throws IllegalArgumentException for a backslash followed by anything but a digit or a backslash (RE2 rejects it)
   */
  static String toRe2jReplacement(String substitution) {
    StringBuilder out = new StringBuilder(substitution.length() + 4);
    for (int i = 0; i < substitution.length(); i++) {
      char c = substitution.charAt(i);
      if (c == '\\') {
        if (i + 1 == substitution.length()) {
          throw new IllegalArgumentException("trailing backslash");
        }
        char next = substitution.charAt(++i);
        if (next >= '0' && next <= '9') {
          out.append('$').append(next);
        } else if (next == '\\') {
          out.append("\\\\");
        } else {
          throw new IllegalArgumentException("invalid escape \\" + next + " (only \\0-\\9 and \\\\)");
        }
      } else if (c == '$') {
        out.append("\\$");
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }
}
