package io.mesh4j.runtime.filter.jwt;

import static io.mesh4j.runtime.xds.FieldPath.invalid;
import static io.mesh4j.runtime.xds.FieldPath.of;

import com.nimbusds.jose.jwk.JWKSet;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.core.v3.HttpUri;
import io.envoyproxy.envoy.config.core.v3.RetryPolicy;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtClaimToHeader;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtHeader;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtRequirement;
import io.mesh4j.runtime.matcher.MatcherDecoder;
import io.mesh4j.runtime.matcher.RouteMatchDecoder;
import io.mesh4j.runtime.matcher.RouteMatcher;
import io.mesh4j.runtime.matcher.StringMatcher;
import io.mesh4j.runtime.xds.DecodeContext;
import io.mesh4j.runtime.xds.FieldAllowList;
import io.mesh4j.runtime.xds.ProtoDurations;
import io.mesh4j.runtime.xds.ResourceInvalidException;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Duration;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Decodes {@code JwtAuthentication} into a {@link JwtAuthnConfig}. Every field of the issue is read; what mesh4j does
 * not do is rejected naming its path ({@code filter_state_rules}: there is no filter state; {@code clear_route_cache}:
 * the server side does not re-route; a {@code runtime_fraction} in a rule, which Envoy's jwt_authn does not evaluate
 * either).
 */
final class JwtAuthnDecoder {
  private static final FieldAllowList AUTHENTICATION = FieldAllowList.of(
      Set.of("providers", "rules", "bypass_cors_preflight", "requirement_map", "strip_failure_response"),
      Map.of("stat_prefix", "statistics only"));
  private static final FieldAllowList PROVIDER = FieldAllowList.of(
      Set.of("issuer", "audiences", "subjects", "require_expiration", "max_lifetime", "remote_jwks", "local_jwks",
          "forward", "from_headers", "from_params", "from_cookies", "forward_payload_header",
          "pad_forward_payload_header", "payload_in_metadata", "normalize_payload_in_metadata",
          "header_in_metadata", "failed_status_in_metadata", "clock_skew_seconds", "jwt_cache_config", "claim_to_headers"),
      Map.of());
  private static final FieldAllowList REMOTE_JWKS = FieldAllowList.of(
      Set.of("http_uri", "cache_duration", "async_fetch", "retry_policy"), Map.of());
  private static final FieldAllowList HTTP_URI = FieldAllowList.of(Set.of("uri", "cluster", "timeout"), Map.of());
  private static final FieldAllowList ASYNC_FETCH = FieldAllowList.of(Set.of(),
      Map.of("fast_listener", "keys are always fetched when the config arrives; listeners never wait for them",
          "failed_refetch_duration", "refetches follow the cache's refresh schedule"));
  private static final FieldAllowList RETRY_POLICY = FieldAllowList.of(Set.of("retry_back_off", "num_retries"),
      Map.of());
  private static final FieldAllowList BACK_OFF = FieldAllowList.of(Set.of("base_interval", "max_interval"),
      Map.of());
  private static final FieldAllowList DATA_SOURCE = FieldAllowList.of(
      Set.of("filename", "inline_string", "inline_bytes", "environment_variable"), Map.of());
  private static final FieldAllowList JWT_HEADER = FieldAllowList.of(Set.of("name", "value_prefix"), Map.of());
  private static final FieldAllowList CLAIM_TO_HEADER = FieldAllowList.of(Set.of("header_name", "claim_name"),
      Map.of());
  private static final FieldAllowList CACHE_CONFIG = FieldAllowList.of(
      Set.of("jwt_cache_size", "jwt_max_token_size"), Map.of());
  private static final FieldAllowList NORMALIZE = FieldAllowList.of(Set.of("space_delimited_claims"), Map.of());
  private static final FieldAllowList RULE = FieldAllowList.of(Set.of("match", "requires", "requirement_name"),
      Map.of());
  private static final FieldAllowList REQUIREMENT = FieldAllowList.of(
      Set.of("provider_name", "provider_and_audiences", "requires_any", "requires_all", "allow_missing_or_failed",
          "allow_missing"),
      Map.of());
  private static final FieldAllowList PROVIDER_AND_AUDIENCES = FieldAllowList.of(
      Set.of("provider_name", "audiences"), Map.of());
  private static final FieldAllowList REQUIREMENT_LIST = FieldAllowList.of(Set.of("requirements"), Map.of());

