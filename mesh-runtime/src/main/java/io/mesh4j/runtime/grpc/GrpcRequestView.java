package io.mesh4j.runtime.grpc;

import io.grpc.Metadata;
import io.mesh4j.runtime.view.HeaderValues;
import io.mesh4j.runtime.view.RequestView;

/**
 * A gRPC call as routing sees it: the path is {@code /package.Service/Method}, headers are the call's metadata. As
 * gRPC's xDS client does (gRFC A28), binary ({@code -bin}) headers are invisible to matchers, {@code content-type} is
 * {@code application/grpc}, and the method is {@code POST}.
 */
final class GrpcRequestView implements RequestView {
  private final String authority;
  private final String path;
  private final Metadata headers;
  /**
   * The last header asked for and its value: a route table often asks several routes in a row about the same header
   * (header variants of one path), and one lookup then serves them all. One field holding both, so that a view read
   * from another thread later (a retry, metrics) never sees a name with another header's value.
   */
  private Lookup last;

  private record Lookup(String name, String value) {}

  GrpcRequestView(String authority, String fullMethodName, Metadata headers) {
    this.authority = authority;
    this.path = GrpcHeaderNames.path(fullMethodName);
    this.headers = headers;
  }

  @Override
  public String authority() {
    return authority;
  }

  @Override
  public String path() {
    return path;
  }

  @Override
  public String header(String lowerCaseName) {
    if (!lowerCaseName.isEmpty() && lowerCaseName.charAt(0) == ':') {
      switch (lowerCaseName) {
        case ":authority":
          return authority;
        case ":path":
          return path;
        case ":method":
          return "POST";
        case ":scheme":
          return "http";
        default:
          return null;
      }
    }
    if (lowerCaseName.endsWith(Metadata.BINARY_HEADER_SUFFIX)) {
      return null;
    }
    if (lowerCaseName.equals("content-type")) {
      return "application/grpc";
    }
    Lookup previous = last;
    if (previous != null && lowerCaseName.equals(previous.name())) {
      return previous.value();
    }
    Metadata.Key<String> key = GrpcHeaderNames.key(lowerCaseName);
    // A name no metadata key can carry cannot be present.
    String value = key == null ? null : HeaderValues.join(headers.getAll(key));
    last = new Lookup(lowerCaseName, value);
    return value;
  }
}
