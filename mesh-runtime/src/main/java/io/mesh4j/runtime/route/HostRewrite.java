package io.mesh4j.runtime.route;

import io.mesh4j.runtime.view.RequestView;
import java.util.Objects;

/**
 * How the forwarded request's Host changes ({@code host_rewrite_*}, {@code auto_host_rewrite}). An empty result leaves
 * the Host as it was (Envoy does not set an empty host).
 */
public final class HostRewrite {
  enum Kind {
    LITERAL,
    AUTO,
    HEADER,
    PATH_REGEX
  }

  private final Kind kind;
  private final String value;
  private final PathRewrite pathRegex;

  private HostRewrite(Kind kind, String value, PathRewrite pathRegex) {
    this.kind = kind;
    this.value = value;
    this.pathRegex = pathRegex;
  }

  static HostRewrite literal(String host) {
    return new HostRewrite(Kind.LITERAL, Objects.requireNonNull(host), null);
  }

  static HostRewrite auto() {
    return new HostRewrite(Kind.AUTO, null, null);
  }

  /** @param header lower case */
  static HostRewrite header(String header) {
    return new HostRewrite(Kind.HEADER, header, null);
  }

  static HostRewrite pathRegex(PathRewrite regex) {
    return new HostRewrite(Kind.PATH_REGEX, null, regex);
  }

  /**
   * The new Host, or null to keep it.
   *
   * @param endpointHost the address (or host name) of the endpoint the request goes to
   */
  public String apply(RequestView request, String endpointHost) {
    String host;
    switch (kind) {
      case LITERAL:
        host = value;
        break;
      case AUTO:
        host = endpointHost;
        break;
      case HEADER:
        host = request.header(value);
        break;
      case PATH_REGEX:
        host = request.path() == null ? null : pathRegex.applyRegexToPathOnly(request.path());
        break;
      default:
        throw new AssertionError(kind);
    }
    return host == null || host.isEmpty() ? null : host;
  }
}
