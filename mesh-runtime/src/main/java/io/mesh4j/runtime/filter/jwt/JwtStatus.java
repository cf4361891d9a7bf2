package io.mesh4j.runtime.filter.jwt;

/**
 * Why a token was refused, with the text Envoy's jwt_authn answers for it (google jwt_verify_lib's status strings),
 * which is all the caller sees of the reason.
 */
enum JwtStatus {
  OK("OK"),
  MISSING("Jwt is missing"),
  BAD_FORMAT("Jwt is not in the form of Header.Payload.Signature"),
  HEADER_PARSE_ERROR("Jwt header is an invalid Base64url input or an invalid JSON"),
  ALG_NOT_IMPLEMENTED("Jwt header [alg] field value is invalid"),
  PAYLOAD_PARSE_ERROR("Jwt payload is an invalid Base64 or an invalid JSON"),
  UNKNOWN_ISSUER("Jwt issuer is not configured"),
  NOT_YET_VALID("Jwt not yet valid"),
  EXPIRED("Jwt is expired"),
  AUDIENCE_NOT_ALLOWED("Audiences in Jwt are not allowed"),
  VERIFICATION_FAILED("Jwt verification fails"),
  NO_VALID_KEYS("Jwks doesn't have any valid public key"),
  KID_ALG_MISMATCH("Jwks doesn't have key to match kid or alg from Jwt"),
  JWKS_FETCH_FAILED("Jwks remote fetch is failed");

  private final String text;

  JwtStatus(String text) {
    this.text = text;
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
