package io.mesh4j.runtime.filter.jwt;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.util.Arrays;
import java.util.Map;

/**
 * Keys and tokens made for the tests (generated once per run): one signing key per algorithm family, and a way to
 * sign any header and payload, including ones no honest issuer would write.
 */
final class TestKeys {
  static final RSAKey RSA = rsa("rsa-1");
  static final RSAKey RSA_OTHER = rsa("rsa-2");
  static final ECKey P256 = ec(Curve.P_256, "ec-256");
  static final ECKey P384 = ec(Curve.P_384, "ec-384");
  static final ECKey P521 = ec(Curve.P_521, "ec-521");
  static final Ed25519 ED25519 = new Ed25519("ed-1");

  private TestKeys() {}

  private static RSAKey rsa(String kid) {
    try {
      return new RSAKeyGenerator(2048).keyID(kid).keyUse(KeyUse.SIGNATURE).generate();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  private static ECKey ec(Curve curve, String kid) {
    try {
      return new ECKeyGenerator(curve).keyID(kid).keyUse(KeyUse.SIGNATURE).generate();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A JWKS document of the keys' public halves. */
  static String jwks(JWK... keys) {
    StringBuilder out = new StringBuilder("{\"keys\":[");
    for (int i = 0; i < keys.length; i++) {
      out.append(i == 0 ? "" : ",").append(keys[i].toPublicJWK().toJSONString());
    }
    return out.append("]}").toString();
  }

  static String sign(JWSAlgorithm alg, JWK key, JWTClaimsSet claims) {
    return sign(new JWSHeader.Builder(alg).keyID(key.getKeyID()).build(), key, claims);
  }

  static String sign(JWSHeader header, JWK key, JWTClaimsSet claims) {
    try {
      if (Ed25519Verifier.ALGORITHMS.contains(header.getAlgorithm())) {
        return ED25519.sign(header.toBase64URL() + "." + Base64URL.encode(claims.toString()));
      }
      SignedJWT jwt = new SignedJWT(header, claims);
      if (key instanceof RSAKey rsa) {
        jwt.sign(new RSASSASigner(rsa));
      } else if (key instanceof ECKey ec) {
        jwt.sign(new ECDSASigner(ec));
      } else {
        throw new IllegalArgumentException(key.getKeyType().toString());
      }
      return jwt.serialize();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  /** HS256 over the given secret bytes (the classic confusion attack uses the RSA public key's encoding). */
  static String hmac(JWSHeader header, byte[] secret, JWTClaimsSet claims) {
    try {
      SignedJWT jwt = new SignedJWT(header, claims);
      jwt.sign(new MACSigner(Arrays.copyOf(secret, Math.max(secret.length, 32))));
      return jwt.serialize();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A raw token from a header and payload JSON, with the given signature part. */
  static String raw(String headerJson, String payloadJson, String signature) {
    return Base64URL.encode(headerJson.getBytes(StandardCharsets.UTF_8)) + "."
        + Base64URL.encode(payloadJson.getBytes(StandardCharsets.UTF_8)) + "." + signature;
  }

  /** An Ed25519 key pair made by the JDK; its JWK is the public half. */
  static final class Ed25519 {
    final KeyPair pair;
    final OctetKeyPair jwk;

    Ed25519(String kid) {
      try {
        pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        byte[] spki = pair.getPublic().getEncoded();
        byte[] x = Arrays.copyOfRange(spki, spki.length - 32, spki.length);
        jwk = new OctetKeyPair.Builder(Curve.Ed25519, Base64URL.encode(x)).keyID(kid).keyUse(KeyUse.SIGNATURE)
            .build();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }

    String sign(String signingInput) {
      try {
        Signature signer = Signature.getInstance("Ed25519");
        signer.initSign(pair.getPrivate());
        signer.update(signingInput.getBytes(StandardCharsets.US_ASCII));
        return signingInput + "." + Base64URL.encode(signer.sign());
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
  }

  static JWTClaimsSet claims(Map<String, Object> values) {
    JWTClaimsSet.Builder builder = new JWTClaimsSet.Builder();
    values.forEach(builder::claim);
    return builder.build();
  }
}
