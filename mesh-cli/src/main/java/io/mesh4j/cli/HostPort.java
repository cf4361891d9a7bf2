package io.mesh4j.cli;

/** Checks {@code host:port} flags up front, so that a typo is a usage error rather than a row of connect errors. */
final class HostPort {
  private HostPort() {}

  /** {@code null} when {@code text} is a usable {@code host:port} ({@code [v6]:port} too), else why not. */
  static String problem(String text) {
    int colon = text.lastIndexOf(':');
    if (colon <= 0 || colon == text.length() - 1) {
      return "'" + text + "' is not host:port";
    }
    String host = text.substring(0, colon);
    if (host.contains(":") && !(host.startsWith("[") && host.endsWith("]"))) {
      return "'" + text + "': write an IPv6 address in brackets, [::1]:15000";
    }
    try {
      int port = Integer.parseInt(text.substring(colon + 1));
      if (port < 1 || port > 65535) {
        return "'" + text + "': port " + port + " is out of range";
      }
    } catch (NumberFormatException e) {
      return "'" + text + "': '" + text.substring(colon + 1) + "' is not a port number";
    }
    return null;
  }
}
