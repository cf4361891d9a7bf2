package io.mesh4j.runtime.filter.jwt;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What Istio's own proxy derives from a verified JWT payload and writes as dynamic metadata under {@value #NAMESPACE}
 * (its authn filter, reading jwt_authn's metadata): the keys the RBAC that istiod generated before 1.24 matches for
 * {@code requestPrincipals} and {@code when: request.auth.*}. istiod 1.24 and later match jwt_authn's own {@code
 * payload} instead, which is written too, so both shapes work.
 *
 * <ul>
 *   <li>{@code request.auth.principal}: {@code iss/sub}, when both are there;
 *   <li>{@code request.auth.audiences}: the first audience, a string;
 *   <li>{@code request.auth.presenter}: {@code azp};
 *   <li>{@code request.auth.claims}: every claim as a list of strings (a string as a list of one, a list as it is;
 *       numbers and booleans left out, as Istio's proxy does); objects are converted the same way, so that istiod's
 *       nested claim paths ({@code request.auth.claims[a][b]}) reach their leaves;
 *   <li>{@code request.auth.raw_claims}: the payload's JSON.
 * </ul>
 */
final class IstioAuthnAttributes {
  /** The filter name Istio's RBAC reads these from. */
  static final String NAMESPACE = "istio_authn";
  static final String PRINCIPAL = "request.auth.principal";
  static final String AUDIENCES = "request.auth.audiences";
  static final String PRESENTER = "request.auth.presenter";
  static final String CLAIMS = "request.auth.claims";
  static final String RAW_CLAIMS = "request.auth.raw_claims";

  private IstioAuthnAttributes() {}

  /**
   * @param payload the verified payload as dynamic metadata holds it (after {@code normalize_payload_in_metadata})
   * @param rawJson the payload as it was signed
   */
  static Map<String, Object> of(Map<String, Object> payload, String rawJson) {
    Map<String, Object> out = new LinkedHashMap<>(8);
    String iss = first(payload.get("iss"));
    String sub = first(payload.get("sub"));
    if (!iss.isEmpty() && !sub.isEmpty()) {
      out.put(PRINCIPAL, iss + "/" + sub);
    }
    String aud = first(payload.get("aud"));
    if (!aud.isEmpty()) {
      out.put(AUDIENCES, aud);
    }
    String azp = first(payload.get("azp"));
    if (!azp.isEmpty()) {
      out.put(PRESENTER, azp);
    }
    out.put(CLAIMS, claims(payload));
    out.put(RAW_CLAIMS, rawJson);
    return Collections.unmodifiableMap(out);
  }

  /** Istio's {@code getClaimValue}: a string, or a list's first element if it is a string; "" otherwise. */
  private static String first(Object value) {
    if (value instanceof String s) {
      return s;
    }
    if (value instanceof List<?> list && !list.isEmpty() && list.get(0) instanceof String s) {
      return s;
    }
    return "";
  }

  private static Map<String, Object> claims(Map<?, ?> payload) {
    Map<String, Object> out = new LinkedHashMap<>(payload.size() * 2);
    for (Map.Entry<?, ?> claim : payload.entrySet()) {
      Object value = claim.getValue();
      if (value instanceof List<?>) {
        out.put((String) claim.getKey(), value);
      } else if (value instanceof String s && !s.isEmpty()) {
        out.put((String) claim.getKey(), List.of(s));
      } else if (value instanceof Map<?, ?> nested) {
        out.put((String) claim.getKey(), claims(nested));
      }
    }
    return Collections.unmodifiableMap(out);
  }
}
