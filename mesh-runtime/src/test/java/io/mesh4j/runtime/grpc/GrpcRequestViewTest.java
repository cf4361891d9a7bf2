package io.mesh4j.runtime.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Metadata;
import org.junit.jupiter.api.Test;

class GrpcRequestViewTest {

  private static Metadata metadata(String... namesAndValues) {
    Metadata headers = new Metadata();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      headers.put(Metadata.Key.of(namesAndValues[i], Metadata.ASCII_STRING_MARSHALLER), namesAndValues[i + 1]);
    }
    return headers;
  }

  @Test
  void headersAreReadFromTheCallsMetadataEveryTime() {
    GrpcRequestView first = new GrpcRequestView("a:1", "pkg.Svc/M", metadata("x-user", "ann", "x-user", "bob"));
    GrpcRequestView second = new GrpcRequestView("a:1", "pkg.Svc/M", metadata("x-user", "cy"));
    GrpcRequestView none = new GrpcRequestView("a:1", "pkg.Svc/M", new Metadata());

    assertThat(first.header("x-user")).isEqualTo("ann,bob");
    assertThat(second.header("x-user")).isEqualTo("cy");
    assertThat(none.header("x-user")).isNull();
    assertThat(first.header("x-user")).isEqualTo("ann,bob");
  }

  @Test
  void pseudoHeadersContentTypeBinaryAndInvalidNames() {
    Metadata headers = metadata("x-ok", "1");
    headers.put(Metadata.Key.of("x-data-bin", Metadata.BINARY_BYTE_MARSHALLER), new byte[] {1});
    GrpcRequestView view = new GrpcRequestView("a:1", "pkg.Svc/M", headers);

    assertThat(view.path()).isEqualTo("/pkg.Svc/M");
    assertThat(view.header(":path")).isEqualTo("/pkg.Svc/M");
    assertThat(view.header(":authority")).isEqualTo("a:1");
    assertThat(view.header(":method")).isEqualTo("POST");
    assertThat(view.header("content-type")).isEqualTo("application/grpc");
    assertThat(view.header("x-data-bin")).isNull();
    // No metadata key can carry these names: absent, the first time and the next.
    assertThat(view.header("x bad")).isNull();
    assertThat(view.header("x bad")).isNull();
    assertThat(view.header("x-ok")).isEqualTo("1");
  }
}
