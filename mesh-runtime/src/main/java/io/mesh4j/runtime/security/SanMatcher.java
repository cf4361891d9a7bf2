package io.mesh4j.runtime.security;

import com.google.re2j.Pattern;
import io.mesh4j.runtime.matcher.StringMatcher;
import io.mesh4j.runtime.model.SanMatch;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Envoy's subject-alt-name check: the peer is accepted when any of its SANs matches any matcher. A typed matcher
 * looks only at SANs of its type; an untyped one ({@code match_subject_alt_names}, deprecated) at DNS, URI, email
 * and IP SANs. No matcher means no SAN check.
 */
final class SanMatcher {
  private static final int EMAIL = 1;
  private static final int DNS = 2;
  private static final int URI = 6;
  private static final int IP = 7;

  private final List<SanMatch> matches;
  /** Each match's value rule, compiled: the same StringMatcher routes use. */
  private final List<StringMatcher> values;
  private final boolean requiresUri;

  SanMatcher(List<SanMatch> matches) {
    this.matches = List.copyOf(matches);
    List<StringMatcher> compiled = new ArrayList<>();
    boolean uri = false;
    for (SanMatch match : this.matches) {
      compiled.add(compile(match));
      uri |= match.type() == SanMatch.SanType.URI
          || (match.type() == SanMatch.SanType.ANY && match.pattern().startsWith("spiffe://"));
    }
    this.values = compiled;
    this.requiresUri = uri;
  }

  boolean isEmpty() {
    return matches.isEmpty();
  }

  void check(X509Certificate leaf) throws PeerCertificateException {
    if (matches.isEmpty()) {
      return;
    }
    Collection<List<?>> sans;
    try {
      sans = leaf.getSubjectAlternativeNames();
    } catch (CertificateParsingException e) {
      throw new PeerCertificateException(PeerCertificateException.Check.SAN_MISMATCH, "unreadable SANs");
    }
    List<String> presented = new ArrayList<>();
    boolean hasUri = false;
    if (sans != null) {
      for (List<?> san : sans) {
        int tag = (Integer) san.get(0);
        if (!(san.get(1) instanceof String value)) {
          continue;
        }
        hasUri |= tag == URI;
        presented.add(value);
        for (int i = 0; i < matches.size(); i++) {
          if (typeMatches(matches.get(i).type(), tag) && values.get(i).matches(value)) {
            return;
          }
        }
      }
    }
    if (requiresUri && !hasUri) {
      throw new PeerCertificateException(PeerCertificateException.Check.NO_URI_SAN,
          "the peer certificate has no URI SAN (SPIFFE ID); expected " + matches);
    }
    throw new PeerCertificateException(PeerCertificateException.Check.SAN_MISMATCH,
        "the peer presented " + presented + ", expected " + matches);
  }

  private static boolean typeMatches(SanMatch.SanType type, int tag) {
    return switch (type) {
      case ANY -> tag == DNS || tag == URI || tag == EMAIL || tag == IP;
      case DNS -> tag == DNS;
      case URI -> tag == URI;
      case EMAIL -> tag == EMAIL;
      case IP_ADDRESS -> tag == IP;
    };
  }

  private static StringMatcher compile(SanMatch m) {
    String p = m.pattern();
    boolean ic = m.ignoreCase();
    return switch (m.kind()) {
      case EXACT -> StringMatcher.exact(p, ic);
      case PREFIX -> StringMatcher.prefix(p, ic);
      case SUFFIX -> StringMatcher.suffix(p, ic);
      case CONTAINS -> StringMatcher.contains(p, ic);
      case SAFE_REGEX -> StringMatcher.regex(Pattern.compile(p));
    };
  }
}
