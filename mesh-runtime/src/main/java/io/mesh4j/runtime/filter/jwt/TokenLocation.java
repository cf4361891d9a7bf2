package io.mesh4j.runtime.filter.jwt;

import io.mesh4j.runtime.inbound.InboundRequest;
import io.mesh4j.runtime.matcher.QueryParameters;
import java.util.Objects;

/**
 * Where a provider looks for its token ({@code from_headers} with {@code value_prefix}, {@code from_params}, {@code
 * from_cookies}); without any, Envoy's defaults: {@code Authorization: Bearer <token>} and the {@code access_token}
 * query parameter.
 */
record TokenLocation(Kind kind, String name, String valuePrefix) {
  enum Kind { HEADER, PARAM, COOKIE }

  static final TokenLocation AUTHORIZATION_BEARER = new TokenLocation(Kind.HEADER, "authorization", "Bearer ");
  static final TokenLocation ACCESS_TOKEN_PARAM = new TokenLocation(Kind.PARAM, "access_token", "");

  TokenLocation {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(valuePrefix, "valuePrefix");
  }

  /** The token found here, or null. */
  String extract(InboundRequest request) {
    switch (kind) {
      case HEADER:
        return fromHeader(request.header(name));
      case PARAM:
        String path = request.path();
        return path == null || path.indexOf('?') < 0 ? null : emptyToNull(QueryParameters.parse(path).first(name));
      default:
        return fromCookies(request.header("cookie"));
    }
  }

  /** Removes the token before the request goes on ({@code forward: false}); Envoy removes header tokens only. */
  void remove(InboundRequest request) {
    if (kind == Kind.HEADER) {
      request.headers().remove(name);
    }
  }

  private String fromHeader(String value) {
    if (value == null) {
      return null;
    }
    if (valuePrefix.isEmpty()) {
      return emptyToNull(value.trim());
    }
    // As Envoy: the prefix may appear anywhere in the value; the token is what follows it, up to the first
    // character a JWT cannot hold (so "Bearer <jwt>, other" yields the JWT).
    int at = value.indexOf(valuePrefix);
    if (at < 0) {
      return null;
    }
    int start = at + valuePrefix.length();
    int end = start;
    while (end < value.length() && isTokenChar(value.charAt(end))) {
      end++;
    }
    return end == start ? null : value.substring(start, end);
  }

  private String fromCookies(String cookies) {
    if (cookies == null) {
      return null;
    }
    for (String pair : cookies.split("[;,]")) {
      int eq = pair.indexOf('=');
      if (eq > 0 && pair.substring(0, eq).trim().equals(name)) {
        return emptyToNull(pair.substring(eq + 1).trim());
      }
    }
    return null;
  }

  private static final boolean[] TOKEN_CHARS = tokenChars();

  private static boolean[] tokenChars() {
    boolean[] chars = new boolean[128];
    for (char c = 'A'; c <= 'Z'; c++) {
      chars[c] = true;
      chars[Character.toLowerCase(c)] = true;
    }
    for (char c = '0'; c <= '9'; c++) {
      chars[c] = true;
    }
    for (char c : "-_.=+/".toCharArray()) {
      chars[c] = true;
    }
    return chars;
  }

  private static boolean isTokenChar(char c) {
    return c < 128 && TOKEN_CHARS[c];
  }

  private static String emptyToNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }
}
