package io.mesh4j.runtime.inbound;

import java.util.Map;
import java.util.Objects;

/**
 * A local reply that ends a received request before the application sees it (RBAC's 403, jwt_authn's 401, a
 * {@code non_forwarding_action} direct response). gRPC servers answer the status Envoy derives from the HTTP
 * status ({@link #grpcStatusCode}); HTTP servers answer the status, headers and body.
 *
 * @param httpStatus e.g. 403
 * @param body the body text Envoy sends, e.g. {@code RBAC: access denied}; also the gRPC status description
 * @param headers headers to add to the reply, e.g. {@code www-authenticate}
 * @param reason why, for the log and the status view only (a policy name, "expired"); never sent to the caller
 */
public record InboundReply(int httpStatus, String body, Map<String, String> headers, String reason) {
  public InboundReply {
    Objects.requireNonNull(body, "body");
    headers = Map.copyOf(headers);
    Objects.requireNonNull(reason, "reason");
  }

  /**
   * The gRPC status code for this reply, as Envoy maps HTTP statuses ({@code Grpc::Utility::httpToGrpcStatus}): 400
   * INTERNAL, 401 UNAUTHENTICATED, 403 PERMISSION_DENIED, 404 UNIMPLEMENTED, 429/502/503/504 UNAVAILABLE, else
   * UNKNOWN.
   */
  public int grpcStatusCode() {
    return switch (httpStatus) {
      case 400 -> 13;
      case 401 -> 16;
      case 403 -> 7;
      case 404 -> 12;
      case 429, 502, 503, 504 -> 14;
      default -> 2;
    };
  }
}
