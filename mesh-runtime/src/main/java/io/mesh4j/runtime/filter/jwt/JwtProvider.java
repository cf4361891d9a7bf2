package io.mesh4j.runtime.filter.jwt;

import io.mesh4j.runtime.matcher.StringMatcher;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * One decoded {@code JwtProvider}: who may issue tokens, where they are found, which keys verify them, and what a
 * verified token leaves for the rest of the request.
 *
 * @param name the key in {@code providers}
 * @param issuer {@code issuer}, "" for any
 * @param audiences {@code audiences}
 * @param subjects {@code subjects}, or null for any
 * @param maxLifetime {@code max_lifetime}, or null
 * @param clockSkewSeconds {@code clock_skew_seconds} (60 when unset)
 * @param requireExpiration {@code require_expiration}
 * @param locations where the token is looked for
 * @param forward {@code forward}: keep the token in the request
 * @param forwardPayloadHeader {@code forward_payload_header}, "" for none
 * @param padForwardPayloadHeader {@code pad_forward_payload_header}
 * @param claimToHeaders {@code claim_to_headers}: header name by claim name, in order
 * @param payloadInMetadata {@code payload_in_metadata}, "" for none
 * @param headerInMetadata {@code header_in_metadata}, "" for none
 * @param failedStatusInMetadata {@code failed_status_in_metadata}, "" for none
 * @param spaceDelimitedClaims {@code normalize_payload_in_metadata.space_delimited_claims}
 * @param cacheSize {@code jwt_cache_config.jwt_cache_size}: verified tokens kept
 * @param maxCachedTokenSize {@code jwt_cache_config.jwt_max_token_size}: longer tokens are not cached
 */
record JwtProvider(
    String name,
    String issuer,
    Audiences audiences,
    StringMatcher subjects,
    Duration maxLifetime,
    long clockSkewSeconds,
    boolean requireExpiration,
    JwksSource keys,
    List<TokenLocation> locations,
    boolean forward,
    String forwardPayloadHeader,
    boolean padForwardPayloadHeader,
    List<Map.Entry<String, String>> claimToHeaders,
    String payloadInMetadata,
    String headerInMetadata,
    String failedStatusInMetadata,
    Set<String> spaceDelimitedClaims,
    int cacheSize,
    int maxCachedTokenSize) {
  static final long DEFAULT_CLOCK_SKEW_SECONDS = 60;

  JwtProvider {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(issuer, "issuer");
    Objects.requireNonNull(audiences, "audiences");
    Objects.requireNonNull(keys, "keys");
    Objects.requireNonNull(failedStatusInMetadata, "failedStatusInMetadata");
    locations = List.copyOf(locations);
    claimToHeaders = List.copyOf(claimToHeaders);
    spaceDelimitedClaims = Set.copyOf(spaceDelimitedClaims);
  }

  /** Whether a token from {@code iss} may be verified by this provider. */
  boolean acceptsIssuer(String iss) {
    return issuer.isEmpty() || issuer.equals(iss);
  }
}
