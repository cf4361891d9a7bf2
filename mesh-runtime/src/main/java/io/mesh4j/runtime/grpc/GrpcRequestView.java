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
    Metadata.Key<String> key = GrpcHeaderNames.key(lowerCaseName);
    if (key == null) {
      return null; // a name no metadata key can carry cannot be present
    }
    return HeaderValues.join(headers.getAll(key));
  }
}
