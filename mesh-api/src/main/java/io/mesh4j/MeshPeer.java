package io.mesh4j;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;

/**
 * Who called a server under the mesh, from the certificate the client presented in the mutual TLS handshake. There is
 * no peer on a plaintext connection, nor on TLS without a client certificate.
 *
 * <p>Where to find it: {@code MeshGrpc.PEER.get()} in a gRPC service served by {@code MeshGrpc.newServerBuilder}, the
 * request attribute {@link #REQUEST_ATTRIBUTE} in a servlet behind {@code MeshServletFilter} and in a handler of
 * {@code MeshHttpServer} ({@code exchange.getAttribute(MeshPeer.REQUEST_ATTRIBUTE)}).
 *
 * @param principalName the identity RBAC's {@code authenticated.principal_name} matches (as Envoy): the first URI SAN
 *     (a SPIFFE ID, {@code spiffe://cluster.local/ns/shop/sa/cart}), else the first DNS SAN, else the subject
 * @param uriSans the certificate's URI SANs, in order
 * @param dnsSans the certificate's DNS SANs, in order
 * @param subject the subject distinguished name (RFC 2253)
 * @param certificates the verified chain the client presented, leaf first
 */
public record MeshPeer(
    String principalName,
    List<String> uriSans,
    List<String> dnsSans,
    String subject,
    List<X509Certificate> certificates) {
  /** The request attribute (servlet, JDK HTTP server) that holds the caller's {@code MeshPeer}, if any. */
  public static final String REQUEST_ATTRIBUTE = "io.mesh4j.MeshPeer";

  public MeshPeer {
    Objects.requireNonNull(principalName, "principalName");
    uriSans = List.copyOf(uriSans);
    dnsSans = List.copyOf(dnsSans);
    Objects.requireNonNull(subject, "subject");
    certificates = List.copyOf(certificates);
  }
}
