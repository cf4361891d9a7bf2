package io.mesh4j.runtime.filter.jwt;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The audiences a provider (or a {@code provider_and_audiences} requirement) allows, compared as Envoy and
 * jwt_verify_lib do: without an {@code http://} or {@code https://} scheme and without a trailing slash, so
 * {@code https://example.com/} allows a token for {@code example.com}. None configured allows any token.
 */
final class Audiences {
  static final Audiences ANY = new Audiences(Set.of());

  private final Set<String> allowed;

  private Audiences(Set<String> allowed) {
    this.allowed = allowed;
  }

  static Audiences of(List<String> audiences) {
    if (audiences.isEmpty()) {
      return ANY;
    }
    Set<String> normalized = new HashSet<>();
    for (String audience : audiences) {
      normalized.add(normalize(audience));
    }
    return new Audiences(Set.copyOf(normalized));
  }

  /** Whether one of the token's audiences is allowed. */
  boolean allows(List<String> tokenAudiences) {
    if (allowed.isEmpty()) {
      return true;
    }
    for (String audience : tokenAudiences) {
      if (allowed.contains(normalize(audience))) {
        return true;
      }
    }
    return false;
  }

  static String normalize(String audience) {
    String a = audience;
    if (a.startsWith("http://")) {
      a = a.substring("http://".length());
    } else if (a.startsWith("https://")) {
      a = a.substring("https://".length());
    }
    if (a.endsWith("/")) {
      a = a.substring(0, a.length() - 1);
    }
    return a;
  }

  @Override
  public String toString() {
    return allowed.toString();
  }
}
