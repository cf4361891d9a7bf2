package io.mesh4j.runtime.filter.jwt;

import io.mesh4j.MeshJwt;
import java.util.List;
import java.util.Map;

/**
 * A parsed token: the claims the checks read, and its header and payload as dynamic metadata holds them. Once its
 * signature is verified it is cached by the token's text until its {@code exp}.
 *
 * @param exp seconds since the epoch, 0 when absent
 * @param nbf seconds since the epoch, 0 when absent
 * @param iat seconds since the epoch, 0 when absent
 * @param payloadBase64Url the payload as sent, for {@code forward_payload_header}
 * @param istioAuthn what Istio's proxy writes under {@code istio_authn} for this token, or null until verified
 * @param application the token as the application sees it, or null until verified
 */
record VerifiedJwt(
    String issuer, String subject, List<String> audiences, long exp, long nbf, long iat, String kid,
    Map<String, Object> header, Map<String, Object> payload, String payloadBase64Url,
    Map<String, Object> istioAuthn, MeshJwt application) {

  /**
   * This token once its signature verified: with what it gives Istio's RBAC and the application, made once here
   * rather than on every request (the verified token is cached).
   */
  VerifiedJwt verified(String payloadJson) {
    return new VerifiedJwt(issuer, subject, audiences, exp, nbf, iat, kid, header, payload, payloadBase64Url,
        IstioAuthnAttributes.of(payload, payloadJson),
        new MeshJwt(issuer, subject, audiences == null ? List.of() : audiences, payload));
  }
}
