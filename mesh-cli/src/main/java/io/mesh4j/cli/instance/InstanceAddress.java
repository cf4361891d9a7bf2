package io.mesh4j.cli.instance;

import java.util.Locale;

/**
 * An instance as named on meshctl's command line: {@code http://host:port} (its admin endpoint),
 * {@code csds://host:port} (its CSDS gRPC port), or a bare {@code host:port}, which is tried as an admin endpoint
 * first and over CSDS when it does not answer HTTP.
 *
 * @param way how to read it
 * @param hostPort the {@code host:port} without the scheme
 */
public record InstanceAddress(Way way, String hostPort) {

  /** How an instance is read. */
  public enum Way {
    ADMIN,
    CSDS,
    EITHER
  }

  private static final String HTTP = "http://";
  private static final String CSDS = "csds://";

  /** Splits the scheme off; the rest is not checked here. A trailing {@code /} after the port is dropped. */
  public static InstanceAddress parse(String text) {
    String lower = text.toLowerCase(Locale.ROOT);
    if (lower.startsWith(HTTP)) {
      return new InstanceAddress(Way.ADMIN, trimSlash(text.substring(HTTP.length())));
    }
    if (lower.startsWith(CSDS)) {
      return new InstanceAddress(Way.CSDS, trimSlash(text.substring(CSDS.length())));
    }
    return new InstanceAddress(Way.EITHER, text);
  }

  private static String trimSlash(String hostPort) {
    return hostPort.endsWith("/") ? hostPort.substring(0, hostPort.length() - 1) : hostPort;
  }
}
