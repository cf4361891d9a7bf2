package io.mesh4j.runtime.filter.rbac;

import static io.mesh4j.runtime.xds.FieldPath.invalid;
import static io.mesh4j.runtime.xds.FieldPath.of;

import io.envoyproxy.envoy.config.core.v3.CidrRange;
import io.envoyproxy.envoy.config.rbac.v3.MetadataSource;
import io.envoyproxy.envoy.config.rbac.v3.Permission;
import io.envoyproxy.envoy.config.rbac.v3.Policy;
import io.envoyproxy.envoy.config.rbac.v3.Principal;
import io.envoyproxy.envoy.config.rbac.v3.RBAC;
import io.envoyproxy.envoy.config.rbac.v3.SourcedMetadata;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.type.matcher.v3.PathMatcher;
import io.envoyproxy.envoy.type.v3.Int32Range;
import io.mesh4j.runtime.matcher.MatcherDecoder;
import io.mesh4j.runtime.xds.DecodeContext;
import io.mesh4j.runtime.xds.FieldAllowList;
import io.mesh4j.runtime.xds.ResourceInvalidException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Compiles {@code envoy.config.rbac.v3.RBAC} into an {@link RbacEngine}, validating as Envoy does (its proto
 * constraints included). Every permission and principal kind is implemented except the extensions a proxyless
 * server cannot run: CEL ({@code condition}, {@code checked_condition}), {@code matcher} and {@code uri_template}
 * extensions, {@code filter_state}, {@code custom} principals and route metadata; they are rejected naming their
 * field path, never ignored, since ignoring a rule changes who gets in.
 */
final class RbacPolicyDecoder {
  private static final FieldAllowList RBAC_RULES =
      FieldAllowList.of(
          Set.of("action", "policies"),
          Map.of("audit_logging_options", "audit loggers are not run; decisions are unchanged"));
  private static final FieldAllowList POLICY = FieldAllowList.of(Set.of("permissions", "principals"), Map.of());
  private static final FieldAllowList PERMISSION =
      FieldAllowList.of(
          Set.of(
              "and_rules",
              "or_rules",
              "any",
              "header",
              "url_path",
              "destination_ip",
              "destination_port",
              "destination_port_range",
              "metadata",
              "not_rule",
              "requested_server_name",
              "sourced_metadata"),
          Map.of());
  private static final FieldAllowList PRINCIPAL =
      FieldAllowList.of(
          Set.of(
              "and_ids",
              "or_ids",
              "any",
              "authenticated",
              "source_ip",
              "direct_remote_ip",
              "remote_ip",
              "header",
              "url_path",
              "metadata",
              "not_id",
              "sourced_metadata"),
          Map.of());
  private static final FieldAllowList PERMISSION_SET = FieldAllowList.of(Set.of("rules"), Map.of());
  private static final FieldAllowList PRINCIPAL_SET = FieldAllowList.of(Set.of("ids"), Map.of());
  private static final FieldAllowList AUTHENTICATED = FieldAllowList.of(Set.of("principal_name"), Map.of());
  private static final FieldAllowList CIDR_RANGE = FieldAllowList.of(Set.of("address_prefix", "prefix_len"), Map.of());
  private static final FieldAllowList PATH_MATCHER = FieldAllowList.of(Set.of("path"), Map.of());
  private static final FieldAllowList PORT_RANGE = FieldAllowList.of(Set.of("start", "end"), Map.of());
  private static final FieldAllowList SOURCED_METADATA =
      FieldAllowList.of(Set.of("metadata_matcher", "metadata_source"), Map.of());

  private RbacPolicyDecoder() {}

  /** @param path the field path of the {@code RBAC} message, e.g. {@code typed_config.rules} */
  static RbacEngine decode(RBAC proto, String path, DecodeContext context) throws ResourceInvalidException {
    RBAC_RULES.check(proto, path, context);
    RbacAction action;
    switch (proto.getAction()) {
      case ALLOW:
        action = RbacAction.ALLOW;
        break;
      case DENY:
        action = RbacAction.DENY;
        break;
      case LOG:
        action = RbacAction.LOG;
        break;
      default:
        throw invalid(of(path, "action"), "unknown action " + proto.getActionValue());
    }
    List<PolicyMatcher> policies = new ArrayList<>();
    // Sorted so that the first error reported does not depend on the map's order.
    for (Map.Entry<String, Policy> entry : new TreeMap<>(proto.getPoliciesMap()).entrySet()) {
      String policyPath = of(path, "policies") + "['" + entry.getKey() + "']";
      policies.add(policy(entry.getKey(), entry.getValue(), policyPath, context));
    }
    return new RbacEngine(action, policies);
  }

