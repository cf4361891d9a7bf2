package io.mesh4j.runtime.inbound;

import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * Who is calling, from the certificate the client presented in the TLS handshake.
 *
 * @param principalName what Envoy's RBAC {@code authenticated.principal_name} matches: the first URI SAN (a SPIFFE ID
 *     in a mesh), else the first DNS SAN, else the subject
 * @param uriSans the certificate's URI SANs, in order
 * @param dnsSans the certificate's DNS SANs, in order
 * @param subject the subject distinguished name (RFC 2253)
 * @param chain the presented chain, leaf first
 */
public record PeerIdentity(
    String principalName, List<String> uriSans, List<String> dnsSans, String subject, List<X509Certificate> chain) {
  private static final int DNS_NAME = 2;
  private static final int URI = 6;

  public PeerIdentity {
    Objects.requireNonNull(principalName, "principalName");
    uriSans = List.copyOf(uriSans);
    dnsSans = List.copyOf(dnsSans);
    Objects.requireNonNull(subject, "subject");
    chain = List.copyOf(chain);
  }

  /** The identity in a verified peer chain, or null when the peer presented no certificate. */
  public static PeerIdentity of(X509Certificate[] chain) {
    if (chain == null || chain.length == 0) {
      return null;
    }
    X509Certificate leaf = chain[0];
    List<String> uris = new ArrayList<>();
    List<String> dns = new ArrayList<>();
    Collection<List<?>> sans;
    try {
      sans = leaf.getSubjectAlternativeNames();
    } catch (CertificateParsingException e) {
      sans = null;
    }
    if (sans != null) {
      for (List<?> san : sans) {
        int type = (Integer) san.get(0);
        if (type == URI) {
          uris.add((String) san.get(1));
        } else if (type == DNS_NAME) {
          dns.add((String) san.get(1));
        }
      }
    }
    String subject = leaf.getSubjectX500Principal().getName();
    String principal = !uris.isEmpty() ? uris.get(0) : !dns.isEmpty() ? dns.get(0) : subject;
    return new PeerIdentity(principal, uris, dns, subject, List.of(chain));
  }
}
