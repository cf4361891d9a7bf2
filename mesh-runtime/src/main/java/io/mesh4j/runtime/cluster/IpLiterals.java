package io.mesh4j.runtime.cluster;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** Recognises IP literals without ever resolving a name. */
final class IpLiterals {
  private IpLiterals() {}

  static boolean isIpLiteral(String s) {
    if (s.isEmpty()) {
      return false;
    }
    if (s.indexOf(':') >= 0) {
      // InetAddress treats a string with ':' as an IPv6 literal and never looks it up.
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        if (!(Character.digit(c, 16) >= 0 || c == ':' || c == '.' || c == '%')) {
          return false;
        }
      }
      try {
        InetAddress.getByName(s.indexOf('%') >= 0 ? s.substring(0, s.indexOf('%')) : s);
        return true;
      } catch (UnknownHostException e) {
        return false;
      }
    }
    // Four dot-separated decimal parts of 0-255 without leading zeros, read in place: this runs for every endpoint
    // of every EDS response, and a split per address was most of the time of decoding an endpoint.
    int parts = 0;
    int start = 0;
    for (int i = 0; i <= s.length(); i++) {
      if (i < s.length() && s.charAt(i) != '.') {
        continue;
      }
      int length = i - start;
      if (length == 0 || length > 3 || (length > 1 && s.charAt(start) == '0')) {
        return false;
      }
      int value = 0;
      for (int k = start; k < i; k++) {
        char c = s.charAt(k);
        if (c < '0' || c > '9') {
          return false;
        }
        value = value * 10 + (c - '0');
      }
      if (value > 255 || ++parts > 4) {
        return false;
      }
      start = i + 1;
    }
    return parts == 4;
  }
}
