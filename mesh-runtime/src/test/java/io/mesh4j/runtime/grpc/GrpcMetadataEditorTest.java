package io.mesh4j.runtime.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Metadata;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class GrpcMetadataEditorTest {
  private static final Metadata.Key<String> TRACE = Metadata.Key.of("x-trace", Metadata.ASCII_STRING_MARSHALLER);
  private static final Metadata.Key<byte[]> BLOB = Metadata.Key.of("x-blob-bin", Metadata.BINARY_BYTE_MARSHALLER);
  private static final Metadata.Key<String> TIMEOUT = Metadata.Key.of("grpc-timeout", Metadata.ASCII_STRING_MARSHALLER);

  @Test
  void asciiHeadersAreAddedSetAndRemoved() {
    Metadata metadata = new Metadata();
    GrpcMetadataEditor editor = new GrpcMetadataEditor(metadata);
    editor.add("x-trace", "a");
    editor.add("X-Trace", "b");
    assertThat(editor.has("x-trace")).isTrue();
    assertThat(metadata.getAll(TRACE)).containsExactly("a", "b");
    editor.set("x-trace", "c");
    assertThat(metadata.getAll(TRACE)).containsExactly("c");
    editor.remove("x-trace");
    assertThat(editor.has("x-trace")).isFalse();
  }

  @Test
  void binaryHeadersTakeBase64AndABadValueChangesNothing() {
    Metadata metadata = new Metadata();
    GrpcMetadataEditor editor = new GrpcMetadataEditor(metadata);
    editor.add("x-blob-bin", "aGk"); // "hi", unpadded as Envoy may send it
    assertThat(new String(metadata.get(BLOB), StandardCharsets.US_ASCII)).isEqualTo("hi");
    editor.set("x-blob-bin", "not base64!");
    assertThat(new String(metadata.get(BLOB), StandardCharsets.US_ASCII)).isEqualTo("hi");
  }

  @Test
  void transportHeadersAreNeverTouched() {
    Metadata metadata = new Metadata();
    metadata.put(TIMEOUT, "5S");
    GrpcMetadataEditor editor = new GrpcMetadataEditor(metadata);
    editor.remove("grpc-timeout");
    editor.set("content-type", "text/plain");
    editor.add(":authority", "elsewhere");
    assertThat(metadata.get(TIMEOUT)).isEqualTo("5S");
    assertThat(metadata.keys()).containsExactly("grpc-timeout");
    assertThat(editor.has("grpc-timeout")).isFalse(); // not the mutations' to see either
  }
}
