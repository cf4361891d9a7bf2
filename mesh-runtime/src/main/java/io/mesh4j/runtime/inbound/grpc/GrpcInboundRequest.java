package io.mesh4j.runtime.inbound.grpc;

import io.mesh4j.MeshJwt;
import io.grpc.Metadata;
import io.mesh4j.runtime.grpc.GrpcHeaderNames;
import io.mesh4j.runtime.grpc.GrpcMetadataEditor;
import io.mesh4j.runtime.inbound.DownstreamConnection;
import io.mesh4j.runtime.inbound.DynamicMetadata;
import io.mesh4j.runtime.inbound.InboundRequest;
import io.mesh4j.runtime.inbound.PseudoHeaders;
import io.mesh4j.runtime.view.HeaderEditor;
import io.mesh4j.runtime.view.HeaderValues;

/**
 * A received gRPC call as the server's HTTP filters see it: {@code :path} is {@code /package.Service/Method},
 * {@code :method} {@code POST}, {@code content-type} {@code application/grpc}, the other headers are the call's
 * metadata (binary {@code -bin} headers are invisible to matchers, as gRFC A41 has RBAC see them). Built once per call
 * over the call's own objects; the dynamic metadata and header editor are made only if a filter asks.
 */
final class GrpcInboundRequest implements InboundRequest {
  private final String authority;
  private final String path;
  private final Metadata headers;
  private final DownstreamConnection connection;
  private DynamicMetadata dynamicMetadata;
  private HeaderEditor editor;

  GrpcInboundRequest(String authority, String fullMethodName, Metadata headers, DownstreamConnection connection) {
    this.authority = authority;
    this.path = GrpcHeaderNames.path(fullMethodName);
    this.headers = headers;
    this.connection = connection;
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
  public String method() {
    return "POST";
  }

  @Override
  public String header(String lowerCaseName) {
    if (PseudoHeaders.isPseudo(lowerCaseName)) {
      return PseudoHeaders.value(this, lowerCaseName, connection.facts().isTls() ? "https" : "http");
    }
    if (lowerCaseName.endsWith(Metadata.BINARY_HEADER_SUFFIX)) {
      return null;
    }
    if (lowerCaseName.equals("content-type")) {
      return "application/grpc";
    }
    if (lowerCaseName.equals("host")) {
      return authority;
    }
    Metadata.Key<String> key = GrpcHeaderNames.key(lowerCaseName);
    return key == null ? null : HeaderValues.join(headers.getAll(key));
  }

  @Override
  public DownstreamConnection connection() {
    return connection;
  }

  @Override
  public DynamicMetadata dynamicMetadata() {
    if (dynamicMetadata == null) {
      dynamicMetadata = new DynamicMetadata();
    }
    return dynamicMetadata;
  }

  /** The verified token a jwt_authn filter left for the application, or null (allocates nothing when none). */
  public MeshJwt verifiedJwt() {
    return dynamicMetadata == null ? null : dynamicMetadata.verifiedJwt();
  }

  @Override
  public HeaderEditor headers() {
    if (editor == null) {
      editor = new GrpcMetadataEditor(headers);
    }
    return editor;
  }
}
