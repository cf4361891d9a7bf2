package io.mesh4j.runtime.matcher;

import static io.mesh4j.runtime.matcher.MatcherDecoder.compile;
import static io.mesh4j.runtime.matcher.MatcherDecoder.decodeHeaderMatcher;
import static io.mesh4j.runtime.matcher.MatcherDecoder.decodeStringMatcher;
import static io.mesh4j.runtime.xds.FieldPath.invalid;
import static io.mesh4j.runtime.xds.FieldPath.of;

import io.envoyproxy.envoy.config.core.v3.RuntimeFractionalPercent;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.type.v3.FractionalPercent;
import io.mesh4j.runtime.xds.DecodeContext;
import io.mesh4j.runtime.xds.FieldAllowList;
import io.mesh4j.runtime.xds.ResourceInvalidException;
import java.util.Map;
import java.util.Set;

/** Decodes a route's {@code match} (path, headers, query parameters, runtime fraction) into a {@link RouteMatcher}. */
public final class RouteMatchDecoder {
  private static final FieldAllowList ROUTE_MATCH =
      FieldAllowList.of(
          Set.of(
              "prefix",
              "path",
              "safe_regex",
              "path_separated_prefix",
              "case_sensitive",
              "runtime_fraction",
              "headers",
              "query_parameters",
              "grpc"),
          Map.of());
  private static final FieldAllowList QUERY_PARAMETER_MATCHER =
      FieldAllowList.of(Set.of("name", "string_match", "present_match"), Map.of());
  private static final FieldAllowList RUNTIME_FRACTION =
      FieldAllowList.of(
          Set.of("default_value"), Map.of("runtime_key", "there is no runtime: default_value applies"));
  private static final FieldAllowList FRACTIONAL_PERCENT =
      FieldAllowList.of(Set.of("numerator", "denominator"), Map.of());

  private static final HeaderMatcher[] NO_HEADERS = new HeaderMatcher[0];
  private static final QueryParameterMatcher[] NO_QUERY_PARAMETERS = new QueryParameterMatcher[0];

  private RouteMatchDecoder() {}

  public static RouteMatcher decodeMatch(RouteMatch match, String path, DecodeContext context)
      throws ResourceInvalidException {
    ROUTE_MATCH.check(match, path, context);
    boolean caseSensitive = !match.hasCaseSensitive() || match.getCaseSensitive().getValue();
    PathMatcher pathMatcher;
    switch (match.getPathSpecifierCase()) {
      case PREFIX:
        pathMatcher = PathMatcher.prefix(match.getPrefix(), caseSensitive);
        break;
      case PATH:
        pathMatcher = PathMatcher.exact(match.getPath(), caseSensitive);
        break;
      case SAFE_REGEX:
        pathMatcher = PathMatcher.regex(compile(match.getSafeRegex(), of(path, "safe_regex"), context));
        break;
      case PATH_SEPARATED_PREFIX:
        String prefix = match.getPathSeparatedPrefix();
        if (prefix.length() < 2
            || prefix.indexOf('?') >= 0
            || prefix.indexOf('#') >= 0
            || prefix.endsWith("/")) {
          throw invalid(
              of(path, "path_separated_prefix"),
              "'" + prefix + "' must have at least two characters, no '?' or '#', and not end with '/'");
        }
        pathMatcher = PathMatcher.separatedPrefix(prefix, caseSensitive);
        break;
      default:
        throw invalid(path, "one of prefix, path, safe_regex, path_separated_prefix is required");
    }

    long numerator = 0;
    long denominator = 0;
    if (match.hasRuntimeFraction()) {
      RuntimeFractionalPercent fraction = match.getRuntimeFraction();
      String fractionPath = of(path, "runtime_fraction");
      RUNTIME_FRACTION.check(fraction, fractionPath, context);
      if (!fraction.hasDefaultValue()) {
        throw invalid(of(fractionPath, "default_value"), "is required");
      }
      FractionalPercent percent = fraction.getDefaultValue();
      FRACTIONAL_PERCENT.check(percent, of(fractionPath, "default_value"), context);
      denominator = denominator(percent, of(fractionPath, "default_value.denominator"));
      numerator = Integer.toUnsignedLong(percent.getNumerator());
    }

    HeaderMatcher[] headers = NO_HEADERS;
    if (match.getHeadersCount() > 0) {
      headers = new HeaderMatcher[match.getHeadersCount()];
      for (int i = 0; i < headers.length; i++) {
        headers[i] = decodeHeaderMatcher(match.getHeaders(i), of(path, "headers", i), context);
      }
    }
    QueryParameterMatcher[] queryParameters = NO_QUERY_PARAMETERS;
    if (match.getQueryParametersCount() > 0) {
      queryParameters = new QueryParameterMatcher[match.getQueryParametersCount()];
      for (int i = 0; i < queryParameters.length; i++) {
        queryParameters[i] =
            decodeQueryParameterMatcher(match.getQueryParameters(i), of(path, "query_parameters", i), context);
      }
    }
    return new RouteMatcher(pathMatcher, headers, queryParameters, numerator, denominator, match.hasGrpc());
  }

  private static long denominator(FractionalPercent percent, String path) throws ResourceInvalidException {
    switch (percent.getDenominator()) {
      case HUNDRED:
        return 100;
      case TEN_THOUSAND:
        return 10_000;
      case MILLION:
        return 1_000_000;
      default:
        throw invalid(path, "unknown denominator " + percent.getDenominatorValue());
    }
  }

  private static QueryParameterMatcher decodeQueryParameterMatcher(
      io.envoyproxy.envoy.config.route.v3.QueryParameterMatcher proto, String path, DecodeContext context)
      throws ResourceInvalidException {
    QUERY_PARAMETER_MATCHER.check(proto, path, context);
    if (proto.getName().isEmpty()) {
      throw invalid(of(path, "name"), "must not be empty");
    }
    StringMatcher value =
        proto.hasStringMatch()
            ? decodeStringMatcher(proto.getStringMatch(), of(path, "string_match"), context)
            : null;
    return new QueryParameterMatcher(proto.getName(), value);
  }
}
