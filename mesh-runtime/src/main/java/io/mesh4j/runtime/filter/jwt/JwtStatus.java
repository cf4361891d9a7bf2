package io.mesh4j.runtime.filter.jwt;

/**
 * Why a token was refused, with the text Envoy's jwt_authn answers for it (google jwt_verify_lib's status strings),
 * which is all the caller sees of the reason, and the number of that status in Envoy's {@code JwtVerify::Status}
 * enum, which {@code failed_status_in_metadata} writes as {@code code}. Where Envoy tells apart what mesh4j does not
 * (a header or payload that is bad Base64 or bad JSON), the code is the JSON one.
 */
enum JwtStatus {
  OK("OK", 0),
  MISSING("Jwt is missing", 1),
  BAD_FORMAT("Jwt is not in the form of Header.Payload.Signature", 4),
  HEADER_PARSE_ERROR("Jwt header is an invalid Base64url input or an invalid JSON", 6),
  ALG_NOT_IMPLEMENTED("Jwt header [alg] field value is invalid", 8),
  PAYLOAD_PARSE_ERROR("Jwt payload is an invalid Base64 or an invalid JSON", 11),
  UNKNOWN_ISSUER("Jwt issuer is not configured", 24),
  NOT_YET_VALID("Jwt not yet valid", 2),
  EXPIRED("Jwt is expired", 3),
  AUDIENCE_NOT_ALLOWED("Audiences in Jwt are not allowed", 25),
  VERIFICATION_FAILED("Jwt verification fails", 26),
  NO_VALID_KEYS("Jwks doesn't have any valid public key", 31),
  KID_ALG_MISMATCH("Jwks doesn't have key to match kid or alg from Jwt", 32),
  JWKS_FETCH_FAILED("Jwks remote fetch is failed", 40);

  private final String text;
  private final int code;

  JwtStatus(String text, int code) {
    this.text = text;
    this.code = code;
  }

  /** Envoy's number for the status ({@code JwtVerify::Status}). */
  int code() {
    return code;
  }

  /**
   * Whether the status is found before a provider is chosen by the token's issuer (parsing, the issuer itself): a
   * token looked at by several providers ({@code allow_missing}, {@code allow_missing_or_failed}) then fails for none
   * of them in particular.
   */
  boolean precedesIssuer() {
    return this == MISSING || this == BAD_FORMAT || this == HEADER_PARSE_ERROR || this == ALG_NOT_IMPLEMENTED
        || this == PAYLOAD_PARSE_ERROR || this == UNKNOWN_ISSUER;
  }

  /** Envoy's text for the status: the body of the local reply. */
  String text() {
    return text;
  }

  /** 403 for an audience that is not allowed, 401 for everything else (Envoy's {@code filter.cc}). */
  int httpStatus() {
    return this == AUDIENCE_NOT_ALLOWED ? 403 : 401;
  }
}
