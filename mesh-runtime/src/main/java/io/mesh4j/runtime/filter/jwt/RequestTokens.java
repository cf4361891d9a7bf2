package io.mesh4j.runtime.filter.jwt;

import io.mesh4j.runtime.inbound.InboundRequest;
import java.util.Base64;
import java.util.Map;

/**
 * One request as the requirements see it: its tokens where providers look for them, and what a verified token does to
 * it (Envoy's {@code handleGoodJwt}): the payload header, claims to headers, the token removed unless forwarded, header
 * and payload into dynamic metadata under {@value #METADATA_NAMESPACE}; and what a refused one does (Envoy's
 * {@code doneWithStatus}): its status into the same namespace under the provider's {@code failed_status_in_metadata}.
 */
final class RequestTokens {
  /** The dynamic metadata namespace Envoy's jwt_authn writes, whatever the filter instance is called. */
  static final String METADATA_NAMESPACE = "envoy.filters.http.jwt_authn";

  private final InboundRequest request;
  private final JwtProvider onlyProvider;
  /** The verified token Istio's attributes describe: the lexically first {@code payload_in_metadata} key's. */
  private VerifiedJwt forIstio;
  private String forIstioKey;
  private VerifiedJwt firstVerified;

  /** @param onlyProvider the config's provider when it has exactly one, else null */
  RequestTokens(InboundRequest request, JwtProvider onlyProvider) {
    this.request = request;
    this.onlyProvider = onlyProvider;
  }

  /**
   * A token (or its absence) failed verification: with {@code failed_status_in_metadata} set, on the provider that
   * judged it or, when none did ({@code provider} null: no token, or one no provider got to look at), on the config's
   * only provider, the status goes into the metadata as {@code {code, message}} (Envoy's number and text), whatever
   * the requirement then makes of it, so that with {@code allow_missing_or_failed} a later filter (RBAC's
   * {@code metadata} matcher) can still tell a bad token from none. A later failure replaces an earlier one.
   */
  void failed(JwtProvider provider, JwtStatus status) {
    JwtProvider owner = provider != null ? provider : onlyProvider;
    if (owner == null || owner.failedStatusInMetadata().isEmpty()) {
      return;
    }
    request.dynamicMetadata().put(METADATA_NAMESPACE, owner.failedStatusInMetadata(),
        Map.of("code", (double) status.code(), "message", status.text()));
  }

  String token(TokenLocation location) {
    return location.extract(request);
  }

  void accept(JwtProvider provider, TokenLocation location, VerifiedJwt jwt) {
    if (!provider.forwardPayloadHeader().isEmpty()) {
      String payload = jwt.payloadBase64Url();
      if (provider.padForwardPayloadHeader()) {
        payload = Base64.getUrlEncoder().encodeToString(Base64.getUrlDecoder().decode(payload));
      }
      request.headers().set(provider.forwardPayloadHeader(), payload);
    }
    for (Map.Entry<String, String> claimToHeader : provider.claimToHeaders()) {
      String value = ClaimValues.headerValue(ClaimValues.lookup(jwt.payload(), claimToHeader.getKey()));
      // Replaced, not added: a client must not be able to pre-set a header the mesh vouches for.
      if (value != null && !value.isEmpty()) {
        request.headers().set(claimToHeader.getValue(), value);
      } else {
        request.headers().remove(claimToHeader.getValue());
      }
    }
    if (!provider.forward()) {
      location.remove(request);
    }
    if (!provider.headerInMetadata().isEmpty()) {
      request.dynamicMetadata().put(METADATA_NAMESPACE, provider.headerInMetadata(), jwt.header());
    }
    if (!provider.payloadInMetadata().isEmpty()) {
      request.dynamicMetadata().put(METADATA_NAMESPACE, provider.payloadInMetadata(), jwt.payload());
      // Istio's proxy picks the lexically first of jwt_authn's metadata keys (issuers, in istiod's config).
      if (forIstio == null || provider.payloadInMetadata().compareTo(forIstioKey) < 0) {
        forIstio = jwt;
        forIstioKey = provider.payloadInMetadata();
      }
    }
    if (firstVerified == null) {
      firstVerified = jwt;
    }
  }

  /**
   * Once the requirement is met: Istio's {@code istio_authn} attributes of the token they describe (only tokens whose
   * provider writes {@code payload_in_metadata}, as Istio's proxy reads them from there), and the token the
   * application sees (that one, else the first verified).
   */
  void publish() {
    if (forIstio != null) {
      for (Map.Entry<String, Object> attribute : forIstio.istioAuthn().entrySet()) {
        request.dynamicMetadata().put(IstioAuthnAttributes.NAMESPACE, attribute.getKey(), attribute.getValue());
      }
    }
    VerifiedJwt forApplication = forIstio != null ? forIstio : firstVerified;
    if (forApplication != null) {
      request.dynamicMetadata().verifiedJwt(forApplication.application());
    }
  }
}
