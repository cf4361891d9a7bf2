package io.mesh4j.runtime.inbound;

import io.mesh4j.runtime.view.HeaderEditor;
import io.mesh4j.runtime.view.RequestView;

/**
 * A request a server under the mesh received, as its HTTP filters (RBAC, jwt_authn) see it. Each adapter (gRPC
 * server, JDK HTTP server, servlet) implements it over its own request object. {@link #header} answers the
 * pseudo-headers {@code :authority}, {@code :path} (with the query), {@code :method} and {@code :scheme} as Envoy's
 * matchers see them, and joins repeated headers with {@code ","}.
 */
public interface InboundRequest extends RequestView {

  /** The HTTP method ({@code POST} for gRPC). */
  String method();

  /** The connection the request came on. */
  DownstreamConnection connection();

  /** Request-scoped metadata written by earlier filters (jwt_authn's payload) and read by later ones (RBAC). */
  DynamicMetadata dynamicMetadata();

  /** The request's headers, for filters that add or remove some before the application sees them. */
  HeaderEditor headers();
}
