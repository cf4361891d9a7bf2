package io.mesh4j.runtime.inbound;

/**
 * The pseudo-headers Envoy's matchers see on a request ({@code :authority}, {@code :path} with the query,
 * {@code :method}, {@code :scheme}), answered alike by every server adapter from its request's own fields.
 */
public final class PseudoHeaders {
  private PseudoHeaders() {}

  /** Whether {@code lowerCaseName} names a pseudo-header (answered by {@link #value}, never by the header map). */
  public static boolean isPseudo(String lowerCaseName) {
    return !lowerCaseName.isEmpty() && lowerCaseName.charAt(0) == ':';
  }

  /** The pseudo-header {@code lowerCaseName} of {@code request}, served over {@code scheme}; null for an unknown one. */
  public static String value(InboundRequest request, String lowerCaseName, String scheme) {
    return switch (lowerCaseName) {
      case ":authority" -> request.authority();
      case ":path" -> request.path();
      case ":method" -> request.method();
      case ":scheme" -> scheme;
      default -> null;
    };
  }
}
