package io.mesh4j.runtime.filter.jwt;

import com.nimbusds.jose.jwk.JWKSet;
import java.util.Objects;

/** {@code local_jwks}: a key set read once, when the config is decoded (inline, or from {@code filename}). */
record LocalJwks(JWKSet keys) implements JwksSource {
  LocalJwks {
    Objects.requireNonNull(keys, "keys");
  }

  @Override
  public JWKSet current() {
    return keys;
  }
}
