package io.mesh4j.runtime.filter.jwt;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.factories.DefaultJWSVerifierFactory;
import com.nimbusds.jose.jca.JCAContext;
import com.nimbusds.jose.proc.JWSVerifierFactory;
import java.security.Key;
import java.security.PublicKey;
import java.security.interfaces.EdECPublicKey;
import java.util.HashSet;
import java.util.Set;

/** Nimbus's verifiers for RSA, EC and HMAC keys, {@link Ed25519Verifier} for Ed25519 keys. */
final class VerifierFactory implements JWSVerifierFactory {
  private final DefaultJWSVerifierFactory nimbus = new DefaultJWSVerifierFactory();
  private final Set<JWSAlgorithm> algorithms;

  VerifierFactory() {
    Set<JWSAlgorithm> all = new HashSet<>(nimbus.supportedJWSAlgorithms());
    all.addAll(Ed25519Verifier.ALGORITHMS);
    algorithms = Set.copyOf(all);
  }

  @Override
  public JWSVerifier createJWSVerifier(JWSHeader header, Key key) throws JOSEException {
    if (Ed25519Verifier.ALGORITHMS.contains(header.getAlgorithm())) {
      if (!(key instanceof EdECPublicKey)) {
        throw new JOSEException("EdDSA needs an Ed25519 public key");
      }
      return new Ed25519Verifier((PublicKey) key);
    }
    return nimbus.createJWSVerifier(header, key);
  }

  @Override
  public Set<JWSAlgorithm> supportedJWSAlgorithms() {
    return algorithms;
  }

  @Override
  public JCAContext getJCAContext() {
    return nimbus.getJCAContext();
  }
}
