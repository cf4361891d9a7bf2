package io.mesh4j.runtime.route;

import java.util.Locale;

/** Authority helpers for virtual host selection. */
final class Hosts {
  private Hosts() {}

  /** Lower-cases ASCII letters, returning {@code s} itself (no allocation) when it has none in upper case. */
  static String toLowerCase(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c >= 'A' && c <= 'Z') {
        return s.toLowerCase(Locale.ROOT);
      }
    }
    return s;
  }

  /**
   * Where the {@code :port} of an authority starts, or -1. A port is one or more digits after the last colon, which
   * must come after the closing bracket of an IPv6 literal ({@code [::1]:8080}); a bare IPv6 address has no port.
   */
  static int portStart(String authority) {
    int colon = authority.lastIndexOf(':');
    if (colon < 0 || colon == authority.length() - 1) {
      return -1;
    }
    int bracket = authority.lastIndexOf(']');
    if (bracket > colon || (bracket < 0 && authority.indexOf(':') != colon)) {
      return -1;
    }
    for (int i = colon + 1; i < authority.length(); i++) {
      char c = authority.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
    }
    return colon;
  }
}
