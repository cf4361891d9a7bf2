package io.mesh4j.runtime.filter.jwt;

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
 */
record VerifiedJwt(
    String issuer, String subject, List<String> audiences, long exp, long nbf, long iat, String kid,
    Map<String, Object> header, Map<String, Object> payload, String payloadBase64Url) {}
