package io.mesh4j.runtime.filter.jwt;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import java.text.ParseException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Verifies tokens for one provider, in the order of Envoy's authenticator: parse, issuer, time ({@code nbf},
 * {@code exp} with the clock skew; {@code require_expiration}, {@code max_lifetime}), audiences, subjects, then the
 * signature (Nimbus's {@link DefaultJWTProcessor} with the provider's keys). A verified token is cached by its text
 * until its {@code exp}; a cached token is checked for time and audiences again, so the cache never outlives a check.
 */
final class TokenVerifier {
  /** Longer tokens are refused before parsing: no legitimate JWT needs more, and parsing costs. */
  static final int MAX_TOKEN_LENGTH = 8192;
  /** Tokens without {@code exp} leave the cache after this. */
  private static final Duration UNBOUNDED_TOKEN_CACHE_TIME = Duration.ofMinutes(5);

  record Result(JwtOutcome outcome, VerifiedJwt jwt) {}

  private final JwtProvider provider;
  private final LongSupplier clockMillis;
  private final KeySelector keys;
  private final DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
  private final Cache<String, VerifiedJwt> verified;

  TokenVerifier(JwtProvider provider, LongSupplier clockMillis) {
    this.provider = provider;
    this.clockMillis = clockMillis;
    this.keys = new KeySelector(provider.keys());
    processor.setJWSKeySelector(keys);
    processor.setJWSVerifierFactory(new VerifierFactory());
    // Envoy does not look at typ; claims are checked here, before the signature, as Envoy does.
    processor.setJWSTypeVerifier((type, context) -> {});
    processor.setJWTClaimsSetVerifier((claims, context) -> {});
    this.verified = Caffeine.newBuilder()
        .maximumSize(provider.cacheSize())
        .expireAfter(Expiry.<String, VerifiedJwt>creating((token, jwt) -> jwt.exp() == 0
            ? UNBOUNDED_TOKEN_CACHE_TIME
            : Duration.ofMillis(Math.max(0, jwt.exp() * 1000 - System.currentTimeMillis()))))
        .build();
  }

  JwtProvider provider() {
    return provider;
  }

  /**
   * @param audiences the audiences the requirement allows ({@code provider_and_audiences}), else the provider's
   */
  Result verify(String token, Audiences audiences) {
    long now = Math.floorDiv(clockMillis.getAsLong(), 1000);
    VerifiedJwt cached = verified.getIfPresent(token);
    if (cached != null) {
      JwtOutcome claims = checkClaims(cached, now, audiences);
      return new Result(claims, claims.ok() ? cached : null);
    }
    return verifyUncached(token, now, audiences);
  }

