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
    String[] parts = s.split("\\.", -1);
    if (parts.length != 4) {
      return false;
    }
    for (String part : parts) {
      if (part.isEmpty() || part.length() > 3 || (part.length() > 1 && part.charAt(0) == '0')) {
        return false;
      }
      for (int i = 0; i < part.length(); i++) {
        if (!Character.isDigit(part.charAt(i)) || part.charAt(i) > '9') {
          return false;
        }
      }
      if (Integer.parseInt(part) > 255) {
        return false;
      }
    }
    return true;
  }
}
