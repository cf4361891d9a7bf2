package io.mesh4j.samples.gateway;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;

/**
 * A stand-in for Google IAP's signing side: an ES256 (P-256) key whose public half is served as IAP serves its keys
 * (a JWK set), and assertions shaped as IAP signs them into {@code x-goog-iap-jwt-assertion}: issuer
 * {@code https://cloud.google.com/iap}, audience {@code /projects/<number>/global/backendServices/<id>}, the user's
 * {@code sub} ({@code accounts.google.com:<id>}), {@code email} and {@code hd}, {@code iat} and {@code exp}.
 */
final class IapKeys {
  static final String ISSUER = "https://cloud.google.com/iap";
  static final String AUDIENCE = "/projects/123456789012/global/backendServices/4242424242";
  static final String JWKS_PATH = "/iap/verify/public_key-jwk";

  private final ECKey key;

  private IapKeys(ECKey key) {
    this.key = key;
  }

  /** A fresh key with key ID {@code kid}. */
  static IapKeys generate(String kid) {
    try {
      return new IapKeys(new ECKeyGenerator(Curve.P_256).keyID(kid).generate());
    } catch (JOSEException e) {
      throw new IllegalStateException("cannot generate a P-256 key", e);
    }
  }

  /** The public keys as IAP publishes them. */
  String jwksJson() {
    return new JWKSet(key.toPublicJWK()).toString();
  }

  /** An assertion for {@code email} to {@link #AUDIENCE}, valid for ten minutes. */
  String assertion(String email) {
    return assertion(email, AUDIENCE, Instant.now(), Duration.ofMinutes(10));
  }

  /** An IAP-shaped assertion issued at {@code issuedAt}, expiring {@code lifetime} later. */
  String assertion(String email, String audience, Instant issuedAt, Duration lifetime) {
    String domain = email.substring(email.indexOf('@') + 1);
    JWTClaimsSet claims = new JWTClaimsSet.Builder()
        .issuer(ISSUER)
        .audience(audience)
        .subject("accounts.google.com:" + Integer.toUnsignedString(email.hashCode()))
        .claim("email", email)
        .claim("hd", domain)
        .issueTime(Date.from(issuedAt))
        .expirationTime(Date.from(issuedAt.plus(lifetime)))
        .build();
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(key.getKeyID()).build(), claims);
    try {
      jwt.sign(new ECDSASigner(key));
    } catch (JOSEException e) {
      throw new IllegalStateException("cannot sign with the sample's key", e);
    }
    return jwt.serialize();
  }
}
