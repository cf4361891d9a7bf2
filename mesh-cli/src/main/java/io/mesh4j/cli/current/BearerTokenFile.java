package io.mesh4j.cli.current;

import io.grpc.CallCredentials;
import io.grpc.Metadata;
import io.grpc.SecurityLevel;
import io.grpc.Status;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Executor;

/**
 * {@code authorization: Bearer <token>} from a file, read for every call as Istio's agent reads its projected token
 * (Kubernetes rotates it). Never sent over a connection without privacy.
 */
final class BearerTokenFile extends CallCredentials {
  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  private final Path file;

  BearerTokenFile(Path file) {
    this.file = file;
  }

  @Override
  public void applyRequestMetadata(RequestInfo info, Executor executor, MetadataApplier applier) {
    if (info.getSecurityLevel() != SecurityLevel.PRIVACY_AND_INTEGRITY) {
      applier.fail(Status.UNAUTHENTICATED.withDescription("a token is sent only over TLS"));
      return;
    }
    executor.execute(() -> {
      try {
        String token = Files.readString(file, StandardCharsets.UTF_8).trim();
        Metadata headers = new Metadata();
        headers.put(AUTHORIZATION, "Bearer " + token);
        applier.apply(headers);
      } catch (IOException e) {
        applier.fail(Status.UNAUTHENTICATED.withDescription("cannot read the token file " + file + ": " + e));
      }
    });
  }
}