  private static final int DEFAULT_CACHE_SIZE = 1000;
  private static final int DEFAULT_MAX_CACHED_TOKEN_SIZE = 4096;
  private static final Duration DEFAULT_BACK_OFF_BASE = Duration.ofSeconds(1);

  private final JwtEnvironment environment;
  private final DecodeContext context;

  private JwtAuthnDecoder(JwtEnvironment environment, DecodeContext context) {
    this.environment = environment;
    this.context = context;
  }

  static JwtAuthnConfig decode(JwtAuthentication proto, String path, JwtEnvironment environment,
      DecodeContext context) throws ResourceInvalidException {
    return new JwtAuthnDecoder(environment, context).authentication(proto, path);
  }

  private JwtAuthnConfig authentication(JwtAuthentication proto, String path) throws ResourceInvalidException {
    AUTHENTICATION.check(proto, path, context);
    Map<String, TokenVerifier> verifiers = new LinkedHashMap<>();
    // Sorted, so that the first error reported does not depend on the map's order.
    for (Map.Entry<String, io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtProvider> entry
        : new TreeMap<>(proto.getProvidersMap()).entrySet()) {
      String providerPath = path + ".providers['" + entry.getKey() + "']";
      verifiers.put(entry.getKey(),
          new TokenVerifier(provider(entry.getKey(), entry.getValue(), providerPath), environment.clockMillis()));
    }
    Map<String, Requirement> requirementMap = new LinkedHashMap<>();
    for (Map.Entry<String, JwtRequirement> entry : new TreeMap<>(proto.getRequirementMapMap()).entrySet()) {
      Requirement requirement =
          requirement(entry.getValue(), path + ".requirement_map['" + entry.getKey() + "']", verifiers);
      // An empty requirement is met by every request (Envoy's allow-all verifier), here as in a list.
      requirementMap.put(entry.getKey(), requirement == null ? request -> JwtOutcome.OK : requirement);
    }
    List<RequirementRule> rules = new ArrayList<>();
    for (int i = 0; i < proto.getRulesCount(); i++) {
      rules.add(rule(proto.getRules(i), of(path, "rules", i), verifiers, requirementMap));
    }
    // Envoy writes a failure no provider owns (no token, an unparsable one) with the only provider's key, if one.
    JwtProvider onlyProvider = verifiers.size() == 1 ? verifiers.values().iterator().next().provider() : null;
    return new JwtAuthnConfig(rules, requirementMap, proto.getBypassCorsPreflight(), proto.getStripFailureResponse(),
        onlyProvider);
  }

  private RequirementRule rule(io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.RequirementRule proto, String path, Map<String, TokenVerifier> verifiers,
      Map<String, Requirement> requirementMap) throws ResourceInvalidException {
    RULE.check(proto, path, context);
    if (!proto.hasMatch()) {
      throw invalid(of(path, "match"), "is required");
    }
    RouteMatcher match = RouteMatchDecoder.decodeMatch(proto.getMatch(), of(path, "match"), context);
    if (match.hasRuntimeFraction()) {
      throw invalid(of(path, "match.runtime_fraction"), "not supported in jwt_authn rules");
    }
    Requirement requirement;
    switch (proto.getRequirementTypeCase()) {
      case REQUIRES:
        requirement = requirement(proto.getRequires(), of(path, "requires"), verifiers);
        break;
      case REQUIREMENT_NAME:
        if (!requirementMap.containsKey(proto.getRequirementName())) {
          throw invalid(of(path, "requirement_name"),
              "'" + proto.getRequirementName() + "' is not in requirement_map");
        }
        requirement = requirementMap.get(proto.getRequirementName());
        break;
      default:
        requirement = null; // Envoy: a rule without a requirement verifies nothing
    }
    return new RequirementRule(match, requirement);
  }

