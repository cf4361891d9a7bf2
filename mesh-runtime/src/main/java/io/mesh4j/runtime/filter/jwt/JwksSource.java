package io.mesh4j.runtime.filter.jwt;

import com.nimbusds.jose.jwk.JWKSet;

/** The keys a provider verifies signatures with: inline or from a file ({@code local_jwks}), or fetched ({@code remote_jwks}). */
interface JwksSource {

  /**
   * The current keys, or null when there are none to be had (the first fetch failed, or every refresh failed for
   * longer than the outage tolerance). Reads what is held; only the very first request of a remote source may wait,
   * for the first fetch, up to its timeout.
   */
  JWKSet current();

  /**
   * A token named a key id the current keys lack (the issuer may have rotated): a remote source asks for a refresh in
   * the background, at most once per rate-limit interval, so hostile tokens cannot amplify into fetches. The request
   * itself fails closed.
   */
  default void unknownKeyId() {}
}
