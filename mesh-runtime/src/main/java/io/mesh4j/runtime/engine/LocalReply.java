package io.mesh4j.runtime.engine;

import io.mesh4j.runtime.route.HeaderMutations;
import java.util.Objects;

/**
 * An answer the mesh gives itself, without an upstream call: a fault abort, a redirect or a direct response.
 *
 * @param location the Location header, or null
 * @param contentType the body's type, or null when there is no body
 * @param responseHeaders the route's response header mutations (none for a fault abort, which Envoy's fault filter
 *     answers before the router)
 * @param responseFlag Envoy's access-log flag ({@code FI} for a fault abort), or ""
 * @param grpcStatus for a fault abort, the gRPC status a gRPC call ends with; -1 otherwise
 */
public record LocalReply(
    int status,
    String location,
    String contentType,
    byte[] body,
    HeaderMutations responseHeaders,
    String responseFlag,
    int grpcStatus) {
  public LocalReply {
    Objects.requireNonNull(body, "body");
    Objects.requireNonNull(responseHeaders, "responseHeaders");
    Objects.requireNonNull(responseFlag, "responseFlag");
  }
}