  private Requirement requirement(JwtRequirement proto, String path, Map<String, TokenVerifier> verifiers)
      throws ResourceInvalidException {
    REQUIREMENT.check(proto, path, context);
    switch (proto.getRequiresTypeCase()) {
      case PROVIDER_NAME: {
        TokenVerifier verifier = verifier(proto.getProviderName(), of(path, "provider_name"), verifiers);
        return new ProviderRequirement(verifier, verifier.provider().audiences());
      }
      case PROVIDER_AND_AUDIENCES: {
        String p = of(path, "provider_and_audiences");
        PROVIDER_AND_AUDIENCES.check(proto.getProviderAndAudiences(), p, context);
        TokenVerifier verifier =
            verifier(proto.getProviderAndAudiences().getProviderName(), of(p, "provider_name"), verifiers);
        return new ProviderRequirement(verifier, Audiences.of(proto.getProviderAndAudiences().getAudiencesList()));
      }
      case REQUIRES_ANY: {
        String p = of(path, "requires_any");
        REQUIREMENT_LIST.check(proto.getRequiresAny(), p, context);
        return new AnyRequirement(requirements(proto.getRequiresAny().getRequirementsList(), p, verifiers));
      }
      case REQUIRES_ALL: {
        String p = of(path, "requires_all");
        REQUIREMENT_LIST.check(proto.getRequiresAll(), p, context);
        return new AllRequirement(requirements(proto.getRequiresAll().getRequirementsList(), p, verifiers));
      }
      case ALLOW_MISSING:
        return new AllowMissingRequirement(List.copyOf(verifiers.values()), false);
      case ALLOW_MISSING_OR_FAILED:
        return new AllowMissingRequirement(List.copyOf(verifiers.values()), true);
      default:
        return null;
    }
  }

  private List<Requirement> requirements(List<JwtRequirement> protos, String path,
      Map<String, TokenVerifier> verifiers) throws ResourceInvalidException {
    if (protos.size() < 2) {
      throw invalid(of(path, "requirements"), "needs at least two requirements");
    }
    List<Requirement> out = new ArrayList<>();
    for (int i = 0; i < protos.size(); i++) {
      Requirement requirement = requirement(protos.get(i), of(path, "requirements", i), verifiers);
      // An empty requirement within a list is met by every request.
      out.add(requirement == null ? request -> JwtOutcome.OK : requirement);
    }
    return out;
  }

  private static TokenVerifier verifier(String name, String path, Map<String, TokenVerifier> verifiers)
      throws ResourceInvalidException {
    TokenVerifier verifier = verifiers.get(name);
    if (verifier == null) {
      throw invalid(path, "unknown provider '" + name + "'");
    }
    return verifier;
  }

