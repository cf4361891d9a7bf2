package io.mesh4j.cli.instance;

import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.ManagedChannelBuilder;
import io.grpc.TlsChannelCredentials;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * TLS to the instances' CSDS ports, as {@code ControlPlaneConnection} is to the control plane: the system's roots or
 * a CA file, a client certificate and key when the port wants mTLS, and an authority to check the certificate
 * against when instances are named by IP (the one name their certificates share, e.g. the service's).
 *
 * @param caFile PEM roots to trust instead of the system's, or {@code null}
 * @param certFile the PEM certificate chain meshctl presents, or {@code null}
 * @param keyFile its PKCS#8 PEM private key (with {@code certFile}), or {@code null}
 * @param authority the name every instance's certificate must carry, or {@code null} for the address's host
 */
public record InstanceTls(Path caFile, Path certFile, Path keyFile, String authority) {
  public InstanceTls {
    if ((certFile == null) != (keyFile == null)) {
      throw new IllegalArgumentException("a client certificate needs its key, and a key its certificate");
    }
  }

  /**
   * The credentials, checked now (a CA file without a certificate, a key that does not parse), so that a bad file
   * is one error at start rather than a row per instance.
   *
   * @throws IllegalArgumentException naming the file when the credentials cannot be built
   */
  ChannelCredentials credentials() {
    ChannelCredentials credentials;
    try {
      TlsChannelCredentials.Builder builder = TlsChannelCredentials.newBuilder();
      if (caFile != null) {
        builder.trustManager(caFile.toFile());
      }
      if (certFile != null) {
        builder.keyManager(certFile.toFile(), keyFile.toFile());
      }
      credentials = builder.build();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the instances' TLS files: " + e.getMessage(), e);
    }
    try {
      // Only builds the TLS context (no channel, no connection): the files are parsed here.
      Grpc.newChannelBuilder("127.0.0.1:1", credentials);
    } catch (RuntimeException e) {
      // The first reason of grpc-java's "no provider" message is the one (e.g. no certificate in the file).
      String reason = e.getMessage() == null ? e.toString() : e.getMessage().split(";")[0];
      throw new IllegalArgumentException("cannot set up TLS to the instances' CSDS ports"
          + (caFile == null ? "" : " with the roots in " + caFile)
          + (certFile == null ? "" : " and the certificate in " + certFile) + ": " + reason, e);
    }
    return credentials;
  }

  /** The channel's authority when one is set. */
  void apply(ManagedChannelBuilder<?> builder) {
    if (authority != null) {
      builder.overrideAuthority(authority);
    }
  }
}
