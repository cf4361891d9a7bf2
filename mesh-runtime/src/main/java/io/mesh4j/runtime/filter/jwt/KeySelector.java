package io.mesh4j.runtime.filter.jwt;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKMatcher;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyConverter;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.SecretKey;

/**
 * Nimbus's key selection over a provider's current keys: by the token's {@code alg} (an RSA token only against RSA
 * keys, HMAC only against {@code oct} keys, so a public key can never serve as an HMAC secret), its {@code kid} when it
 * has one (keys in JWKS order otherwise), and the keys' own {@code alg} and {@code use}, which must allow it. Ed25519
 * keys are converted here, since Nimbus converts them only with Tink; every key is converted once per key set.
 */
final class KeySelector extends JWSVerificationKeySelector<SecurityContext> {
  /** The algorithms Envoy's jwt_authn accepts. */
  static final Set<JWSAlgorithm> ALGORITHMS = Set.of(
      JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512,
      JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512,
      JWSAlgorithm.ES256, JWSAlgorithm.ES384, JWSAlgorithm.ES512,
      JWSAlgorithm.HS256, JWSAlgorithm.HS384, JWSAlgorithm.HS512,
      JWSAlgorithm.EdDSA, JWSAlgorithm.Ed25519);
  /** SubjectPublicKeyInfo for an Ed25519 key, before its 32 bytes (RFC 8410). */
  private static final byte[] ED25519_SPKI_PREFIX =
      {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};

  private final JwksSource keys;
  /** Java keys converted from the current key set's JWKs, rebuilt when the set changes. */
  private volatile Converted converted;

  KeySelector(JwksSource keys) {
    super(ALGORITHMS, jwkSource(keys));
    this.keys = keys;
  }

  private static JWKSource<SecurityContext> jwkSource(JwksSource keys) {
    return (selector, context) -> {
      JWKSet set = keys.current();
      return set == null ? List.of() : selector.select(set);
    };
  }

  /**
   * Nimbus's selection ({@code JWKMatcher.forJWSHeader}: key type from the alg, kid, the key's alg and use), with
   * each JWK converted to a Java key once per key set rather than on every token.
   */
  @Override
  public List<Key> selectJWSKeys(JWSHeader header, SecurityContext context) throws KeySourceException {
    if (!isAllowed(header.getAlgorithm())) {
      return List.of();
    }
    JWKSet set = keys.current();
    if (set == null) {
      return List.of();
    }
    JWKMatcher matcher = Ed25519Verifier.ALGORITHMS.contains(header.getAlgorithm())
        ? JWKMatcher.forJWSHeader(header)
        : createJWKMatcher(header);
    if (matcher == null) {
      return List.of();
    }
    Converted current = converted;
    if (current == null || current.set != set) {
      current = new Converted(set);
      converted = current;
    }
    List<Key> out = new ArrayList<>(2);
    for (JWK jwk : new JWKSelector(matcher).select(set)) {
      out.addAll(current.keys(jwk));
    }
    return Collections.unmodifiableList(out);
  }

  /** The Java keys of one key set's JWKs: public keys and secrets, never private keys. */
  private static final class Converted {
    final JWKSet set;
    private final Map<JWK, List<Key>> byJwk = new ConcurrentHashMap<>();

    Converted(JWKSet set) {
      this.set = set;
    }

    List<Key> keys(JWK jwk) {
      return byJwk.computeIfAbsent(jwk, Converted::convert);
    }

    private static List<Key> convert(JWK jwk) {
      if (jwk instanceof OctetKeyPair okp) {
        if (!Curve.Ed25519.equals(okp.getCurve())) {
          return List.of();
        }
        try {
          return List.of(ed25519(okp.getDecodedX()));
        } catch (KeySourceException e) {
          return List.of(); // an invalid key verifies nothing
        }
      }
      List<Key> keys = new ArrayList<>(1);
      for (Key key : KeyConverter.toJavaKeys(List.of(jwk))) {
        if (key instanceof PublicKey || key instanceof SecretKey) {
          keys.add(key);
        }
      }
      return List.copyOf(keys);
    }
  }

  private static Key ed25519(byte[] x) throws KeySourceException {
    byte[] spki = new byte[ED25519_SPKI_PREFIX.length + x.length];
    System.arraycopy(ED25519_SPKI_PREFIX, 0, spki, 0, ED25519_SPKI_PREFIX.length);
    System.arraycopy(x, 0, spki, ED25519_SPKI_PREFIX.length, x.length);
    try {
      return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(spki));
    } catch (GeneralSecurityException e) {
      throw new KeySourceException("invalid Ed25519 key: " + e.getMessage(), e);
    }
  }
}