  private JwtProvider provider(String name,
      io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtProvider proto, String path)
      throws ResourceInvalidException {
    PROVIDER.check(proto, path, context);
    StringMatcher subjects = proto.hasSubjects()
        ? MatcherDecoder.decodeStringMatcher(proto.getSubjects(), of(path, "subjects"), context)
        : null;
    Duration maxLifetime = proto.hasMaxLifetime()
        ? ProtoDurations.nonNegative(proto.getMaxLifetime(), of(path, "max_lifetime"))
        : null;
    JwksSource keys;
    switch (proto.getJwksSourceSpecifierCase()) {
      case LOCAL_JWKS:
        keys = new LocalJwks(localJwks(proto.getLocalJwks(), of(path, "local_jwks")));
        break;
      case REMOTE_JWKS:
        keys = RemoteJwks.shared(remoteJwks(proto.getRemoteJwks(), of(path, "remote_jwks")), environment);
        break;
      default:
        throw invalid(path, "one of local_jwks, remote_jwks is required");
    }
    List<TokenLocation> locations = new ArrayList<>();
    for (int i = 0; i < proto.getFromHeadersCount(); i++) {
      JwtHeader header = proto.getFromHeaders(i);
      String p = of(path, "from_headers", i);
      JWT_HEADER.check(header, p, context);
      if (header.getName().isEmpty()) {
        throw invalid(of(p, "name"), "must not be empty");
      }
      locations.add(new TokenLocation(TokenLocation.Kind.HEADER, header.getName().toLowerCase(java.util.Locale.ROOT),
          header.getValuePrefix()));
    }
    for (String param : proto.getFromParamsList()) {
      locations.add(new TokenLocation(TokenLocation.Kind.PARAM, param, ""));
    }
    for (String cookie : proto.getFromCookiesList()) {
      locations.add(new TokenLocation(TokenLocation.Kind.COOKIE, cookie, ""));
    }
    if (locations.isEmpty()) {
      locations.add(TokenLocation.AUTHORIZATION_BEARER);
      locations.add(TokenLocation.ACCESS_TOKEN_PARAM);
    }
    List<Map.Entry<String, String>> claimToHeaders = new ArrayList<>();
    for (int i = 0; i < proto.getClaimToHeadersCount(); i++) {
      JwtClaimToHeader c = proto.getClaimToHeaders(i);
      String p = of(path, "claim_to_headers", i);
      CLAIM_TO_HEADER.check(c, p, context);
      if (c.getHeaderName().isEmpty() || c.getClaimName().isEmpty()) {
        throw invalid(p, "header_name and claim_name are required");
      }
      claimToHeaders.add(new AbstractMap.SimpleImmutableEntry<>(c.getClaimName(),
          c.getHeaderName().toLowerCase(java.util.Locale.ROOT)));
    }
    Set<String> spaceDelimited = Set.of();
    if (proto.hasNormalizePayloadInMetadata()) {
      NORMALIZE.check(proto.getNormalizePayloadInMetadata(), of(path, "normalize_payload_in_metadata"), context);
      spaceDelimited = Set.copyOf(proto.getNormalizePayloadInMetadata().getSpaceDelimitedClaimsList());
    }
    int cacheSize = DEFAULT_CACHE_SIZE;
    int maxCachedTokenSize = DEFAULT_MAX_CACHED_TOKEN_SIZE;
    if (proto.hasJwtCacheConfig()) {
      CACHE_CONFIG.check(proto.getJwtCacheConfig(), of(path, "jwt_cache_config"), context);
      if (proto.getJwtCacheConfig().getJwtCacheSize() > 0) {
        cacheSize = proto.getJwtCacheConfig().getJwtCacheSize();
      }
      if (proto.getJwtCacheConfig().getJwtMaxTokenSize() > 0) {
        maxCachedTokenSize = proto.getJwtCacheConfig().getJwtMaxTokenSize();
      }
    }
    long skew = proto.getClockSkewSeconds() > 0 ? proto.getClockSkewSeconds() : JwtProvider.DEFAULT_CLOCK_SKEW_SECONDS;
    return new JwtProvider(name, proto.getIssuer(), Audiences.of(proto.getAudiencesList()), subjects, maxLifetime,
        skew, proto.getRequireExpiration(), keys, locations, proto.getForward(), proto.getForwardPayloadHeader(),
        proto.getPadForwardPayloadHeader(), claimToHeaders, proto.getPayloadInMetadata(),
        proto.getHeaderInMetadata(), proto.getFailedStatusInMetadata(), spaceDelimited, cacheSize, maxCachedTokenSize);
  }

