package io.mesh4j.runtime.filter.jwt;

import io.mesh4j.runtime.filter.FilterConfig;
import io.mesh4j.runtime.inbound.InboundFilterConfig;
import io.mesh4j.runtime.inbound.InboundReply;
import io.mesh4j.runtime.inbound.InboundRequest;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A decoded {@code JwtAuthentication}: the first rule whose match the request meets says which tokens it must carry;
 * a request no rule matches is not checked. A refused request gets Envoy's reply: 401 with {@code www-authenticate:
 * Bearer realm="<url>", error="invalid_token"} (without the error for a missing token), 403 for an audience that is
 * not allowed, the status's text as body; the reason goes to the log.
 */
final class JwtAuthnConfig implements InboundFilterConfig {
  private static final Logger log = LoggerFactory.getLogger(JwtAuthnConfig.class);
  private static final int MAX_REALM_PATH = 256;

  private final List<RequirementRule> rules;
  private final Map<String, Requirement> requirementMap;
  private final boolean bypassCorsPreflight;
  private final boolean stripFailureResponse;
  /** The config's provider when it has exactly one, else null: failures no provider owns are written with its key. */
  private final JwtProvider onlyProvider;

  JwtAuthnConfig(List<RequirementRule> rules, Map<String, Requirement> requirementMap, boolean bypassCorsPreflight,
      boolean stripFailureResponse, JwtProvider onlyProvider) {
    this.onlyProvider = onlyProvider;
    this.rules = List.copyOf(rules);
    this.requirementMap = Map.copyOf(requirementMap);
    this.bypassCorsPreflight = bypassCorsPreflight;
    this.stripFailureResponse = stripFailureResponse;
  }

  @Override
  public String typeUrl() {
    return JwtAuthnFilterProvider.TYPE_URL;
  }

  @Override
  public InboundReply onRequest(InboundRequest request) {
    if (bypassCorsPreflight && isCorsPreflight(request)) {
      return null;
    }
    for (RequirementRule rule : rules) {
      if (rule.matches(request)) {
        return check(rule.requirement(), request);
      }
    }
    return null;
  }

  @Override
  public InboundFilterConfig withRouteOverride(FilterConfig override) {
    if (!(override instanceof JwtPerRouteConfig perRoute)) {
      return InboundFilterConfig.super.withRouteOverride(override);
    }
    Requirement requirement = requirementMap.get(perRoute.requirementName());
    if (requirement == null) {
      String error = "Failed JWT authentication: unknown requirement name " + perRoute.requirementName();
      return new FixedReply(new InboundReply(403, stripFailureResponse ? "" : error, Map.of(), error));
    }
    return new RouteRequirement(requirement);
  }

  InboundReply check(Requirement requirement, InboundRequest request) {
    if (requirement == null) {
      return null;
    }
    if (bypassCorsPreflight && isCorsPreflight(request)) {
      return null;
    }
    RequestTokens tokens = new RequestTokens(request, onlyProvider);
    JwtOutcome outcome = requirement.check(tokens);
    if (outcome.ok()) {
      tokens.publish();
      return null;
    }
    JwtStatus status = outcome.status();
    log.debug("jwt_authn refused {} {}: {} ({})", request.method(), request.path(), status.text(), outcome.reason());
    String realm = "Bearer realm=\"" + originalUri(request) + "\"";
    if (status != JwtStatus.MISSING) {
      realm += ", error=\"invalid_token\"";
    }
    return new InboundReply(status.httpStatus(), stripFailureResponse ? "" : status.text(),
        Map.of("www-authenticate", realm), status.text() + ": " + outcome.reason());
  }

  private static boolean isCorsPreflight(InboundRequest request) {
    return "OPTIONS".equals(request.method())
        && notEmpty(request.header("origin"))
        && notEmpty(request.header("access-control-request-method"));
  }

  private static boolean notEmpty(String value) {
    return value != null && !value.isEmpty();
  }

  /** Envoy's {@code buildOriginalUri}: scheme, host and path without the query, the path cut at 256 characters. */
  private static String originalUri(InboundRequest request) {
    String scheme = request.header(":scheme");
    String host = request.authority();
    String path = request.path() == null ? "" : request.path();
    int query = path.indexOf('?');
    if (query >= 0) {
      path = path.substring(0, query);
    }
    if (path.length() > MAX_REALM_PATH) {
      path = path.substring(0, MAX_REALM_PATH);
    }
    return (scheme == null ? "http" : scheme) + "://" + (host == null ? "" : host) + path;
  }

  /** The listener's config narrowed to one requirement, for a route with {@code requirement_name}. */
  private final class RouteRequirement implements InboundFilterConfig {
    private final Requirement requirement;

    RouteRequirement(Requirement requirement) {
      this.requirement = requirement;
    }

    @Override
    public String typeUrl() {
      return JwtAuthnFilterProvider.TYPE_URL;
    }

    @Override
    public InboundReply onRequest(InboundRequest request) {
      return check(requirement, request);
    }
  }

  /** A route override that refuses every request (its requirement name is not in the map). */
  private record FixedReply(InboundReply reply) implements InboundFilterConfig {
    @Override
    public String typeUrl() {
      return JwtAuthnFilterProvider.TYPE_URL;
    }

    @Override
    public InboundReply onRequest(InboundRequest request) {
      return reply;
    }
  }
}
