package io.mesh4j.cli.current;

import io.grpc.ChannelCredentials;
import io.grpc.CompositeChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.TlsChannelCredentials;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * How meshctl reaches the control plane: plaintext (istiod's 15010), or TLS (istiod's 15012, a managed control
 * plane) with the system's roots or a CA file, an optional authority to check the certificate against (when the
 * address is a port-forward), and an optional bearer token file, sent only over TLS.
 *
 * @param target {@code host:port}
 * @param tls whether to use TLS
 * @param caFile PEM roots to trust instead of the system's, or {@code null}
 * @param authority the name the server's certificate must carry, or {@code null} for the target's host
 * @param tokenFile a file holding a bearer token (re-read for every stream), or {@code null}
 */
public record ControlPlaneConnection(String target, boolean tls, Path caFile, String authority, Path tokenFile) {
  public ControlPlaneConnection {
    if (!tls && (caFile != null || authority != null || tokenFile != null)) {
      throw new IllegalArgumentException("a CA file, an authority or a token needs TLS");
    }
  }

  public static ControlPlaneConnection plaintext(String target) {
    return new ControlPlaneConnection(target, false, null, null, null);
  }

  ManagedChannel open() {
    if (!tls) {
      return Grpc.newChannelBuilder(target, InsecureChannelCredentials.create()).build();
    }
    ChannelCredentials credentials;
    try {
      TlsChannelCredentials.Builder builder = TlsChannelCredentials.newBuilder();
      if (caFile != null) {
        builder.trustManager(caFile.toFile());
      }
      credentials = builder.build();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the control plane's CA file " + caFile + ": " + e.getMessage(), e);
    }
    if (tokenFile != null) {
      credentials = CompositeChannelCredentials.create(credentials, new BearerTokenFile(tokenFile));
    }
    ManagedChannelBuilder<?> builder;
    try {
      builder = Grpc.newChannelBuilder(target, credentials);
    } catch (RuntimeException e) {
      // ManagedChannelRegistry.ProviderNotFoundException names every transport grpc-java tried; the first reason is the one (e.g. no certificate in the file).
      String reason = e.getMessage() == null ? e.toString() : e.getMessage().split(";")[0];
      throw new IllegalArgumentException("cannot set up TLS to the control plane"
          + (caFile == null ? "" : " with the roots in " + caFile) + ": " + reason, e);
    }
    if (authority != null) {
      builder.overrideAuthority(authority);
    }
    return builder.build();
  }
}