  private JWKSet localJwks(DataSource source, String path) throws ResourceInvalidException {
    DATA_SOURCE.check(source, path, context);
    String text;
    switch (source.getSpecifierCase()) {
      case FILENAME:
        try {
          text = Files.readString(Path.of(source.getFilename()), StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
          throw invalid(of(path, "filename"), "cannot read " + source.getFilename() + ": " + e.getMessage());
        }
        break;
      case INLINE_STRING:
        text = source.getInlineString();
        break;
      case INLINE_BYTES:
        text = source.getInlineBytes().toStringUtf8();
        break;
      case ENVIRONMENT_VARIABLE:
        text = System.getenv(source.getEnvironmentVariable());
        if (text == null) {
          throw invalid(of(path, "environment_variable"), source.getEnvironmentVariable() + " is not set");
        }
        break;
      default:
        throw invalid(path, "one of filename, inline_string, inline_bytes, environment_variable is required");
    }
    try {
      JWKSet keys = JWKSet.parse(text);
      if (keys.isEmpty()) {
        throw invalid(path, "the JWKS has no keys");
      }
      return keys;
    } catch (ParseException e) {
      throw invalid(path, "not a JWKS: " + e.getMessage());
    }
  }

  private RemoteJwksSettings remoteJwks(
      io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.RemoteJwks proto, String path) throws ResourceInvalidException {
    REMOTE_JWKS.check(proto, path, context);
    if (!proto.hasHttpUri()) {
      throw invalid(of(path, "http_uri"), "is required");
    }
    HttpUri httpUri = proto.getHttpUri();
    String uriPath = of(path, "http_uri");
    HTTP_URI.check(httpUri, uriPath, context);
    URI uri;
    try {
      uri = new URI(httpUri.getUri());
    } catch (URISyntaxException e) {
      throw invalid(of(uriPath, "uri"), e.getMessage());
    }
    if (uri.getHost() == null || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
      throw invalid(of(uriPath, "uri"), "'" + httpUri.getUri() + "' is not an http or https URL with a host");
    }
    if (httpUri.getCluster().isEmpty()) {
      throw invalid(of(uriPath, "cluster"), "is required");
    }
    if (!httpUri.hasTimeout()) {
      throw invalid(of(uriPath, "timeout"), "is required");
    }
    Duration timeout = ProtoDurations.nonNegative(httpUri.getTimeout(), of(uriPath, "timeout"));
    if (timeout.isZero()) {
      throw invalid(of(uriPath, "timeout"), "must be positive");
    }
    Duration cacheDuration = proto.hasCacheDuration()
        ? ProtoDurations.nonNegative(proto.getCacheDuration(), of(path, "cache_duration"))
        : RemoteJwksSettings.DEFAULT_CACHE_DURATION;
    if (cacheDuration.isZero()) {
      cacheDuration = RemoteJwksSettings.DEFAULT_CACHE_DURATION;
    }
    if (proto.hasAsyncFetch()) {
      ASYNC_FETCH.check(proto.getAsyncFetch(), of(path, "async_fetch"), context);
    }
    int retries = 0;
    Duration base = DEFAULT_BACK_OFF_BASE;
    Duration max = DEFAULT_BACK_OFF_BASE.multipliedBy(10);
    if (proto.hasRetryPolicy()) {
      RetryPolicy retry = proto.getRetryPolicy();
      String retryPath = of(path, "retry_policy");
      RETRY_POLICY.check(retry, retryPath, context);
      retries = retry.hasNumRetries() ? retry.getNumRetries().getValue() : 1;
      if (retry.hasRetryBackOff()) {
        String backOffPath = of(retryPath, "retry_back_off");
        BACK_OFF.check(retry.getRetryBackOff(), backOffPath, context);
        base = ProtoDurations.nonNegative(retry.getRetryBackOff().getBaseInterval(), of(backOffPath, "base_interval"));
        if (base.isZero()) {
          throw invalid(of(backOffPath, "base_interval"), "must be positive");
        }
        max = retry.getRetryBackOff().hasMaxInterval()
            ? ProtoDurations.nonNegative(retry.getRetryBackOff().getMaxInterval(), of(backOffPath, "max_interval"))
            : base.multipliedBy(10);
        if (max.compareTo(base) < 0) {
          throw invalid(of(backOffPath, "max_interval"), "is less than base_interval");
        }
      }
    }
    return new RemoteJwksSettings(uri, httpUri.getCluster(), timeout, cacheDuration, retries, base, max);
  }
}