  private static PolicyMatcher policy(String name, Policy proto, String path, DecodeContext context)
      throws ResourceInvalidException {
    POLICY.check(proto, path, context);
    if (proto.getPermissionsCount() == 0) {
      throw invalid(of(path, "permissions"), "must have at least one permission");
    }
    if (proto.getPrincipalsCount() == 0) {
      throw invalid(of(path, "principals"), "must have at least one principal");
    }
    List<RbacMatcher> permissions = new ArrayList<>();
    for (int i = 0; i < proto.getPermissionsCount(); i++) {
      permissions.add(permission(proto.getPermissions(i), of(path, "permissions", i), context));
    }
    List<RbacMatcher> principals = new ArrayList<>();
    for (int i = 0; i < proto.getPrincipalsCount(); i++) {
      principals.add(principal(proto.getPrincipals(i), of(path, "principals", i), context));
    }
    return new PolicyMatcher(name, oneOf(permissions), oneOf(principals));
  }

  /**
   * An OR, or its one matcher alone: istiod writes every rule as an AND of ORs, most of one element, and each level
   * skipped is a call less per policy on every request.
   */
  private static RbacMatcher oneOf(List<RbacMatcher> matchers) {
    return matchers.size() == 1 ? matchers.get(0) : new OrMatcher(matchers);
  }

  /** An AND, or its one matcher alone. */
  private static RbacMatcher allOf(List<RbacMatcher> matchers) {
    return matchers.size() == 1 ? matchers.get(0) : new AndMatcher(matchers);
  }

  static RbacMatcher permission(Permission proto, String path, DecodeContext context)
      throws ResourceInvalidException {
    PERMISSION.check(proto, path, context);
    switch (proto.getRuleCase()) {
      case AND_RULES:
        return allOf(permissions(proto.getAndRules(), of(path, "and_rules"), context));
      case OR_RULES:
        return oneOf(permissions(proto.getOrRules(), of(path, "or_rules"), context));
      case NOT_RULE:
        return new NotMatcher(permission(proto.getNotRule(), of(path, "not_rule"), context));
      case ANY:
        return any(proto.getAny(), of(path, "any"));
      case HEADER:
        return header(proto.getHeader(), of(path, "header"), context);
      case URL_PATH:
        return urlPath(proto.getUrlPath(), of(path, "url_path"), context);
      case DESTINATION_IP:
        return new DestinationIpMatcher(cidr(proto.getDestinationIp(), of(path, "destination_ip"), context));
      case DESTINATION_PORT:
        if (proto.getDestinationPort() < 0 || proto.getDestinationPort() > 65535) {
          throw invalid(of(path, "destination_port"),
              Integer.toUnsignedString(proto.getDestinationPort()) + " is not a port (at most 65535)");
        }
        return new DestinationPortMatcher(proto.getDestinationPort());
      case DESTINATION_PORT_RANGE:
        return portRange(proto.getDestinationPortRange(), of(path, "destination_port_range"), context);
      case METADATA:
        return MetadataMatcherDecoder.decode(proto.getMetadata(), of(path, "metadata"), context);
      case SOURCED_METADATA:
        return sourcedMetadata(proto.getSourcedMetadata(), of(path, "sourced_metadata"), context);
      case REQUESTED_SERVER_NAME:
        return new RequestedServerNameMatcher(
            MatcherDecoder.decodeStringMatcher(
                proto.getRequestedServerName(), of(path, "requested_server_name"), context),
            RbacMatcher.stringCost(proto.getRequestedServerName().hasSafeRegex()));
      default:
        throw invalid(path, "a permission rule is required");
    }
  }

  static RbacMatcher principal(Principal proto, String path, DecodeContext context)
      throws ResourceInvalidException {
    PRINCIPAL.check(proto, path, context);
    switch (proto.getIdentifierCase()) {
      case AND_IDS:
        return allOf(principals(proto.getAndIds(), of(path, "and_ids"), context));
      case OR_IDS:
        return oneOf(principals(proto.getOrIds(), of(path, "or_ids"), context));
      case NOT_ID:
        return new NotMatcher(principal(proto.getNotId(), of(path, "not_id"), context));
      case ANY:
        return any(proto.getAny(), of(path, "any"));
      case AUTHENTICATED:
        String authenticatedPath = of(path, "authenticated");
        AUTHENTICATED.check(proto.getAuthenticated(), authenticatedPath, context);
        if (!proto.getAuthenticated().hasPrincipalName()) {
          return new AuthenticatedMatcher(null, 1);
        }
        io.envoyproxy.envoy.type.matcher.v3.StringMatcher principalName = proto.getAuthenticated().getPrincipalName();
        // A certificate has a SAN or two and a subject, each tried in turn.
        PrincipalNameMatcher names = PrincipalNameMatcher.of(
            MatcherDecoder.decodeStringMatcher(principalName, of(authenticatedPath, "principal_name"), context),
            principalName.hasSafeRegex() ? principalName.getSafeRegex().getRegex() : null);
        return new AuthenticatedMatcher(names, 2 * RbacMatcher.stringCost(names.isRegex()));
      case SOURCE_IP:
        return new RemoteIpMatcher("source_ip", cidr(sourceIp(proto), of(path, "source_ip"), context));
      case DIRECT_REMOTE_IP:
        return new RemoteIpMatcher(
            "direct_remote_ip", cidr(proto.getDirectRemoteIp(), of(path, "direct_remote_ip"), context));
      case REMOTE_IP:
        return new RemoteIpMatcher("remote_ip", cidr(proto.getRemoteIp(), of(path, "remote_ip"), context));
      case HEADER:
        return header(proto.getHeader(), of(path, "header"), context);
      case URL_PATH:
        return urlPath(proto.getUrlPath(), of(path, "url_path"), context);
      case METADATA:
        return MetadataMatcherDecoder.decode(proto.getMetadata(), of(path, "metadata"), context);
      case SOURCED_METADATA:
        return sourcedMetadata(proto.getSourcedMetadata(), of(path, "sourced_metadata"), context);
      default:
        throw invalid(path, "a principal identifier is required");
    }
  }