  private Result verifyUncached(String token, long now, Audiences audiences) {
    if (token.length() > MAX_TOKEN_LENGTH) {
      return failed(JwtStatus.BAD_FORMAT, "token of " + token.length() + " bytes, more than " + MAX_TOKEN_LENGTH);
    }
    int first = token.indexOf('.');
    int second = first < 0 ? -1 : token.indexOf('.', first + 1);
    if (first <= 0 || second <= first + 1 || second == token.length() - 1 || token.indexOf('.', second + 1) >= 0) {
      return failed(JwtStatus.BAD_FORMAT, "not three non-empty dot-separated parts");
    }
    Base64URL headerPart = new Base64URL(token.substring(0, first));
    Map<String, Object> headerJson;
    try {
      headerJson = JSONObjectUtils.parse(headerPart.decodeToString());
    } catch (ParseException | RuntimeException e) {
      return failed(JwtStatus.HEADER_PARSE_ERROR, "header: " + e.getMessage());
    }
    Object alg = headerJson.get("alg");
    if (!(alg instanceof String algName) || !KeySelector.ALGORITHMS.contains(com.nimbusds.jose.JWSAlgorithm.parse(algName))) {
      return failed(JwtStatus.ALG_NOT_IMPLEMENTED, "alg " + alg + " is not accepted");
    }
    SignedJWT jwt;
    JWTClaimsSet claims;
    try {
      jwt = new SignedJWT(headerPart, new Base64URL(token.substring(first + 1, second)),
          new Base64URL(token.substring(second + 1)));
    } catch (ParseException | RuntimeException e) {
      return failed(JwtStatus.HEADER_PARSE_ERROR, "header: " + e.getMessage());
    }
    JWSHeader header = jwt.getHeader();
    if (header.getCriticalParams() != null && !header.getCriticalParams().isEmpty()) {
      return failed(JwtStatus.VERIFICATION_FAILED, "critical header parameters not understood: "
          + header.getCriticalParams());
    }
    if (header.getContentType() != null && "JWT".equalsIgnoreCase(header.getContentType())) {
      return failed(JwtStatus.PAYLOAD_PARSE_ERROR, "nested JWT (cty JWT) refused");
    }
    VerifiedJwt parsed;
    try {
      claims = jwt.getJWTClaimsSet();
      Map<String, Object> payload = jwt.getPayload().toJSONObject();
      parsed = new VerifiedJwt(
          claims.getIssuer() == null ? "" : claims.getIssuer(),
          claims.getSubject(),
          claims.getAudience(),
          seconds(payload, "exp"),
          seconds(payload, "nbf"),
          seconds(payload, "iat"),
          header.getKeyID(),
          ClaimValues.struct(header.toJSONObject(), java.util.Set.of()),
          ClaimValues.struct(payload, provider.spaceDelimitedClaims()),
          jwt.getParsedParts()[1].toString(), null, null);
    } catch (ParseException | RuntimeException e) {
      return failed(JwtStatus.PAYLOAD_PARSE_ERROR, "payload: " + e.getMessage());
    }
    if (!provider.acceptsIssuer(parsed.issuer())) {
      return failed(JwtStatus.UNKNOWN_ISSUER, "issuer '" + parsed.issuer() + "', provider " + provider.name()
          + " expects '" + provider.issuer() + "'");
    }
    JwtOutcome claimCheck = checkClaims(parsed, now, audiences);
    if (!claimCheck.ok()) {
      return new Result(claimCheck, null);
    }
    if (provider.keys().current() == null) {
      return failed(provider.keys() instanceof RemoteJwks ? JwtStatus.JWKS_FETCH_FAILED : JwtStatus.NO_VALID_KEYS,
          "no keys for provider " + provider.name());
    }
    try {
      List<?> candidates = keys.selectJWSKeys(header, null);
      if (candidates.isEmpty()) {
        if (header.getKeyID() != null) {
          provider.keys().unknownKeyId();
        }
        return failed(JwtStatus.KID_ALG_MISMATCH, "no key for kid " + header.getKeyID() + " and alg "
            + header.getAlgorithm() + " in provider " + provider.name());
      }
      processor.process(jwt, null);
    } catch (KeySourceException e) {
      return failed(JwtStatus.JWKS_FETCH_FAILED, e.getMessage());
    } catch (BadJOSEException | JOSEException | RuntimeException e) {
      return failed(JwtStatus.VERIFICATION_FAILED, "signature: " + e.getMessage());
    }
    parsed = parsed.verified(jwt.getPayload().toString());
    if (token.length() <= provider.maxCachedTokenSize()) {
      verified.put(token, parsed);
    }
    return new Result(JwtOutcome.OK, parsed);
  }

  private JwtOutcome checkClaims(VerifiedJwt jwt, long now, Audiences audiences) {
    long skew = provider.clockSkewSeconds();
    if (jwt.nbf() != 0 && now + skew < jwt.nbf()) {
      return JwtOutcome.failed(JwtStatus.NOT_YET_VALID, "nbf " + jwt.nbf() + ", now " + now);
    }
    if (jwt.exp() != 0 && now > jwt.exp() + skew) {
      return JwtOutcome.failed(JwtStatus.EXPIRED, "exp " + jwt.exp() + ", now " + now);
    }
    if (jwt.exp() == 0 && (provider.requireExpiration() || provider.maxLifetime() != null)) {
      return JwtOutcome.failed(JwtStatus.EXPIRED, "no exp, and the provider requires one");
    }
    if (provider.maxLifetime() != null) {
      long issued = jwt.iat() != 0 ? jwt.iat() : now;
      if (jwt.exp() - issued > provider.maxLifetime().getSeconds()) {
        return JwtOutcome.failed(JwtStatus.EXPIRED, "lifetime " + (jwt.exp() - issued) + "s beyond max_lifetime");
      }
    }
    if (!audiences.allows(jwt.audiences())) {
      return JwtOutcome.failed(JwtStatus.AUDIENCE_NOT_ALLOWED, "audiences " + jwt.audiences() + ", allowed "
          + audiences);
    }
    if (provider.subjects() != null && !provider.subjects().matches(jwt.subject() == null ? "" : jwt.subject())) {
      return JwtOutcome.failed(JwtStatus.VERIFICATION_FAILED, "subject '" + jwt.subject() + "' not allowed");
    }
    return JwtOutcome.OK;
  }

  /** A time claim in seconds, read from the JSON itself (a far-future value must not overflow into the past). */
  private static long seconds(Map<String, Object> payload, String claim) throws ParseException {
    Object value = payload.get(claim);
    if (value == null) {
      return 0;
    }
    if (!(value instanceof Number number)) {
      throw new ParseException(claim + " is not a number", 0);
    }
    double d = number.doubleValue();
    return d >= 0x1p63 ? Long.MAX_VALUE : number.longValue();
  }

  private static Result failed(JwtStatus status, String reason) {
    return new Result(JwtOutcome.failed(status, reason), null);
  }
}
