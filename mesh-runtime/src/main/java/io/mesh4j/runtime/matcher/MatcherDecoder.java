package io.mesh4j.runtime.matcher;

import static io.mesh4j.runtime.xds.FieldPath.invalid;
import static io.mesh4j.runtime.xds.FieldPath.of;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;
import io.envoyproxy.envoy.type.v3.Int64Range;
import io.mesh4j.runtime.xds.DecodeContext;
import io.mesh4j.runtime.xds.FieldAllowList;
import io.mesh4j.runtime.xds.ResourceInvalidException;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Decodes Envoy's {@code HeaderMatcher}, {@code StringMatcher} and {@code RegexMatcher} into compiled matchers, with
 * the semantics the route configuration decoder documents; shared by route matching, retry conditions and filters
 * that condition on headers.
 */
public final class MatcherDecoder {
  private static final FieldAllowList HEADER_MATCHER =
      FieldAllowList.of(
          Set.of(
              "name",
              "exact_match",
              "safe_regex_match",
              "range_match",
              "present_match",
              "prefix_match",
              "suffix_match",
              "contains_match",
              "string_match",
              "invert_match",
              "treat_missing_header_as_empty"),
          Map.of());
  private static final FieldAllowList STRING_MATCHER =
      FieldAllowList.of(Set.of("exact", "prefix", "suffix", "safe_regex", "contains", "ignore_case"), Map.of());
  private static final FieldAllowList REGEX_MATCHER =
      FieldAllowList.of(Set.of("regex"), Map.of("google_re2", "RE2J has no program size limit"));

  private MatcherDecoder() {}

  @SuppressWarnings("deprecation") // istiod still sends the deprecated direct match fields
  public static HeaderMatcher decodeHeaderMatcher(
      io.envoyproxy.envoy.config.route.v3.HeaderMatcher proto, String path, DecodeContext context)
      throws ResourceInvalidException {
    HEADER_MATCHER.check(proto, path, context);
    if (proto.getName().isEmpty()) {
      throw invalid(of(path, "name"), "must not be empty");
    }
    // Header names are case-insensitive; RequestView is asked in lower case.
    String name = proto.getName().toLowerCase(Locale.ROOT);
    boolean invert = proto.getInvertMatch();
    boolean missingAsEmpty = proto.getTreatMissingHeaderAsEmpty();
    switch (proto.getHeaderMatchSpecifierCase()) {
      case EXACT_MATCH:
        // Envoy's deprecated exact_match treats "" as "any value"; string_match.exact "" only matches "".
        return proto.getExactMatch().isEmpty()
            ? HeaderMatcher.anyValue(name, invert, missingAsEmpty)
            : HeaderMatcher.string(name, StringMatcher.exact(proto.getExactMatch(), false), invert, missingAsEmpty);
      case SAFE_REGEX_MATCH:
        return HeaderMatcher.string(
            name,
            StringMatcher.regex(compile(proto.getSafeRegexMatch(), of(path, "safe_regex_match"), context)),
            invert,
            missingAsEmpty);
      case RANGE_MATCH:
        Int64Range range = proto.getRangeMatch();
        return HeaderMatcher.range(name, range.getStart(), range.getEnd(), invert, missingAsEmpty);
      case PRESENT_MATCH:
        return HeaderMatcher.presence(name, proto.getPresentMatch(), invert, missingAsEmpty);
      case PREFIX_MATCH:
        return HeaderMatcher.string(name, StringMatcher.prefix(proto.getPrefixMatch(), false), invert, missingAsEmpty);
      case SUFFIX_MATCH:
        return HeaderMatcher.string(name, StringMatcher.suffix(proto.getSuffixMatch(), false), invert, missingAsEmpty);
      case CONTAINS_MATCH:
        return HeaderMatcher.string(
            name, StringMatcher.contains(proto.getContainsMatch(), false), invert, missingAsEmpty);
      case STRING_MATCH:
        return HeaderMatcher.string(
            name, decodeStringMatcher(proto.getStringMatch(), of(path, "string_match"), context), invert, missingAsEmpty);
      case HEADERMATCHSPECIFIER_NOT_SET:
        return HeaderMatcher.anyValue(name, invert, missingAsEmpty);
      default:
        throw invalid(path, "unknown header match specifier " + proto.getHeaderMatchSpecifierCase());
    }
  }

  public static StringMatcher decodeStringMatcher(
      io.envoyproxy.envoy.type.matcher.v3.StringMatcher proto, String path, DecodeContext context)
      throws ResourceInvalidException {
    STRING_MATCHER.check(proto, path, context);
    boolean ignoreCase = proto.getIgnoreCase();
    switch (proto.getMatchPatternCase()) {
      case EXACT:
        return StringMatcher.exact(proto.getExact(), ignoreCase);
      case PREFIX:
        return StringMatcher.prefix(proto.getPrefix(), ignoreCase);
      case SUFFIX:
        return StringMatcher.suffix(proto.getSuffix(), ignoreCase);
      case CONTAINS:
        return StringMatcher.contains(proto.getContains(), ignoreCase);
      case SAFE_REGEX:
        return StringMatcher.regex(compile(proto.getSafeRegex(), of(path, "safe_regex"), context));
      default:
        throw invalid(path, "one of exact, prefix, suffix, contains, safe_regex is required");
    }
  }

  public static Pattern compile(RegexMatcher proto, String path, DecodeContext context)
      throws ResourceInvalidException {
    REGEX_MATCHER.check(proto, path, context);
    String regex = proto.getRegex();
    if (regex.isEmpty()) {
      throw invalid(of(path, "regex"), "must not be empty");
    }
    return compileRegex(regex, of(path, "regex"));
  }

  /**
   * The most instructions a regex from the control plane may compile into, by {@link RegexProgramSize}'s estimate:
   * about 1 MB of compiled program, and a bound on the work of each match on the request path.
   */
  public static final long MAX_REGEX_PROGRAM_SIZE = 10_000;

  /**
   * Compiles a regex the control plane sent, refusing one whose program would exceed
   * {@link #MAX_REGEX_PROGRAM_SIZE} before RE2J builds it.
   *
   * @param path the field path of the regex string, for the error
   */
  public static Pattern compileRegex(String regex, String path) throws ResourceInvalidException {
    long size = RegexProgramSize.estimate(regex, MAX_REGEX_PROGRAM_SIZE);
    if (size > MAX_REGEX_PROGRAM_SIZE) {
      throw invalid(path, "regex too large: its program would exceed " + MAX_REGEX_PROGRAM_SIZE
          + " instructions (nested repetitions multiply)");
    }
    try {
      return Pattern.compile(regex);
    } catch (PatternSyntaxException e) {
      throw invalid(path, "invalid regex '" + abbreviate(regex) + "': " + e.getDescription());
    }
  }

  private static String abbreviate(String text) {
    return text.length() <= 200 ? text : text.substring(0, 200) + "...";
  }
}