  @SuppressWarnings("deprecation") // source_ip is deprecated in favour of direct_remote_ip; istiod may still send it
  private static CidrRange sourceIp(Principal proto) {
    return proto.getSourceIp();
  }

  private static List<RbacMatcher> permissions(Permission.Set set, String path, DecodeContext context)
      throws ResourceInvalidException {
    PERMISSION_SET.check(set, path, context);
    if (set.getRulesCount() == 0) {
      throw invalid(of(path, "rules"), "must have at least one rule");
    }
    List<RbacMatcher> matchers = new ArrayList<>();
    for (int i = 0; i < set.getRulesCount(); i++) {
      matchers.add(permission(set.getRules(i), of(path, "rules", i), context));
    }
    return matchers;
  }

  private static List<RbacMatcher> principals(Principal.Set set, String path, DecodeContext context)
      throws ResourceInvalidException {
    PRINCIPAL_SET.check(set, path, context);
    if (set.getIdsCount() == 0) {
      throw invalid(of(path, "ids"), "must have at least one id");
    }
    List<RbacMatcher> matchers = new ArrayList<>();
    for (int i = 0; i < set.getIdsCount(); i++) {
      matchers.add(principal(set.getIds(i), of(path, "ids", i), context));
    }
    return matchers;
  }

  private static RbacMatcher any(boolean any, String path) throws ResourceInvalidException {
    if (!any) {
      throw invalid(path, "must be true");
    }
    return AnyMatcher.INSTANCE;
  }

  private static RbacMatcher urlPath(PathMatcher proto, String path, DecodeContext context)
      throws ResourceInvalidException {
    PATH_MATCHER.check(proto, path, context);
    if (!proto.hasPath()) {
      throw invalid(of(path, "path"), "is required");
    }
    return new UrlPathMatcher(
        MatcherDecoder.decodeStringMatcher(proto.getPath(), of(path, "path"), context),
        RbacMatcher.stringCost(proto.getPath().hasSafeRegex()));
  }

  @SuppressWarnings("deprecation") // istiod still sends the deprecated direct match fields
  private static RbacMatcher header(HeaderMatcher proto, String path, DecodeContext context)
      throws ResourceInvalidException {
    boolean regex = proto.hasSafeRegexMatch() || (proto.hasStringMatch() && proto.getStringMatch().hasSafeRegex());
    return new RequestHeaderMatcher(
        MatcherDecoder.decodeHeaderMatcher(proto, path, context), RbacMatcher.stringCost(regex));
  }

  private static IpPrefix cidr(CidrRange proto, String path, DecodeContext context)
      throws ResourceInvalidException {
    CIDR_RANGE.check(proto, path, context);
    int length = proto.hasPrefixLen() ? proto.getPrefixLen().getValue() : 0;
    if (length < 0 || length > 128) {
      throw invalid(of(path, "prefix_len"), Integer.toUnsignedString(length) + " is more than 128");
    }
    try {
      return IpPrefix.of(proto.getAddressPrefix(), length);
    } catch (IllegalArgumentException e) {
      throw invalid(of(path, "address_prefix"), e.getMessage());
    }
  }

  private static RbacMatcher portRange(Int32Range proto, String path, DecodeContext context)
      throws ResourceInvalidException {
    PORT_RANGE.check(proto, path, context);
    int start = proto.getStart();
    int end = proto.getEnd();
    if (start < 0 || start > 65536) {
      throw invalid(of(path, "start"), start + " is out of bounds [0, 65536]");
    }
    if (end < 0 || end > 65536) {
      throw invalid(of(path, "end"), end + " is out of bounds [0, 65536]");
    }
    if (start >= end) {
      throw invalid(path, "start " + start + " must be less than end " + end);
    }
    return new DestinationPortRangeMatcher(start, end);
  }

  private static RbacMatcher sourcedMetadata(SourcedMetadata proto, String path, DecodeContext context)
      throws ResourceInvalidException {
    SOURCED_METADATA.check(proto, path, context);
    if (proto.getMetadataSource() != MetadataSource.DYNAMIC) {
      throw invalid(of(path, "metadata_source"),
          proto.getMetadataSource() + " is not supported: only DYNAMIC (the request's dynamic metadata)");
    }
    if (!proto.hasMetadataMatcher()) {
      throw invalid(of(path, "metadata_matcher"), "is required");
    }
    return MetadataMatcherDecoder.decode(proto.getMetadataMatcher(), of(path, "metadata_matcher"), context);
  }
}
